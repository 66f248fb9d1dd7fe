"""The import page: the reform office uploads a dossier file (imported in the background, the page
polls its progress) or the procedure catalogue (imported at once); the recent imports.

Who: the reform office and the administrators (``manages``): others get 403 on the page, 404 on a
job or a batch (they must not learn what was imported).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cchc.core import access
from cchc.core.tabular import TableError

from . import tasks
from .forms import DOSSIERS, PROCEDURES, ImportForm
from .importer import ProcedureImportError, import_procedures
from .models import BatchState, DossierBatch

POLL_SECONDS = 2
SHOWN_ERRORS = 200


def _poll(request) -> int:
    try:
        return min(max(int(request.GET.get("poll", POLL_SECONDS)), 1), 60)
    except ValueError:
        return POLL_SECONDS


def import_page(request):
    access.require_capability(request, "manages")
    errors: list[str] = []
    error_rows: list = []
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            if data["kind"] == PROCEDURES:
                errors, error_rows = _import_procedures(request, upload)
                if not errors and not error_rows:
                    return redirect("dossiers:import")
                status = 400
            else:
                job, path = tasks.new_job(upload.name, upload.chunks(), user_id=request.user.pk, total=None, options={
                    "dry_run": data["dry_run"], "unit": data["unit"], "kind": DOSSIERS,
                })
                lines = tasks.count_lines(path)
                tasks.write_status(job, total=None if lines is None else max(lines - 1, 0))  # less the header
                tasks.import_dossier_file.enqueue(
                    job, user_id=request.user.pk, default_unit=data["unit"] or None, dry_run=data["dry_run"],
                    language=translation.get_language() or "vi",
                )
                return redirect(reverse("dossiers:import_job", args=[job]))
        else:
            status = 400
    else:
        form = ImportForm()
    batches = access.scoped(request, DossierBatch.objects.select_related("created_by")).order_by("-started_at")[:20]
    return render(request, "dossiers/import.html", {
        "form": form, "errors": errors, "error_rows": error_rows, "batches": batches, "jobs": tasks.recent_jobs(),  # imports only
        "nav_current": "dossiers",
    }, status=status)


def _import_procedures(request, upload) -> tuple[list[str], list]:
    suffix = Path(upload.name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"procedures{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            report = import_procedures(path, user=request.user)
        except ProcedureImportError as exc:
            return [_("The catalogue was not imported: %(count)d problem(s). Nothing was written.") % {"count": exc.count}], exc.errors[:SHOWN_ERRORS]
        except TableError as exc:
            return [str(exc)], []
    messages.success(request, _("Procedure catalogue imported from %(file)s: %(rows)d rows, %(created)d created, "
                                "%(updated)d updated, %(unchanged)d unchanged.") % {
        "file": upload.name, "rows": report.rows, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged,
    })
    return [], []


def _job(request, job: str) -> tuple[dict, DossierBatch | None]:
    if not request.principal.manages:
        raise Http404
    try:
        status = tasks.read_status(job)
    except ValueError:
        raise Http404 from None
    if status is None:
        raise Http404
    batch = None
    if status.get("batch_id"):
        batch = DossierBatch.objects.filter(pk=status["batch_id"]).first()
    return status, batch


def _job_context(request, job: str) -> dict:
    status, batch = _job(request, job)
    total = status.get("total") or 0
    read = status.get("rows_read") or 0
    percent = min(100, int(read * 100 / total)) if total else None
    finished = status.get("state") in tasks.FINISHED
    if finished and status.get("state") != tasks.ERROR:
        percent = 100
    return {
        "job": job, "status": status, "batch": batch, "finished": finished, "percent": percent, "poll": _poll(request),
        "errors": (batch.report.get("errors", []) if batch is not None else [])[:SHOWN_ERRORS],
        "fragment_url": reverse("dossiers:import_job_fragment", args=[job]) + (f"?poll={_poll(request)}" if "poll" in request.GET else ""),
        "nav_current": "dossiers",
    }


def import_job(request, job):
    return render(request, "dossiers/import_job.html", _job_context(request, job))


def import_job_fragment(request, job):
    return render(request, "dossiers/_import_job.html", _job_context(request, job))


def batch_detail(request, pk):
    batch = access.get_object(request, DossierBatch.objects.select_related("created_by"), "view", pk=pk)
    errors = batch.report.get("errors", []) if isinstance(batch.report, dict) else []
    return render(request, "dossiers/batch.html", {
        "batch": batch, "errors": errors[:SHOWN_ERRORS], "more": max(0, len(errors) - SHOWN_ERRORS),
        "error_count": (batch.report or {}).get("error_count", 0), "refused": batch.state == BatchState.REFUSED,
        "nav_current": "dossiers",
    })
