"""Importing dossier files (CSV, XLSX, JSON lines) and the procedure catalogue.

A dossier file is read as a stream, row by row, with constant memory (apart from the set of the
codes seen, needed to refuse a code repeated inside the file). Each row is checked, its derived
columns are computed (``derive.derive``) and it is written to a temporary staging table: with
``COPY`` on PostgreSQL, ``executemany`` in chunks on SQLite. A batch is all or nothing: if any row
is refused, the transaction is rolled back and the batch's report lists the refused rows (line,
column, message; at most :data:`MAX_REPORTED` of them, with the total count). Otherwise one
``INSERT ... SELECT ... ON CONFLICT (code) DO UPDATE ... WHERE row_hash differs`` upserts the
staging table into the dossiers, in the same transaction.

After the commit, every callable of :data:`on_batch_committed` is called with the batch and the
set of ``(unit_id, month first day)`` touched (old and new values of the rows created or changed),
so that pre-aggregated tables can refresh only those.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
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

from . import columns as C
from .derive import Limit, derive
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

CHUNK_SIZE = 10_000

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


def _table_rows(path: Path, fmt: str) -> Iterator[list]:
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
) -> tuple[dict[str, str], Iterator[tuple[int, dict | list]]]:
    """``(headers, rows)``: ``headers`` maps each field found to the file's own column name (for
    messages); ``rows`` yields ``(line, {field: value})`` for each non-empty data row, streaming.
    With ``positional``, each row is a list of the values in the order of ``columns`` ("" for a
    column the file does not have), which is faster.

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
    rows = _table_rows(path, fmt)
    for line, cells in enumerate(rows, start=1):
        mapped = C.header_map([c if isinstance(c, str) else "" for c in cells], columns)
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

# Staging and upsert columns, in the order of the row tuples built below.
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
_UTC_OFFSET = timedelta(hours=7)


class _Backend:
    """How values are written on this database (text for COPY on PostgreSQL, SQLite's own)."""

    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"
        self.true, self.false = ("t", "f") if self.pg else (1, 0)

    def dt(self, d: datetime | None):
        if d is None:
            return None
        if self.pg:
            return d.isoformat(" ") + "+07"
        return (d - _UTC_OFFSET).isoformat(" ")

    def flag(self, b: bool | None):
        if b is None:
            return None
        return self.true if b else self.false

    def num(self, n):
        if n is None:
            return None
        return str(n) if self.pg else n


def _times_json(values: list[datetime]) -> str:
    if not values:
        return "[]"
    return json.dumps([v.isoformat() + "+07:00" for v in values])


def _hash(values: tuple) -> int:
    digest = hashlib.blake2b(repr(values).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


FIELDS = tuple(C.DOSSIER_COLUMNS)  # the order of the positional rows
_CHANNELS = {"": 1, "1": 1, "2": 2, "3": 3}
_STATUSES = {str(i): i for i in range(1, 11)}
_FLAGS = {"": False, "0": False, "1": True}
_PAYMENTS = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3}
_RATINGS = {"": None, "0": False, "1": True}
_fromiso = datetime.fromisoformat


def _fast_dt(s):
    """The common formats only (yyyyMMddHHmmss, yyyy-MM-dd HH:MM:SS); anything else raises, and
    the row goes through the checked path."""
    if not s:
        return None
    n = len(s)
    if n == 14 and s.isdigit():
        return _fromiso(s[:8] + "T" + s[8:])
    if n == 19 and s[4] == "-" and s[13] == ":":
        return _fromiso(s)
    raise ValueError


def _fast_times(s):
    if not s:
        return []
    return [_fast_dt(p) for p in s.split(";")]


