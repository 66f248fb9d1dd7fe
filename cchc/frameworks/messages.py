"""Findings of the pure core in the user's language.

The core gives each finding a stable code and its numbers; this module says it in
Vietnamese (or English) for pages, exports and the command line, with the place (line of the
file, node code) in front. A few codes carry part of what they mean only in their English
message (findings stored without params, dataset findings): the missing values are read back
from that text. When even that fails, a translated sentence saying what kind of problem it is
comes first, followed by the core's English message. Codes that are not the core's (already
translated by the Django layer) are shown as they are.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .model import SUBJECT_KINDS, Finding, fmt_points
from .raw import where

_DATASET_FORMAT = "cchc-dataset/1"
_CHOICES = {"input": ("count", "rate"), "zero_denominator": ("none", "zero", "max")}


def _n(value) -> str:
    if value is None or value == "None":
        return "—"
    try:
        return fmt_points(value if isinstance(value, (Decimal, int)) else Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def _v(value) -> str:
    """A value as the user wrote it (text, a year, a code)."""
    return "—" if value is None or value == "None" else str(value)


def _count(value) -> str:
    """A numerator or denominator: whole numbers as they are (45/50), others as points."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return _v(value)
    return str(int(number)) if number.is_finite() and number == number.to_integral_value() else _n(number)


def _list(value) -> list[str]:
    """A list param, also when stored as its text ("['a', 'b']")."""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def _joined(values) -> str:
    return ", ".join(_list(values))


# -- the place ----------------------------------------------------------------------------------

def _place(finding: Finding, line: bool = True) -> str:
    has_line = line and finding.line is not None
    node = None if finding.code == "unknown_code" else finding.node  # the sentence names the code
    if has_line and node is not None:
        return _("Line %(line)d, node %(node)s") % {"line": finding.line, "node": finding.node}
    if has_line:
        return _("Line %(line)d") % {"line": finding.line}
    if node is not None:
        return _("Node %(node)s") % {"node": node}
    return ""


def _core_text(finding: Finding) -> str:
    """The core's English message without the place the core put in front."""
    message = finding.message or ""
    prefix = where(finding.line, finding.node)
    if prefix and message.startswith(prefix + ": "):
        return message[len(prefix) + 2:]
    return message


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """"Tổng ..." -> "tổng ..." after a place; acronyms such as "YAML" stay."""
    return text[:1].lower() + text[1:] if text[:1].isupper() and text[1:2].islower() else text


# -- values the English message carries when the params do not --------------------------------

_RECOVER: dict[str, list[tuple[re.Pattern, tuple[str, ...]]]] = {
    "children_sum_mismatch": [(re.compile(r"add up to (\S+) but its max is (\S+?)\.$"), ("children_sum", "declared"))],
    "total_max_mismatch": [(re.compile(r"total_max is (\S+) but the top-level nodes add up to (\S+?)\.$"),
                            ("declared", "computed"))],
    "method_needs_max": [(re.compile(r"so its (\w+) method"), ("method",))],
    "not_a_number": [(re.compile(r"^(.+?) (['\"])(.*)\2 is not a number\.$"), ("column", "", "value"))],
    "unknown_code": [(re.compile(r"^code (.+) is not in framework (.+?)\.$", re.I), ("code", "framework")),
                     (re.compile(r"in framework (.+?); its"), ("framework",))],
    "bad_value": [(re.compile(r"^column kind (['\"])(.*)\1 is not one of"), ("", "value")),
                  (re.compile(r"^column (.+) needs a year\.$"), ("column",))],
    "bad_input": [(re.compile(r"^(the value|the numerator|the denominator|the count|the rate) must", re.I),
                   ("what",))],
}


def _recovered(code: str, text: str) -> dict:
    found: dict = {}
    for pattern, names in _RECOVER.get(code, []):
        match = pattern.search(text)
        if match:
            found.update({name: value for name, value in zip(names, match.groups(), strict=True)
                          if name and name not in found})
    return found


# -- what each code means, when its sentence cannot be built --------------------------------

