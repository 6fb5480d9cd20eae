import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from powerexpress.accounts.roles import BUREAU_WIDE_ROLES, Role


class User(AbstractUser):
    """A person who signs in: bureau manager, station clerk, crew member, team member or auditor.

    ``station`` limits what station-bound roles see; bureau-wide roles leave it empty.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    station = models.ForeignKey(
        "registry.SupplyStation",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    staff = models.OneToOneField(
        "registry.Staff",
        verbose_name=_("staff record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_bureau_wide(self) -> bool:
        return self.role in BUREAU_WIDE_ROLES or self.is_superuser


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 hash of the token is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.name}".strip()

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "pe_" + secrets.token_urlsafe(32)
