"""Importing a plan's assignment table: read the file, preview and fix it, commit all rows or none.

    rows = read("ke-hoach-223.docx", content, plan_year=2025, province=p08, on=date(2024, 12, 23))
    batch = start_import(user, "ke-hoach-223.docx", content, {"number": "223/KH-UBND", ...})
    apply_fix(batch, 12, "lead.0", "P08-2025-STP")        # a unit (or group) for an unmatched name
    apply_fix(batch, 12, "coordinating.1", KEEP)          # keep the name as written, without a unit
    apply_fix(batch, 40, "time_frame", "Tháng 3/2025")    # a corrected phrase, read again
    apply_fix(batch, 40, "due", "31/03/2025")             # a due date set by hand
    apply_fix(batch, 40, "accept", "")                    # the reading is right as it is
    plan = commit(batch, user)                            # one transaction; refused while problems remain

The file is read by ``tables.read_plan_table`` (header found by its Vietnamese names, sections,
merged cells, numbering restarts), each agency cell is split and matched by the organisation
module's matcher (``orgs.services.matcher_for``) at the plan's date, each time-frame cell is read by
``timeframes.parse``. The preview rows are kept in ``ImportBatch.rows`` (JSON), so a person can fix
them over several requests; nothing reaches the plan tables before ``commit``.

Names are read against the units of the province *at the plan's date*: a plan of December 2024
issued by "Tỉnh Tuyên Quang" is read against the units of Tuyên Quang before the July 2025 merger
(the predecessor of the same name), so "Sở Nội vụ" is that province's department of the day.

Time frames: the plan's completion column ("Thời gian hoàn thành"), when it has one, gives the
deadline, and the execution column ("Thời gian thực hiện") the start; both texts are kept as
printed. Deadlines on a day off move by ``settings.CCHC_DEADLINE_RULE`` ("previous" by default)
through the working-day calendar; recurring tasks get one occurrence per period of the plan's
year(s), each with its own (moved) due date.

Columns the model has no field for are not dropped: the criterion column goes in front of the
target, a note or an unnamed column at the end of the expected output.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cchc.core import access
from cchc.orgs.models import OrgGroup, OrgUnit, UnitType, valid_at_q
from cchc.orgs.services import matcher_for

from . import tables
from .models import ImportBatch, Occurrence, Plan, PlanKind, Section, Task, TaskRole, TaskUnit
from .tables import PlanRow, PlanTableError, read_plan_table
from .timeframes import TimeFrame, describe, parse
from .timeframes_schedule import recurrence_dates
from .timeframes_text import clean

__all__ = [
    "KEEP",
    "MAX_BYTES",
    "CommitRefused",
    "PlanImportError",
    "accept_remaining",
    "apply_fix",
    "commit",
    "discard",
    "problems",
    "read",
    "start_import",
    "summary",
    "table_error_message",
    "unit_choices",
]

KEEP = "keep"  # the value of a name fix that keeps the name as written, without a unit
ROLES = ("lead", "coordinating")
MAX_BYTES = 10 * 1024 * 1024
PREVIEW, COMMITTED = "preview", "committed"
RULES = ("previous", "next", "none")

Progress = Callable[[Iterable], Iterable]


class PlanImportError(Exception):
    """The file or the plan's details cannot be imported: ``messages`` says why (translated)."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class CommitRefused(PlanImportError):
    """Problems remain: ``unmatched`` [(row, role, name)] and ``time_frames`` [(row, text, problem)]."""

    def __init__(self, unmatched: list[dict], time_frames: list[dict]):
        self.unmatched = unmatched
        self.time_frames = time_frames
        messages = [_("Nothing was imported: resolve these first.")]
        messages += [
            _("%(where)s: “%(name)s” (%(role)s) matches no unit") % {"where": u["where"], "name": u["text"], "role": u["role_label"]}
            for u in unmatched
        ]
        messages += [
            _("%(where)s: time frame “%(text)s” to check: %(problem)s") % {"where": t["where"], "text": t["text"], "problem": t["problem"]}
            for t in time_frames
        ]
        super().__init__(messages)


# --------------------------------------------------------------------------- messages


def _location(where: str) -> str:
    """The reader's English "table 2, row 5" / "sheet X, row 5" / "row 5" in the active language."""
    if m := re.fullmatch(r"table (\d+), row (\d+)", where or ""):
        return _("table %(table)s, row %(row)s") % {"table": m[1], "row": m[2]}
    if m := re.fullmatch(r"sheet (.+), row (\d+)", where or ""):
        return _("sheet “%(sheet)s”, row %(row)s") % {"sheet": m[1], "row": m[2]}
    if m := re.fullmatch(r"row (\d+)", where or ""):
        return _("row %(row)s") % {"row": m[1]}
    return where or ""


