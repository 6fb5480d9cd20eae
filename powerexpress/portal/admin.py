from django.contrib import admin

from powerexpress.portal.models import ApplicationRating
from powerexpress.registry.admin import ScopedAdmin


@admin.register(ApplicationRating)
class ApplicationRatingAdmin(ScopedAdmin):
    list_display = ("application", "stars", "comment", "created_at")
    list_filter = ("stars",)