_MEANING = {
    "yaml_syntax": gettext_noop("the YAML cannot be read"),
    "empty_document": gettext_noop("the document is empty"),
    "not_a_mapping": gettext_noop("the document is not a mapping of fields"),
    "bad_format": gettext_noop("this is not a file of the expected format"),
    "bad_value": gettext_noop("a value is not valid"),
    "duplicate_key": gettext_noop("a key appears twice"),
    "unknown_field": gettext_noop("a field is not part of the format"),
    "missing_field": gettext_noop("a required field is missing"),
    "malformed_code": gettext_noop("a code is malformed"),
    "negative_max": gettext_noop("a max is negative"),
    "max_not_number": gettext_noop("a max is not a number"),
    "duplicate_code": gettext_noop("a code is used twice"),
    "bands_not_descending": gettext_noop("the bands are not in order from high to low"),
    "total_max_mismatch": gettext_noop("the declared total does not equal the sum of the domains"),
    "mixed_forms": gettext_noop("the nested and the flat form are mixed"),
    "missing_parent": gettext_noop("the parent does not exist"),
    "cycle": gettext_noop("the parents form a cycle"),
    "method_on_parent": gettext_noop("a node with sub-criteria cannot have a scoring method"),
    "children_sum_mismatch": gettext_noop("the sub-criteria do not add up to the max"),
    "method_needs_max": gettext_noop("the max is unknown, so the scoring method cannot give points"),
    "bad_parameter": gettext_noop("a parameter of the scoring method is not valid"),
    "unknown_method": gettext_noop("the scoring method is unknown"),
    "bad_input": gettext_noop("the value entered is not valid"),
    "max_unknown": gettext_noop("the max is unknown, so the value cannot be scored"),
    "negative_score": gettext_noop("the score is below 0"),
    "score_above_max": gettext_noop("the score is above the max"),
    "zero_denominator": gettext_noop("the rate has a denominator of 0"),
    "unknown_code": gettext_noop("the code is not in the framework"),
    "not_a_leaf": gettext_noop("the node has sub-criteria, so its value is ignored"),
    "not_a_number": gettext_noop("a value is not a number"),
    "declared_subtotal_mismatch": gettext_noop("the printed value does not equal the computed one"),
    "declared_without_score": gettext_noop("a value is printed where nothing is scored"),
    "capped": gettext_noop("the parts add up to more than the max"),
}

#: PyYAML / libyaml problems, as they appear in ``problem`` (prefix match).
_YAML_PROBLEMS = (
    ("mapping values are not allowed", gettext_noop("a colon is not allowed here (check the indentation, "
                                                    "or put the text in quotes)")),
    ("found character that cannot start any token", gettext_noop("a character that cannot start a value "
                                                                 "(a tab? indent with spaces)")),
    ("found character '\\t'", gettext_noop("a tab character (indent with spaces)")),
    ("could not find expected ':'", gettext_noop("a colon “:” is missing")),
    ("did not find expected key", gettext_noop("a key was expected (check the indentation)")),
    ("did not find expected '-' indicator", gettext_noop("a list item “-” was expected (check the indentation)")),
    ("did not find expected ',' or ']'", gettext_noop("a list in brackets is not closed with “]”")),
    ("did not find expected ',' or '}'", gettext_noop("a mapping in braces is not closed with “}”")),
    ("did not find expected node content", gettext_noop("a value was expected")),
    ("block sequence entries are not allowed", gettext_noop("a list item “-” is not allowed here "
                                                            "(check the indentation)")),
    ("found unexpected end of stream", gettext_noop("the file ends inside a quoted text (a quote is not closed)")),
    ("found unknown escape character", gettext_noop("an unknown escape “\\” in a quoted text")),
    ("found undefined alias", gettext_noop("an alias “*” refers to no anchor")),
    ("expected <block end>", gettext_noop("the indentation is wrong")),
)


def _yaml_problem(problem: str) -> str:
    for prefix, text in _YAML_PROBLEMS:
        if problem.startswith(prefix):
            return _(text)
    return problem


# -- sentences per code ------------------------------------------------------------------------
# Each builder gets the params (recovered ones added), the core text in lower case, and the
# finding; it returns (translated template, values) or None when it cannot say more than the
# generic meaning. Templates start in lower case: the place goes in front.