def _holds(holds: str) -> str:
    known = {
        "a Word document": _("a Word document"),
        "an Excel workbook": _("an Excel workbook"),
        "an OpenDocument file": _("an OpenDocument file"),
        "an empty zip archive": _("an empty zip archive"),
        "a damaged zip archive": _("a damaged zip archive"),
    }
    if holds in known:
        return known[holds]
    if m := re.fullmatch(r"a zip of other files \((.*)\)", holds or ""):
        return _("other files (%(names)s)") % {"names": m[1]}
    return holds


_FIELD_NAMES = {"content": "Nội dung / Nhiệm vụ", "lead": "Cơ quan chủ trì"}


def table_error_message(exc: PlanTableError, file_name: str) -> str:
    """A translated sentence naming the file, and the table, row and column when there are some."""
    p = exc.params
    file = p.get("name") or file_name
    code = exc.code
    if code == tables.UNSUPPORTED_EXTENSION:
        text = _("%(file)s: only .docx, .xlsx and .csv files can be imported.") % {"file": file}
        if p.get("hint"):
            text += " " + _("Open it and save it as %(ext)s.") % {"ext": p["hint"]}
        return text
    if code == tables.EMPTY_FILE:
        return _("%(file)s is empty.") % {"file": file}
    if code == tables.NOT_ZIP:
        return _(
            "%(file)s is not a real .docx or .xlsx file (it is not a zip archive): an old .doc or .xls file "
            "renamed? Open it and save it as .docx or .xlsx."
        ) % {"file": file}
    if code in (tables.NOT_DOCX, tables.NOT_XLSX, tables.NOT_CSV):
        if "holds" not in p:
            return _("%(file)s is a damaged file (%(error)s).") % {"file": file, "error": p.get("error", "")}
        what = {
            tables.NOT_DOCX: _("%(file)s is not a Word document: it is a zip archive of %(holds)s."),
            tables.NOT_XLSX: _("%(file)s is not an Excel workbook: it is a zip archive of %(holds)s."),
            tables.NOT_CSV: _("%(file)s is not CSV text: it is %(holds)s."),
        }[code]
        return what % {"file": file, "holds": _holds(p["holds"])}
    if code == tables.NOT_UTF8:
        return _("%(file)s is not UTF-8 text: save the CSV as “CSV UTF-8”.") % {"file": file}
    if code == tables.NO_HEADER:
        if "sheet" in p:
            return _("%(file)s has no sheet named “%(sheet)s”.") % {"file": file, "sheet": p["sheet"]}
        text = _("%(file)s: no header row with the columns “Nội dung / Nhiệm vụ” and “Cơ quan chủ trì” was found") % {"file": file}
        missing = ", ".join(f"“{_FIELD_NAMES.get(m, m)}”" for m in p.get("missing") or [])
        if p.get("found"):
            detail = _("the closest (%(where)s) has only the columns %(found)s; missing: %(missing)s") % {
                "where": _location(p.get("where", "")),
                "found": ", ".join(f"“{name}”" for name in p["found"]),
                "missing": missing,
            }
        elif not p.get("tables"):
            detail = _("the file has no table")
        else:
            detail = _("none of its %(count)d tables has a header row with these names") % {"count": p["tables"]}
        return f"{text} ({detail})."
    if code == tables.SHIFTED_COLUMNS:
        where = _location(p.get("where", ""))
        column = exc.column or ""
        index = exc.column_index or 0
        message = exc.message or ""
        if column.startswith("#") or not column:
            column_text = _("column %(n)d") % {"n": index}
            m = re.search(r"the row has (\d+) cells but the header has (\d+)", message)
            detail = (
                _("the row has %(cells)s cells but the header row has %(width)s") % {"cells": m[1], "width": m[2]}
                if m
                else _("the row has more cells than the header row")
            )
            past = re.search(r"cell \d+ \(“(.*?)”\) is past the last column", message)
            if past:
                detail += " " + _("(“%(text)s” is past the last column)") % {"text": past[1]}
        else:
            column_text = _("column “%(name)s” (no. %(n)d)") % {"name": column, "n": index}
            quoted = re.search(r"holds “(.*?)”", message)
            value = quoted[1] if quoted else ""
            if "which is a time frame" in message:
                detail = _("it holds “%(text)s”, which is a time frame, not an agency") % {"text": value}
            else:
                detail = _("it holds “%(text)s”, which is an agency, not a time frame") % {"text": value}
        return _("%(file)s, %(where)s, %(column)s: %(detail)s. Are the columns shifted?") % {
            "file": file,
            "where": where,
            "column": column_text,
            "detail": detail,
        }
    return _("%(file)s cannot be read (%(error)s).") % {"file": file, "error": p.get("error") or exc.message}


