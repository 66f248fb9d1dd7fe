"""The framework file format ``cchc-framework/1`` (YAML): load, validate, dump.

``load(text)`` returns ``(Framework | None, findings)``: the framework is None when any finding
is an error; warnings (such as children whose max do not add up to their parent's) still load.
Numbers are read from their exact source text (no float); every finding carries its 1-based line.
Both the nested form (``children``) and the flat form (``parent``) load; ``dump`` writes the
nested form. See docs/framework-format.md.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .method_types import Indicator, Manual, Method, Proportional, Threshold, YesNo
from .methods import parse_method
from .model import (
    FORMAT,
    FRAMEWORK_CODE_RE,
    SUBJECT_KINDS,
    Band,
    Finding,
    Framework,
    Node,
    decimal_text,
    exact,
    is_valid_node_code,
)
from .raw import (
    MISSING,
    Ctx,
    Map,
    Missing,
    Raw,
    Scalar,
    Seq,
    check_keys,
    from_yaml,
    read_bool,
    read_decimal,
    read_int,
    read_text,
)
from .writer import dump

__all__ = ["dump", "load", "load_path", "validate"]

TOP_KEYS = ("format", "code", "version", "name", "subject_kind", "years", "source", "template",
            "total_max", "note", "bands", "nodes")
NODE_KEYS = ("code", "title", "title_en", "max", "responsible", "guidance", "evidence", "note",
             "method", "children", "parent")
BAND_KEYS = ("code", "label", "min")
UNKNOWN = "unknown"


@exact
def load(text: str) -> tuple[Framework | None, list[Finding]]:
    """Read a framework; None with the findings when there is any error."""
    ctx = Ctx()
    raw = from_yaml(text, ctx)
    if raw is None:
        return None, ctx.findings
    if not isinstance(raw, Map):
        ctx.add("not_a_mapping", "the document must be a mapping with format, code, name, nodes...",
                raw.line)
        return None, ctx.findings
    framework = _read_framework(raw, ctx)
    findings = sorted(ctx.findings, key=lambda f: f.line or 0)
    return (None if ctx.failed else framework), findings


def validate(text: str) -> list[Finding]:
    """All findings of a framework text (errors and warnings)."""
    return load(text)[1]


def load_path(path: str | Path) -> tuple[Framework | None, list[Finding]]:
    return load(Path(path).read_text(encoding="utf-8"))


# -- header -----------------------------------------------------------------------------------

def _read_framework(m: Map, ctx: Ctx) -> Framework | None:
    fmt = read_text(m, "format", ctx, required=True, what="the framework")
    if isinstance(fmt, str) and fmt != FORMAT:
        ctx.add("bad_format", f"format must be {FORMAT!r}, not {fmt!r}; this is not a framework "
                "file of this version.", m.line_of("format"), value=fmt, expected=FORMAT)
        return None  # another kind of file: its other fields would only add noise
    check_keys(m, TOP_KEYS, ctx, None, "the framework")
    code = read_text(m, "code", ctx, required=True, what="the framework")
    if isinstance(code, str) and not FRAMEWORK_CODE_RE.match(code):
        ctx.add("malformed_code", f"the framework code {code!r} is malformed (letters, digits, '.', "
                "'_' and '-', starting with a letter or digit).", m.line_of("code"), value=code,
                what="framework")
    version = _read_version(m, ctx)
    name = _required_text(m, "name", ctx)
    kind = read_text(m, "subject_kind", ctx, required=True, what="the framework")
    if isinstance(kind, str) and kind not in SUBJECT_KINDS:
        ctx.add("bad_value", f"subject_kind must be one of {', '.join(SUBJECT_KINDS)}, not {kind!r}.",
                m.line_of("subject_kind"), field="subject_kind", value=kind)
    years = _read_years(m, ctx)
    source = read_text(m, "source", ctx)
    note = read_text(m, "note", ctx)
    template = read_bool(m.entries["template"], ctx, None, "template") if "template" in m.entries \
        else False
    total_max: Decimal | None | Missing = None
    if m.get("total_max") is not None and not _is_null(m.get("total_max")):
        total_max = read_decimal(m.get("total_max"), ctx, None, "total_max", code="max_not_number")
        if isinstance(total_max, Decimal) and total_max < 0:
            ctx.add("negative_max", f"total_max must not be negative ({decimal_text(total_max)}).",
                    m.line_of("total_max"), value=total_max)
    bands = _read_bands(m, ctx)
    nodes = _read_nodes(m, ctx)
    if nodes is not None and not isinstance(total_max, Missing):
        _check_total(nodes, total_max, m.line_of("total_max"), ctx)
    if ctx.failed or nodes is None:
        return None
    return Framework(code=code, version=version, name=name, subject_kind=kind,  # type: ignore[arg-type]
                     years=years, nodes=nodes, source=source, template=template,  # type: ignore[arg-type]
                     total_max=total_max, bands=bands, note=note, format=fmt)  # type: ignore[arg-type]


def _is_null(raw: Raw | None) -> bool:
    return isinstance(raw, Scalar) and raw.is_null


def _required_text(m: Map, key: str, ctx: Ctx, node: str | None = None, what: str = "the framework"
                   ) -> str | Missing:
    value = read_text(m, key, ctx, node, required=True, what=what)
    if isinstance(value, str) and not value.strip():
        ctx.add("missing_field", f"{what} has an empty {key!r}.", m.line_of(key), node, field=key)
        return MISSING
    return value  # type: ignore[return-value]


def _read_version(m: Map, ctx: Ctx) -> int | Missing:
    if "version" not in m.entries:
        ctx.add("missing_field", "the framework has no 'version'.", m.line, field="version")
        return MISSING
    version = read_int(m.entries["version"], ctx, None, "version")
    if isinstance(version, int) and version < 1:
        ctx.add("bad_value", "version must be 1 or more.", m.line_of("version"), field="version",
                value=version)
    return version


def _read_years(m: Map, ctx: Ctx) -> list[int]:
    raw = m.get("years")
    if raw is None:
        ctx.add("missing_field", "the framework has no 'years' (a list such as [2020, 2021]).", m.line,
                field="years")
        return []
    if not isinstance(raw, Seq):
        ctx.add("bad_value", "years must be a list such as [2020, 2021].", raw.line, field="years")
        return []
    years: list[int] = []
    for item in raw.items:
        year = read_int(item, ctx, None, "years")
        if isinstance(year, int):
            if year in years:
                ctx.add("bad_value", f"the year {year} is listed twice.", item.line, field="years",
                        value=year)
            elif not 1900 <= year <= 2200:
                ctx.add("bad_value", f"the year {year} is out of range.", item.line, field="years",
                        value=year)
            else:
                years.append(year)
    return years


def _read_bands(m: Map, ctx: Ctx) -> list[Band]:
    raw = m.get("bands")
    if raw is None or _is_null(raw):
        return []
    if not isinstance(raw, Seq):
        ctx.add("bad_value", "bands must be a list of {code, label, min}.", raw.line, field="bands")
        return []
    bands: list[Band] = []
    for item in raw.items:
        if not isinstance(item, Map):
            ctx.add("bad_value", "a band must be a mapping {code, label, min}.", item.line, field="bands")
            continue
        check_keys(item, BAND_KEYS, ctx, None, "a band")
        code = _required_text(item, "code", ctx, what="the band")
        label = _required_text(item, "label", ctx, what="the band")
        if "min" not in item.entries:
            ctx.add("missing_field", "the band has no 'min'.", item.line, field="min")
            continue
        minimum = read_decimal(item.entries["min"], ctx, None, "the band min")
        if isinstance(code, Missing) or isinstance(label, Missing) or isinstance(minimum, Missing):
            continue
        line = item.line_of("min")
        if not is_valid_node_code(code):
            ctx.add("malformed_code", f"the band code {code!r} is malformed.", item.line_of("code"),
                    value=code, what="band")
        elif any(b.code == code for b in bands):
            ctx.add("duplicate_code", f"the band code {code!r} appears twice.", item.line_of("code"),
                    code=code, what="band")
        if not 0 <= minimum <= 100:
            ctx.add("bad_value", f"a band min is a percent from 0 to 100, not {decimal_text(minimum)}.",
                    line, field="min", value=minimum)
        elif bands and minimum >= bands[-1].min:
            ctx.add("bands_not_descending", f"bands must go from high to low: min "
                    f"{decimal_text(minimum)} comes after {decimal_text(bands[-1].min)}.", line,
                    min=minimum, previous=bands[-1].min)
        bands.append(Band(code, label, minimum, item.line))
    return bands


def _check_total(nodes: list[Node], total_max: Decimal | None, line: int | None, ctx: Ctx) -> None:
    maxes = [n.max for n in nodes]
    if total_max is None or any(x is None for x in maxes):
        return
    total = sum(maxes, Decimal(0))  # type: ignore[arg-type]
    if total != total_max:
        ctx.add("total_max_mismatch", f"total_max is {decimal_text(total_max)} but the top-level "
                f"nodes add up to {decimal_text(total)}.", line, severity="warning",
                declared=total_max, computed=total)


# -- nodes ------------------------------------------------------------------------------------

class _Reader:
    """Reads the node list in either form, keeping each node's raw method for later."""

    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.seen: dict[str, int | None] = {}
        self.read: list[tuple[Node, Raw | None]] = []  # every node read, with its raw method
        self.in_cycle: set[str] = set()

    def node(self, raw: Raw) -> Node | None:
        ctx = self.ctx
        if not isinstance(raw, Map):
            ctx.add("bad_value", "a node must be a mapping with code, title and max.", raw.line)
            return None
        code = read_text(raw, "code", ctx, required=True, what="the node")
        label = code if isinstance(code, str) else None
        check_keys(raw, NODE_KEYS, ctx, label, f"node {label}" if label else "a node")
        title = _required_text(raw, "title", ctx, label, what="the node")
        max_ = self._max(raw, label)
        texts = {k: read_text(raw, k, ctx, label) for k in ("title_en", "responsible", "guidance",
                                                           "evidence", "note")}
        ok = isinstance(code, str)
        if ok and not is_valid_node_code(code):  # type: ignore[arg-type]
            ctx.add("malformed_code", f"the node code {code!r} is malformed (use forms such as 1, "
                    "3.4.1, TC 1.1, TCTP 3.3, SIPAS, A.III.3).", raw.line_of("code"), code,
                    value=code, what="node")
            ok = False
        elif ok and code in self.seen:
            ctx.add("duplicate_code", f"the node code {code!r} is already used on line "
                    f"{self.seen[code]}.", raw.line_of("code"), code, code=code,  # type: ignore[index]
                    first_line=self.seen[code])  # type: ignore[index]
            ok = False
        if not ok or isinstance(title, Missing) or isinstance(max_, Missing) \
                or any(isinstance(v, Missing) for v in texts.values()):
            if ok:
                self.seen[code] = raw.line_of("code")  # type: ignore[index]
            return None
        self.seen[code] = raw.line_of("code")  # type: ignore[index]
        node = Node(code, title, max_, line=raw.line, **texts)  # type: ignore[arg-type]
        method = raw.entries.get("method")
        self.read.append((node, None if _is_null(method) else method))
        return node

    def _max(self, m: Map, node: str | None) -> Decimal | None | Missing:
        raw = m.get("max")
        if raw is None or _is_null(raw):
            self.ctx.add("missing_field", "the node has no 'max' (a number or \"unknown\").",
                         m.line_of("max"), node, field="max")
            return MISSING
        if isinstance(raw, Scalar) and raw.text == UNKNOWN:
            return None
        value = read_decimal(raw, self.ctx, node, "max", code="max_not_number")
        if isinstance(value, Decimal) and value < 0:
            self.ctx.add("negative_max", f"max must not be negative ({decimal_text(value)}).",
                         raw.line, node, value=value)
            return MISSING
        return value

    def nested(self, items: list[Raw]) -> list[Node]:
        nodes = []
        for raw in items:
            node = self.node(raw)
            if isinstance(raw, Map) and "parent" in raw.entries:
                self.ctx.add("mixed_forms", "a nested node must not have a 'parent' (use either "
                             "children or parent in the whole file).", raw.line_of("parent"),
                             node.code if node else None)
            children = raw.get("children") if isinstance(raw, Map) else None
            kids: list[Node] = []
            if isinstance(children, Seq):
                kids = self.nested(children.items)
            elif children is not None and not _is_null(children):
                self.ctx.add("bad_value", "children must be a list of nodes.", children.line,
                             node.code if node else None, field="children")
            if node is not None:
                node.children = kids
                nodes.append(node)
        return nodes

    def flat(self, items: list[Raw]) -> list[Node]:
        entries: list[tuple[Node, str | None, int | None]] = []
        for raw in items:
            node = self.node(raw)
            if node is None:
                continue
            assert isinstance(raw, Map)
            if "children" in raw.entries:
                self.ctx.add("mixed_forms", "a node of a flat list must not have 'children' (use either "
                             "children or parent in the whole file).", raw.line_of("children"),
                             node.code)
            parent = read_text(raw, "parent", self.ctx, node.code)
            entries.append((node, parent if isinstance(parent, str) else None, raw.line_of("parent")))
        by_code = {node.code: node for node, _, _ in entries}
        roots: list[Node] = []
        parents: dict[str, str] = {}
        for node, parent, line in entries:
            if parent is None:
                roots.append(node)
            elif parent not in by_code:
                self.ctx.add("missing_parent", f"the parent {parent!r} of node {node.code} does not "
                             "exist.", line, node.code, parent=parent)
            else:
                parents[node.code] = parent
                by_code[parent].children.append(node)
        reached = {n.code for root in roots for n, _ in root.walk()}
        self._report_cycles(entries, parents, reached)
        return roots

    def _report_cycles(self, entries: list, parents: dict[str, str], reached: set[str]) -> None:
        done: set[str] = set()
        lines = {node.code: node.line for node, _, _ in entries}
        for node, _, _ in entries:
            chain: list[str] = []
            code: str | None = node.code
            while code is not None and code in parents and code not in reached and code not in done \
                    and code not in chain:
                chain.append(code)
                code = parents[code]
            if code is not None and code in chain:
                cycle = chain[chain.index(code):]
                self.in_cycle.update(cycle)
                first = min(cycle, key=lambda c: lines[c] or 0)
                self.ctx.add("cycle", "the parents form a cycle: " + " → ".join([*cycle, cycle[0]])
                             + ".", lines[first], first, codes=cycle)
            done.update(chain)