def _field_label(field: str) -> str:
    labels = {
        "max": _("the max (max)"),
        "total_max": _("the total max (total_max)"),
        "the band min": _("the band threshold (min)"),
        "min": _("the band threshold (min)"),
        "version": _("the version (version)"),
        "years": _("the years (years)"),
    }
    return labels.get(field, f"“{field}”")


def _yaml_syntax(p, low, f):
    if "problem" not in p:
        return None
    return _("the YAML cannot be read: %(problem)s."), {"problem": _yaml_problem(str(p["problem"]))}


def _bad_value(p, low, f):
    field = p.get("field")
    value = p.get("value")
    if "recursive alias" in low:
        return _("a recursive alias is not allowed."), {}
    if "mapping key" in low:
        return _("a mapping key must be plain text."), {}
    if field == "subject_kind":
        return (_("subject_kind must be one of %(allowed)s, not “%(value)s”."),
                {"allowed": ", ".join(SUBJECT_KINDS), "value": _v(value)})
    if field == "version" and "1 or more" in low:
        return _("the version must be 1 or more, not %(value)s."), {"value": _v(value)}
    if field == "years" and "twice" in low:
        return _("the year %(value)s is listed twice."), {"value": _v(value)}
    if field == "years" and "out of range" in low:
        return _("the year %(value)s is out of range (1900 to 2200)."), {"value": _v(value)}
    if field == "years" and "must be a list" in low:
        return _("the years must be a list such as [2020, 2021]."), {}
    if field == "bands" and low.startswith("bands must"):
        return _("bands must be a list of {code, label, min}."), {}
    if field == "bands":
        return _("a band must be a mapping {code, label, min}."), {}
    if field == "min" and "percent" in low:
        return _("a band threshold is a percent from 0 to 100, not %(value)s."), {"value": _n(value)}
    if field == "children":
        return _("children must be a list of nodes."), {}
    if field and "must be a number" in low:
        return (_("%(field)s must be a number, not “%(value)s”."),
                {"field": _field_label(field), "value": _v(value)})
    if field == "years" and "whole numbers" in low:
        return _("the years must be whole numbers, not “%(value)s”."), {"value": _v(value)}
    if field and "whole number" in low:
        return (_("%(field)s must be a whole number, not “%(value)s”."),
                {"field": _field_label(field), "value": _v(value)})
    if field and "true or false" in low:
        return _("“%(field)s” must be true or false, not “%(value)s”."), {"field": field, "value": _v(value)}
    if field and "must be text" in low:
        return _("“%(field)s” must be text, not a list or mapping."), {"field": field}
    if "a node must be a mapping" in low:
        return _("a node must be a mapping with code, title and max."), {}
    # dataset files
    if "a dataset is a mapping" in low:
        return _("a dataset must be a mapping with format, framework, subject, columns and rows."), {}
    if "a column needs a key" in low:
        return _("a column needs a key."), {}
    if "column kind" in low and "value" in p:
        return (_("the column kind “%(value)s” is not one of score, target, text."), {"value": _v(value)})
    if "needs a year" in low and "column" in p:
        return _("the column %(column)s needs a year."), {"column": p["column"]}
    if "a row is a mapping" in low:
        return _("a row must be a mapping with a code."), {}
    return None


def _missing_field(p, low, f):
    field = p.get("field")
    if field is None:  # dataset files
        for start, text in (
            ("framework is missing", gettext_noop("the dataset does not say its framework (framework).")),
            ("subject is missing", gettext_noop("the dataset has no subject (kind, name, admin_code).")),
            ("columns must be a list", gettext_noop("the columns must be a list.")),
            ("rows must be a list", gettext_noop("the rows must be a list.")),
            ("a row has no code", gettext_noop("a row has no code.")),
        ):
            if low.startswith(start):
                return _(text), {}
        return None
    if "has an empty" in low:
        return _("“%(field)s” is empty."), {"field": field}
    if field == "max":
        return _("the max is missing (write a number or “unknown”)."), {}
    if field == "years":
        return _("the years are missing (a list such as [2020, 2021])."), {}
    if field == "nodes":
        return _("the framework needs a non-empty list of nodes (criteria)."), {}
    if low.startswith("the band"):
        return _("the band has no “%(field)s”."), {"field": field}
    if low.startswith("the node"):
        return _("the node has no “%(field)s”."), {"field": field}
    return _("the framework has no “%(field)s”."), {"field": field}


