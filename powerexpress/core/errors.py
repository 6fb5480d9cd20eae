"""One error type for services and API handlers, and readable texts for pydantic's errors."""

from django.utils.translation import gettext as _


class ApiError(Exception):
    """An error to show to the caller: HTTP status, machine-readable code and a readable message.

    ``errors`` optionally lists ``{"field": ..., "message": ...}`` items for 422 responses.
    """

    def __init__(self, message, *, status: int = 400, code: str = "error", errors: list | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.errors = errors


class FieldError(ApiError):
    """422 for one or more named fields: ``FieldError({"phone": "..."})``."""

    def __init__(self, field_messages: dict[str, str]):
        errors = [{"field": field, "message": str(message)} for field, message in field_messages.items()]
        super().__init__(_("Some fields are not valid."), status=422, code="validation_error", errors=errors)


def pydantic_message(item: dict) -> str:
    """A translated message for one pydantic error item."""
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"decimal_parsing", "decimal_type", "float_parsing", "float_type"}:
        return _("Enter a number.")
    if kind in {"date_parsing", "date_from_datetime_parsing", "date_type"}:
        return _("Enter a date as YYYY-MM-DD.")
    if kind in {"string_type"}:
        return _("Enter text.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("At least %(min)s characters.") % {"min": ctx.get("min_length")}
    if kind in {"enum", "literal_error"}:
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind == "value_error":
        error = ctx.get("error")
        return str(error) if error else str(item.get("msg", ""))
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The request body must be a JSON object.")
    if kind == "list_type":
        return _("Enter a list.")
    if kind == "bool_parsing" or kind == "bool_type":
        return _("Enter true or false.")
    return str(item.get("msg", _("Not valid.")))
