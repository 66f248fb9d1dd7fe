"""Organisation units: the province, its agencies, its communes, and their history.

Units are never deleted when the map changes: a unit gets a ``valid_to`` date and a
successor link, so its history (and later its scores) stays readable.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitType(models.TextChoices):
    PROVINCE = "province", _("Province")
    DEPARTMENT = "department", _("Department (specialised agency)")
    AGENCY = "agency", _("Other provincial agency")
    DISTRICT = "district", _("District committee (before 7/2025)")
    COMMUNE = "commune", _("Commune committee")
    INTERNAL = "internal", _("Unit inside an agency")
    EXTERNAL = "external", _("Central or outside body named in plans")


class DivisionKind(models.TextChoices):
    """The administrative kind of a territorial unit, as in vietnam-provinces."""

    NONE = "", _("—")
    TINH = "tinh", _("province")
    THANH_PHO_TW = "thanh_pho_tw", _("centrally governed city")
    HUYEN = "huyen", _("district")
    THANH_PHO = "thanh_pho", _("provincial city")
    THI_XA = "thi_xa", _("town")
    XA = "xa", _("commune")
    PHUONG = "phuong", _("ward")
    DAC_KHU = "dac_khu", _("special zone")


def valid_at_q(day: dt.date, prefix: str = "") -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class OrgUnitQuerySet(models.QuerySet):
    def valid_at(self, day: dt.date):
        return self.filter(valid_at_q(day))

    def current(self):
        return self.filter(valid_to__isnull=True)

    def of_type(self, *types: str):
        return self.filter(type__in=types)

    def in_province(self, province: OrgUnit):
        return self.filter(province=province)

    def search(self, text: str):
        from cchc.orgs.matching import fold

        text = (text or "").strip()
        if not text:
            return self
        folded = fold(text)
        return self.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(short_name__icontains=text)
            | Q(search_text__contains=folded)
        )


class OrgUnit(models.Model):
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Stable identifier, e.g. P08 (province), P08-SNV (department), W02269 (commune)."),
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    division_kind = models.CharField(_("administrative kind"), max_length=20, choices=DivisionKind.choices, blank=True)
    admin_code = models.CharField(
        _("administrative code"), max_length=20, blank=True, help_text=_("Official code of the territorial unit.")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("The province the unit belongs to (itself for a province)."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    aliases = models.TextField(
        _("other names"), blank=True, help_text=_("One per line: names used in documents, abbreviations.")
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # Contact profile, kept by the unit itself.
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    head_name = models.CharField(_("head of unit"), max_length=200, blank=True)
    # Folded name and aliases (no diacritics, lower case) for accent-insensitive search.
    search_text = models.TextField(editable=False, blank=True, default="")

    history = HistoricalRecords(excluded_fields=["search_text"], verbose_name=_("historical organisation unit"))
    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["type", "province"]), models.Index(fields=["parent"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from cchc.orgs.matching import fold

        self.search_text = fold(" ".join([self.name, self.short_name, self.aliases.replace("\n", " ")]))
        super().save(*args, **kwargs)

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def is_valid_at(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def ancestors(self) -> list[OrgUnit]:
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return list(reversed(chain))

    def descendant_ids(self) -> set[int]:
        """Ids of every unit below this one (any depth)."""
        found: set[int] = set()
        frontier = {self.pk}
        while frontier:
            children = set(OrgUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
            found |= children
            frontier = children
        return found

    def successors(self):
        return OrgUnit.objects.filter(predecessor_links__predecessor=self)

    def predecessors(self):
        return OrgUnit.objects.filter(successor_links__successor=self)


class SuccessionKind(models.TextChoices):
    MERGER = "merger", _("merged into")
    SPLIT = "split", _("split into")
    RENAME = "rename", _("renamed to")
    TRANSFER = "transfer", _("functions transferred to")


class Succession(models.Model):
    """A dated link from a unit that ended (or gave part of itself) to the unit that carries on."""

    predecessor = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="predecessor_links", verbose_name=_("successor")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=SuccessionKind.choices, default=SuccessionKind.MERGER)
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords(verbose_name=_("historical succession"))

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date:%d/%m/%Y})"


class OrgGroup(models.Model):
    """A named group of agencies as plans write them, e.g. "Các sở, ban, ngành".

    Members are the units of the listed types in the group's province that are valid
    at the date asked, plus explicit members (and minus explicit exclusions).
    """

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=255)
    province = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="groups", verbose_name=_("province"))
    unit_types = models.JSONField(_("unit types"), default=list, blank=True)
    include = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("also includes"))
    exclude = models.ManyToManyField(OrgUnit, blank=True, related_name="+", verbose_name=_("excludes"))
    aliases = models.TextField(_("other names"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords(verbose_name=_("historical group"))

    class Meta:
        verbose_name = _("group of agencies")
        verbose_name_plural = _("groups of agencies")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def members_at(self, day: dt.date):
        typed = Q(type__in=self.unit_types, province=self.province) if self.unit_types else Q(pk__in=[])
        explicit = Q(pk__in=self.include.values("pk"))
        return (
            OrgUnit.objects.filter(typed | explicit)
            .exclude(pk__in=self.exclude.values("pk"))
            .valid_at(day)
            .order_by("type", "sort_order", "name")
        )
