"""The main menu. A module appears only once it registers a page that exists.

Each app registers its entries in ``AppConfig.ready``; the context processor keeps the
ones the current principal may see and whose URL resolves, so the menu never shows a
dead link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 50


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(principal) -> list[dict]:
    result = []
    for item in sorted(_ITEMS.values(), key=lambda i: i.order):
        if not item.visible(principal):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        result.append({"key": item.key, "label": item.label, "url": url})
    return result
