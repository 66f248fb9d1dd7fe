"""Background work on the dossiers (Django's tasks API, the ``django_tasks`` backport): the import of
a file, and the recomputation after a change of the calendar (:func:`rederive_dossiers`).

The import page saves the upload under ``CCHC_DOSSIER_IMPORT_DIR`` (default ``<data dir>/dossier-imports``)
in a folder named by a job id, writes the job's status file there, and enqueues
:func:`import_dossier_file`. The worker (``cchc db_worker``; in tests and with
``CCHC_TASKS_IMMEDIATE`` the task runs at once) imports the file with ``importer.import_dossiers`` and
writes the rows read to the status file after every chunk.

Why a file and not the batch row: the importer writes the whole batch inside one transaction, so
an update of ``DossierBatch.rows_read`` made during the import is not visible to the page that polls
until the end (and on SQLite another connection cannot write at all meanwhile). The status file is
read by the page whatever the database; the batch keeps the final counts and the refused rows.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

QUEUED, RUNNING, DONE, DRY_RUN, REFUSED, ERROR = "queued", "running", "done", "dry_run", "refused", "error"
REDERIVE = "rederive"  # the kind of a recomputation job (an import's kind is the form's)
FINISHED = (DONE, DRY_RUN, REFUSED, ERROR)
KEEP_SECONDS = 7 * 24 * 3600


def job_root() -> Path:
    root = getattr(settings, "CCHC_DOSSIER_IMPORT_DIR", None) or Path(settings.DATA_DIR) / "dossier-imports"
    return Path(root)


def _valid(job: str) -> bool:
    try:
        return uuid.UUID(job).hex == job
    except (ValueError, TypeError):
        return False


def job_dir(job: str) -> Path:
    if not _valid(job):
        raise ValueError("not a job id")
    return job_root() / job


def read_status(job: str) -> dict | None:
    try:
        return json.loads((job_dir(job) / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_status(job: str, **values) -> dict:
    """Merge ``values`` into the job's status (atomically: a reader never sees half a file)."""
    folder = job_dir(job)
    status = read_status(job) or {}
    status.update(values, updated_at=timezone.now().isoformat())
    temporary = folder / f"status.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(status, ensure_ascii=False), encoding="utf-8")
    temporary.replace(folder / "status.json")
    return status


def new_job(file_name: str, content_chunks, *, user_id: int, total: int | None, options: dict) -> tuple[str, Path]:
    """Store an upload for a job; returns (job id, path of the file)."""
    clean_old_jobs()
    job = uuid.uuid4().hex
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(file_name).suffix.lower()[:10]
    path = folder / f"upload{suffix}"
    with path.open("wb") as out:
        for chunk in content_chunks:
            out.write(chunk)
    write_status(job, state=QUEUED, rows_read=0, total=total, file_name=file_name, user_id=user_id,
                 started_at=timezone.now().isoformat(), **options)
    return job, path


def new_status_job(**options) -> str:
    """A job without an upload (a recomputation): its folder and its status; returns its id."""
    clean_old_jobs()
    job = uuid.uuid4().hex
    job_dir(job).mkdir(parents=True, exist_ok=True)
    write_status(job, state=QUEUED, started_at=timezone.now().isoformat(), **options)
    return job


def recent_jobs(limit: int = 10, kind: str | None = None) -> list[dict]:
    """Jobs still queued or running (the page lists them above the finished batches); of one
    ``kind`` (``REDERIVE``), or the imports when None."""
    root = job_root()
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if not _valid(folder.name):
            continue
        status = read_status(folder.name)
        if not status or (status.get("kind") == REDERIVE) != (kind == REDERIVE):
            continue
        if status.get("state") not in FINISHED:
            found.append({"job": folder.name, **status})
    found.sort(key=lambda s: s.get("started_at", ""), reverse=True)
    return found[:limit]


def clean_old_jobs() -> None:
    root = job_root()
    if not root.is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if _valid(folder.name) and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def count_lines(path: Path) -> int | None:
    """Rows of a CSV or JSON-lines file, for the progress bar (XLSX: unknown)."""
    if path.suffix.lower() not in (".csv", ".txt", ".jsonl", ".ndjson", ".json"):
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


@task()
def import_dossier_file(job: str, *, user_id: int, default_unit: str | None = None, dry_run: bool = False,
                        file_format: str | None = None, language: str = "vi") -> dict:
    """Import the job's file; every outcome is written to the job's status (and returned)."""
    from django.contrib.auth import get_user_model

    from cchc.core.tabular import TableError

    from .importer import DossierImportError, import_dossiers

    status = read_status(job) or {}
    folder = job_dir(job)
    paths = sorted(folder.glob("upload*"))
    with translation.override(language):
        if not paths:
            return write_status(job, state=ERROR, message=translation.gettext("The uploaded file is no longer there."))
        path = paths[0]
        write_status(job, state=RUNNING, rows_read=0)
        read = {"rows": 0}

        def progress(n: int) -> None:
            read["rows"] += n
            write_status(job, rows_read=read["rows"])

        user = get_user_model().objects.filter(pk=user_id).first()
        try:
            report = import_dossiers(
                path, file_format=file_format, default_unit=default_unit or None, user=user, dry_run=dry_run,
                progress=progress, file_name=status.get("file_name") or path.name,
            )
        except DossierImportError as exc:
            return write_status(job, state=REFUSED, batch_id=exc.batch.pk if exc.batch else None, count=exc.count,
                                message=str(exc), finished_at=timezone.now().isoformat())
        except TableError as exc:
            return write_status(job, state=ERROR, message=" ".join(getattr(exc, "messages", None) or [str(exc)]),
                                finished_at=timezone.now().isoformat())
        except Exception as exc:  # noqa: BLE001 - the page must say that it failed, whatever the reason
            return write_status(job, state=ERROR, message=f"{type(exc).__name__}: {exc}",
                                finished_at=timezone.now().isoformat())
        finally:
            for leftover in paths:
                leftover.unlink(missing_ok=True)
        return write_status(
            job, state=DRY_RUN if dry_run else DONE, batch_id=report.batch.pk if report.batch else None,
            rows_read=report.rows, created=report.created, updated=report.updated, unchanged=report.unchanged,
            finished_at=timezone.now().isoformat(),
        )


@task()
def rederive_dossiers(job: str, *, since: str | None = None, until: str | None = None, language: str = "vi") -> dict:
    """Recompute the dossiers a change of the calendar concerns (``since``..``until``, ISO days);
    the progress and the outcome go to the job's status."""
    import datetime as dt

    from .rederive import rederive

    with translation.override(language):
        write_status(job, state=RUNNING, checked=0)
        seen = {"checked": 0}

        def total(n: int) -> None:
            write_status(job, total=n)

        def progress(n: int) -> None:
            seen["checked"] += n
            write_status(job, checked=seen["checked"])

        try:
            report = rederive(
                dt.date.fromisoformat(since) if since else None, dt.date.fromisoformat(until) if until else None,
                progress=progress, total=total,
            )
        except Exception as exc:  # noqa: BLE001 - the page must say that it failed, whatever the reason
            return write_status(job, state=ERROR, message=f"{type(exc).__name__}: {exc}", finished_at=timezone.now().isoformat())
        return write_status(job, state=DONE, checked=report.checked, changed=report.changed,
                            finished_at=timezone.now().isoformat())
