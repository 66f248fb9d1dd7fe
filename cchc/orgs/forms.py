from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.orgs.models import OrgUnit


class UnitProfileForm(forms.ModelForm):
    """What a unit keeps about itself."""

    class Meta:
        model = OrgUnit
        fields = ["address", "phone", "email", "head_name"]


class UnitStructureForm(forms.ModelForm):
    """What the reform office keeps: names, validity, place in the tree."""

    parent = forms.ModelChoiceField(
        label=_("parent"), queryset=OrgUnit.objects.all(), to_field_name="code", required=False
    )

    class Meta:
        model = OrgUnit
        fields = ["name", "short_name", "parent", "valid_from", "valid_to", "aliases", "sort_order"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "aliases": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        node = parent
        while node is not None:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(_("A unit cannot be placed under itself or one of its own units."))
            node = node.parent
        return parent


class MatchForm(forms.Form):
    text = forms.CharField(
        label=_("Agency names as written in the plan"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Sở TT&TT; UBND các huyện, thành phố"}),
    )
    at = forms.DateField(label=_("Read at date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