def _bad_format(p, low, f):
    if "value" in p:
        return (_("format must be “%(expected)s”, not “%(value)s”: this is not a framework file of "
                  "this version."), {"expected": _v(p.get("expected")), "value": _v(p["value"])})
    return _("format must be “%(expected)s”."), {"expected": _DATASET_FORMAT}


def _malformed_code(p, low, f):
    if "value" not in p:
        return None
    what, value = p.get("what"), _v(p["value"])
    if what == "framework":
        return (_("the framework code “%(value)s” is malformed (letters, digits, “.”, “_” and “-”, "
                  "starting with a letter or digit)."), {"value": value})
    if what == "band":
        return _("the band code “%(value)s” is malformed."), {"value": value}
    return (_("the node code “%(value)s” is malformed (use forms such as 1, 3.4.1, TC 1.1, TCTP 3.3, "
              "SIPAS, A.III.3)."), {"value": value})


def _negative_max(p, low, f):
    if "value" not in p:
        return None
    if low.startswith("total_max"):
        return _("the total max (total_max) must not be negative: %(value)s."), {"value": _n(p["value"])}
    return _("the max must not be negative: %(value)s."), {"value": _n(p["value"])}


def _max_not_number(p, low, f):
    if "value" not in p:
        return None
    if p.get("field") == "total_max":
        return _("the total max (total_max) must be a number, not “%(value)s”."), {"value": _v(p["value"])}
    return (_("the max must be a number (or “unknown”), not “%(value)s”. Write decimals with a point: "
              "7.88."), {"value": _v(p["value"])})


def _duplicate_code(p, low, f):
    if p.get("what") == "band" and "code" in p:
        return _("the band code “%(code)s” appears twice."), {"code": p["code"]}
    if "first_line" in p and "code" in p:
        return (_("the code “%(code)s” is already used on line %(first_line)s."),
                {"code": p["code"], "first_line": _v(p["first_line"])})
    if f.node is not None and "appears twice" in low:  # dataset rows
        return _("the code %(code)s appears twice in the rows."), {"code": f.node}
    return None


def _bands_not_descending(p, low, f):
    if "min" not in p or "previous" not in p:
        return None
    return (_("bands must go from high to low: the threshold %(min)s comes after %(previous)s."),
            {"min": _n(p["min"]), "previous": _n(p["previous"])})


def _mixed_forms(p, low, f):
    if "nested" in low:
        return (_("a nested node must not have a “parent” (use either children or parent in the whole "
                  "file)."), {})
    return (_("a node of a flat list must not have “children” (use either children or parent in the "
              "whole file)."), {})


def _missing_parent(p, low, f):
    if "parent" not in p:
        return None
    return _("the parent “%(parent)s” does not exist."), {"parent": p["parent"]}


def _cycle(p, low, f):
    codes = _list(p.get("codes"))
    if not codes:
        return None
    return _("the parents form a cycle: %(cycle)s."), {"cycle": " → ".join([*codes, codes[0]])}


def _children_sum_mismatch(p, low, f):
    if "children_sum" not in p or "declared" not in p:
        return None
    return (_("its sub-criteria add up to %(sum)s points, but its max is %(max)s."),
            {"sum": _n(p["children_sum"]), "max": _n(p["declared"])})


def _total_max_mismatch(p, low, f):
    if "declared" not in p or "computed" not in p:
        return None
    return (_("The declared total is %(declared)s points, but the domains add up to %(computed)s."),
            {"declared": _n(p["declared"]), "computed": _n(p["computed"])})


def _method_needs_max(p, low, f):
    if "method" not in p:
        return None
    return (_("the max is unknown, so its “%(method)s” method cannot give points until the max is "
              "known."), {"method": p["method"]})


