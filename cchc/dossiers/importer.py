"""Importing dossier files (CSV, XLSX, JSON lines) and the procedure catalogue.

A dossier file is read as a stream, with constant memory (apart from the set of the codes seen,
needed to refuse a code repeated inside the file). Each row is checked and its derived columns are
computed (``derive``; a fast path with cached results for the common rows, see
:class:`_RowBuilder`). A batch is all or nothing: if any row is refused, the transaction is rolled
back and the batch's report lists the refused rows (line, column, message; at most
:data:`MAX_REPORTED` of them, with the total count).

On PostgreSQL the rows are encoded in the binary COPY format by a thread (or, for a large CSV
file, by forked worker processes reading slices of it) while the database ingests the previous
chunk: per chunk the codes are looked up, new rows are COPYed straight into the dossiers, changed
rows into a temporary table (one ``UPDATE ... FROM`` at the end), unchanged rows are skipped. One
import runs at a time (an advisory lock). On SQLite the rows go into a temporary table with
``executemany``, then one ``INSERT ... SELECT ... ON CONFLICT (code) DO UPDATE ... WHERE row_hash
differs``. Figures: docs/performance.md.

After the commit, every callable of :data:`on_batch_committed` is called with the batch and the
set of ``(unit_id, month first day)`` touched (old and new values of the rows created or changed),
so that pre-aggregated tables can refresh only those.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import logging
import queue
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.tabular import RowError, TableError, _cell_text
from cchc.workdays import CUTOFF_SAME_DAY, VN_TZ

from . import columns as C
from .derive import CHUNG_THUC, HOURS, WORKING_DAYS, Limit, compute_due, derive, finished_outcome
from .models import BatchState, Dossier, DossierBatch, Procedure, calendar

log = logging.getLogger(__name__)

__all__ = [
    "DossierImportError",
    "ImportReport",
    "ProcedureImportError",
    "ProcedureReport",
    "import_dossiers",
    "import_procedures",
    "on_batch_committed",
    "read_rows",
]

MAX_REPORTED = 1000
"""Refused rows listed in a batch's report (the count is always complete)."""

CHUNK_SIZE = 25_000

on_batch_committed: list[Callable[[DossierBatch, set[tuple[int, date]]], None]] = []
"""Callbacks ``f(batch, keys)`` called after a batch is committed (not for dry runs or refused
batches). ``keys`` is the set of ``(unit_id, first day of month)`` of the dossiers created or
changed, old and new values. Append to it (e.g. in ``AppConfig.ready``); an exception in a
callback is logged and does not undo the import."""

FORMATS = ("csv", "xlsx", "jsonl")


class DossierImportError(Exception):
    """The batch was refused: ``errors`` (at most MAX_REPORTED RowError), ``count`` (all)."""

    def __init__(self, errors: list[RowError], count: int, batch: DossierBatch | None = None):
        self.errors, self.count, self.batch = errors, count, batch
        super().__init__(_("%(count)d row(s) refused.") % {"count": count})

    @property
    def messages(self) -> list[str]:
        return [str(e) for e in self.errors]


class ProcedureImportError(DossierImportError):
    pass


@dataclass
class ImportReport:
    batch: DossierBatch | None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    keys: set[tuple[int, date]] = field(default_factory=set)


@dataclass
class ProcedureReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# ------------------------------------------------------------------------------- reading


def _format_of(path: Path, file_format: str | None) -> str:
    if file_format:
        if file_format not in FORMATS:
            raise TableError(_("Unknown format %(format)s: use csv, xlsx or jsonl.") % {"format": file_format})
        return file_format
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return "xlsx"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise TableError(_("%(name)s: only .csv, .xlsx and .jsonl files can be imported.") % {"name": path.name})


def _xlsx_cell(value):
    if isinstance(value, (datetime, date)):
        return value
    return _cell_text(value)


XLSX_STREAM_BYTES = 16 * 1024 * 1024
"""Workbooks (.xlsx, .xlsm) at least this large are read row by row with openpyxl's read-only
mode, in constant memory (≈ 60 MB), instead of calamine, which is 13 times faster but holds the
whole sheet (≈ 1.7 kB a row of the portal's export: 200,000 rows, 22 MB, took 370 MB)."""


