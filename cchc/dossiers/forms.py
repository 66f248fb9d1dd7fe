"""Forms of the dossier pages: the import upload and a calendar adjustment."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit

from .models import AdjustmentKind, CalendarAdjustment

DOSSIERS, PROCEDURES = "dossiers", "procedures"
SUFFIXES = {DOSSIERS: (".csv", ".txt", ".xlsx", ".jsonl", ".ndjson", ".json"), PROCEDURES: (".csv", ".txt", ".xlsx")}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), initial=DOSSIERS, widget=forms.RadioSelect,
        choices=[(DOSSIERS, _("dossiers (CSV, XLSX or JSON lines)")), (PROCEDURES, _("the procedure catalogue (CSV or XLSX)"))],
    )
    file = forms.FileField(
        label=_("File"), allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.jsonl,.ndjson"}),
    )
    unit = forms.CharField(
        label=_("Receiving unit for rows without one"), required=False, max_length=60,
        help_text=_("A unit code (e.g. P08-SYT), used when the MaDonViTiepNhan column is blank or missing."),
    )
    dry_run = forms.BooleanField(
        label=_("Check first (nothing is written)"), required=False,
        help_text=_("Reads and checks every row and says what would be created or updated."),
    )

    def clean_unit(self):
        code = (self.cleaned_data.get("unit") or "").strip()
        if code and not OrgUnit.objects.filter(code=code).exists():
            raise forms.ValidationError(_("No unit with the code %(code)s.") % {"code": code})
        return code

    def clean(self):
        data = super().clean()
        upload, kind = data.get("file"), data.get("kind")
        if upload is not None and kind in SUFFIXES and Path(upload.name).suffix.lower() not in SUFFIXES[kind]:
            self.add_error("file", _("This kind of file cannot be imported here: use %(suffixes)s.")
                           % {"suffixes": ", ".join(SUFFIXES[kind])})
        return data


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = CalendarAdjustment
        fields = ["date", "kind", "name", "source"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = AdjustmentKind.choices
        self.fields["date"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
