"""A date's lunar label in the page's language: 腊月廿五 on Chinese pages, "lunar 12-25" on English
ones (the Chinese names have no English equivalent a reader would recognise)."""

import datetime as dt

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from powerexpress.analytics import forecast


def lunar_label(day: dt.date) -> str:
    if (get_language() or "").startswith("zh"):
        return forecast.lunar_label(day)
    month, lunar_day, leap = forecast.lunar_date(day)
    if leap:
        return _("lunar leap %(month)s-%(day)s") % {"month": month, "day": lunar_day}
    return _("lunar %(month)s-%(day)s") % {"month": month, "day": lunar_day}
