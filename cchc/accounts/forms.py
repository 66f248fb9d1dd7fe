from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cchc.accounts.models import Membership, Role, User
from cchc.orgs.models import OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class MembershipForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"), queryset=OrgUnit.objects.current().order_by("type", "sort_order", "name"), to_field_name="code"
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    domain = forms.CharField(label=_("Domain (for a domain lead)"), max_length=50, required=False)

    def __init__(self, *args, user=None, principal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if principal is None or not principal.is_admin:
            # Only a system administrator makes system administrators.
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.DOMAIN_LEAD and not data.get("domain"):
            self.add_error("domain", _("A domain lead scores one domain: give its code, e.g. 3."))
        if (
            self.user is not None
            and data.get("unit")
            and Membership.objects.filter(user=self.user, unit=data["unit"], role=data.get("role"), active=True).exists()
        ):
            raise forms.ValidationError(_("This person already has this role in this unit."))
        return data


class UserCreateForm(forms.ModelForm):
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "job_title", "phone"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        candidate = User(
            username=self.cleaned_data.get("username", ""),
            full_name=self.cleaned_data.get("full_name", ""),
            email=self.cleaned_data.get("email", ""),
        )
        password_validation.validate_password(password, candidate)
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Please enter them exactly (both are case-sensitive)."),
        "inactive": _("This account is disabled. Ask the reform office."),
    }
