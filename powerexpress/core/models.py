from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("Revealed personal data")
    EXPORT_UNMASKED = "export_unmasked", _("Exported unmasked personal data")
    EXPORT = "export", _("Exported data")
    IMPORT = "import", _("Imported data")
    SIGN_IN_LOCKED = "sign_in_locked", _("Sign-in locked after wrong passwords")


# Audited fields that are not a field of the record's model (e.g. a debit file's bank accounts).
AUDIT_FIELD_LABELS = {
    "bank_account": _("bank account"),
    "id_number": _("resident ID number"),
    "phone": _("mobile"),
}


class AuditEntry(models.Model):
    """Who saw or exported which personal data, and when (PIPL). Never edited, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=50)
    object_ref = models.CharField(_("object"), max_length=100, blank=True)
    fields = models.CharField(_("fields"), max_length=200, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_ref}"

    # Object types written as a short name rather than "app_label.model".
    OBJECT_TYPE_MODELS = {"application": "applications.application", "debit_batch": "billing.debitbatch"}

    def _model(self):
        from django.apps import apps

        name = self.OBJECT_TYPE_MODELS.get(self.object_type, self.object_type)
        if "." not in name:
            name = "registry." + {"transformers": "transformerdistrict"}.get(name, name.removesuffix("s"))
        try:
            return apps.get_model(name)
        except (LookupError, ValueError):
            return None

    @property
    def object_type_label(self) -> str:
        """The kind of record in the reader's language (``repair.faultticket`` → 故障工单)."""
        model = self._model()
        return str(model._meta.verbose_name) if model else self.object_type

    @property
    def field_labels(self) -> str:
        model = self._model()
        labels = []
        for name in filter(None, self.fields.split(",")):
            try:
                labels.append(str(model._meta.get_field(name).verbose_name) if model else name)
            except FieldDoesNotExist:
                labels.append(str(AUDIT_FIELD_LABELS.get(name, name)))
        return "、".join(labels)


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Rejected")


class ImportJob(models.Model):
    """One uploaded registry file and the outcome of importing it (all rows or none)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    LOGGED = "logged", _("Written to the server log only")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to a person (SMS or e-mail) and what really happened to it."""

    channel = models.CharField(_("channel"), max_length=10, choices=[("sms", "SMS"), ("email", _("E-mail"))])
    recipient = models.CharField(_("recipient"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    purpose = models.CharField(_("purpose"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"


class JobHeartbeat(models.Model):
    """When a background job (import, export, billing run …) last showed life. The reaper marks a
    job failed when its heartbeat (or its start, before the first beat) is older than
    ``JOB_STALE_SECONDS``. One generic table, so job models of any app need no new column."""

    job_type = models.CharField(_("job type"), max_length=60)
    job_id = models.PositiveBigIntegerField(_("job"))
    beat_at = models.DateTimeField(_("last sign of life"))

    class Meta:
        verbose_name = _("job heartbeat")
        verbose_name_plural = _("job heartbeats")
        constraints = [
            models.UniqueConstraint(fields=["job_type", "job_id"], name="core_jobheartbeat_one_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.job_type}#{self.job_id} {self.beat_at:%H:%M:%S}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    CSV = "csv", _("CSV")


class ExportJob(models.Model):
    """One export of a registry list, written by a background worker into a file under
    ``DATA_DIR/exports`` that only its owner can download."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=30)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    unmasked = models.BooleanField(_("unmasked"), default=False)
    file_format = models.CharField(
        _("format"), max_length=10, choices=ExportFormat.choices, default=ExportFormat.XLSX
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    file_path = models.CharField(_("file"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_format} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ExportStatus.SUCCEEDED, ExportStatus.FAILED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def download_name(self) -> str:
        return f"{self.kind}-{self.created_at:%Y%m%d-%H%M}.{self.file_format}"


class OfflineOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFLICT = "conflict", _("Not applied")


class OfflineAction(models.Model):
    """An action a phone recorded without network and sent later, applied at most once per
    client-generated key; one that could not be applied stays here until its author has seen it."""

    key = models.CharField(_("idempotency key"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    object_ref = models.CharField(_("object"), max_length=100, blank=True)
    label = models.CharField(_("what"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=OfflineOutcome.choices)
    message = models.TextField(_("message"), blank=True)
    acknowledged = models.BooleanField(_("seen by its author"), default=False)

    class Meta:
        verbose_name = _("offline action")
        verbose_name_plural = _("offline actions")
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="offlineaction_one_per_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_ref} {self.outcome}"