def _streamed_xlsx_rows(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several types for broken files
        raise TableError(
            _("%(name)s is not a readable spreadsheet (%(error)s).") % {"name": path.name, "error": exc}
        ) from None
    try:
        for row in rows:
            yield [_xlsx_cell(v) for v in row]
    finally:
        workbook.close()


def _table_rows(path: Path, fmt: str, strip: bool = True) -> Iterator[list]:
    if fmt == "xlsx" and path.suffix.lower() in (".xlsx", ".xlsm") and path.stat().st_size >= XLSX_STREAM_BYTES:
        yield from _streamed_xlsx_rows(path)
        return
    if fmt == "xlsx":
        from python_calamine import CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
            rows = sheet.iter_rows()
        except Exception as exc:  # noqa: BLE001 - calamine raises several types for broken files
            raise TableError(
                _("%(name)s is not a readable spreadsheet (%(error)s).") % {"name": path.name, "error": exc}
            ) from None
        for row in rows:
            yield [_xlsx_cell(v) for v in row]
        return
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            handle.seek(0)
            # The separator is the one the first line uses most (a header may hold "Phí, lệ phí").
            delimiter = max((",", ";", "\t"), key=first.count)
            if not strip:
                yield from csv.reader(handle, delimiter=delimiter)
                return
            for row in csv.reader(handle, delimiter=delimiter):
                yield [cell.strip() for cell in row]
    except UnicodeDecodeError:
        raise TableError(_("%(name)s is not UTF-8 text: save the CSV as UTF-8.") % {"name": path.name}) from None


def _jsonl_value(value):
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ";".join(str(v) for v in value if v is not None)
    return _cell_text(value)


def read_rows(
    path,
    columns: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    file_format: str | None = None,
    positional: bool = False,
    strip: bool = True,
) -> tuple[dict[str, str], Iterator[tuple[int, dict | list]]]:
    """``(headers, rows)``: ``headers`` maps each field found to the file's own column name (for
    messages); ``rows`` yields ``(line, {field: value})`` for each non-empty data row, streaming.
    With ``positional``, each row is a list of the values in the order of ``columns`` ("" for a
    column the file does not have), which is faster. With ``strip=False`` (CSV), the data cells
    keep their surrounding spaces (the caller strips them when it needs to).

    CSV and XLSX: the header is the first row (among the first 20) naming every required field.
    JSON lines: one object per line, keys matched like headers; the line number is the line.
    Raises :class:`TableError` when the file cannot be read or has no header.
    """
    path = Path(path)
    fmt = _format_of(path, file_format)
    if fmt == "jsonl":
        headers, dict_rows = _read_jsonl(path, columns, required)
        if not positional:
            return headers, dict_rows
        fields = tuple(columns)
        return headers, (
            (line, row if isinstance(row, RowError) else [row.get(f, "") for f in fields]) for line, row in dict_rows
        )
    rows = _table_rows(path, fmt, strip)
    for line, cells in enumerate(rows, start=1):
        mapped = C.header_map([c.strip() if isinstance(c, str) else "" for c in cells], columns)
        if set(required) <= set(mapped.values()):
            headers = {f: str(cells[i]).strip() for i, f in mapped.items()}
            if positional:
                return headers, _positional_rows(rows, mapped, tuple(columns), line)
            return headers, _data_rows(rows, mapped, line)
        if line >= 20:
            break
    wanted = ", ".join(columns[k][0] for k in required)
    raise TableError(_("%(name)s: no header row with the columns %(columns)s.") % {"name": path.name, "columns": wanted})


def _data_rows(rows, mapped: dict[int, str], header_line: int):
    pairs = list(mapped.items())
    for line, cells in enumerate(rows, start=header_line + 1):
        n = len(cells)
        row = {f: (cells[i] if i < n else "") for i, f in pairs}
        if any(v not in ("", None) for v in row.values()):
            yield line, row


def _positional_rows(rows, mapped: dict[int, str], fields: tuple[str, ...], header_line: int):
    index = {f: i for i, f in mapped.items()}
    positions = [index.get(f, -1) for f in fields]  # -1: the "" appended to every row
    width = max(positions) + 1
    pick = itemgetter(*positions)
    if positions == list(range(len(fields))):  # the portal's own column order: no picking
        for line, cells in enumerate(rows, start=header_line + 1):
            if len(cells) == width:
                if any(cells):
                    yield line, cells
                continue
            if not any(cells):
                continue
            cells = (cells + [""] * width)[:width]
            yield line, cells
        return
    for line, cells in enumerate(rows, start=header_line + 1):
        if not any(cells):
            continue
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        cells.append("")
        yield line, list(pick(cells))


def _read_jsonl(path: Path, columns, required):
    aliases = {C.header_key(name): f for f, names in columns.items() for name in names}
    headers: dict[str, str] = {f: names[0] for f, names in columns.items()}

    def rows():
        keymap: dict[str, str | None] = {}
        try:
            with open(path, encoding="utf-8-sig") as handle:
                for line, text in enumerate(handle, start=1):
                    text = text.strip()
                    if not text:
                        continue
                    try:
                        obj = json.loads(text)
                    except ValueError as exc:
                        yield line, RowError(line, "", _("not a JSON object (%(error)s)") % {"error": exc})
                        continue
                    if not isinstance(obj, dict):
                        yield line, RowError(line, "", _("not a JSON object"))
                        continue
                    row = {}
                    for key, value in obj.items():
                        f = keymap.get(key, "")
                        if f == "":
                            f = keymap[key] = aliases.get(C.header_key(key))
                            if f:
                                headers[f] = key
                        if f:
                            row[f] = _jsonl_value(value)
                    yield line, row
        except UnicodeDecodeError:
            raise TableError(_("%(name)s is not UTF-8 text.") % {"name": path.name}) from None

    return headers, rows()


# ------------------------------------------------------------------------------- dossiers

# The stored columns, in the order of the rows built below (then row_hash, batch_id, updated_at).
COLUMNS = (
    "code", "procedure_id", "unit_id", "channel", "status",
    "submitted_at", "received_at", "due_at", "due_computed", "finished_at", "returned_at",
    "refused_at", "withdrawn_at", "apology_at", "new_due_at",
    "supplement_requests", "supplement_completions", "supplement_count", "supplement_pending", "pause_seconds",
    "digitised", "e_result", "reused", "from_store", "vneid", "payment", "fee", "satisfied",
    "receipt_day", "period_month", "end_at", "effective_end_at", "outcome", "late_working_days",
    "row_hash",
)
STAGE = "dossiers_stage"
TIME_FIELDS = (
    "submitted_at", "received_at", "due_at", "finished_at", "returned_at",
    "refused_at", "withdrawn_at", "apology_at", "new_due_at",
)
FLAG_FIELDS = ("digitised", "e_result", "reused", "from_store", "vneid")
IMPORT_LOCK = 766_0001
"""PostgreSQL advisory lock taken by every dossier import: one import at a time."""

FIELDS = tuple(C.DOSSIER_COLUMNS)  # the order of the positional rows
_CHANNELS = {"": 1, "1": 1, "2": 2, "3": 3}
_STATUSES = {str(i): i for i in range(1, 11)}
_FLAGS = {"": False, "0": False, "1": True}
_PAYMENTS = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3}
_RATINGS = {"": None, "0": False, "1": True}
_MAX_FEE = Decimal("1e14")  # numeric(16, 2)

# --- times as integers ----------------------------------------------------------------------
# Inside the importer a time is an int: microseconds since 2000-01-01 00:00 *local* time (naive
# Vietnam time, the portal's). They compare like the times they stand for, ``t // DAY_US`` is the
# local day (days since 2000-01-01), and the binary COPY format wants exactly such a number (less
# the UTC offset). The portal's format is turned into one by two table look-ups.

_US = 1_000_000
DAY_US = 86_400 * _US
_PG_EPOCH = date(2000, 1, 1).toordinal()
_EPOCH = datetime(2000, 1, 1)
_OFFSET_US = 7 * 3600 * _US  # Vietnam is UTC+7 (no DST)
_DAYS_US: dict[str, int] = {}  # "yyyyMMdd" -> days since 2000-01-01 × DAY_US (1970..2100)
_HMS_US: dict[str, int] = {}  # "HHMMSS" -> microseconds since midnight
_MONTH_FIRST: dict[int, int] = {}  # day number -> day number of the first of its month


def _load_tables() -> None:
    if _HMS_US:
        return
    days = {}
    for o in range(date(1970, 1, 1).toordinal(), date(2101, 1, 1).toordinal()):
        d = date.fromordinal(o)
        days[f"{d.year:04d}{d.month:02d}{d.day:02d}"] = (o - _PG_EPOCH) * DAY_US
    hms = {}
    for sec in range(86400):
        h, rest = divmod(sec, 3600)
        hms[f"{h:02d}{rest // 60:02d}{rest % 60:02d}"] = sec * _US
    _DAYS_US.update(days)
    _HMS_US.update(hms)


def _us(d: datetime | None) -> int | None:
    """A (naive local) datetime as microseconds since 2000-01-01 local."""
    if d is None:
        return None
    return (d.toordinal() - _PG_EPOCH) * DAY_US + ((d.hour * 60 + d.minute) * 60 + d.second) * _US + d.microsecond


def _dt(t: int) -> datetime:
    return _EPOCH + timedelta(microseconds=t)


def _day(t: int | None) -> int | None:
    return None if t is None else t // DAY_US


def _date_number(d: date) -> int:
    return d.toordinal() - _PG_EPOCH


def _month_first(day: int) -> int:
    first = _MONTH_FIRST.get(day)
    if first is None:
        d = date.fromordinal(day + _PG_EPOCH)
        first = _MONTH_FIRST[day] = day - d.day + 1
    return first


