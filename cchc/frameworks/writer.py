"""Writing a framework as ``cchc-framework/1`` YAML text (the nested form).

Text is always written double-quoted with escapes, so any title survives a round trip; numbers are
written as plain Decimal text, keeping trailing zeros ("2.0" stays "2.0").
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .method_params import method_to_dict
from .method_types import Method
from .model import FORMAT, Framework, Node, decimal_text

_PLAIN_WORD = re.compile(r"^[a-z][a-z_]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def dump(framework: Framework) -> str:
    """The framework as YAML text in the nested form; ``load(dump(f))`` gives ``f`` back."""
    fw = framework
    out = [
        f"format: {fw.format if fw.format == FORMAT else quote(fw.format)}",
        f"code: {quote(fw.code)}",
        f"version: {fw.version}",
        f"name: {quote(fw.name)}",
        f"subject_kind: {flow(fw.subject_kind)}",
        f"years: [{', '.join(str(y) for y in fw.years)}]",
    ]
    if fw.source is not None:
        out.append(f"source: {quote(fw.source)}")
    out.append(f"template: {'true' if fw.template else 'false'}")
    if fw.total_max is not None:
        out.append(f"total_max: {decimal_text(fw.total_max)}")
    if fw.note is not None:
        out.append(f"note: {quote(fw.note)}")
    if fw.bands:
        out.append("bands:")
        for band in fw.bands:
            out.append(f"  - {{code: {quote(band.code)}, label: {quote(band.label)}, "
                       f"min: {decimal_text(band.min)}}}")
    out.append("nodes:")
    for node in fw.nodes:
        _node(node, 1, out)
    return "\n".join(out) + "\n"


def _node(node: Node, level: int, out: list[str]) -> None:
    pad = "  " * level
    out.append(f"{pad}- code: {quote(node.code)}")
    inner = pad + "  "
    out.append(f"{inner}title: {quote(node.title)}")
    if node.title_en is not None:
        out.append(f"{inner}title_en: {quote(node.title_en)}")
    out.append(f"{inner}max: {'unknown' if node.max is None else decimal_text(node.max)}")
    for key in ("responsible", "guidance", "evidence", "note"):
        value = getattr(node, key)
        if value is not None:
            out.append(f"{inner}{key}: {quote(value)}")
    if node.children:
        out.append(f"{inner}children:")
        for child in node.children:
            _node(child, level + 2, out)
    elif node.method is not None:
        out.append(f"{inner}method: {method_flow(node.method)}")


def method_flow(method: Method) -> str:
    """A method as a one-line YAML flow mapping: ``{type: proportional, floor: 50}``."""
    return flow(method_to_dict(method))


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, str) and _PLAIN_WORD.match(value) and value not in _YAML_WORDS:
        return value
    return quote(str(value))


def quote(text: str) -> str:
    """A YAML double-quoted scalar; characters YAML cannot carry raw are escaped."""
    parts = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            parts.append(_ESCAPES[ch])
        elif (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
              or code >= 0x10000) and code not in (0x2028, 0x2029, 0xFEFF):
            parts.append(ch)
        elif code <= 0xFF:
            parts.append(f"\\x{code:02x}")
        elif code <= 0xFFFF:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)
