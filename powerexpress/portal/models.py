"""The villager portal: one-time sign-in codes and ratings of finished applications."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginCode(models.Model):
    """A one-time code sent to a household's mobile for signing in to the portal.

    Only a keyed hash of the code is stored. A code expires after a few minutes and locks after
    repeated wrong tries; it works once.
    """

    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="portal_login_codes",
    )
    phone = models.CharField(_("mobile"), max_length=11)
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    station_path = "customer__village__station"

    class Meta:
        verbose_name = _("portal sign-in code")
        verbose_name_plural = _("portal sign-in codes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.created_at:%Y-%m-%d %H:%M}"


class ApplicationRating(models.Model):
    """A villager's rating (1–5 stars) of a finished service application."""

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="rating",
    )
    customer = models.ForeignKey(
        "registry.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="application_ratings",
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    station_path = "application__station"

    class Meta:
        verbose_name = _("application rating")
        verbose_name_plural = _("application ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="applicationrating_stars_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.stars}"