def _fast_time(s: str) -> int | None:
    """The common formats only (yyyyMMddHHmmss, yyyy-MM-dd HH:MM:SS), checked by the table
    look-ups themselves; anything else raises and the row goes through the checked path."""
    if not s:
        return None
    n = len(s)
    if n == 14:
        return _DAYS_US[s[:8]] + _HMS_US[s[8:]]
    if n == 19 and s[4] == "-" and s[7] == "-" and s[13] == ":" and s[16] == ":" and s[10] in " T":
        return _DAYS_US[s[:4] + s[5:7] + s[8:10]] + _HMS_US[s[11:13] + s[14:16] + s[17:]]
    raise ValueError


def _fast_times(s: str) -> list[int]:
    if not s:
        return []
    return [_fast_time(p) for p in s.split(";")]


def _times_json(values: list[int]) -> str:
    if not values:
        return "[]"
    return json.dumps([_dt(v).isoformat() + "+07:00" for v in values])


# --- the two encoders ----------------------------------------------------------------------
# PostgreSQL: rows of the binary COPY format (no text parsing on the server); SQLite: tuples.

_NULL = b"\xff\xff\xff\xff"
_i4 = struct.Struct(">i").pack
_i2_field = struct.Struct(">ih").pack
_i4_field = struct.Struct(">ii").pack
_i8_field = struct.Struct(">iq").pack
_BOOL = {True: b"\x00\x00\x00\x01\x01", False: b"\x00\x00\x00\x01\x00", None: _NULL}
_SMALL = {None: _NULL, **{i: _i2_field(2, i) for i in range(0, 11)}}
_EMPTY_JSON = b"\x00\x00\x00\x03\x01[]"
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_BINARY_TRAILER = b"\xff\xff"
_FIELD_COUNT = struct.pack(">h", len(COLUMNS) + 2)  # + batch_id, updated_at


class _PgEncoder:
    """Binary COPY fields of a built row (see :class:`_RowBuilder`)."""

    def __init__(self):
        from psycopg.types.numeric import DecimalBinaryDumper

        self._numeric = DecimalBinaryDumper(Decimal)
        self._fees: dict[str, bytes] = {}
        self._ids: dict[int, bytes] = {}
        self._dates: dict[int | None, bytes] = {None: _NULL}

    def ident(self, pk: int) -> bytes:
        b = self._ids.get(pk)
        if b is None:
            b = self._ids[pk] = _i8_field(8, pk)
        return b

    def day(self, d: int | None) -> bytes:
        b = self._dates.get(d)
        if b is None:
            b = self._dates[d] = _i4_field(4, d)
        return b

    def fee(self, text: str) -> bytes:
        b = self._fees.get(text)
        if b is None:
            raw = bytes(self._numeric.dump(Decimal(text)))
            b = self._fees[text] = _i4(len(raw)) + raw
        return b

    @staticmethod
    def json(values: list[int]) -> bytes:
        if not values:
            return _EMPTY_JSON
        raw = b"\x01" + _times_json(values).encode()
        return _i4(len(raw)) + raw

    def row(self, v: tuple) -> tuple[bytes, int]:
        """``(binary COPY fields up to row_hash included, row_hash)``."""
        null, pack, off, flag, small = _NULL, _i8_field, _OFFSET_US, _BOOL, _SMALL
        code = v[0].encode()
        body = b"".join((
            _i4(len(code)), code, self.ident(v[1]), self.ident(v[2]), small[v[3]], small[v[4]],
            null if v[5] is None else pack(8, v[5] - off),
            null if v[6] is None else pack(8, v[6] - off),
            null if v[7] is None else pack(8, v[7] - off),
            flag[v[8]],
            null if v[9] is None else pack(8, v[9] - off),
            null if v[10] is None else pack(8, v[10] - off),
            null if v[11] is None else pack(8, v[11] - off),
            null if v[12] is None else pack(8, v[12] - off),
            null if v[13] is None else pack(8, v[13] - off),
            null if v[14] is None else pack(8, v[14] - off),
            self.json(v[15]) if v[15] else _EMPTY_JSON, self.json(v[16]) if v[16] else _EMPTY_JSON,
            small.get(v[17]) or _i2_field(2, v[17]), flag[v[18]], pack(8, v[19]),
            flag[v[20]], flag[v[21]], flag[v[22]], flag[v[23]], flag[v[24]], small[v[25]], self.fee(v[26]),
            flag[v[27]], self.day(v[28]), self.day(v[29]),
            null if v[30] is None else pack(8, v[30] - off),
            null if v[31] is None else pack(8, v[31] - off),
            small[v[32]], null if v[33] is None else _i4_field(4, v[33]),
        ))
        h = int.from_bytes(hashlib.blake2b(body, digest_size=8).digest(), "big", signed=True)
        return _FIELD_COUNT + body + pack(8, h), h


def _sqlite_row(v: tuple) -> tuple:
    """The values as SQLite stores them (UTC text times, 0/1 flags), row_hash last."""

    def ts(t):
        return None if t is None else (_dt(t - _OFFSET_US)).isoformat(" ")

    def day(n):
        return None if n is None else date.fromordinal(n + _PG_EPOCH).isoformat()

    def flag(b):
        return None if b is None else int(b)

    values = (
        v[0], v[1], v[2], v[3], v[4], *(ts(t) for t in v[5:8]), flag(v[8]), *(ts(t) for t in v[9:15]),
        _times_json(v[15]), _times_json(v[16]), v[17], flag(v[18]), v[19], *(flag(b) for b in v[20:25]),
        v[25], v[26], flag(v[27]), day(v[28]), day(v[29]), ts(v[30]), ts(v[31]), v[32], v[33],
    )
    h = int.from_bytes(hashlib.blake2b(repr(values).encode(), digest_size=8).digest(), "big", signed=True)
    return (*values, h)