def _bad_parameter(p, low, f):
    parameter = p.get("parameter")
    method = p.get("method")
    if method is None:
        if parameter == "method":
            return _("the method must be a mapping such as {type: manual}."), {}
        if parameter == "type":
            return _("the method has no type."), {}
        return None
    values = {"method": method, "parameter": parameter}
    if "has no parameter" in low:
        from .method_params import _PARSERS

        allowed = _PARSERS.get(method, ((),))[0]
        if allowed:
            return (_("the method “%(method)s” has no parameter “%(parameter)s” (its parameters: "
                      "%(allowed)s)."), {**values, "allowed": ", ".join(allowed)})
        return (_("the method “%(method)s” has no parameter “%(parameter)s” (it takes none)."), values)
    if parameter in _CHOICES and "value" in p:
        return (_("“%(parameter)s” of the method “%(method)s” must be %(choices)s, not “%(value)s”."),
                {**values, "choices": " / ".join(_CHOICES[parameter]), "value": _v(p["value"])})
    if parameter in _CHOICES and "needs" in low:
        return (_("the method “%(method)s” needs “%(parameter)s” (%(choices)s)."),
                {**values, "choices": " / ".join(_CHOICES[parameter])})
    if parameter == "zero_denominator":
        return _("zero_denominator applies to a rate input only."), {}
    if "is missing" in low:
        return _("the parameter “%(parameter)s” is missing."), values
    if "must be a number" in low and "value" in p:
        return (_("“%(parameter)s” of the method “%(method)s” must be a number, not “%(value)s”."),
                {**values, "value": _v(p["value"])})
    if "must not be negative" in low and "value" in p:
        return (_("“%(parameter)s” of the method “%(method)s” must not be negative: %(value)s."),
                {**values, "value": _n(p["value"])})
    if parameter == "steps" and "min" in p and "previous" in p:
        return (_("the step thresholds must go from high to low: %(min)s comes after %(previous)s."),
                {"min": _n(p["min"]), "previous": _n(p["previous"])})
    if parameter == "steps" and "points" in p and "previous" in p:
        return (_("a lower step must not give more points: %(points)s after %(previous)s."),
                {"points": _n(p["points"]), "previous": _n(p["previous"])})
    if parameter == "steps" and "each step" in low:
        return _("each step must be a mapping {min: ..., points: ...}."), {}
    if parameter == "steps":
        return _("the threshold method needs a non-empty list of steps such as [{min: 3, points: 2}]."), {}
    if parameter == "points" and "points" in p and "max" in p:
        return (_("the step gives %(points)s points, more than the max %(max)s."),
                {"points": _n(p["points"]), "max": _n(p["max"])})
    if parameter == "full_at" and "above 0" in low:
        return _("full_at must be above 0."), {}
    if parameter == "floor" and "floor" in p and "full_at" in p:
        return (_("the floor %(floor)s%% is above full_at %(full_at)s%%."),
                {"floor": _n(p["floor"]), "full_at": _n(p["full_at"])})
    if parameter == "source":
        return _("the external method needs a source (who enters the value, e.g. “Bộ Nội vụ”)."), {}
    if parameter == "indicator":
        if p.get("value") in (None, "None"):
            return _("the indicator method needs an indicator name such as “dossiers.on_time_rate”."), {}
        return (_("the indicator must be a dotted name such as “dossiers.on_time_rate”, not “%(value)s”."),
                {"value": _v(p["value"])})
    if parameter == "rule":
        return _("the indicator method needs a rule of type threshold or proportional."), {}
    return None


def _unknown_method(p, low, f):
    if "type" not in p:
        return None
    return (_("unknown method type “%(type)s” (known: %(known)s)."),
            {"type": p["type"], "known": _joined(p.get("known"))})


_WHAT = {
    "the value": gettext_noop("the value"),
    "the numerator": gettext_noop("the numerator"),
    "the denominator": gettext_noop("the denominator"),
    "the count": gettext_noop("the count"),
    "the rate": gettext_noop("the rate"),
}


def _bad_input(p, low, f):
    if "numerator" in p and "denominator" in p:
        return (_("a rate needs a numerator and a denominator of 0 or more, not %(numerator)s/%(denominator)s."),
                {"numerator": _count(p["numerator"]), "denominator": _count(p["denominator"])})
    if "rate" in p:
        return _("a rate must not be negative: %(rate)s%%."), {"rate": _n(p["rate"])}
    if "value" not in p:
        return None
    value = re.sub(r"Decimal\('([^']*)'\)", r"\1", _v(p["value"]))
    what = _(_WHAT.get(str(p.get("what", "the value")).lower(), "the value"))
    if "yes/no" in low:
        return _("a yes/no item needs true or false, not %(value)s."), {"value": value}
    if "(numerator, denominator)" in low:
        return _("a rate needs a numerator and a denominator, not %(value)s."), {"value": value}
    if "a count must be" in low:
        return _("a count must be a whole number of 0 or more, not %(value)s."), {"value": value}
    if "finite" in low:
        return _("%(what)s must be a finite number, not %(value)s."), {"what": what, "value": value}
    return _("%(what)s must be a number, not %(value)s."), {"what": what, "value": value}


