"""Validators for Chinese identifiers: resident ID (GB 11643-1999) and mobile numbers."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def id_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid resident ID number, or None when it is."""
    value = value.strip().upper()
    if not _ID_SHAPE.match(value):
        return _(
            "A resident ID number has 18 characters: 17 digits and a digit or X (e.g. 52222319900101123X)."
        )
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("Digits 7–14 of the resident ID number are not a valid birth date.")
    if born.year < 1900 or born > datetime.date.today():
        return _("Digits 7–14 of the resident ID number are not a valid birth date.")
    if id_check_character(value[:17]) != value[17]:
        return _("The check character (last character) of the resident ID number is wrong.")
    return None


def mobile_error(value: str) -> str | None:
    """Why ``value`` is not a valid mainland mobile number, or None when it is."""
    if not _MOBILE.match(value.strip()):
        return _("A mobile number has 11 digits and starts with 13–19 (e.g. 13812345678).")
    return None


def validate_id_number(value: str) -> None:
    error = id_number_error(value)
    if error:
        raise ValidationError(error, code="invalid_id_number")


def validate_mobile(value: str) -> None:
    error = mobile_error(value)
    if error:
        raise ValidationError(error, code="invalid_mobile")
