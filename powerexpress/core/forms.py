"""Showing a service's ``ApiError`` / ``FieldError`` to the person who filled the form.

Services raise one error type (``core.errors``); pages show it in one of three ways, each written
once here: on a Django form (:func:`apply_api_error`), as a ``{field: message}`` dict for a
hand-written form template (:func:`api_error_dict`), or as one line of text for a flash message
(:func:`api_error_text`).
"""

from powerexpress.core.errors import ApiError


def api_error_items(exc: ApiError) -> list[dict]:
    """The error's ``{"field", "message"}`` items, or one form-wide item with its message."""
    return exc.errors or [{"field": None, "message": str(exc.message)}]


def apply_api_error(form, exc: ApiError, *, default_field: str | None = None) -> None:
    """Add the error to ``form``: each item on its field when the form has that field, else on
    ``default_field`` (``None``: the form's non-field errors)."""
    for item in api_error_items(exc):
        field = item["field"] if item["field"] in form.fields else default_field
        form.add_error(field, str(item["message"]))


def api_error_dict(exc: ApiError, *, form_key: str | None = "form") -> dict:
    """``{field: message}`` for a template that shows errors next to its own inputs; an error
    without items is shown under ``form_key`` (``None``: leave the dict empty)."""
    errors = {item["field"]: item["message"] for item in exc.errors or []}
    if not errors and form_key is not None:
        errors[form_key] = str(exc.message)
    return errors


def api_error_text(exc: ApiError, *, sep: str = "; ", with_fields: bool = False) -> str:
    """The item messages on one line (``field: message`` with ``with_fields``), else the
    error's own message."""
    items = exc.errors or []
    if with_fields:
        return sep.join(f"{e['field']}: {e['message']}" for e in items) or str(exc.message)
    return sep.join(str(e["message"]) for e in items) or str(exc.message)