def _read_nodes(m: Map, ctx: Ctx) -> list[Node] | None:
    raw = m.get("nodes")
    if not isinstance(raw, Seq) or not raw.items:
        ctx.add("missing_field", "the framework needs a non-empty list of 'nodes'.", m.line_of("nodes"),
                field="nodes")
        return None
    reader = _Reader(ctx)
    flat = any(isinstance(item, Map) and "parent" in item.entries for item in raw.items)
    nodes = reader.flat(raw.items) if flat else reader.nested(raw.items)
    for node, method_raw in reader.read:  # also nodes left out of the tree by an error above them
        _finish_node(node, method_raw, ctx, check_sum=node.code not in reader.in_cycle)
    return nodes


def _finish_node(node: Node, method_raw: Raw | None, ctx: Ctx, check_sum: bool = True) -> None:
    """Methods on leaves (manual by default), and the children-sum check on parents."""
    if node.children:
        if method_raw is not None:
            ctx.add("method_on_parent", "the node has children, so its score is their sum and it "
                    "cannot have a method.", method_raw.line, node.code)
        maxes = [c.max for c in node.children]
        if check_sum and node.max is not None and all(x is not None for x in maxes):
            total = sum(maxes, Decimal(0))  # type: ignore[arg-type]
            if total != node.max:
                ctx.add("children_sum_mismatch", f"the children of node {node.code} add up to "
                        f"{decimal_text(total)} but its max is {decimal_text(node.max)}.", node.line,
                        node.code, severity="warning", declared=node.max, children_sum=total)
        return
    method = Manual() if method_raw is None else parse_method(method_raw, ctx, node.code, node.max)
    node.method = method
    if method is not None and node.max is None and _needs_max(method):
        ctx.add("method_needs_max", f"node {node.code} has an unknown max, so its {method.type} method "
                "cannot give points until the max is known.", node.line, node.code, severity="warning",
                method=method.type)


def _needs_max(method: Method) -> bool:
    if isinstance(method, YesNo | Proportional):
        return True
    if isinstance(method, Threshold):
        return any(step.points == "max" for step in method.steps)
    if isinstance(method, Indicator):
        return _needs_max(method.rule)
    return False
