"""The audit history: who changed what, when, before and after.

Models keep their history with django-simple-history; this module reads the history
of every audited model into one list for the reform office.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

AUDITED = [
    "orgs.OrgUnit",
    "orgs.Succession",
    "orgs.OrgGroup",
    "accounts.Membership",
    "accounts.User",
]


def register(label: str) -> None:
    if label not in AUDITED:
        AUDITED.append(label)


@dataclass
class Change:
    record: object
    model_label: str
    model_name: str
    when: object
    who: object
    kind: str  # "+", "~", "-"
    object_repr: str
    fields: list[tuple[str, object, object]]  # (field verbose name, before, after)


def audited_models():
    return [apps.get_model(label) for label in AUDITED]


def _field_changes(record) -> list[tuple[str, object, object]]:
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous)
    model = record.instance_type
    result = []
    for change in delta.changes:
        try:
            name = str(model._meta.get_field(change.field).verbose_name)
        except Exception:  # noqa: BLE001 - a removed field keeps its raw name
            name = change.field
        result.append((name, change.old, change.new))
    return result


def recent_records(limit: int = 1000, model_label: str | None = None, username: str | None = None) -> list[tuple[str, object]]:
    """The latest history records across audited models, newest first (cheap: no diffs yet)."""
    streams = []
    for model in audited_models():
        label = model._meta.label
        if model_label and label != model_label:
            continue
        qs = model.history.select_related("history_user").order_by("-history_date")
        if username:
            qs = qs.filter(history_user__username=username)
        streams.extend((label, r) for r in qs[:limit])
    streams.sort(key=lambda item: item[1].history_date, reverse=True)
    return streams[:limit]


def describe(records: list[tuple[str, object]]) -> list[Change]:
    """The before/after of each record: call it on the page shown only."""
    changes = []
    for label, record in records:
        changes.append(
            Change(
                record=record,
                model_label=label,
                model_name=str(record.instance_type._meta.verbose_name),
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                object_repr=str(record.instance) if record.history_type != "-" else str(record.history_object),
                fields=_field_changes(record) if record.history_type == "~" else [],
            )
        )
    return changes


def recent_changes(limit: int = 200, model_label: str | None = None, username: str | None = None) -> list[Change]:
    return describe(recent_records(limit, model_label, username))