_PROBLEMS: tuple[tuple[re.Pattern, Callable[[re.Match], str]], ...] = (
    (re.compile(r"due (\S+) is far from the plan year (\d+): check the year"),
     lambda m: _("due %(due)s is far from the plan year %(year)s: check the year") % {"due": m[1], "year": m[2]}),
    (re.compile(r"read '(.+)' as '(.+)' \(a typo\)"),
     lambda m: _("“%(word)s” was read as “%(read)s” (a typo?)") % {"word": m[1], "read": m[2]}),
    (re.compile(r"not a time frame the reader knows: '(.*)'"),
     lambda m: _("not a time frame the reader knows: “%(phrase)s”") % {"phrase": m[1]}),
    (re.compile(r"the month in the period is not stated: taken as its last month"),
     lambda m: _("the month in the period is not stated: taken as its last month")),
    (re.compile(r"'trong năm' needs the plan year"), lambda m: _("“trong năm” needs the plan year")),
    (re.compile(r"no year in the phrase and no plan year to take it from"),
     lambda m: _("no year in the phrase and no plan year to take it from")),
    (re.compile(r"'năm (.+)' counts from the plan year, which is not known"),
     lambda m: _("“năm %(word)s” counts from the plan year, which is not known") % {"word": m[1]}),
)


def problem_text(problem: str) -> str:
    """The parser's (English) reason, in the active language where it is a known one."""
    out = []
    for piece in (problem or "").split("; "):
        label, rest = "", piece
        for pattern, render in _PROBLEMS:
            m = pattern.search(piece)
            if m:
                label = piece[: m.start()].rstrip(": ").strip()
                rest = render(m)
                break
        out.append(f"{label}: {rest}" if label else rest)
    return "; ".join(p for p in out if p)


def place_text(row: dict) -> str:
    """Where a preview row is in the file: "table 2, row 5", "sheet “Phụ lục 1”, row 5", "row 5"."""
    source = row.get("source") or {}
    if source.get("sheet"):
        return _("sheet “%(sheet)s”, row %(row)s") % {"sheet": source["sheet"], "row": source.get("row")}
    if source.get("kind") == "docx":
        return _("table %(table)s, row %(row)s") % {"table": source.get("table"), "row": source.get("row")}
    return _("row %(row)s") % {"row": source.get("row")}


def where_text(row: dict) -> str:
    """"task I.3 (table 2, row 5)" for messages about a preview row."""
    ref = row.get("ref") or row.get("number") or str(row.get("index", 0) + 1)
    return _("task %(ref)s (%(place)s)") % {"ref": ref, "place": place_text(row)}


def role_label(role: str) -> str:
    return _("lead") if role == "lead" else _("coordinating")


# --------------------------------------------------------------------------- province, units, deadlines


def _province_unit(province) -> OrgUnit:
    if isinstance(province, OrgUnit):
        return province
    unit = OrgUnit.objects.filter(code=str(province or "").strip().upper()).first()
    if unit is None:
        raise PlanImportError(_("No unit with the code %(code)s.") % {"code": province})
    return unit


def province_of(unit: OrgUnit) -> OrgUnit:
    return unit if unit.type == UnitType.PROVINCE or unit.province_id is None else unit.province


def province_at(province: OrgUnit, day: dt.date) -> OrgUnit:
    """The province whose units were valid on ``day``: itself, or its predecessor of the same name.

    A plan of Tuyên Quang dated before the July 2025 merger is read against the units of Tuyên
    Quang at the time, not of Hà Giang as well (both are predecessors of the merged province).
    """
    if province.is_valid_at(day):
        return province
    before = [p for p in province.predecessors() if p.is_valid_at(day)]
    if len(before) == 1:
        return before[0]
    same = [p for p in before if p.name == province.name]
    return same[0] if len(same) == 1 else province


def _candidate_querysets(province: OrgUnit, day: dt.date):
    provinces = [province]
    if not province.is_valid_at(day):
        provinces = [p for p in province.predecessors() if p.is_valid_at(day)] or provinces
    units = OrgUnit.objects.filter(province__in=provinces).filter(valid_at_q(day))
    external = OrgUnit.objects.filter(type=UnitType.EXTERNAL, province__in=provinces)
    groups = OrgGroup.objects.filter(province__in=provinces).filter(valid_at_q(day))
    return (units | external).distinct(), groups


