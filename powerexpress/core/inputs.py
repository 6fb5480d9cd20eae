"""One check of every request's input before any view or API handler sees it.

Control characters (NUL and the other C0/C1 codes, except tab, line feed and carriage return, which
text areas legitimately send) are refused in the path, the query string, form fields and JSON
bodies; so are integers a database column cannot hold. The API answers 422 in its usual error
shape naming the field, pages answer 422 with a page naming the field, so a stray byte never
reaches the database (PostgreSQL refuses NUL in text: that used to be a 500).
"""

import json
import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from powerexpress.core.uploads import upload_error

# C0 controls except \t \n \r, DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_DIGITS = re.compile(r"^\d+$")


class BadInput(Exception):
    """One refused value: the field it came in and why (already translated)."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


def has_control_characters(value: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(value))


def strip_control_characters(value: str) -> str:
    """``value`` without control characters (for cells, log lines and other output)."""
    return CONTROL_CHARACTERS.sub("", value)


def _field_name(name: str) -> str:
    return strip_control_characters(str(name))[:100] or "?"


def _check_text(field: str, value: str) -> None:
    if has_control_characters(value):
        raise BadInput(_field_name(field), _("Remove the control characters (such as NUL) from this field."))


def _integer_limit(field: str) -> int:
    """Money in fen is a 64-bit column; every other number a 32-bit one."""
    return INT64_MAX if field.rsplit(".", 1)[-1].endswith("_fen") else INT32_MAX


def _check_json(field: str, value) -> None:
    if isinstance(value, str):
        _check_text(field or "body", value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        limit = _integer_limit(field)
        if not -limit - 1 <= value <= limit:
            raise BadInput(
                field or "body",
                _("Must be between %(low)s and %(high)s.") % {"low": -limit - 1, "high": limit},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(field or "body", str(key))
            _check_json(f"{field}.{key}" if field else str(key), item)
    elif isinstance(value, list):
        for item in value:
            _check_json(field, item)


def _check_path(path: str) -> None:
    _check_text("path", path)
    for segment in path.split("/"):
        if _DIGITS.match(segment) and int(segment) > INT64_MAX:
            raise BadInput("path", _("Not found."), status=404)


def check_request(request) -> None:
    """Raise ``BadInput`` for the first refused value of the request."""
    _check_path(request.path)
    for key, values in request.GET.lists():
        _check_text(key, key)
        for value in values:
            _check_text(key, value)
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return  # the API answers its own 422 for a body that is not JSON
        _check_json("", body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():
            _check_text(key, key)
            for value in values:
                _check_text(key, value)
        for key, uploads in request.FILES.lists():
            for upload in uploads:
                _check_text(key, upload.name or "")
                error = upload_error(upload)
                if error:
                    raise BadInput(_field_name(key), error)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_input_response(request, error: BadInput):
    if _is_api(request):
        if error.status == 404:
            return JsonResponse({"code": "not_found", "message": _("Not found.")}, status=404)
        body = {
            "code": "validation_error",
            "message": _("Some fields are not valid."),
            "errors": [{"field": error.field, "message": error.message}],
        }
        return JsonResponse(body, status=error.status)
    return render(
        request, "core/bad_input.html", {"field": error.field, "message": error.message}, status=error.status
    )


class InputGuardMiddleware:
    """Refuses control characters and out-of-range numbers (see the module docstring) and request
    bodies above ``MAX_REQUEST_BODY_BYTES`` before they are read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        too_big = _body_too_big(request)
        if too_big is not None:
            return bad_input_response(request, too_big)
        try:
            check_request(request)
        except BadInput as error:
            return bad_input_response(request, error)
        return self.get_response(request)


def _body_too_big(request) -> BadInput | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.MAX_REQUEST_BODY_BYTES
    if length > limit:
        return BadInput(
            "body",
            _("The upload is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            status=413,
        )
    return None