def _score_bounds(p, low, f):
    if f.code == "score_above_max" and "value" in p and "max" in p:
        return (_("the score %(value)s is above the max %(max)s."),
                {"value": _n(p["value"]), "max": _n(p["max"])})
    if f.code == "negative_score" and "value" in p:
        return _("the score %(value)s is below 0."), {"value": _n(p["value"])}
    return None


def _zero_denominator(p, low, f):
    if "numerator" not in p or "denominator" not in p:
        return None
    return (_("the rate %(numerator)s/%(denominator)s has a denominator of 0, so it cannot be computed."),
            {"numerator": _count(p["numerator"]), "denominator": _count(p["denominator"])})


def _unknown_code(p, low, f):
    code = p.get("code")
    if code is None:
        return None
    values = {"code": code, "framework": _v(p.get("framework"))}
    if "declared value" in low:
        return _("there is no node “%(code)s” in framework %(framework)s; its printed value is ignored."), values
    if "input is ignored" in low:
        return _("there is no node “%(code)s” in framework %(framework)s; its input is ignored."), values
    return _("the code %(code)s is not in framework %(framework)s."), values


def _not_a_leaf(p, low, f):
    if "code" not in p:
        return None
    return _("it has sub-criteria, so its score is their sum and its input is ignored."), {}


def _not_a_number(p, low, f):
    if "value" not in p:
        return None
    return (_("the value “%(value)s” in column %(column)s is not a number."),
            {"value": p["value"], "column": _v(p.get("column"))})


_BUILDERS = {
    "yaml_syntax": _yaml_syntax,
    "empty_document": lambda p, low, f: (_("the document is empty."), {}),
    "not_a_mapping": lambda p, low, f: (_("the document must be a mapping with format, code, name, nodes..."), {}),
    "bad_value": _bad_value,
    "duplicate_key": lambda p, low, f: (("key" in p or None) and (
        _("the key “%(key)s” appears twice in the same mapping."), {"key": p["key"]})),
    "unknown_field": lambda p, low, f: (("field" in p or None) and (
        _("unknown field “%(field)s” (allowed: %(allowed)s)."),
        {"field": p["field"], "allowed": _joined(p.get("allowed"))})),
    "missing_field": _missing_field,
    "bad_format": _bad_format,
    "malformed_code": _malformed_code,
    "negative_max": _negative_max,
    "max_not_number": _max_not_number,
    "duplicate_code": _duplicate_code,
    "bands_not_descending": _bands_not_descending,
    "total_max_mismatch": _total_max_mismatch,
    "mixed_forms": _mixed_forms,
    "missing_parent": _missing_parent,
    "cycle": _cycle,
    "method_on_parent": lambda p, low, f: (
        _("it has sub-criteria, so its score is their sum and it cannot have a scoring method."), {}),
    "children_sum_mismatch": _children_sum_mismatch,
    "method_needs_max": _method_needs_max,
    "bad_parameter": _bad_parameter,
    "unknown_method": _unknown_method,
    "bad_input": _bad_input,
    "max_unknown": lambda p, low, f: (_("the max of this item is unknown, so the value cannot be scored."), {}),
    "negative_score": _score_bounds,
    "score_above_max": _score_bounds,
    "zero_denominator": _zero_denominator,
    "unknown_code": _unknown_code,
    "not_a_leaf": _not_a_leaf,
    "not_a_number": _not_a_number,
}


