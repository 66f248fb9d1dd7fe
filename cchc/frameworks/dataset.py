"""The dataset file format ``cchc-dataset/1``: values a document printed for one subject.

A dataset keeps, per framework node, the cells of a document as printed (strings), with its
columns declared: ``score`` columns (a year's result, subtotals included) and ``target``
columns (a year's target), plus text columns (time frame, lead, coordinating agencies).
Nothing is corrected: the engine compares the printed subtotals with its own sums.
Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .model import Finding, Framework
from .raw import NUMBER_RE, Ctx, Map, Scalar, Seq, from_yaml

FORMAT = "cchc-dataset/1"
COLUMN_KINDS = ("score", "target", "text")


@dataclass
class Column:
    key: str
    kind: str  # score | target | text
    label: str
    year: int | None = None


@dataclass
class Dataset:
    framework: str
    subject: dict[str, str]
    source: str
    columns: list[Column]
    rows: list[dict[str, str]]  # each has "code" and the printed cells
    totals: dict[str, str] = field(default_factory=dict)
    text_keys: tuple[str, ...] = ("time_frame", "lead", "coordinating")

    def numbers(self, key: str) -> dict[str, Decimal]:
        """code -> Decimal for a numeric column; cells that are not numbers are left out."""
        out = {}
        for row in self.rows:
            value = as_decimal(row.get(key))
            if value is not None:
                out[row["code"]] = value
        return out

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def columns_of(self, kind: str) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]


def as_decimal(text) -> Decimal | None:
    if text is None:
        return None
    text = str(text).strip()
    if not NUMBER_RE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _text(raw) -> str | None:
    if isinstance(raw, Scalar) and not raw.is_null:
        return raw.text
    return None


def load(text: str, framework: Framework | None = None) -> tuple[Dataset | None, list[Finding]]:
    """Read a dataset; with ``framework``, check that every code exists in it."""
    ctx = Ctx()
    root = from_yaml(text, ctx)
    if root is None:
        return None, ctx.findings
    if not isinstance(root, Map):
        ctx.add("bad_value", "a dataset is a mapping with format, framework, subject, columns and rows.", root.line)
        return None, ctx.findings
    if _text(root.get("format")) != FORMAT:
        ctx.add("bad_format", f"format must be {FORMAT}.", root.line_of("format"))
    code = _text(root.get("framework"))
    if not code:
        ctx.add("missing_field", "framework is missing.", root.line)
    subject_raw = root.get("subject")
    subject = {}
    if isinstance(subject_raw, Map):
        subject = {k: _text(v) or "" for k, v in subject_raw.entries.items()}
    else:
        ctx.add("missing_field", "subject is missing (kind, name, admin_code).", root.line)
    columns: list[Column] = []
    columns_raw = root.get("columns")
    if not isinstance(columns_raw, Seq):
        ctx.add("missing_field", "columns must be a list.", root.line_of("columns"))
    else:
        for item in columns_raw.items:
            if not isinstance(item, Map) or not _text(item.get("key")):
                ctx.add("bad_value", "a column needs a key.", item.line)
                continue
            kind = _text(item.get("kind")) or "text"
            if kind not in COLUMN_KINDS:
                ctx.add("bad_value", f"column kind {kind!r} is not one of {', '.join(COLUMN_KINDS)}.", item.line)
            year_text = _text(item.get("year"))
            year = int(year_text) if year_text and year_text.isdigit() else None
            if kind in ("score", "target") and year is None:
                ctx.add("bad_value", f"column {_text(item.get('key'))} needs a year.", item.line)
            columns.append(Column(_text(item.get("key")), kind, _text(item.get("label")) or "", year))
    numeric = {c.key for c in columns if c.kind in ("score", "target")}
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    known = framework.by_code() if framework is not None else None
    rows_raw = root.get("rows")
    if not isinstance(rows_raw, Seq):
        ctx.add("missing_field", "rows must be a list.", root.line_of("rows"))
    else:
        for item in rows_raw.items:
            if not isinstance(item, Map):
                ctx.add("bad_value", "a row is a mapping with a code.", item.line)
                continue
            row = {k: _text(v) for k, v in item.entries.items() if _text(v) is not None}
            node = row.get("code")
            if not node:
                ctx.add("missing_field", "a row has no code.", item.line)
                continue
            if node in seen:
                ctx.add("duplicate_code", f"code {node} appears twice.", item.line, node)
            seen.add(node)
            if known is not None and node not in known:
                ctx.add("unknown_code", f"code {node} is not in framework {code}.", item.line, node)
            for key in numeric & set(row):
                if as_decimal(row[key]) is None:
                    ctx.add("not_a_number", f"{key} {row[key]!r} is not a number.", item.line_of(key), node)
            rows.append(row)
    totals = {}
    if isinstance(root.get("totals"), Map):
        totals = {k: _text(v) or "" for k, v in root.get("totals").entries.items()}
    if ctx.failed:
        return None, ctx.findings
    return Dataset(code, subject, _text(root.get("source")) or "", columns, rows, totals), ctx.findings
