"""YAML (or plain Python) values with their source line, and typed readers that report findings.

The YAML text is parsed with ``yaml.compose()`` only: scalars keep their exact source text, so a
number such as ``0.1`` becomes ``Decimal("0.1")`` without passing through float, and every value
knows its line (``start_mark.line`` is 0-based; lines here are 1-based).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from .model import Finding, Severity, decimal_text

_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
}
#: Accepted number text: optional sign, digits, optional decimal part. No exponent, no "_",
#: no comma decimal separator (write 7.88, not 7,88).
NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
INTEGER_RE = re.compile(r"^[+]?\d+$")
_TRUE = {"true", "yes", "on"}


@dataclass
class Scalar:
    text: str
    line: int | None = None
    kind: str = "str"  # str | int | float | bool | null | other
    quoted: bool = False

    @property
    def is_null(self) -> bool:
        return self.kind == "null" and not self.quoted


@dataclass
class Seq:
    items: list[Raw]
    line: int | None = None


@dataclass
class Map:
    entries: dict[str, Raw]
    line: int | None = None
    key_lines: dict[str, int | None] = field(default_factory=dict)

    def get(self, key: str) -> Raw | None:
        return self.entries.get(key)

    def line_of(self, key: str) -> int | None:
        value = self.entries.get(key)
        if value is not None and value.line is not None:
            return value.line
        return self.key_lines.get(key, self.line)


Raw = Scalar | Seq | Map


def where(line: int | None, node: str | None) -> str:
    """"Line 12, node 1.3", "Line 12", "Node 1.3" or "" (nothing known)."""
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if node is not None:
        parts.append(f"node {node}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def sentence(place: str, text: str) -> str:
    """``place: text``, or the text alone with a capital when there is no place."""
    return f"{place}: {text}" if place else text[:1].upper() + text[1:]


class Ctx:
    """Collects findings while reading."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, code: str, text: str, /, line: int | None = None, node: str | None = None,
            severity: Severity = "error", **params: Any) -> None:
        message = sentence(where(line, node), text)
        self.findings.append(Finding(code, message, line, node, params, severity))

    @property
    def failed(self) -> bool:
        return any(f.is_error for f in self.findings)


# -- building Raw values ----------------------------------------------------------------------

def from_yaml(text: str, ctx: Ctx) -> Raw | None:
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        ctx.add("yaml_syntax", f"the YAML cannot be read: {exc.problem or exc}.", line,
                problem=str(exc.problem or exc))
        return None
    except yaml.YAMLError as exc:
        ctx.add("yaml_syntax", f"the YAML cannot be read: {exc}.", problem=str(exc))
        return None
    if root is None:
        ctx.add("empty_document", "the document is empty.")
        return None
    return _convert(root, ctx, set())


def _convert(node: yaml.Node, ctx: Ctx, path: set[int]) -> Raw:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        kind = _TAGS.get(node.tag, "other")
        return Scalar(node.value, line, kind, quoted=node.style in ("'", '"'))
    if id(node) in path:
        ctx.add("bad_value", "a recursive alias is not allowed.", line)
        return Scalar("", line, "null")
    path = path | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        return Seq([_convert(item, ctx, path) for item in node.value], line)
    result = Map({}, line)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            ctx.add("bad_value", "a mapping key must be plain text.", key_line)
            continue
        key = key_node.value
        if key in result.entries:
            ctx.add("duplicate_key", f"the key {key!r} appears twice in the same mapping.", key_line,
                    key=key)
            continue
        result.entries[key] = _convert(value_node, ctx, path)
        result.key_lines[key] = key_line
    return result


def from_python(value: Any) -> Raw:
    """Plain Python values (str, int, Decimal, bool, None, list, dict) as Raw, without lines."""
    if isinstance(value, Scalar | Seq | Map):
        return value
    if value is None:
        return Scalar("", None, "null")
    if isinstance(value, bool):
        return Scalar("true" if value else "false", None, "bool")
    if isinstance(value, int):
        return Scalar(str(value), None, "int")
    if isinstance(value, Decimal):
        return Scalar(decimal_text(value), None, "float")
    if isinstance(value, str):
        return Scalar(value, None, "str", quoted=True)
    if isinstance(value, list | tuple):
        return Seq([from_python(v) for v in value])
    if isinstance(value, dict):
        return Map({str(k): from_python(v) for k, v in value.items()})
    # float and anything else: a text no reader accepts, so it is reported, never converted.
    note = "a float; use Decimal" if isinstance(value, float) else type(value).__name__
    return Scalar(f"{value!r} ({note})", None, "other")


# -- typed readers ----------------------------------------------------------------------------

class Missing:
    """Marker returned by readers when a value is absent or invalid (a finding was added)."""


MISSING = Missing()


def check_keys(m: Map, allowed: tuple[str, ...], ctx: Ctx, node: str | None, what: str,
               code: str = "unknown_field") -> None:
    for key in m.entries:
        if key not in allowed:
            ctx.add(code, f"unknown field {key!r} in {what} (allowed: {', '.join(allowed)}).",
                    m.key_lines.get(key, m.line), node, field=key, allowed=list(allowed))


def read_text(m: Map, key: str, ctx: Ctx, node: str | None = None, required: bool = False,
              what: str = "") -> str | None | Missing:
    """Text of a scalar field; None when absent or null (a finding when required)."""
    raw = m.get(key)
    if raw is None or (isinstance(raw, Scalar) and raw.is_null):
        if required:
            ctx.add("missing_field", f"{what or 'the mapping'} has no {key!r}.", m.line_of(key), node,
                    field=key)
            return MISSING
        return None
    if not isinstance(raw, Scalar):
        ctx.add("bad_value", f"{key!r} must be text, not a list or mapping.", raw.line, node, field=key)
        return MISSING
    return raw.text


def read_decimal(raw: Raw | None, ctx: Ctx, node: str | None, field_name: str,
                 code: str = "bad_value") -> Decimal | Missing:
    """A number from its exact source text; a finding (``code``) when it is not one."""
    if isinstance(raw, Scalar) and not raw.is_null and NUMBER_RE.match(raw.text.strip()):
        return Decimal(raw.text.strip())
    shown = raw.text if isinstance(raw, Scalar) else type(raw).__name__.lower()
    line = raw.line if raw is not None else None
    ctx.add(code, f"{field_name} must be a number, not {shown!r}.", line, node, field=field_name,
            value=shown)
    return MISSING


def read_int(raw: Raw | None, ctx: Ctx, node: str | None, field_name: str) -> int | Missing:
    if isinstance(raw, Scalar) and not raw.is_null and INTEGER_RE.match(raw.text.strip()):
        return int(raw.text.strip())
    shown = raw.text if isinstance(raw, Scalar) else type(raw).__name__.lower()
    ctx.add("bad_value", f"{field_name} must be whole numbers, not {shown!r}." if field_name == "years"
            else f"{field_name} must be a whole number, not {shown!r}.",
            raw.line if raw is not None else None, node, field=field_name, value=shown)
    return MISSING


def read_bool(raw: Raw, ctx: Ctx, node: str | None, field_name: str) -> bool | Missing:
    if isinstance(raw, Scalar) and raw.kind == "bool" and not raw.quoted:
        return raw.text.lower() in _TRUE
    shown = raw.text if isinstance(raw, Scalar) else type(raw).__name__.lower()
    ctx.add("bad_value", f"{field_name} must be true or false, not {shown!r}.", raw.line, node,
            field=field_name, value=shown)
    return MISSING