class _RowBuilder:
    """Checks one row (a list in the order of :data:`FIELDS`) and builds the tuple of the stored
    values (times as canonical strings), or returns the row's errors.

    A fast path handles the common, valid rows, working on the strings with cached results of the
    rules of :mod:`cchc.dossiers.derive` (``compute_due`` per procedure and receipt day,
    ``finished_outcome`` per (end day, due day)); any surprise sends the row through the checked
    path, which accepts every documented format, names each problem and calls ``derive.derive``
    itself. ``tests/test_dossiers_import.py`` checks that both paths build the same rows.
    """

    def __init__(self, headers: dict[str, str], default_unit_id: int | None):
        from cchc.orgs.models import OrgUnit

        _load_tables()
        self.headers = headers
        self.cal = calendar()
        self.procedures: dict[str, tuple[int, Limit]] = {
            code: (pk, Limit(amount, unit, kind))
            for pk, code, amount, unit, kind in Procedure.objects.values_list("pk", "code", "time_limit", "time_unit", "kind")
        }
        self.units: dict[str, int] = {}
        for pk, code in OrgUnit.objects.values_list("pk", "code"):
            self.units[code] = pk
            self.units.setdefault(code.upper(), pk)
        self.default_unit_id = default_unit_id
        self.seen: set[str] = set()
        self._dues: dict[tuple, str] = {}
        self._outcomes: dict[tuple, tuple[int, int]] = {}

    def col(self, f: str) -> str:
        return self.headers.get(f) or C.DOSSIER_COLUMNS[f][0]

    def build(self, line: int, cells: list) -> tuple | list[RowError] | None:
        """The row's values, its errors, or None for a blank row."""
        try:
            return self._fast(cells)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, IndexError):
            cells = [c.strip() if isinstance(c, str) else c for c in cells]
            if not any(c not in ("", None) for c in cells):
                return None
            return self._checked(line, cells)

    # --- the fast path ---------------------------------------------------------------------

    def _fast(self, cells: list) -> tuple:
        (code, proc_code, unit_code, channel, status, submitted, received, due, finished, returned,
         refused, withdrawn, apology, new_due, requests, completions, f1, f2, f3, f4, f5,
         payment, fee, satisfied) = cells
        if not code or len(code) > 80 or code in self.seen or code != code.strip():
            raise ValueError
        pid, limit = self.procedures[proc_code]
        unit_id = self.units[unit_code] if unit_code else self.default_unit_id
        if unit_id is None:
            raise ValueError
        status = _STATUSES[status]
        rec = _fast_time(received)
        received_ok = status != 1 and status != 3
        if rec is None and received_ok:
            raise ValueError
        reqs = _fast_times(requests) if requests else ()
        dones = _fast_times(completions) if completions else ()
        count = len(reqs)
        pause, pending = 0, None
        if reqs or dones:
            if len(dones) > count or len(dones) < count - 1:
                raise ValueError
            for r, d in zip(reqs, dones, strict=False):
                if d < r:
                    raise ValueError
                pause += (d - r) // _US  # derive.supplements: whole seconds per pair
            if len(dones) < count:
                pending = reqs[-1]
        if fee in ("", "0"):
            fee = "0"
        elif not (fee.isdigit() and len(fee) <= 14):
            raise ValueError
        sub = _fast_time(submitted) if submitted else None
        due_at = _fast_time(due) if due else None
        fin = _fast_time(finished) if finished else None
        ret = _fast_time(returned) if returned else None
        ref = _fast_time(refused) if refused else None
        wd = _fast_time(withdrawn) if withdrawn else None
        channel = _CHANNELS[channel]
        flags = (_FLAGS[f1], _FLAGS[f2], _FLAGS[f3], _FLAGS[f4], _FLAGS[f5])
        payment = _PAYMENTS[payment]
        satisfied = _RATINGS[satisfied]
        apo = _fast_time(apology) if apology else None
        nd = _fast_time(new_due) if new_due else None
        # derive.derive, on the integers
        due_computed = False
        end = eff = outcome = late_days = rday = None
        if received_ok and rec is not None:
            if due_at is None:
                due_at = self._due(pid, limit, rec)
                due_computed = True
            rday = rec // DAY_US
            month = _month_first(rday)
            end = pending
            if end is None:
                end = fin if fin is not None else ret if ret is not None else ref if ref is not None else wd
            if end is not None:
                eff = end - pause * _US
                outcome, late_days = self._outcome(eff, due_at, count)
        else:
            first = sub if sub is not None else rec
            month = None if first is None else _month_first(first // DAY_US)
        self.seen.add(code)
        return (
            code, pid, unit_id, channel, status, sub, rec, due_at, due_computed, fin, ret, ref, wd, apo, nd,
            list(reqs), list(dones), count, pending is not None, pause, *flags, payment, fee, satisfied,
            rday, month, end, eff, outcome, late_days,
        )

    def _due(self, pid: int, limit: Limit, rec: int) -> int:
        """``compute_due`` with a cache: the result depends on the receipt day only (and, for
        same-day procedures counted in working days, on whether it is after 15:00), except for
        limits in hours."""
        if limit.unit == HOURS:
            return _us(compute_due(self.cal, _dt(rec), limit))
        day = rec // DAY_US
        key = (pid, day, limit.kind == CHUNG_THUC and limit.unit == WORKING_DAYS and rec - day * DAY_US > _CUTOFF_US)
        due = self._dues.get(key)
        if due is None:
            due = self._dues[key] = _us(compute_due(self.cal, _dt(rec), limit))
        return due

    def _outcome(self, eff: int, due: int, count: int) -> tuple[int, int]:
        """``finished_outcome`` with a cache: it depends on the two days, whether the end is at
        or before the due time, and whether more than one supplement was requested."""
        key = (eff // DAY_US, due // DAY_US, eff <= due, count > 1)
        result = self._outcomes.get(key)
        if result is None:
            result = self._outcomes[key] = finished_outcome(self.cal, _dt(eff), _dt(due), count)
        return result

    # --- the checked path --------------------------------------------------------------------

    def _checked(self, line: int, cells: list) -> tuple | list[RowError]:
        errors: list[RowError] = []
        row = dict(zip(FIELDS, cells, strict=True))
        get = row.get

        def fail(f, message):
            errors.append(RowError(line, self.col(f), message))

        code = str(get("code") or "").strip()
        if not code:
            fail("code", _("The dossier code is missing."))
        elif len(code) > 80:
            fail("code", _("The dossier code is longer than 80 characters."))
        elif code in self.seen:
            fail("code", _("The dossier code %(code)s appears twice in the file.") % {"code": code})
        else:
            self.seen.add(code)

        proc_code = str(get("procedure") or "").strip()
        proc = self.procedures.get(proc_code)
        if proc is None:
            if proc_code:
                fail("procedure", _("Unknown procedure code %(code)s (import the procedure catalogue first).") % {"code": proc_code})
            else:
                fail("procedure", _("The procedure code is missing."))

        unit_code = str(get("unit") or "").strip()
        if unit_code:
            unit_id = self.units.get(unit_code) or self.units.get(unit_code.upper())
            if unit_id is None:
                fail("unit", _("Unknown unit code %(code)s.") % {"code": unit_code})
        else:
            unit_id = self.default_unit_id
            if unit_id is None:
                fail("unit", _("The receiving unit is missing (give a default unit for the file)."))

        def parsed(f, parser, *args):
            try:
                return parser(get(f), *args)
            except ValueError as exc:
                fail(f, str(exc))
                return None

        status = parsed("status", C.parse_int, 1, 10)
        channel = parsed("channel", C.parse_channel)
        times = []
        for f in TIME_FIELDS:
            value = get(f)
            if value in (None, ""):
                times.append(None)
                continue
            try:
                t = C.parse_datetime(value)
            except ValueError as exc:
                fail(f, str(exc))
                t = None
            else:
                if f in ("due_at", "new_due_at") and C.is_date_only(value):
                    t = t.replace(hour=17)  # a due given as a day: the end of the office day [U]
            times.append(t)
        requests = parsed("requests", C.parse_times) or []
        completions = parsed("completions", C.parse_times) or []
        if len(completions) > len(requests) or len(completions) < len(requests) - 1:
            fail("completions", _("%(done)d supplement completion(s) for %(asked)d request(s): there must be as many, or one fewer.")
                 % {"done": len(completions), "asked": len(requests)})
        elif any(done < asked for asked, done in zip(requests, completions, strict=False)):
            fail("completions", _("A supplement is completed before it was requested."))
        flags = tuple(parsed(f, C.parse_flag) for f in FLAG_FIELDS)
        payment = parsed("payment", C.parse_int, 0, 3, 0)
        fee = parsed("fee", C.parse_decimal)
        if fee is not None and fee >= _MAX_FEE:
            fail("fee", _("The fee is too large."))
        satisfied = parsed("satisfied", C.parse_optional_flag)
        if status is not None and status not in (1, 3) and get("received_at") in (None, ""):
            fail("received_at", _("A received dossier (status %(status)d) needs its receipt time.") % {"status": status})
        if errors:
            return errors
        submitted, received_at, due, finished, returned, refused, withdrawn, apology, new_due = times
        d = derive(
            self.cal, proc[1], status=status, received_at=received_at, due_at=due, finished_at=finished,
            returned_at=returned, refused_at=refused, withdrawn_at=withdrawn, requests=requests, completions=completions,
        )
        day = d.receipt_day
        if day is None:
            first = submitted or received_at
            day = first.date() if first is not None else None
        return (
            code, proc[0], unit_id, channel, status,
            _us(submitted), _us(received_at), _us(d.due_at), d.due_computed,
            _us(finished), _us(returned), _us(refused), _us(withdrawn), _us(apology), _us(new_due),
            [_us(r) for r in requests], [_us(c) for c in completions], d.supplement_count, d.supplement_pending,
            d.pause_seconds, *flags, payment, str(fee), satisfied,
            None if d.receipt_day is None else _date_number(d.receipt_day),
            None if day is None else _date_number(day.replace(day=1)),
            _us(d.end_at), _us(d.effective_end_at), d.outcome, d.late_working_days,
        )


_CUTOFF_US = ((CUTOFF_SAME_DAY.hour * 60 + CUTOFF_SAME_DAY.minute) * 60 + CUTOFF_SAME_DAY.second) * _US


def _table(name: str) -> str:
    return connection.ops.quote_name(name)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if isinstance(value, int):  # a day number of the importer
        return date.fromordinal(value + _PG_EPOCH)
    return date.fromisoformat(str(value)[:10])


class _Refused(Exception):
    pass


class _DryRun(Exception):
    pass


def _fire(batch: DossierBatch, keys: set[tuple[int, date]]) -> None:
    for callback in list(on_batch_committed):
        try:
            callback(batch, keys)
        except Exception:  # a pre-aggregation failing must not undo the import
            log.exception("on_batch_committed callback %r failed for batch %s", callback, batch.pk)


@dataclass
class _Outcome:
    """What the checking of the rows found (filled by the thread that reads the file)."""

    rows: int = 0
    refused_rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, result: list[RowError]) -> None:
        self.refused_rows += 1
        self.error_count += len(result)
        room = MAX_REPORTED - len(self.errors)
        if room > 0:
            self.errors.extend(result[:room])


def _built_chunks(rows, builder: _RowBuilder, found: _Outcome, chunk_size: int, encode) -> Iterator[list]:
    """Chunks of encoded rows; after the first refused row, the rest of the file is only checked
    (for the report) and no more chunks are given."""
    chunk: list = []
    build = builder.build
    for line, row in rows:
        result = [row] if isinstance(row, RowError) else build(line, row)
        if result is None:
            continue
        found.rows += 1
        if isinstance(result, list):
            found.refuse(result)
            chunk = []
        elif not found.error_count:
            chunk.append(encode(result))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        elif found.rows % chunk_size == 0:
            yield []  # progress only
    if chunk:
        yield chunk


def _thread_chunks(rows, builder: _RowBuilder, found: _Outcome, chunk_size: int, encode) -> Iterator[_Chunk]:
    for encoded in _built_chunks(rows, builder, found, chunk_size, encode):
        chunk = _Chunk.of(encoded)
        chunk.read = len(encoded) or chunk_size
        yield chunk


_END = object()


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


def _threaded(chunks: Iterator[list], depth: int = 2) -> Iterator[list]:
    """Run the ``chunks`` generator (reading, checking and encoding the file: pure Python) in a
    thread, so that the database ingests one chunk while the next one is built."""
    from django.utils import translation

    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work():
        translation.activate(language)  # messages in the language of the caller
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            put(_Failed(exc))

    thread = threading.Thread(target=work, name="dossier-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


class _Chunk:
    """Encoded rows, by column: codes, hashes, the binary COPY records (``blob`` cut by
    ``lengths``), unit ids and month day numbers; ``lines`` (file lines) and ``read`` (rows read,
    for the progress) when known."""

    __slots__ = ("blob", "codes", "hashes", "lengths", "lines", "months", "read", "units")

    def __init__(self, codes, hashes, blob, lengths, units, months, lines=None, read=0):
        self.codes, self.hashes, self.blob, self.lengths = codes, hashes, blob, lengths
        self.units, self.months, self.lines, self.read = units, months, lines, read or len(codes)

    @classmethod
    def of(cls, encoded: list) -> _Chunk:
        codes, hashes, records, units, months = zip(*encoded, strict=True) if encoded else ((),) * 5
        return cls(list(codes), list(hashes), b"".join(records), [len(r) for r in records], units, months)

    def records(self) -> Iterator[bytes]:
        view, at = memoryview(self.blob), 0
        for n in self.lengths:
            yield view[at:at + n]
            at += n


BULK_MIN_BYTES = 8 * 1024 * 1024
"""Files at least this large, imported into an empty table, load it without its secondary indexes,
which are built again at the end (see :func:`_without_secondary_indexes`)."""


def _without_secondary_indexes(raw, table: str) -> list[str]:
    """Drop the table's indexes other than the primary key (inside the import's transaction) and
    return the statements that build them again, exactly as they were.

    A first load of a large file into an empty table: filling an index row by row while copying
    costs more than building it once from the rows (measured for 1M rows: 10.6 s and 466 MB of
    write-ahead log with the indexes, 6.6 s and 277 MB without them and built after; PostgreSQL's
    manual, "Populating a Database"). The drop takes an exclusive lock on the table until the
    commit: pages reading the (empty) table wait for the load. On failure the transaction's
    rollback puts the indexes back."""
    raw.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid) "
        "FROM pg_index AS i LEFT JOIN pg_constraint AS c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
        "AND c.contype IN ('u', 'x') WHERE i.indrelid = %s::regclass AND NOT i.indisprimary ORDER BY 1",
        [table],
    )
    restore = []
    for index, index_sql, constraint, constraint_sql in raw.fetchall():
        if constraint:
            name = connection.ops.quote_name(constraint)
            raw.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            restore.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {constraint_sql}")
        else:
            raw.execute(f"DROP INDEX {index}")
            restore.append(index_sql)
    return restore


