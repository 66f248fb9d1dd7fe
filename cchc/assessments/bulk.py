"""Scores in bulk: an XLSX template per submission, filled in and uploaded back.

The upload is all-or-nothing: every row is checked first (code, input, score within the
method's rules, editable now); any problem is reported with its row and column and nothing
is saved.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.tabular import RowError, TableError, read_table
from cchc.frameworks.model import round_points

from . import services
from .models import Submission

COLUMNS = {
    "code": ("Mã", "Mã tiêu chí"),
    "title": ("Tiêu chí",),
    "max": ("Điểm tối đa",),
    "kind": ("Cách nhập",),
    "value": ("Giá trị", "Điểm", "Số lượng"),
    "numerator": ("Tử số",),
    "denominator": ("Mẫu số",),
    "done": ("Đạt (1/0)", "Đạt"),
    "explanation": ("Giải trình",),
}
MAX_BYTES = 5 * 1024 * 1024
KIND_LABELS = {"number": "điểm", "count": "số lượng", "rate": "tử số / mẫu số", "bool": "đạt 1 / không 0"}


def template(submission: Submission) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Tu danh gia"
    ws.append([f"{submission.round.cycle.name} · {submission.round.label}"])
    ws.append([f"{submission.subject.name}" + (f" · lĩnh vực {submission.domain}" if submission.domain else "")])
    ws.append([_("Fill in the white columns; keep the codes. Upload the file back on the page of the submission.")])
    ws.append([])
    header = [COLUMNS[key][0] for key in ("code", "title", "max", "kind", "value", "numerator", "denominator", "done", "explanation")]
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    grey = PatternFill("solid", fgColor="EEEEEE")
    yes_no = DataValidation(type="list", formula1='"1,0"', allow_blank=True)
    ws.add_data_validation(yes_no)
    entries = services.share_framework(submission.entries.select_related("criterion").order_by("criterion__position"), submission.round.cycle.framework)
    for entry in entries:
        kind = services.input_kind_of(entry.criterion)
        row = [
            entry.criterion.code, entry.criterion.title,
            round_points(entry.criterion.max_points) if entry.criterion.max_points is not None else None,
            KIND_LABELS.get(kind, kind),
            entry.value, entry.numerator, entry.denominator,
            None if entry.done is None else int(entry.done),
            entry.explanation,
        ]
        ws.append(row)
        for cell in (ws.cell(row=ws.max_row, column=2), ws.cell(row=ws.max_row, column=9)):
            cell.data_type = "s"  # text, never a formula
        for cell in ws[ws.max_row][:4]:
            cell.fill = grey
        if kind == "bool":
            yes_no.add(ws.cell(row=ws.max_row, column=8))
    for column, width in zip("ABCDEFGHI", (10, 60, 10, 16, 10, 10, 10, 10, 40), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class BulkResult:
    saved: int
    unchanged: int


class BulkError(services.AssessmentError):
    def __init__(self, errors: list):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


INPUT_COLUMNS = {"number": {"value"}, "count": {"value"}, "rate": {"numerator", "denominator"}, "bool": {"done"}}


def _row_input(entry, kind: str, row: dict, present: set):
    """The row's input for the entry; what is stored when the file has no column for it."""
    if not INPUT_COLUMNS[kind] & present:
        return entry.as_input()
    value = services.parse_input(
        kind, value=row.get("value"), numerator=row.get("numerator"), denominator=row.get("denominator"), done=row.get("done")
    )
    if value is not None:
        services.compute_leaf(entry.criterion, value)
    return value


def upload(submission: Submission, user, name: str, content: bytes) -> BulkResult:
    """Check every row, then save all of them in one transaction (or none)."""
    entries = {e.criterion.code: e for e in services.share_framework(submission.entries.select_related("criterion"), submission.round.cycle.framework)}
    errors: list = []
    planned = []
    seen: dict[str, int] = {}
    if len(content) > MAX_BYTES:
        raise BulkError([_("%(name)s is larger than %(mb)d MB: a template of scores is much smaller.") % {"name": name, "mb": MAX_BYTES // (1024 * 1024)}])
    try:
        rows = list(read_table(name, COLUMNS, ("code",), content=content))
    except TableError as exc:
        raise BulkError([str(exc)]) from None
    present = set(rows[0][1]) if rows else set()
    for line, row in rows:
        code = row["code"].strip()
        if code in seen:
            errors.append(RowError(line, "Mã", _("%(code)s is already on row %(line)d") % {"code": code, "line": seen[code]}))
            continue
        seen[code] = line
        entry = entries.get(code)
        if entry is None:
            errors.append(RowError(line, "Mã", _("%(code)s is not a criterion of this submission") % {"code": code}))
            continue
        kind = services.input_kind_of(entry.criterion)
        try:
            value = _row_input(entry, kind, row, present)
        except services.AssessmentError as exc:
            column = {"rate": "Tử số", "bool": "Đạt (1/0)"}.get(kind, "Giá trị")
            errors.append(RowError(line, column, str(exc)))
            continue
        explanation = row["explanation"] if "explanation" in present else entry.explanation
        if value == entry.as_input() and explanation.strip() == entry.explanation:
            continue
        if not services.entry_is_editable(entry):
            errors.append(RowError(line, "Mã", _("%(code)s cannot be changed now") % {"code": code}))
            continue
        planned.append((entry, value, explanation))
    if errors:
        raise BulkError(errors)
    with transaction.atomic():
        for entry, value, explanation in planned:
            services.save_entry(entry, user, value=value, explanation=explanation, version=entry.version)
    return BulkResult(saved=len(planned), unchanged=len(rows) - len(planned))
