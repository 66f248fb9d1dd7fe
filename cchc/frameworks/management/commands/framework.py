"""cchc framework import | export | validate | show | list"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.frameworks import dataset as dataset_format
from cchc.frameworks import fileformat
from cchc.frameworks.display import cell_text, scorecard_table
from cchc.frameworks.messages import describe
from cchc.frameworks.models import Framework, Score
from cchc.frameworks.services import (
    FrameworkError,
    import_dataset,
    import_framework,
    import_shipped,
    scorecard,
)
from cchc.orgs.services import UnitLookupError, resolve_unit


def print_findings(stdout, findings, path=""):
    """``path:line: error: sentence`` in the active language; the line is said once, in front."""
    for f in findings:
        where = f"{path}:{f.line}" if f.line else path
        level = _("error") if f.severity == "error" else _("warning")
        text = describe(f, line=False)  # the line is in the prefix
        stdout.write(f"{where}: {level}: {text}" if where else f"{level}: {text}")


class Command(BaseCommand):
    help = "Criteria frameworks: import, export, validate, show, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a framework (cchc-framework/1) or a dataset (cchc-dataset/1) YAML file.")
        imp.add_argument("files", nargs="*")
        imp.add_argument("--shipped", action="store_true", help="Import the frameworks shipped with cchc.")
        exp = sub.add_parser("export", help="Print a framework as YAML.")
        exp.add_argument("code")
        exp.add_argument("--version", type=int)
        exp.add_argument("-o", "--output")
        val = sub.add_parser("validate", help="Check a file; print every problem with its line.")
        val.add_argument("file")
        show = sub.add_parser("show", help="Print the tree with max, score, target and gaps.")
        show.add_argument("code")
        show.add_argument("--version", type=int)
        show.add_argument("--subject", help="Unit code, e.g. P02-2025 (default: the subject of the framework's dataset).")
        show.add_argument("--year", type=int)
        show.add_argument("--format", choices=["table", "csv", "json"], default="table")
        sub.add_parser("list", help="List imported frameworks.")

    def handle(self, *args, action, **options):
        try:
            return getattr(self, f"handle_{action}")(**options)
        except FrameworkError as exc:
            print_findings(self.stderr, [f for f in exc.findings if f.is_error], exc.source)
            raise CommandError(_("Nothing was imported: %(count)d problem(s).") % {"count": len([f for f in exc.findings if f.is_error])}) from None

    def _read(self, path) -> str:
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from None

    def _framework(self, code, version=None) -> Framework:
        qs = Framework.objects.filter(code=code)
        fw = qs.filter(version=version).first() if version else qs.order_by("-version").first()
        if fw is None:
            raise CommandError(_("No framework %(code)s. Imported: %(codes)s.") % {"code": code, "codes": ", ".join(sorted(set(Framework.objects.values_list("code", flat=True)))) or "—"})
        return fw

    @transaction.atomic
    def handle_import(self, files, shipped=False, **options):
        """Every file, or none: a failing file rolls back the ones before it."""
        if not files and not shipped:
            raise CommandError(_("Give one or more files, or --shipped."))
        if shipped:
            for result in import_shipped():
                self.stdout.write(f"{result.framework}: {result.status}")
        for path in files:
            text = self._read(path)
            if f"format: {dataset_format.FORMAT}" in text:
                ds = import_dataset(text, source=path)
                self.stdout.write(_("%(path)s: dataset for %(subject)s imported.") % {"path": path, "subject": ds.subject.name})
                continue
            result = import_framework(text, source=path)
            print_findings(self.stdout, result.findings, path)
            self.stdout.write(f"{path}: {result.framework} {result.status}")

    def handle_export(self, code, version=None, output=None, **options):
        fw = self._framework(code, version)
        text = fileformat.dump(fw.definition)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def handle_validate(self, file, **options):
        text = self._read(file)
        if f"format: {dataset_format.FORMAT}" in text:
            fw = None
            probe, findings = dataset_format.load(text)
            if probe is not None:
                stored = Framework.objects.filter(code=probe.framework).order_by("-version").first()
                fw = stored.definition if stored else None
                _data, findings = dataset_format.load(text, fw)
        else:
            findings = fileformat.validate(text)
        print_findings(self.stdout, findings, file)
        errors = [f for f in findings if f.is_error]
        if errors:
            raise CommandError(_("%(count)d error(s).") % {"count": len(errors)})
        self.stdout.write(_("%(path)s: valid (%(warnings)d warning(s)).") % {"path": file, "warnings": len(findings)})

    def handle_show(self, code, version=None, subject=None, year=None, format="table", **options):
        fw = self._framework(code, version)
        if subject:
            try:
                unit = resolve_unit(subject, dt.date(year, 12, 31) if year else None)
            except UnitLookupError as exc:
                raise CommandError(str(exc)) from None
        else:
            ds = fw.datasets.first()
            first = Score.objects.filter(framework=fw).first()
            unit = ds.subject if ds else first.subject if first else None
            if unit is None:
                raise CommandError(_("No subject has scores on %(code)s: give --subject.") % {"code": code})
        if year is None:
            years = sorted(set(Score.objects.filter(framework=fw, subject=unit, kind="input").values_list("year", flat=True)))
            year = years[0] if years else (fw.years[0] if fw.years else None)
        card = scorecard(fw, unit, year)
        if format == "json":
            self.stdout.write(json.dumps(self._json(card), ensure_ascii=False, indent=2))
            return
        table = scorecard_table(card)
        if format == "csv":
            from cchc.core.exports import render_csv

            self.stdout.write(render_csv(table).decode("utf-8-sig"), ending="")
            return
        self._print_table(card, table)

    def _json(self, card):
        def s(value):
            return None if value is None else format(value, "f")

        return {
            "framework": card.framework.code,
            "version": card.framework.version,
            "subject": {"code": card.subject.code, "name": card.subject.name},
            "year": card.year,
            "max": s(card.result.max),
            "score": s(card.result.final),
            "index": s(card.result.index),
            "band": card.band.label if card.band else None,
            "nodes": [
                {
                    "code": row.code, "title": row.title, "depth": row.depth, "max": s(row.max), "score": s(row.score),
                    "declared": s(card.declared.get(row.code)), "target": s(row.target), "last_year": s(row.last_year),
                    "lost": s(row.lost), "gap": s(row.gap),
                    **{k: v.get(row.code) for k, v in card.text_columns.items() if v.get(row.code)},
                }
                for row in card.rows
            ],
            "findings": [
                {"code": f.code, "severity": f.severity, "node": f.node, "message": describe(f),
                 "params": {k: None if v is None else str(v) for k, v in f.params.items()}}
                for f in card.findings
            ],
        }

    def _print_table(self, card, table):
        self.stdout.write(f"{table.title}\n{table.subtitle}\n")
        text_count = len([k for k in card.text_columns if card.text_columns[k]])
        numeric = table.columns[2 : len(table.columns) - text_count]
        widths = [10, 50] + [max(7, min(len(c), 12)) for c in numeric]
        header = "".join(f"{c[:w]:<{w + 1}}" for c, w in zip(table.columns, widths, strict=False))
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row, source in zip(table.rows, card.rows, strict=True):
            title = ("  " * source.depth + row[1])
            title = title if len(title) <= widths[1] else title[: widths[1] - 1] + "…"
            cells = [row[0], title, *(cell_text(v) for v in row[2 : 2 + len(numeric)])]
            self.stdout.write("".join(f"{str(c):<{w + 1}}" for c, w in zip(cells, widths, strict=False)).rstrip())
        self.stdout.write("")
        self.stdout.write(
            _("Total: %(score)s / %(max)s (index %(index)s%%)%(band)s")
            % {
                "score": table.rows and card.result.final is not None and fmt(card.result.final) or "—",
                "max": fmt(card.result.max),
                "index": fmt(card.result.index),
                "band": f" · {card.band.label}" if card.band else "",
            }
        )
        findings = card.findings
        if findings:
            self.stdout.write(_("Findings (%(count)d):") % {"count": len(findings)})
            for f in findings:
                self.stdout.write(f"  - {describe(f)}")

    def handle_list(self, **options):
        for fw in Framework.objects.order_by("code", "version"):
            flag = _(" (template)") if fw.is_template else ""
            self.stdout.write(f"{fw.code:<24} v{fw.version:<3} {fw.subject_kind:<11} {fw.criteria.count():>4} {fw.name}{flag}")


def fmt(value):
    from cchc.frameworks.model import fmt_points

    return "—" if value is None else fmt_points(value)