class _RowBuilder:
    """Checks one row (a list in the order of :data:`FIELDS`) and builds the tuple of
    :data:`COLUMNS`, or returns the row's errors.

    A fast path handles the common, valid rows; any surprise sends the row through the checked
    path, which accepts every documented format and names each problem.
    """

    def __init__(self, headers: dict[str, str], backend: _Backend, default_unit_id: int | None):
        from cchc.orgs.models import OrgUnit

        self.headers = headers
        self.b = backend
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

    def col(self, f: str) -> str:
        return self.headers.get(f) or C.DOSSIER_COLUMNS[f][0]

    def build(self, line: int, cells: list) -> tuple | list[RowError]:
        try:
            return self._fast(cells)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
            return self._checked(line, cells)

    def _fast(self, cells: list) -> tuple:
        (code, proc_code, unit_code, channel, status, submitted, received, due, finished, returned,
         refused, withdrawn, apology, new_due, requests, completions, f1, f2, f3, f4, f5,
         payment, fee, satisfied) = cells
        if not code or len(code) > 80 or code in self.seen or code != code.strip():
            raise ValueError
        proc = self.procedures[proc_code]
        unit_id = self.units[unit_code] if unit_code else self.default_unit_id
        if unit_id is None:
            raise ValueError
        status = _STATUSES[status]
        received_at = _fast_dt(received)
        if received_at is None and status != 1 and status != 3:
            raise ValueError
        reqs = _fast_times(requests)
        dones = _fast_times(completions)
        if reqs or dones:
            if len(dones) > len(reqs) or len(dones) < len(reqs) - 1:
                raise ValueError
            for asked, done in zip(reqs, dones, strict=False):
                if done < asked:
                    raise ValueError
        if fee in ("", "0"):
            fee = Decimal(0)
        else:
            fee = Decimal(fee)
            if not fee.is_finite() or fee < 0:
                raise ValueError
        values = self._values(
            code, proc, unit_id, _CHANNELS[channel], status,
            (_fast_dt(submitted), received_at, _fast_dt(due), _fast_dt(finished), _fast_dt(returned),
             _fast_dt(refused), _fast_dt(withdrawn), _fast_dt(apology), _fast_dt(new_due)),
            reqs, dones, (_FLAGS[f1], _FLAGS[f2], _FLAGS[f3], _FLAGS[f4], _FLAGS[f5]),
            _PAYMENTS[payment], fee, _RATINGS[satisfied],
        )
        self.seen.add(code)
        return values

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
        satisfied = parsed("satisfied", C.parse_optional_flag)
        if status is not None and status not in (1, 3) and get("received_at") in (None, ""):
            fail("received_at", _("A received dossier (status %(status)d) needs its receipt time.") % {"status": status})
        if errors:
            return errors
        return self._values(code, proc, unit_id, channel, status, times, requests, completions, flags, payment, fee, satisfied)

    def _values(self, code, proc, unit_id, channel, status, times, requests, completions, flags, payment, fee, satisfied):
        submitted, received_at, due, finished, returned, refused, withdrawn, apology, new_due = times
        d = derive(
            self.cal, proc[1], status=status, received_at=received_at, due_at=due, finished_at=finished,
            returned_at=returned, refused_at=refused, withdrawn_at=withdrawn, requests=requests, completions=completions,
        )
        day = d.receipt_day
        if day is None:
            first = submitted or received_at
            day = first.date() if first is not None else None
        b = self.b
        dt, flag = b.dt, b.flag
        num = str if b.pg else int
        values = (
            code, num(proc[0]), num(unit_id), num(channel), num(status),
            dt(submitted), dt(received_at), dt(d.due_at), flag(d.due_computed),
            dt(finished), dt(returned), dt(refused), dt(withdrawn), dt(apology), dt(new_due),
            _times_json(requests), _times_json(completions), num(d.supplement_count), flag(d.supplement_pending),
            num(d.pause_seconds),
            flag(flags[0]), flag(flags[1]), flag(flags[2]), flag(flags[3]), flag(flags[4]),
            num(payment), str(fee), flag(satisfied),
            d.receipt_day.isoformat() if d.receipt_day else None,
            f"{day.year:04d}-{day.month:02d}-01" if day is not None else None,
            dt(d.end_at), dt(d.effective_end_at),
            None if d.outcome is None else num(d.outcome),
            None if d.late_working_days is None else num(d.late_working_days),
        )
        h = _hash(values)
        return (*values, str(h) if b.pg else h)


