"""The registry: the bureau, its stations, villages, transformer districts, households and people.

Every model names the path to its supply station in ``station_path`` so that one scope
function (``powerexpress.core.scope``) can restrict any queryset to a user's station.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.registry.choices import (
    AreaClass,
    ConnectionGroup,
    CustomerTag,
    MeterStatus,
    PaymentMethod,
    Phase,
    TeamKind,
)


class Bureau(models.Model):
    """A county power supply bureau (供电局)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    hotline = models.CharField(_("hotline"), max_length=20, default="95598")

    station_path = None

    class Meta:
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    def __str__(self) -> str:
        return self.name


class SupplyStation(models.Model):
    """A supply station (供电所) serving a set of townships and villages."""

    bureau = models.ForeignKey(
        Bureau, verbose_name=_("bureau"), on_delete=models.PROTECT, related_name="stations"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    head_name = models.CharField(_("station head"), max_length=50, blank=True)
    head_phone = models.CharField(_("station head phone"), max_length=20, blank=True)

    station_path = "pk"

    class Meta:
        verbose_name = _("supply station")
        verbose_name_plural = _("supply stations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Township(models.Model):
    """A township (乡镇) served by a station."""

    station = models.ForeignKey(
        SupplyStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="townships"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    station_path = "station"

    class Meta:
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    """An administrative village (村) with its responsible person (片区负责人)."""

    station = models.ForeignKey(
        SupplyStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="villages"
    )
    township = models.ForeignKey(
        Township,
        verbose_name=_("township"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="villages",
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    area_class = models.CharField(
        _("area class"), max_length=10, choices=AreaClass.choices, default=AreaClass.RURAL
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="village_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="village_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TransformerDistrict(models.Model):
    """A transformer district (台区): one distribution transformer and the households it feeds."""

    station = models.ForeignKey(
        SupplyStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="transformers"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="transformers"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rated_kva = models.PositiveIntegerField(_("rated capacity (kVA)"))
    connection_group = models.CharField(
        _("connection group"), max_length=10, choices=ConnectionGroup.choices, default=ConnectionGroup.DYN11
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    commissioned_on = models.DateField(_("commissioned on"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("transformer district")
        verbose_name_plural = _("transformer districts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rated_kva__gt=0), name="transformer_rated_kva_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.rated_kva} kVA)"


class Customer(models.Model):
    """A household or other electricity customer (用电户), identified by its account number (户号).

    ``id_number`` and ``phone`` are personal data: shown masked except on an audited reveal.
    ``tags`` holds the care tags as a delimited string (",low_income,hardship,") so that one
    portable ``contains`` lookup filters by tag on SQLite and PostgreSQL alike.
    """

    account_no = models.CharField(_("account number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True)
    phone = models.CharField(_("mobile"), max_length=11, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    village = models.ForeignKey(
        Village, verbose_name=_("village"), on_delete=models.PROTECT, related_name="customers"
    )
    transformer = models.ForeignKey(
        TransformerDistrict,
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    phase = models.CharField(_("supply phase"), max_length=3, choices=Phase.choices, default=Phase.A)
    tags = models.CharField(_("tags"), max_length=200, blank=True, default="")
    payment_method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.COUNTER
    )
    household_size = models.PositiveSmallIntegerField(_("household size"), default=3)
    shared_meter = models.BooleanField(_("shared meter (合表)"), default=False)
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        help_text=_("The day supply ended (account closed, 销户); empty while the household is supplied."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    station_path = "village__station"

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["account_no"]
        permissions = [
            ("view_personal_data", _("Can reveal unmasked personal data")),
            ("edit_registry", _("Can edit registry records")),
            ("import_registry", _("Can import registry files")),
        ]

    def __str__(self) -> str:
        return f"{self.account_no} {self.name}"

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    @property
    def tag_labels(self) -> list[str]:
        labels = dict(CustomerTag.choices)
        return [str(labels.get(tag, tag)) for tag in self.tag_list]

    @staticmethod
    def encode_tags(tags) -> str:
        unique = sorted(set(tags))
        return f",{','.join(unique)}," if unique else ""


class Meter(models.Model):
    """An electricity meter installed for a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="meters"
    )
    meter_no = models.CharField(_("meter number"), max_length=30, unique=True)
    multiplier = models.PositiveIntegerField(_("multiplier"), default=1)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MeterStatus.choices, default=MeterStatus.IN_SERVICE
    )

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["meter_no"]

    def __str__(self) -> str:
        return self.meter_no


class Staff(models.Model):
    """A member of the bureau's or a station's staff, or a volunteer in one of the three teams."""

    station = models.ForeignKey(
        SupplyStation,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile"), max_length=11, blank=True)
    position = models.CharField(_("position"), max_length=50, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """One of the programme's three teams (三支队伍) at a station: service, publicity or vanguard."""

    station = models.ForeignKey(
        SupplyStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="teams"
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=100)
    responsible_unit = models.CharField(_("responsible unit"), max_length=100, blank=True)
    responsible_person = models.ForeignKey(
        Staff,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams_led",
    )
    members = models.ManyToManyField(Staff, verbose_name=_("members"), blank=True, related_name="teams")
    flagged_on = models.DateField(_("flagged on"), null=True, blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["station", "kind"]

    def __str__(self) -> str:
        return self.name