def unit_choices(province, day: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every group and unit a name may be given, the way the matcher sees them: [(heading, [(code, name)])]."""
    province = _province_unit(province)
    units, groups = _candidate_querysets(province, day)
    out: list[tuple[str, list[tuple[str, str]]]] = []
    group_list = [(g.code, g.name) for g in groups.order_by("sort_order", "name")]
    if group_list:
        out.append((_("Groups of agencies"), group_list))
    labels = dict(UnitType.choices)
    by_type: dict[str, list[tuple[str, str]]] = {}
    for unit in units.order_by("sort_order", "name"):
        by_type.setdefault(unit.type, []).append((unit.code, unit.name))
    for kind, _label in UnitType.choices:
        if by_type.get(kind):
            out.append((str(labels[kind]).capitalize(), by_type[kind]))
    return out


def _choice_lookup(plan_fields: dict) -> dict[str, tuple[str, str]]:
    """code -> (status "unit" | "group", name) for the units and groups a name may be given."""
    province = _province_unit(plan_fields["province"])
    day = dt.date.fromisoformat(plan_fields["on"])
    units, groups = _candidate_querysets(province, day)
    found = {code: ("unit", name) for code, name in units.values_list("code", "name")}
    found.update({code: ("group", name) for code, name in groups.values_list("code", "name")})
    return found


def deadline_rule() -> str:
    rule = getattr(settings, "CCHC_DEADLINE_RULE", "previous") or "previous"
    return rule if rule in RULES else "previous"


def _adjuster(rule: str | None = None) -> Callable[[dt.date], dt.date]:
    from cchc.workdays import default_calendar

    calendar = default_calendar()
    rule = rule or deadline_rule()
    return lambda day: calendar.adjust(day, rule)


# --------------------------------------------------------------------------- reading


def _item(match) -> dict:
    return {
        "text": match.text,
        "status": match.status,
        "code": match.code,
        "name": match.name,
        "score": match.score,
        "method": match.method,
        "candidates": [list(c) for c in match.candidates],
        "fixed": False,
    }


def _cell(text: str, matcher, cache: dict) -> dict:
    if text not in cache:
        items = [_item(m) for m in matcher.match_cell(text)] if text.strip() else []
        if text.strip() and not items:  # nothing split out: keep the whole cell as one name
            items = [_item(matcher.match(" ".join(text.split())))]
        cache[text] = items
    return {"text": text, "items": [dict(item) for item in cache[text]]}


def _same(a: str, b: str) -> bool:
    return clean(a).casefold() == clean(b).casefold()


def _event_of(frame: TimeFrame | None) -> str:
    if frame is None:
        return ""
    if frame.event:
        return frame.event
    if frame.offset is not None:
        return frame.offset.from_event
    for part in frame.parts:
        if found := _event_of(part):
            return found
    return ""


def _is_recurring(frame: TimeFrame) -> bool:
    return frame.kind == "recurring" or any(_is_recurring(part) for part in frame.parts)


def _main_frames(tf: dict, plan_year: int) -> tuple[TimeFrame, TimeFrame | None]:
    """(the deadline's frame, the execution column's frame when it is read apart)."""
    main = parse(tf["phrase"], plan_year=plan_year)
    execution = parse(tf["execution"], plan_year=plan_year) if tf.get("execution") else None
    return main, execution


def _time_frame(text: str, completion: str, plan_year: int) -> dict:
    execution = ""
    if clean(completion) and not _same(completion, text):
        phrase = completion
        execution = text if clean(text) else ""
    else:
        phrase = text if clean(text) else completion
    tf = {
        "text": text,
        "completion": completion,
        "phrase": phrase,
        "execution": execution,
        "corrected": False,
        "accepted": False,
        "manual_due": None,
    }
    return _refresh(tf, plan_year)


def _refresh(tf: dict, plan_year: int, adjust: Callable[[dt.date], dt.date] | None = None) -> dict:
    """Read the phrase(s) again and set what the preview shows and what commit stores."""
    main, execution = _main_frames(tf, plan_year)
    adjust = adjust or _adjuster()
    problems = []
    if main.kind == "unparsed" or main.needs_review:
        problems.append(main.problem or "not a time frame the reader knows")
    if execution is not None and (execution.kind == "unparsed" or execution.needs_review):
        problems.append(f"{clean(tf['execution'])}: {execution.problem}")
    start = main.start or (execution.start if execution is not None and not execution.needs_review else None)
    nominal = main.due
    due = adjust(nominal) if nominal else None
    if tf.get("manual_due"):
        due = dt.date.fromisoformat(tf["manual_due"])
    frame = main.as_dict()
    tf.update(
        {
            "kind": main.kind,
            "frame": frame,
            "execution_frame": execution.as_dict() if execution is not None else None,
            "description": describe(main) if main.kind != "empty" else "",
            "execution_description": describe(execution) if execution is not None else "",
            "start": start.isoformat() if start else None,
            "due": due.isoformat() if due else None,
            "due_nominal": nominal.isoformat() if nominal else None,
            "recurring": _is_recurring(main),
            "waits_for": _event_of(main) or _event_of(execution),
            "problem": "; ".join(problems),
            "flagged": bool(problems),
        }
    )
    tf["needs_review"] = tf["flagged"] and not tf["accepted"] and not tf.get("manual_due")
    return tf


def _source(plan_row: PlanRow, file_name: str) -> dict:
    suffix = file_name.lower().rsplit(".", 1)[-1] if "." in file_name else ""
    kind = "docx" if suffix == "docx" else "xlsx" if suffix in ("xlsx", "xlsm") else "csv"
    return {
        "kind": kind,
        "table": plan_row.table,
        "sheet": plan_row.sheet,
        "row": plan_row.row,
        "rows": list(plan_row.rows),
        "where": plan_row.source,
    }


def _row(index: int, plan_row: PlanRow, file_name: str, matcher, cache: dict, plan_year: int) -> dict:
    return {
        "index": index,
        "ref": plan_row.ref,
        "number": plan_row.number,
        "section": list(plan_row.section),
        "section_titles": list(plan_row.section_titles),
        "content": plan_row.content,
        "criterion": plan_row.criterion,
        "target": plan_row.target,
        "output": plan_row.output,
        "note": plan_row.note,
        "extra": dict(plan_row.extra),
        "lead": _cell(plan_row.lead, matcher, cache),
        "coordinating": _cell(plan_row.coordinating, matcher, cache),
        "time_frame": _time_frame(plan_row.time_frame, plan_row.completion, plan_year),
        "source": _source(plan_row, file_name),
    }


def read(
    file_name: str,
    content: bytes,
    *,
    plan_year: int,
    province,
    on: dt.date | None = None,
    progress: Progress | None = None,
) -> list[dict]:
    """The preview rows of a file: one per task, with matched names and read time frames.

    ``province`` (a unit or its code) and ``on`` (default 1 January of ``plan_year``) choose the
    units the names are read against. Raises ``PlanImportError`` with a translated message naming
    the file, and the table, row and column where the file is wrong.
    """
    try:
        plan_rows = read_plan_table(content, filename=file_name)
    except PlanTableError as exc:
        raise PlanImportError([table_error_message(exc, file_name)]) from None
    if not plan_rows:
        raise PlanImportError([_("%(file)s: the table has a header but no task rows.") % {"file": file_name}])
    day = on or dt.date(plan_year, 1, 1)
    province = province_at(_province_unit(province), day)
    matcher = matcher_for(province, day)
    cache: dict[str, list[dict]] = {}
    items = progress(plan_rows) if progress else plan_rows
    return [_row(i, plan_row, file_name, matcher, cache, plan_year) for i, plan_row in enumerate(items)]


# --------------------------------------------------------------------------- problems and counts


def problems(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(unmatched names, time frames to check), each with the row and a translated ``where``."""
    unmatched, frames = [], []
    for row in rows:
        for role in ROLES:
            for n, item in enumerate(row[role]["items"]):
                if item["status"] == "unmatched":
                    unmatched.append(
                        {"row": row["index"], "role": role, "item": n, "text": item["text"],
                         "where": where_text(row), "role_label": role_label(role)}
                    )
        tf = row["time_frame"]
        if tf["needs_review"]:
            frames.append(
                {"row": row["index"], "text": tf["phrase"], "where": where_text(row), "problem": problem_text(tf["problem"])}
            )
    return unmatched, frames


def summary(rows: list[dict]) -> dict:
    unmatched, frames = problems(rows)
    return {
        "tasks": len(rows),
        "unmatched": len(unmatched),
        "unmatched_names": sorted({u["text"] for u in unmatched}),
        "time_frames": len(frames),
        "matched": sum(1 for r in rows for role in ROLES for i in r[role]["items"] if i["status"] in ("unit", "group")),
        "kept": sum(1 for r in rows for role in ROLES for i in r[role]["items"] if i["status"] == "kept"),
        "recurring": sum(1 for r in rows if r["time_frame"]["recurring"]),
        "ready": not unmatched and not frames,
    }


# --------------------------------------------------------------------------- the batch


def _require_manager(user) -> None:
    if user is not None:  # None: the system itself (command line, demo)
        access.require_capability(user, "manages")


def _date(value, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise PlanImportError(_("“%(value)s” is not a date (%(what)s): write it as dd/mm/yyyy.") % {"value": value, "what": what})


def _owner_for(user, province: OrgUnit) -> OrgUnit | None:
    """The reform office's unit: the user's own, else the one of the province's reform office."""
    from cchc.accounts.models import Membership, Role

    memberships = Membership.objects.active().filter(role=Role.REFORM_OFFICE).select_related("unit").order_by("pk")
    if user is not None:
        mine = memberships.filter(user=user).first()
        if mine is not None:
            return mine.unit
    current = province
    for successor in province.successors():
        current = successor
    other = memberships.filter(unit__province=current).first()
    return other.unit if other is not None else None


def clean_plan_fields(plan_fields: dict, user=None) -> dict:
    """The plan's details checked and made JSON-ready (codes and ISO dates)."""
    errors = []
    fields = dict(plan_fields or {})
    title = str(fields.get("title") or "").strip()
    if not title:
        errors.append(_("The plan needs a title."))
    number = str(fields.get("number") or "").strip()
    try:
        year = int(fields.get("year"))
        if not 1990 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(_("“%(value)s” is not a plan year.") % {"value": fields.get("year")})
        year = None
    year_to = fields.get("year_to") or None
    if year_to not in (None, ""):
        try:
            year_to = int(year_to)
            if year is not None and not year <= year_to <= year + 10:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(_("The last year covered must be between the plan year and ten years later."))
            year_to = None
    kind = str(fields.get("kind") or PlanKind.ANNUAL)
    if kind not in PlanKind.values:
        errors.append(_("Unknown kind of plan “%(kind)s”.") % {"kind": kind})
    try:
        issued_on = _date(fields.get("issued_on"), _("date issued"))
    except PlanImportError as exc:
        errors += exc.messages
        issued_on = None
    issuer_ref = fields.get("issuer")
    issuer = issuer_ref if isinstance(issuer_ref, OrgUnit) else OrgUnit.objects.filter(code=str(issuer_ref or "").strip().upper()).first()
    if issuer is None:
        errors.append(_("Choose the unit that issued the plan (no unit with the code “%(code)s”).") % {"code": issuer_ref or ""})
    if errors:
        raise PlanImportError(errors)
    on = issued_on or dt.date(year, 1, 1)
    if issuer.type == UnitType.PROVINCE:  # "Tỉnh Tuyên Quang" of 2024 is the province before the merger
        issuer = province_at(issuer, on)
    province = province_at(province_of(issuer), on)
    owner_ref = fields.get("owner")
    owner = owner_ref if isinstance(owner_ref, OrgUnit) else (OrgUnit.objects.filter(code=str(owner_ref).upper()).first() if owner_ref else None)
    if owner_ref and owner is None:
        raise PlanImportError(_("No unit with the code %(code)s.") % {"code": owner_ref})
    owner = owner or _owner_for(user, province_of(issuer)) or issuer
    return {
        "number": number,
        "title": title,
        "kind": kind,
        "year": year,
        "year_to": year_to if year_to and year_to != year else None,
        "issued_on": issued_on.isoformat() if issued_on else None,
        "issuer": issuer.code,
        "owner": owner.code,
        "province": province.code,
        "on": on.isoformat(),
    }


def start_import(user, file_name: str, content: bytes, plan_fields: dict, *, progress: Progress | None = None) -> ImportBatch:
    """Read the file into a batch waiting in the preview (the reform office only; ``user`` None = the system)."""
    _require_manager(user)
    if len(content) > MAX_BYTES:
        raise PlanImportError(
            _("%(file)s is larger than %(mb)d MB: a plan's table is much smaller.") % {"file": file_name, "mb": MAX_BYTES // (1024 * 1024)}
        )
    fields = clean_plan_fields(plan_fields, user)
    rows = read(
        file_name, content, plan_year=fields["year"], province=fields["province"],
        on=dt.date.fromisoformat(fields["on"]), progress=progress,
    )
    return ImportBatch.objects.create(
        file_name=file_name[:255], content=content, plan_fields=fields, rows=rows,
        created_by=user if getattr(user, "pk", None) else None,
    )


def _locked(batch: ImportBatch) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.state != PREVIEW:
        raise PlanImportError(_("This import was already committed or discarded."))
    return locked


def _fix_name(batch: ImportBatch, row: dict, role: str, n: int, value: str) -> list[int]:
    items = row[role]["items"]
    if not 0 <= n < len(items):
        raise PlanImportError(_("The row has no such name."))
    value = (value or "").strip()
    if not value:
        raise PlanImportError(_("Choose a unit or group, or keep the name as written."))
    if value == KEEP:
        new = {"status": "kept", "code": None, "name": None}
    else:
        found = _choice_lookup(batch.plan_fields).get(value.upper())
        if found is None:
            raise PlanImportError(_("%(code)s is not a unit or group of the province at the plan's date.") % {"code": value})
        new = {"status": found[0], "code": value.upper(), "name": found[1]}
    target = items[n]
    text = target["text"]
    changed = {row["index"]}
    target.update(new, fixed=True)
    # The same name written the same way elsewhere, and still unmatched, gets the same answer.
    for other in batch.rows:
        for other_role in ROLES:
            for item in other[other_role]["items"]:
                if item["status"] == "unmatched" and _same(item["text"], text):
                    item.update(new, fixed=True)
                    changed.add(other["index"])
    return sorted(changed)


def apply_fix(batch: ImportBatch, row_index: int, field: str, value: str = "") -> list[int]:
    """Fix one row of the preview; returns the indexes of the rows that changed.

    ``field``: ``"lead.N"`` / ``"coordinating.N"`` (the N-th name of the cell; ``value`` a unit or
    group code, or ``KEEP`` to keep the name as written: the same name elsewhere gets the same
    answer), ``"time_frame"`` (a corrected phrase, read again), ``"due"`` (dd/mm/yyyy; empty
    removes it) or ``"accept"`` (the reading is right as it is).
    """
    with transaction.atomic():
        locked = _locked(batch)
        rows = locked.rows
        if not isinstance(row_index, int) or not 0 <= row_index < len(rows):
            raise PlanImportError(_("The preview has no row %(row)s.") % {"row": row_index})
        row = rows[row_index]
        plan_year = locked.plan_fields["year"]
        role, _dot, n = (field or "").partition(".")
        if role in ROLES and n.isdigit():
            changed = _fix_name(locked, row, role, int(n), value)
        elif field == "time_frame":
            phrase = (value or "").strip()
            if not phrase:
                raise PlanImportError(_("Type the time frame, e.g. “Quý III/2025” or “Trước ngày 25/12/2025”."))
            tf = row["time_frame"]
            tf.update({"phrase": phrase, "execution": "", "corrected": True, "accepted": False, "manual_due": None})
            _refresh(tf, plan_year)
            changed = [row_index]
        elif field == "due":
            tf = row["time_frame"]
            day = _date(value, _("due date"))
            tf["manual_due"] = day.isoformat() if day else None
            _refresh(tf, plan_year)
            changed = [row_index]
        elif field == "accept":
            tf = row["time_frame"]
            tf["accepted"] = True
            _refresh(tf, plan_year)
            changed = [row_index]
        else:
            raise PlanImportError(_("Unknown fix “%(field)s”.") % {"field": field})
        locked.save(update_fields=["rows"])
    batch.rows = locked.rows
    return changed


def accept_remaining(batch: ImportBatch, what: str) -> list[int]:
    """Keep every unmatched name as written (``what="names"``) or accept every time frame as read
    (``"time_frames"``); such tasks keep ``needs_review`` on the board."""
    with transaction.atomic():
        locked = _locked(batch)
        changed = set()
        for row in locked.rows:
            if what == "names":
                for role in ROLES:
                    for item in row[role]["items"]:
                        if item["status"] == "unmatched":
                            item.update({"status": "kept", "code": None, "name": None, "fixed": False, "bulk": True})
                            changed.add(row["index"])
            elif what == "time_frames":
                tf = row["time_frame"]
                if tf["needs_review"]:
                    tf.update({"accepted": True, "bulk": True})
                    _refresh(tf, locked.plan_fields["year"])
                    changed.add(row["index"])
            else:
                raise PlanImportError(_("Unknown fix “%(field)s”.") % {"field": what})
        locked.save(update_fields=["rows"])
    batch.rows = locked.rows
    return sorted(changed)


def discard(batch: ImportBatch, user=None) -> None:
    """Drop a batch that is still in the preview (its file and rows go with it)."""
    _require_manager(user)
    with transaction.atomic():
        _locked(batch).delete()


# --------------------------------------------------------------------------- commit


def plan_code(number: str, year: int, title: str = "") -> str:
    base = slugify(f"{number.replace('/', '-')}-{year}") if number.strip("/ ") else slugify(f"{title[:60]}-{year}")
    base = (base or f"plan-{year}")[:70]
    code, n = base, 1
    while Plan.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _period_label(frequency: str, nominal: dt.date, year: int) -> str:
    if frequency == "monthly":
        return f"Tháng {nominal.month:02d}/{year}"
    if frequency == "quarterly":
        quarter = (nominal.month - 1) // 3 + 1
        return f"Quý {('I', 'II', 'III', 'IV')[quarter - 1]}/{year}"
    if frequency == "half_yearly":
        return f"6 tháng {'đầu' if nominal.month <= 6 else 'cuối'} năm {year}"
    return f"Năm {year}"


def occurrence_dates(
    frame: TimeFrame, years: Iterable[int], adjust: Callable[[dt.date], dt.date], *, after: dt.date | None = None
) -> list[tuple[str, dt.date]]:
    """(label, due) of every period of a recurring frame over ``years``, deadlines moved by ``adjust``;
    periods due before ``after`` (the day the plan was issued) are not the plan's."""
    found: dict[dt.date, str] = {}

    def add(nominal: dt.date, label: str) -> None:
        if after is None or nominal >= after:
            found.setdefault(adjust(nominal), label)

    def walk(part: TimeFrame, year: int) -> None:
        if part.kind == "combined":
            for sub in part.parts:
                walk(sub, year)
            return
        if part.kind == "recurring" and part.recurrence:
            for nominal in recurrence_dates(part.recurrence, year):
                label = _period_label(part.recurrence.frequency, nominal, year)
                add(nominal, f"{part.label}: {label}" if part.label else label)
        elif part.kind in ("date", "period") and part.due and part.due.year == year:
            add(part.due, part.label or f"Hạn {part.due:%d/%m/%Y}")

    for year in years:
        walk(frame, year)
    return [(label[:40], due) for due, label in sorted(found.items())]


def _section_for(row: dict, plan: Plan, cache: dict, counter: list[int]) -> Section | None:
    path = row["section"]
    if not path:
        return None
    parent = None
    for depth in range(1, len(path) + 1):
        key = (row["source"]["table"], row["source"].get("sheet"), tuple(path[:depth]))
        if key not in cache:
            name = path[depth - 1]
            title = row["section_titles"][depth - 1] if depth - 1 < len(row["section_titles"]) else ""
            label = "" if name == title else name
            if len(label) > 20:
                label, title = "", title or name
            counter[0] += 1
            cache[key] = Section.objects.create(plan=plan, parent=parent, label=label, title=title, position=counter[0])
        parent = cache[key]
    return parent


def _task_texts(row: dict) -> dict:
    content = row["content"] or row["target"] or row["criterion"] or row["output"]
    target = "\n".join(t for t in (row["criterion"], row["target"]) if t)
    extras = [f"{_('Note')}: {row['note']}"] if row["note"] else []
    extras += [f"{name}: {text}" for name, text in (row.get("extra") or {}).items() if text]
    output = "\n".join(t for t in (row["output"], *extras) if t)
    return {"content": content, "target": target, "output": output}


def _stored_frame(tf: dict) -> dict:
    frame = dict(tf["frame"])
    if tf.get("execution_frame"):
        frame["execution"] = tf["execution_frame"]
    frame["import"] = {
        "corrected": tf["corrected"],
        "accepted": tf["accepted"],
        "manual_due": tf.get("manual_due"),
        "rule": deadline_rule(),
    }
    return frame


@transaction.atomic
def commit(batch: ImportBatch, user, *, keep_unmatched: bool = False, progress: Progress | None = None) -> Plan:
    """Create the plan, its sections, tasks, units and occurrences in one transaction.

    Refused (``CommitRefused``, nothing written) while a name is unmatched or a time frame needs
    review and was not accepted. ``keep_unmatched`` (command line, demo) keeps the unmatched
    names as written and imports the time frames to check with ``needs_review`` set.
    """
    _require_manager(user)
    batch = _locked(batch)
    if keep_unmatched:
        for row in batch.rows:
            for role in ROLES:
                for item in row[role]["items"]:
                    if item["status"] == "unmatched":
                        item.update({"status": "kept", "code": None, "name": None, "bulk": True})
    unmatched, frames = problems(batch.rows)
    if frames and keep_unmatched:
        frames = []
    if unmatched or frames:
        raise CommitRefused(unmatched, frames)
    fields = batch.plan_fields
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={fields["issuer"], fields["owner"]})}
    year = fields["year"]
    years = range(year, (fields.get("year_to") or year) + 1)
    plan = Plan.objects.create(
        code=plan_code(fields["number"], year, fields["title"]),
        number=fields["number"][:100],
        title=fields["title"][:500],
        kind=fields["kind"],
        issuer=units[fields["issuer"]],
        owner=units[fields["owner"]],
        issued_on=dt.date.fromisoformat(fields["issued_on"]) if fields.get("issued_on") else None,
        year=year,
        year_to=fields.get("year_to"),
        source_name=batch.file_name,
        created_by=user if getattr(user, "pk", None) else None,
    )
    codes = {i["code"] for r in batch.rows for role in ROLES for i in r[role]["items"] if i.get("code")}
    unit_by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    group_by_code = {g.code: g for g in OrgGroup.objects.filter(code__in=codes)}
    adjust = _adjuster()
    sections: dict = {}
    counter = [0]
    occurrences: list[Occurrence] = []
    rows = progress(batch.rows) if progress else batch.rows
    for position, row in enumerate(rows, start=1):
        tf = row["time_frame"]
        main, _execution = _main_frames(tf, year)
        task = Task.objects.create(
            plan=plan,
            section=_section_for(row, plan, sections, counter),
            number=row["number"][:20],
            position=position,
            time_frame_text=tf["text"],
            completion_text=tf["completion"],
            time_frame=_stored_frame(tf),
            start=dt.date.fromisoformat(tf["start"]) if tf["start"] else None,
            due=dt.date.fromisoformat(tf["due"]) if tf["due"] else None,
            recurring=tf["recurring"],
            waits_for=tf["waits_for"],
            needs_review=tf["flagged"] and not tf.get("manual_due") and (tf.get("bulk") or not tf["accepted"]),
            **_task_texts(row),
        )
        for role in ROLES:
            for item in row[role]["items"]:
                TaskUnit.objects.create(
                    task=task,
                    role=TaskRole.LEAD if role == "lead" else TaskRole.COORDINATING,
                    unit=unit_by_code.get(item["code"]) if item["status"] == "unit" else None,
                    group=group_by_code.get(item["code"]) if item["status"] == "group" else None,
                    text=item["text"][:500],
                )
        if task.recurring:
            dates = occurrence_dates(main, years, adjust, after=plan.issued_on)
            occurrences += [Occurrence(task=task, label=label, due=due) for label, due in dates]
    Occurrence.objects.bulk_create(occurrences)
    if batch.content:  # the source document stays with the plan
        plan.source_file.save(batch.file_name or f"{plan.code}.bin", ContentFile(bytes(batch.content)), save=True)
    batch.state = COMMITTED
    batch.plan = plan
    batch.save(update_fields=["rows", "state", "plan"])
    return plan