def _table(name: str) -> str:
    return connection.ops.quote_name(name)


def _create_stage(cursor) -> None:
    cols = ", ".join(COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT {cols} FROM {_table(Dossier._meta.db_table)} WITH NO DATA")  # noqa: S608 - constant identifiers only
    else:
        cursor.execute(f"CREATE TEMP TABLE {STAGE} AS SELECT {cols} FROM {_table(Dossier._meta.db_table)} WHERE 0")  # noqa: S608 - constant identifiers only


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


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


def _upsert(cursor, batch_id: int, now) -> None:
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


class _Refused(Exception):
    pass


def _fire(batch: DossierBatch, keys: set[tuple[int, date]]) -> None:
    for callback in list(on_batch_committed):
        try:
            callback(batch, keys)
        except Exception:  # a pre-aggregation failing must not undo the import
            log.exception("on_batch_committed callback %r failed for batch %s", callback, batch.pk)


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
    headers, rows = read_rows(path, C.DOSSIER_COLUMNS, C.DOSSIER_REQUIRED, fmt, positional=True)
    batch = DossierBatch.objects.create(
        file_name=(file_name or path.name)[:255], file_format=fmt,
        created_by=user if getattr(user, "pk", None) else None,
    )
    backend = _Backend(connection.vendor)
    report = ImportReport(batch=batch, dry_run=dry_run)
    errors: list[RowError] = []
    error_count = refused_rows = 0
    try:
        with transaction.atomic():
            builder = _RowBuilder(headers, backend, default_unit_id)
            with connection.cursor() as cursor:
                _create_stage(cursor)
                placeholders = ", ".join(["%s"] * len(COLUMNS))
                insert = f"INSERT INTO {STAGE} ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 - constant identifiers only
                copy = None
                if backend.pg:
                    from psycopg.copy import QueuedLibpqWriter

                    # The queued writer sends in a thread: the server ingests while Python parses.
                    raw = cursor.cursor
                    copy_cm = raw.copy(f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN", writer=QueuedLibpqWriter(raw))
                    copy = copy_cm.__enter__()
                chunk: list = []
                n = 0
                try:
                    for line, row in rows:
                        n += 1
                        result = [row] if isinstance(row, RowError) else builder.build(line, row)
                        if isinstance(result, list):  # the row's errors
                            refused_rows += 1
                            error_count += len(result)
                            room = MAX_REPORTED - len(errors)
                            if room > 0:
                                errors.extend(result[:room])
                        elif not error_count:
                            if copy is not None:
                                copy.write_row(result)
                            else:
                                chunk.append(result)
                        if n % chunk_size == 0:
                            if chunk:
                                cursor.executemany(insert, chunk)
                                chunk.clear()
                            if progress:
                                progress(chunk_size)
                    if chunk and not error_count:
                        cursor.executemany(insert, chunk)
                    if progress and n % chunk_size:
                        progress(n % chunk_size)
                finally:
                    if copy is not None:
                        copy_cm.__exit__(None, None, None)
                report.rows = n
                if error_count:
                    raise _Refused
                if backend.pg:
                    cursor.execute(f"ANALYZE {STAGE}")
                report.created, report.updated, report.keys = _diff(cursor)
                report.unchanged = n - report.created - report.updated
                if not dry_run:
                    _upsert(cursor, batch.pk, timezone.now())
                cursor.execute(f"DROP TABLE {STAGE}")
            batch.rows_read, batch.created, batch.updated, batch.unchanged = n, report.created, report.updated, report.unchanged
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
        batch.rows_read, batch.refused, batch.state = report.rows, refused_rows, BatchState.REFUSED
        batch.finished_at = timezone.now()
        batch.report = {
            "error_count": error_count,
            "refused_rows": refused_rows,
            "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in errors],
        }
        batch.save()
        raise DossierImportError(errors, error_count, batch) from None
    except BaseException:
        DossierBatch.objects.filter(pk=batch.pk).update(state=BatchState.FAILED, finished_at=timezone.now())
        raise
    return report


class _DryRun(Exception):
    pass


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
