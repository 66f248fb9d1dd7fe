"""Plain data of a framework: nodes, bands, findings, and Decimal helpers.

Pure Python: nothing here imports Django. Points are ``decimal.Decimal`` everywhere.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from .methods import Method

FORMAT = "cchc-framework/1"
SUBJECT_KINDS = ("province", "department", "commune", "district", "agency")

Severity = Literal["error", "warning"]

#: A framework code: ``HG-214-2021``.
FRAMEWORK_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: A node or band code: ASCII letters and digits in segments joined by ``.``, ``-``, ``_`` or one
#: space. Accepts ``1``, ``3.4.1``, ``TC 1.1``, ``TCTP 3.3``, ``SIPAS``, ``A.III.3``; refuses
#: ``3.4.`` (trailing dot), ``1..2``, ``TC  1`` (two spaces), ``Đ1`` (not ASCII).
NODE_CODE_RE = re.compile(r"^[A-Za-z0-9]+(?:[ ._-][A-Za-z0-9]+)*$")
NODE_CODE_MAX_LENGTH = 40

TWO_PLACES = Decimal("0.01")


@dataclass
class Finding:
    """A problem found in a framework file, an input or a comparison.

    ``code`` is a stable identifier the Django layer can translate with ``params``; ``message`` is
    an English sentence naming the place; ``line`` is 1-based in the framework file when known.
    """

    code: str
    message: str
    line: int | None = None
    node: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


@dataclass
class Band:
    """A group such as "Nhóm A": a subject belongs to the first band whose ``min`` <= its index."""

    code: str
    label: str
    min: Decimal  # percent of max
    line: int | None = field(default=None, compare=False)


@dataclass
class Node:
    """A domain, criterion or sub-criterion. ``max`` None means the source says "unknown"."""

    code: str
    title: str
    max: Decimal | None
    title_en: str | None = None
    responsible: str | None = None
    guidance: str | None = None
    evidence: str | None = None
    note: str | None = None  # free text: provenance, transcription remarks
    method: Method | None = None  # set on leaves only (manual by default)
    children: list[Node] = field(default_factory=list)
    line: int | None = field(default=None, compare=False)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self, depth: int = 0) -> Iterator[tuple[Node, int]]:
        """This node and all below it, pre-order, with their depth."""
        yield self, depth
        for child in self.children:
            yield from child.walk(depth + 1)


@dataclass
class Framework:
    code: str
    version: int
    name: str
    subject_kind: str
    years: list[int]
    nodes: list[Node]
    source: str | None = None
    template: bool = False
    total_max: Decimal | None = None
    bands: list[Band] = field(default_factory=list)
    note: str | None = None  # free text: provenance, transcription remarks
    format: str = FORMAT

    def walk(self) -> Iterator[tuple[Node, int]]:
        for root in self.nodes:
            yield from root.walk()

    def by_code(self) -> dict[str, Node]:
        return {node.code: node for node, _ in self.walk()}

    def leaves(self) -> list[Node]:
        return [node for node, _ in self.walk() if node.is_leaf]


# -- Decimal helpers --------------------------------------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])


def exact(func: _F) -> _F:
    """Run ``func`` with a 60-digit Decimal context, whatever context the caller has set, so
    sums and differences of points are never rounded."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with localcontext(Context(prec=60)):
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


def round_points(value: Decimal) -> Decimal:
    """Display rounding: two decimals, half up (2.675 -> 2.68, 0.125 -> 0.13)."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise TypeError(f"points must be Decimal or int, not {type(value).__name__}")
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def fmt_points(value: Decimal | int | None, sep: str = ",") -> str:
    """Points or an index for display, two decimals half up: ``fmt_points(Decimal("7.875"))`` is
    ``"7,88"`` (Vietnamese), ``fmt_points(d, sep=".")`` is ``"7.88"``. None gives ``""``."""
    if value is None:
        return ""
    text = format(round_points(value), "f")
    if text.startswith("-") and round_points(value) == 0:
        text = text[1:]  # no "-0,00"
    return text.replace(".", sep)


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain positional text, keeping its trailing zeros ("2.0" stays "2.0")."""
    return format(value, "f")


def is_valid_node_code(code: str) -> bool:
    return len(code) <= NODE_CODE_MAX_LENGTH and NODE_CODE_RE.match(code) is not None


_NATURAL_RE = re.compile(r"(\d+)")


def code_sort_key(code: str) -> tuple:
    """Natural order of codes: 1.2 < 1.10 < 2, TC 1.1 < TC 1.2."""
    parts = _NATURAL_RE.split(code)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)