def _node_sentence(finding: Finding, p: dict) -> str | None:
    """The sentences that name the node themselves (scorecards, printed documents)."""
    node = finding.node
    column = p.get("column")
    if finding.code == "declared_subtotal_mismatch":
        if node is None:
            text = _("The document prints a total of %(declared)s, but its lines add up to %(computed)s.")
        else:
            text = _("%(node)s: the document prints %(declared)s, but its parts add up to %(computed)s.")
        text = text % {"node": node, "declared": _n(p.get("declared")), "computed": _n(p.get("computed"))}
        return f"{column}: {text}" if column else text
    if finding.code == "declared_without_score":
        text = _("%(node)s: the document prints %(declared)s, but nothing is scored there.") % {
            "node": node, "declared": _n(p.get("declared"))}
        return f"{column}: {text}" if column else text
    if finding.code == "capped" and "sum" in p:
        return _("%(node)s: its parts add up to %(sum)s, more than its max %(max)s; the score is capped at the max.") % {
            "node": node, "sum": _n(p.get("sum")), "max": _n(p.get("max"))}
    if finding.code == "children_sum_mismatch" and finding.line is None and "children_sum" in p:
        return _("%(node)s: its sub-criteria add up to %(sum)s points, but its max is %(max)s.") % {
            "node": node, "sum": _n(p.get("children_sum")), "max": _n(p.get("declared"))}
    if finding.code in ("score_above_max", "negative_score") and "value" not in p and node is not None:
        return _("%(node)s: the score must be between 0 and the max.") % {"node": node}
    return None


def describe(finding: Finding, *, line: bool = True) -> str:
    """The finding in the active language, with its place in front: "Dòng 12, tiêu chí 1.3: ...".

    ``line=False`` leaves the line out (when the caller prints it already, as ``file:12:``)."""
    p = dict(finding.params or {})
    text = _core_text(finding)
    low = text.lower()
    for key, value in _recovered(finding.code, text).items():
        p.setdefault(key, value)
    fixed = _node_sentence(finding, p)
    if fixed is not None:
        if line and finding.line is not None and finding.code not in (
                "declared_subtotal_mismatch", "declared_without_score"):
            # declared_* lines are lines of the framework file, not of the printed document
            return f"{_('Line %(line)d') % {'line': finding.line}}: {fixed}"
        return fixed
    place = _place(finding, line)
    builder = _BUILDERS.get(finding.code)
    built = builder(p, low, finding) if builder is not None else None
    if built:
        template, values = built
        sentence = template % values if values else template.replace("%%", "%")
        return f"{place}: {_lower_first(sentence)}" if place else _capital(sentence)
    if finding.code not in _MEANING or (not finding.params and finding.line is None and finding.node is None
                                        and finding.code in ("unknown_code", "not_a_leaf")):
        return finding.message  # not the core's, or already translated by the Django layer
    meaning = _(_MEANING[finding.code])
    sentence = _("%(meaning)s (%(detail)s)") % {"meaning": meaning, "detail": text}
    return f"{place}: {sentence}" if place else _capital(sentence)


def method_label(method) -> str:
    """How a leaf is scored, in a sentence for the criteria tree."""
    from .method_types import External, Indicator, Proportional, Threshold, YesNo

    if method is None:
        return ""
    if isinstance(method, YesNo):
        return _("Yes/no: done = max points")
    if isinstance(method, Threshold):
        unit = "%" if method.input == "rate" else ""
        steps = "; ".join(
            f"≥ {fmt_points(step.min).removesuffix(',00')}{unit} → "
            + (_("max") if step.points == "max" else fmt_points(step.points))
            for step in method.steps
        )
        what = _("rate") if method.input == "rate" else _("count")
        return _("Threshold on a %(what)s: %(steps)s; otherwise 0") % {"what": what, "steps": steps}
    if isinstance(method, Proportional):
        text = _("Proportional to the rate, full marks at %(full)s%%") % {"full": fmt_points(method.full_at_value).removesuffix(",00")}
        if method.floor is not None:
            text += _("; 0 below %(floor)s%%") % {"floor": fmt_points(method.floor).removesuffix(",00")}
        return text
    if isinstance(method, External):
        return _("Scored by %(source)s") % {"source": method.source}
    if isinstance(method, Indicator):
        return _("From the indicator %(indicator)s: %(rule)s") % {"indicator": method.indicator, "rule": method_label(method.rule)}
    return _("Scored directly, 0 to max")
