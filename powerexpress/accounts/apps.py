from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "powerexpress.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib import admin

        from powerexpress.accounts.forms import StaffAdminAuthenticationForm

        admin.site.login_form = StaffAdminAuthenticationForm