def _pg_write(cursor, chunks, dry_run: bool, progress, found: _Outcome | None = None, headers=None, bulk: bool = False):
    """PostgreSQL: per chunk, look the codes up; COPY the new rows straight into the dossiers,
    the changed ones into a staging table (updated at the end); skip the unchanged ones.
    Returns ``(created, updated, keys)``. With ``found``, also refuses the codes repeated across
    chunks (the chunks of the parallel reader are checked apart)."""
    table = _table(Dossier._meta.db_table)
    raw = cursor.cursor  # psycopg
    raw.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
    # The look-ups below are many small index probes whose estimated cost would start the JIT
    # compiler on every chunk, for nothing.
    raw.execute("SET LOCAL jit = off")
    cols = ", ".join((*COLUMNS, "batch_id", "updated_at"))
    lookup = _lookup_sql(table)
    # Into an empty table (a first, historical load: the largest files), no code can be there
    # already: the look-ups are skipped (a quarter of the database's time for 1M rows). Codes
    # repeated in the file are refused all the same, by the builder and by ``seen`` below.
    raw.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608 - constant identifiers only
    empty = not raw.fetchone()[0]
    restore = _without_secondary_indexes(raw, table) if empty and bulk and not dry_run else []
    created = updated = 0
    keys: set = set()
    staged = False
    seen: set[str] = set()
    for chunk in chunks:
        if progress:
            progress(chunk.read)
        if not chunk.codes:
            continue
        if found is not None:  # codes repeated across chunks
            if not seen.isdisjoint(chunk.codes):
                _refuse_repeated(chunk, seen, found, headers)
            seen.update(chunk.codes)
            if found.error_count:
                continue  # only checking now
        if empty:
            existing = {}
        else:
            raw.execute(lookup, [chunk.codes])
            existing = {code: (h, unit, month) for code, h, unit, month in raw.fetchall()}
        if not existing:  # all new (a first import): the chunk as it is
            new_data, changed = chunk.blob, []
            created += len(chunk.codes)
            keys.update(zip(chunk.units, chunk.months, strict=True))
        else:
            new, changed = [], []
            for code, h, record, unit_id, month in zip(
                chunk.codes, chunk.hashes, chunk.records(), chunk.units, chunk.months, strict=True
            ):
                old = existing.get(code)
                if old is None:
                    new.append(record)
                elif old[0] != h:
                    changed.append(record)
                    if old[2] is not None:
                        keys.add((old[1], old[2]))
                else:
                    continue
                keys.add((unit_id, month))
            created += len(new)
            updated += len(changed)
            new_data = b"".join(new)
        if dry_run:
            continue
        if new_data:
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:  # noqa: S608 - constant identifiers only
                copy.write(_BINARY_HEADER)
                copy.write(new_data)
                copy.write(_BINARY_TRAILER)
        if changed:
            if not staged:
                raw.execute(f"DROP TABLE IF EXISTS {STAGE}")
                raw.execute(f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")  # noqa: S608 - constant identifiers only
                staged = True
            with raw.copy(f"COPY {STAGE} ({cols}) FROM STDIN (FORMAT BINARY)") as copy:  # noqa: S608 - constant identifiers only
                copy.write(b"".join((_BINARY_HEADER, *changed, _BINARY_TRAILER)))
    if restore and not (found is not None and found.error_count):  # refused: the rollback restores them
        raw.execute("SET LOCAL maintenance_work_mem = '128MB'")
        for statement in restore:
            raw.execute(statement)
    if staged:
        sets = ", ".join(f"{c} = s.{c}" for c in (*COLUMNS[1:], "batch_id", "updated_at"))
        raw.execute(f"UPDATE {table} AS d SET {sets} FROM {STAGE} AS s WHERE d.code = s.code")  # noqa: S608 - constant identifiers only
        raw.execute(f"DROP TABLE {STAGE}")
    return created, updated, {(int(u), _as_date(m)) for u, m in keys if m is not None}


def _lookup_sql(table: str) -> str:
    """The stored (code, row_hash, unit_id, period_month) of an array of codes: one index probe
    per code (``LATERAL … LIMIT 1``). A plain join lets the planner prefer, for an array of a
    chunk's size, a hash join over a scan of the whole table: every chunk would read every row
    imported before it (measured: 8.8 s of a 20 s import of 1M rows into an empty table)."""
    return (
        f"SELECT d.code, d.row_hash, d.unit_id, d.period_month FROM unnest(%s::text[]) AS c(code) "  # noqa: S608 - constant identifiers only
        f"CROSS JOIN LATERAL (SELECT code, row_hash, unit_id, period_month FROM {table} "
        f"WHERE code = c.code LIMIT 1) AS d"
    )


def _refuse_repeated(chunk: _Chunk, seen: set, found: _Outcome, headers) -> None:
    """Refuse the rows of ``chunk`` whose code is in an earlier chunk (``seen``)."""
    column = (headers or {}).get("code") or C.DOSSIER_COLUMNS["code"][0]
    for line, code in zip(chunk.lines, chunk.codes, strict=True):
        if code in seen:
            found.refuse([RowError(line, column, _("The dossier code %(code)s appears twice in the file.") % {"code": code})])


def _pg_encode(tail: bytes):
    enc = _PgEncoder()

    def encode(v: tuple):
        record, h = enc.row(v)
        return v[0], h, record + tail, v[2], v[29]

    return encode


def _tail(batch_id: int, now) -> bytes:
    """batch_id and updated_at, the fields after row_hash."""
    return _i8_field(8, batch_id) + _i8_field(8, _us(timezone.localtime(now, VN_TZ).replace(tzinfo=None)) - _OFFSET_US)


# Large CSV files on PostgreSQL: read, checked and encoded by worker processes (slices of the
# file cut at line ends), while this process writes to the database.

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
"""Files at least this large use the worker processes (when they can: see :func:`_parallel_plan`)."""
PARALLEL_WORKERS = 2
_SLICE_BYTES = 4 * 1024 * 1024
_worker: dict = {}  # the state the forked workers read


def _parallel_plan(path: Path, fmt: str) -> dict | None:
    """How to cut a CSV file into slices that can be read apart: only when it has no quote
    character (so no field spans lines) and only CRLF or LF line ends. None otherwise."""
    import multiprocessing

    if fmt != "csv" or PARALLEL_WORKERS < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    size = path.stat().st_size
    if size < PARALLEL_MIN_BYTES:
        return None
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            if b'"' in block or block.count(b"\r") != block.count(b"\r\n") or block.endswith(b"\r"):
                return None
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
        delimiter = max((",", ";", "\t"), key=first.count)
    with open(path, "rb") as fh:
        header_cells = None
        for line in range(1, 21):
            raw = fh.readline()
            if not raw:
                return None
            text = raw.decode("utf-8-sig" if line == 1 else "utf-8", errors="replace").rstrip("\r\n")
            mapped = C.header_map([c.strip() for c in text.split(delimiter)], C.DOSSIER_COLUMNS)
            if set(C.DOSSIER_REQUIRED) <= set(mapped.values()):
                header_cells = mapped
                break
        if header_cells is None:
            return None
        start = fh.tell()
        index = {f: i for i, f in header_cells.items()}
        positions = [index.get(f, -1) for f in FIELDS]
        cuts = [start]
        while cuts[-1] < size:
            fh.seek(min(cuts[-1] + _SLICE_BYTES, size))
            fh.readline()
            cuts.append(min(fh.tell(), size))
    slices = [(k, cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1) if cuts[k + 1] > cuts[k]]
    return {"path": str(path), "delimiter": delimiter, "positions": positions, "header_line": line, "slices": slices}


def _parse_slice(task: tuple[int, int, int]):
    """In a worker: read, check and encode one slice. Lines are counted from the slice's start."""
    k, start, end = task
    w = _worker
    with open(w["path"], "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return k, None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    builder, encode, delimiter = w["builder"], w["encode"], w["delimiter"]
    builder.seen = set()  # repeats inside the slice; the parent checks across slices
    positions = w["positions"]
    width = len(FIELDS)
    identity = positions == list(range(width))
    pick = itemgetter(*positions)
    found = _Outcome()
    out = []
    numbers = []
    for n, raw in enumerate(lines, start=1):
        cells = raw.rstrip("\r").split(delimiter)
        if identity:
            if len(cells) != width:
                cells = (cells + [""] * width)[:width]
        else:
            cells.append("")
            if len(cells) <= max(positions):
                cells += [""] * (max(positions) + 1 - len(cells))
            cells = list(pick(cells))
        if not any(cells):
            continue
        result = builder.build(n, cells)
        if result is None:
            continue
        found.rows += 1
        if isinstance(result, list):
            found.refuse(result)
        elif not found.error_count:
            out.append(encode(result))
            numbers.append(n)
    chunk = _Chunk.of(out)
    chunk.lines, chunk.read = numbers, found.rows
    return k, (len(lines), chunk, found)


def _bounded(pool, tasks: list, window: int) -> Iterator:
    """``pool.imap(_parse_slice, tasks)`` with at most ``window`` slices read ahead, so that the
    memory stays flat when the database is slower than the workers."""
    pending: deque = deque()
    for task in tasks:
        pending.append(pool.apply_async(_parse_slice, (task,)))
        if len(pending) >= window:
            yield pending.popleft().get()[1]
    while pending:
        yield pending.popleft().get()[1]


def _parallel_chunks(plan: dict, builder: _RowBuilder, tail: bytes, found: _Outcome) -> Iterator[_Chunk]:
    """The chunks of the slices, in the order of the file, from :data:`PARALLEL_WORKERS` forked
    processes; the line numbers made absolute, the errors gathered in ``found``."""
    import multiprocessing

    _worker.update(plan, builder=builder, encode=_pg_encode(tail))
    pool = multiprocessing.get_context("fork").Pool(PARALLEL_WORKERS)
    try:
        base = plan["header_line"]
        for result in _bounded(pool, plan["slices"], 2 * PARALLEL_WORKERS):
            if result is None:
                raise TableError(_("%(name)s is not UTF-8 text: save the CSV as UTF-8.") % {"name": Path(plan["path"]).name})
            count, chunk, part = result
            found.rows += part.rows
            found.refused_rows += part.refused_rows
            found.error_count += part.error_count
            for e in part.errors[: max(MAX_REPORTED - len(found.errors), 0)]:
                e.line += base
                found.errors.append(e)
            chunk.lines = [n + base for n in chunk.lines]
            base += count
            yield chunk
    finally:
        pool.terminate()
        _worker.clear()


# SQLite: the rows go through executemany into a staging table, then one upsert.


def _create_stage(cursor) -> None:
    cols = ", ".join(COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT {cols} FROM {_table(Dossier._meta.db_table)} WHERE 0")  # noqa: S608 - constant identifiers only


def _diff(cursor) -> tuple[int, int, set[tuple[int, date]]]:
    """``(created, updated, keys)`` of the staged rows against the dossiers."""
    table = _table(Dossier._meta.db_table)
    cursor.execute(
        f"SELECT s.unit_id, s.period_month, d.unit_id, d.period_month, "  # noqa: S608 - constant identifiers only
        f"CASE WHEN d.id IS NULL THEN 1 ELSE 0 END, COUNT(*) "
        f"FROM {STAGE} s LEFT JOIN {table} d ON d.code = s.code "
        f"WHERE d.id IS NULL OR d.row_hash <> s.row_hash GROUP BY 1, 2, 3, 4, 5"
    )
    created = updated = 0
    keys: set[tuple[int, date]] = set()
    for unit, month, old_unit, old_month, is_new, count in cursor.fetchall():
        if is_new:
            created += count
        else:
            updated += count
        if unit is not None and month is not None:
            keys.add((int(unit), _as_date(month)))
        if old_unit is not None and old_month is not None:
            keys.add((int(old_unit), _as_date(old_month)))
    return created, updated, keys


def _sqlite_write(cursor, chunks, batch_id: int, now, dry_run: bool, progress, chunk_size: int):
    _create_stage(cursor)
    insert = f"INSERT INTO {STAGE} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608 - constant identifiers only
    for chunk in chunks:
        if progress:
            progress(chunk_size if not chunk else len(chunk))
        if chunk:
            cursor.executemany(insert, chunk)
    created, updated, keys = _diff(cursor)
    if not dry_run:
        table = _table(Dossier._meta.db_table)
        cols = ", ".join(COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*COLUMNS[1:], "batch_id", "updated_at"))
        cursor.execute(
            f"INSERT INTO {table} ({cols}, batch_id, updated_at) "  # noqa: S608 - constant identifiers only
            f"SELECT {cols}, %s, %s FROM {STAGE} WHERE true "
            f"ON CONFLICT (code) DO UPDATE SET {updates} "
            f"WHERE {table}.row_hash <> excluded.row_hash",
            [batch_id, connection.ops.adapt_datetimefield_value(now)],
        )
    cursor.execute(f"DROP TABLE {STAGE}")
    return created, updated, keys


def import_dossiers(
    path,
    *,
    file_format: str | None = None,
    default_unit: str | None = None,
    user=None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    file_name: str | None = None,
) -> ImportReport:
    """Import a dossier file (CSV, XLSX first sheet, or JSON lines): all rows or none.

    ``default_unit`` is the unit code for rows without MaDonViTiepNhan. ``user``, when given, must
    be allowed to manage (the reform office). ``progress(n)`` is called after every chunk of rows
    read. With ``dry_run``, the rows are checked and compared but nothing is written (the batch is
    kept as "checked"). Raises :class:`TableError` (unreadable file, no header) or
    :class:`DossierImportError` (refused rows; nothing written, the batch keeps the report).

    On PostgreSQL the file is read, checked and encoded in a thread while the database ingests the
    previous chunk (binary ``COPY``); one import runs at a time (an advisory lock).
    """
    from cchc.orgs.models import OrgUnit

    path = Path(path)
    if user is not None:
        from cchc.core.access import require_capability

        require_capability(user, "manages")
    fmt = _format_of(path, file_format)
    default_unit_id = None
    if default_unit:
        default_unit_id = OrgUnit.objects.filter(code=default_unit.strip()).values_list("pk", flat=True).first()
        if default_unit_id is None:
            raise TableError(_("No unit with the code %(code)s.") % {"code": default_unit})
    headers, rows = read_rows(path, C.DOSSIER_COLUMNS, C.DOSSIER_REQUIRED, fmt, positional=True, strip=False)
    batch = DossierBatch.objects.create(
        file_name=(file_name or path.name)[:255], file_format=fmt,
        created_by=user if getattr(user, "pk", None) else None,
    )
    pg = connection.vendor == "postgresql"
    report = ImportReport(batch=batch, dry_run=dry_run)
    found = _Outcome()
    # The rows create millions of short-lived tuples and no reference cycles: the cyclic garbage
    # collector would only scan them over and over (about a third of the time of a large file).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with transaction.atomic():
            builder = _RowBuilder(headers, default_unit_id)
            now = timezone.now()
            with connection.cursor() as cursor:
                if pg:
                    tail = _tail(batch.pk, now)
                    bulk = path.stat().st_size >= BULK_MIN_BYTES
                    plan = _parallel_plan(path, fmt)
                    if plan is not None:  # a large CSV file: worker processes read it
                        chunks = _parallel_chunks(plan, builder, tail, found)
                        created, updated, keys = _pg_write(cursor, chunks, dry_run, progress, found, headers, bulk=bulk)
                    else:  # a thread reads the file
                        chunks = _threaded(_thread_chunks(rows, builder, found, chunk_size, _pg_encode(tail)))
                        created, updated, keys = _pg_write(cursor, chunks, dry_run, progress, bulk=bulk)
                else:
                    chunks = _built_chunks(rows, builder, found, chunk_size, _sqlite_row)
                    created, updated, keys = _sqlite_write(cursor, chunks, batch.pk, now, dry_run, progress, chunk_size)
                report.rows = found.rows
                if found.error_count:
                    raise _Refused
            report.created, report.updated, report.keys = created, updated, keys
            report.unchanged = report.rows - created - updated
            batch.rows_read, batch.created, batch.updated, batch.unchanged = report.rows, created, updated, report.unchanged
            batch.state = BatchState.DRY_RUN if dry_run else BatchState.DONE
            batch.finished_at = timezone.now()
            batch.save()
            if dry_run:
                raise _DryRun
            transaction.on_commit(lambda: _fire(batch, report.keys))
    except _DryRun:
        batch.save()  # the savepoint rolled back the batch's update too
        return report
    except _Refused:
        batch.rows_read, batch.refused, batch.state = report.rows, found.refused_rows, BatchState.REFUSED
        batch.finished_at = timezone.now()
        batch.report = {
            "error_count": found.error_count,
            "refused_rows": found.refused_rows,
            "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in found.errors],
        }
        batch.save()
        raise DossierImportError(found.errors, found.error_count, batch) from None
    except BaseException:
        DossierBatch.objects.filter(pk=batch.pk).update(state=BatchState.FAILED, finished_at=timezone.now())
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    return report


# ------------------------------------------------------------------------------- procedures


def _procedure_values(line: int, row: dict, headers: dict[str, str]) -> dict | list[RowError]:
    errors: list[RowError] = []

    def col(f):
        return headers.get(f) or C.PROCEDURE_COLUMNS[f][0]

    def parsed(f, parser, *args):
        try:
            return parser(row.get(f), *args)
        except ValueError as exc:
            errors.append(RowError(line, col(f), str(exc)))
            return None

    code = str(row.get("code") or "").strip()
    name = str(row.get("name") or "").strip()
    if not code:
        errors.append(RowError(line, col("code"), _("The procedure code is missing.")))
    elif len(code) > 40:
        errors.append(RowError(line, col("code"), _("The procedure code is longer than 40 characters.")))
    if not name:
        errors.append(RowError(line, col("name"), _("The procedure name is missing.")))
    values = {
        "code": code,
        "name": name[:1000],
        "field": str(row.get("field") or "").strip()[:255],
        "level": parsed("level", C.parse_choice, C.LEVELS, "tinh"),
        "time_limit": parsed("time_limit", C.parse_decimal, None),
        "time_unit": parsed("time_unit", C.parse_choice, C.TIME_UNITS, "ngay_lam_viec"),
        "online_level": parsed("online_level", C.parse_choice, C.ONLINE_LEVELS, "khong"),
        "full_eligible": parsed("full_eligible", C.parse_flag),
        "fee": parsed("fee", C.parse_decimal),
        "postal": parsed("postal", C.parse_flag),
        "paper_result": parsed("paper_result", C.parse_flag),
        "citizen_subject": parsed("citizen_subject", C.parse_flag),
        "kind": parsed("kind", C.parse_choice, C.KINDS, ""),
    }
    limit = values["time_limit"]
    if limit is not None and limit >= Decimal("1000000"):
        errors.append(RowError(line, col("time_limit"), _("The time limit is too large.")))
    fee = values["fee"]
    if fee is not None and fee >= Decimal("1e14"):
        errors.append(RowError(line, col("fee"), _("The fee is too large.")))
    return errors or values


def import_procedures(path, *, user=None, file_format: str | None = None) -> ProcedureReport:
    """Import the procedure catalogue (CSV or XLSX first sheet): all rows or none, upserted by
    MaTTHC. Raises :class:`TableError` or :class:`ProcedureImportError`."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    if user is not None:
        from cchc.core.access import require_capability

        require_capability(user, "manages")
    headers, rows = read_rows(path, C.PROCEDURE_COLUMNS, C.PROCEDURE_REQUIRED, file_format)
    errors: list[RowError] = []
    count = 0
    wanted: dict[str, dict] = {}
    lines: dict[str, int] = {}
    report = ProcedureReport()
    for line, row in rows:
        report.rows += 1
        result = row if isinstance(row, RowError) else _procedure_values(line, row, headers)
        if isinstance(result, RowError):
            result = [result]
        code = str(row.get("code") or "").strip() if isinstance(row, dict) else ""
        if code and code in lines:
            result = [
                *(result if isinstance(result, list) else []),
                RowError(line, headers.get("code", "MaTTHC"),
                         _("The procedure code %(code)s appears twice in the file (first on row %(first)d).")
                         % {"code": code, "first": lines[code]}),
            ]
        elif code:
            lines[code] = line
        if isinstance(result, list):
            count += len(result)
            errors.extend(result[: max(MAX_REPORTED - len(errors), 0)])
            continue
        wanted[result["code"]] = result
    if count:
        raise ProcedureImportError(errors, count)
    fields = [f for f in next(iter(wanted.values()), {}) if f != "code"]
    with transaction.atomic():
        existing = {p.code: p for p in Procedure.objects.filter(code__in=list(wanted))}
        new, changed = [], []
        for code, values in wanted.items():
            proc = existing.get(code)
            if proc is None:
                new.append(Procedure(**values))
                continue
            if any(getattr(proc, f) != values[f] for f in fields):
                for f in fields:
                    setattr(proc, f, values[f])
                changed.append(proc)
        if new:
            bulk_create_with_history(new, Procedure, batch_size=1000)
        if changed:
            for proc in changed:
                proc.updated_at = timezone.now()
            bulk_update_with_history(changed, Procedure, [*fields, "updated_at"], batch_size=1000)
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(wanted) - report.created - report.updated
    return report


def rows_to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    """A small helper for tests and samples: rows of ``{column: value}`` as CSV text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
