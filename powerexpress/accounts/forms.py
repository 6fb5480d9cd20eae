"""Staff sign-in forms (the sign-in page and the admin's) with the lockout of ``lockout.py``."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from powerexpress.accounts.lockout import sign_in_failed, sign_in_locked, sign_in_succeeded

LOCKED = _(
    "Too many wrong passwords: sign-in is locked for %(minutes)s minutes. Try again later or ask a manager."
)


class LockoutMixin:
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong."),
        "locked": LOCKED,
    }

    def clean(self):
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        locked = forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"minutes": max(settings.LOGIN_LOCKOUT_SECONDS // 60, 1)},
        )
        if sign_in_locked(username=username, request=self.request):
            raise locked
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if sign_in_failed(username=username, request=self.request):
                raise locked from error
            raise
        sign_in_succeeded(username=username)
        return cleaned


class StaffAuthenticationForm(LockoutMixin, AuthenticationForm):
    """The sign-in page's form."""


class StaffAdminAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    """The admin's sign-in form."""
