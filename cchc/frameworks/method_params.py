"""Reading and writing method parameters, with validation findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .method_types import (
    HUNDRED,
    INDICATOR_RE,
    METHOD_TYPES,
    ZERO_DENOMINATOR,
    External,
    Indicator,
    Manual,
    Method,
    Proportional,
    Step,
    Threshold,
    YesNo,
)
from .model import Finding, decimal_text, fmt_points
from .raw import MISSING, NUMBER_RE, Ctx, Map, Missing, Raw, Scalar, Seq, from_python

# -- parsing ----------------------------------------------------------------------------------

def parse_method(raw: Raw, ctx: Ctx, node: str | None = None, max_: Decimal | None = None
                 ) -> Method | None:
    """Read a method mapping; findings go to ``ctx``. None when it has errors."""
    if not isinstance(raw, Map):
        ctx.add("bad_parameter", "method must be a mapping such as {type: manual}.", raw.line, node,
                parameter="method")
        return None
    type_raw = raw.get("type")
    if not isinstance(type_raw, Scalar) or type_raw.is_null:
        ctx.add("bad_parameter", "the method has no type.", raw.line, node, parameter="type")
        return None
    kind = type_raw.text
    if kind not in _PARSERS:
        ctx.add("unknown_method", f"unknown method type {kind!r} (known: {', '.join(METHOD_TYPES)}).",
                type_raw.line, node, type=kind, known=list(METHOD_TYPES))
        return None
    allowed, parser = _PARSERS[kind]
    errors_before = _count_errors(ctx)
    for key in raw.entries:
        if key != "type" and key not in allowed:
            _bad(ctx, raw.line_of(key), node, kind, key,
                 f"method {kind} has no parameter {key!r}"
                 + (f" (parameters: {', '.join(allowed)})." if allowed else " (it takes none)."))
    method = parser(raw, ctx, node, max_)
    return method if _count_errors(ctx) == errors_before else None


def method_from_dict(data: dict[str, Any], max_: Decimal | None = None
                     ) -> tuple[Method | None, list[Finding]]:
    """Build a method from plain Python values (as stored in JSON), e.g. ``{"type": "manual"}``."""
    ctx = Ctx()
    method = parse_method(from_python(data), ctx, None, max_)
    return method, ctx.findings


def method_to_dict(method: Method) -> dict[str, Any]:
    """The parameters of a method as plain values (Decimal, str, list, dict), type first."""
    out: dict[str, Any] = {"type": method.type}
    if isinstance(method, Threshold):
        out["input"] = method.input
        out["steps"] = [{"min": s.min, "points": s.points} for s in method.steps]
        if method.zero_denominator is not None:
            out["zero_denominator"] = method.zero_denominator
    elif isinstance(method, Proportional):
        if method.floor is not None:
            out["floor"] = method.floor
        if method.full_at is not None:
            out["full_at"] = method.full_at
        if method.zero_denominator is not None:
            out["zero_denominator"] = method.zero_denominator
    elif isinstance(method, External):
        out["source"] = method.source
    elif isinstance(method, Indicator):
        out["indicator"] = method.indicator
        out["rule"] = method_to_dict(method.rule)
    return out


def _count_errors(ctx: Ctx) -> int:
    return sum(1 for f in ctx.findings if f.is_error)


def _bad(ctx: Ctx, line: int | None, node: str | None, method: str, parameter: str, text: str,
         **params: Any) -> None:
    ctx.add("bad_parameter", text, line, node, method=method, parameter=parameter, **params)


def _choice(m: Map, key: str, choices: tuple[str, ...], ctx: Ctx, node: str | None, kind: str,
            required: bool) -> str | None:
    raw = m.get(key)
    if raw is None or (isinstance(raw, Scalar) and raw.is_null):
        if required:
            _bad(ctx, m.line, node, kind, key, f"method {kind} needs {key!r} ({' or '.join(choices)}).")
        return None
    if isinstance(raw, Scalar) and raw.text in choices:
        return raw.text
    shown = raw.text if isinstance(raw, Scalar) else "a list or mapping"
    _bad(ctx, raw.line, node, kind, key,
         f"{key!r} of method {kind} must be {' or '.join(choices)}, not {shown!r}.", value=shown)
    return None


def _percent(m: Map, key: str, ctx: Ctx, node: str | None, kind: str, required: bool = False
             ) -> Decimal | None | Missing:
    """A number of 0 or more; None when absent (a finding if required), MISSING when invalid."""
    raw = m.get(key)
    if raw is None or (isinstance(raw, Scalar) and raw.is_null):
        if required:
            _bad(ctx, m.line, node, kind, key, f"{key!r} is missing.")
            return MISSING
        return None
    if not isinstance(raw, Scalar) or not NUMBER_RE.match(raw.text.strip()):
        shown = raw.text if isinstance(raw, Scalar) else "a list or mapping"
        _bad(ctx, raw.line, node, kind, key, f"{key!r} of method {kind} must be a number, not {shown!r}.",
             value=shown)
        return MISSING
    value = Decimal(raw.text.strip())
    if value < 0:
        _bad(ctx, raw.line, node, kind, key, f"{key!r} of method {kind} must not be negative.",
             value=value)
        return MISSING
    return value


def _parse_simple(cls: type) -> Any:
    return lambda m, ctx, node, max_: cls()


def _parse_threshold(m: Map, ctx: Ctx, node: str | None, max_: Decimal | None) -> Threshold | None:
    kind = "threshold"
    input_ = _choice(m, "input", ("count", "rate"), ctx, node, kind, required=True)
    zero = _choice(m, "zero_denominator", ZERO_DENOMINATOR, ctx, node, kind, required=False)
    if zero is not None and input_ == "count":
        _bad(ctx, m.line_of("zero_denominator"), node, kind, "zero_denominator",
             "zero_denominator applies to a rate input only.")
    steps_raw = m.get("steps")
    if not isinstance(steps_raw, Seq) or not steps_raw.items:
        _bad(ctx, m.line_of("steps"), node, kind, "steps",
             "method threshold needs a non-empty list of steps such as [{min: 3, points: 2}].")
        return None
    steps: list[Step] = []
    for item in steps_raw.items:
        step = _parse_step(item, ctx, node, max_)
        if step is None:
            return None
        if steps and step.min >= steps[-1].min:
            _bad(ctx, item.line, node, kind, "steps",
                 f"step mins must go from high to low: {decimal_text(step.min)} comes after "
                 f"{decimal_text(steps[-1].min)}.", min=step.min, previous=steps[-1].min)
            return None
        previous = _resolve_points(steps[-1].points, max_) if steps else None
        current = _resolve_points(step.points, max_)
        if previous is not None and current is not None and current > previous:
            _bad(ctx, item.line, node, kind, "steps",
                 f"a lower step must not give more points: {fmt_points(current, '.')} after "
                 f"{fmt_points(previous, '.')}.", points=current, previous=previous)
            return None
        steps.append(step)
    if input_ is None:
        return None
    return Threshold(input_, tuple(steps), zero)  # type: ignore[arg-type]


def _parse_step(item: Raw, ctx: Ctx, node: str | None, max_: Decimal | None) -> Step | None:
    kind = "threshold"
    if not isinstance(item, Map) or set(item.entries) != {"min", "points"}:
        _bad(ctx, item.line, node, kind, "steps", "each step must be a mapping {min: ..., points: ...}.")
        return None
    minimum = _percent(item, "min", ctx, node, kind, required=True)
    points_raw = item.entries["points"]
    if isinstance(points_raw, Scalar) and points_raw.text == "max":
        points: Decimal | str | None | Missing = "max"
    else:
        points = _percent(item, "points", ctx, node, kind, required=True)
    if not isinstance(minimum, Decimal) or points is None or isinstance(points, Missing):
        return None
    if isinstance(points, Decimal) and max_ is not None and points > max_:
        _bad(ctx, points_raw.line, node, kind, "points",
             f"step points {decimal_text(points)} exceed the max {decimal_text(max_)}.",
             points=points, max=max_)
        return None
    return Step(minimum, points)  # type: ignore[arg-type]


def _resolve_points(points: Decimal | str, max_: Decimal | None) -> Decimal | None:
    return max_ if points == "max" else points  # type: ignore[return-value]


def _parse_proportional(m: Map, ctx: Ctx, node: str | None, max_: Decimal | None
                        ) -> Proportional | None:
    kind = "proportional"
    floor = _percent(m, "floor", ctx, node, kind)
    full_at = _percent(m, "full_at", ctx, node, kind)
    zero = _choice(m, "zero_denominator", ZERO_DENOMINATOR, ctx, node, kind, required=False)
    if isinstance(floor, Missing) or isinstance(full_at, Missing):
        return None
    if full_at is not None and full_at == 0:
        _bad(ctx, m.line_of("full_at"), node, kind, "full_at", "full_at must be above 0.")
    effective = HUNDRED if full_at is None else full_at
    if floor is not None and floor > effective:
        _bad(ctx, m.line_of("floor"), node, kind, "floor",
             f"floor {decimal_text(floor)} is above full_at {decimal_text(effective)}.",
             floor=floor, full_at=effective)
    return Proportional(floor, full_at, zero)


def _parse_external(m: Map, ctx: Ctx, node: str | None, max_: Decimal | None) -> External | None:
    raw = m.get("source")
    if not isinstance(raw, Scalar) or raw.is_null or not raw.text.strip():
        _bad(ctx, m.line_of("source"), node, "external", "source",
             "method external needs a source (who enters the value, e.g. \"Bộ Nội vụ\").")
        return None
    return External(raw.text)


def _parse_indicator(m: Map, ctx: Ctx, node: str | None, max_: Decimal | None) -> Indicator | None:
    kind = "indicator"
    raw = m.get("indicator")
    name = raw.text if isinstance(raw, Scalar) and not raw.is_null else None
    if name is None or not INDICATOR_RE.match(name):
        _bad(ctx, m.line_of("indicator"), node, kind, "indicator",
             f"indicator must be a dotted name such as \"dossiers.on_time_rate\", not {name!r}.",
             value=name)
    rule_raw = m.get("rule")
    rule_type = rule_raw.get("type") if isinstance(rule_raw, Map) else None
    if not isinstance(rule_type, Scalar) or rule_type.text not in ("threshold", "proportional"):
        _bad(ctx, m.line_of("rule"), node, kind, "rule",
             "method indicator needs a rule of type threshold or proportional.")
        return None
    rule = parse_method(rule_raw, ctx, node, max_)  # type: ignore[arg-type]
    if name is None or rule is None:
        return None
    return Indicator(name, rule)  # type: ignore[arg-type]


_PARSERS: dict[str, tuple[tuple[str, ...], Any]] = {
    "manual": ((), _parse_simple(Manual)),
    "yes_no": ((), _parse_simple(YesNo)),
    "threshold": (("input", "steps", "zero_denominator"), _parse_threshold),
    "proportional": (("floor", "full_at", "zero_denominator"), _parse_proportional),
    "external": (("source",), _parse_external),
    "indicator": (("indicator", "rule"), _parse_indicator),
}
