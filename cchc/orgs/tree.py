"""Tree walks over organisation units, done on the (id, parent id) pairs in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def _parent_pairs() -> list[tuple[int, int | None]]:
    from cchc.orgs.models import OrgUnit

    return list(OrgUnit.objects.values_list("pk", "parent_id"))


def descendant_ids(unit_ids: Iterable[int]) -> set[int]:
    roots = set(unit_ids)
    if not roots:
        return set()
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in _parent_pairs():
        children[parent].append(pk)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found and child not in roots:
                found.add(child)
                stack.append(child)
    return found


def ancestor_ids(unit_id: int) -> set[int]:
    parents = dict(_parent_pairs())
    found: set[int] = set()
    node = parents.get(unit_id)
    while node is not None and node not in found:
        found.add(node)
        node = parents.get(node)
    return found


def build_tree(units) -> list[dict]:
    """Nest an iterable of units (any order) as [{unit, children: [...]}] under their closest listed ancestor."""
    units = list(units)
    by_id = {u.pk: {"unit": u, "children": []} for u in units}
    roots = []
    for u in units:
        node = by_id[u.pk]
        parent = by_id.get(u.parent_id)
        (parent["children"] if parent else roots).append(node)
    return roots
