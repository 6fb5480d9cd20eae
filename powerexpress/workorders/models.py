from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.workorders.choices import WorkOrderKind, WorkOrderStatus


class WorkOrder(models.Model):
    """A job for a station's team: rebalance phases, add capacity, fix a hazard …

    Other capabilities create work orders through ``services.work_order_create`` and point back
    at what caused them with ``source_type``/``source_ref`` (e.g. ``"phase_plan"``, ``"42"``).
    ``items`` holds the job's lines, e.g. ``[{"household": "0602000001", "from": "A", "to": "C"}]``.
    """

    number = models.CharField(_("number"), max_length=30, unique=True)
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    team = models.ForeignKey(
        "registry.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    transformer = models.ForeignKey(
        "registry.TransformerDistrict",
        verbose_name=_("transformer district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    village = models.ForeignKey(
        "registry.Village",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=WorkOrderKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    items = models.JSONField(_("items"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.OPEN
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    source_type = models.CharField(_("source type"), max_length=30, blank=True)
    source_ref = models.CharField(_("source"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    result_notes = models.TextField(_("result"), blank=True)

    station_path = "station"

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="workorder_one_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class WorkOrderEvent(models.Model):
    """One status change of a work order: who, when, from what to what, with notes."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.from_status} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return WorkOrderStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return WorkOrderStatus(self.to_status).label


class RegistryChange(models.Model):
    """A change a completed work order made to the registry: a household's phase, a district's
    rated kVA. Never edited: the history of the record and the audit trail of the change (who,
    when, which order)."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="registry_changes"
    )
    object_type = models.CharField(_("object type"), max_length=30)
    object_ref = models.CharField(_("object"), max_length=50)
    field = models.CharField(_("field"), max_length=30)
    old_value = models.CharField(_("old value"), max_length=50)
    new_value = models.CharField(_("new value"), max_length=50)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    station_path = "work_order__station"

    class Meta:
        verbose_name = _("registry change")
        verbose_name_plural = _("registry changes")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_ref"], name="workorder_change_object")]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_ref}: {self.field} {self.old_value} → {self.new_value}"
