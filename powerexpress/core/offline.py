"""Actions recorded on a phone without network and sent when it returns.

Each capability registers a handler per action kind (``offline_handler_register``) from its
``AppConfig.ready()``. The phone sends every action once with a client-generated key and the
moment it really happened; :func:`offline_action_apply` applies it at most once per key (a
repeat answers the first outcome) and records the outcome. An action that can no longer be
applied (the ticket was reassigned or closed meanwhile) is kept as a conflict and shown to its
author until acknowledged — never dropped silently.
"""

import dataclasses
import datetime
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.models import OfflineAction, OfflineOutcome


class OfflineConflict(Exception):
    """Raised by a handler when the action no longer fits the record (shown to the author)."""


@dataclasses.dataclass(frozen=True)
class OfflineRequest:
    user: object
    key: str
    occurred_at: datetime.datetime
    data: dict
    files: dict


# A handler applies one action and returns (object reference, short label of what was done).
Handler = Callable[[OfflineRequest], tuple[str, str]]
_HANDLERS: dict[str, Handler] = {}


def offline_handler_register(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def offline_kinds() -> list[str]:
    return sorted(_HANDLERS)


def _message(exc: ApiError) -> str:
    return "; ".join(str(e["message"]) for e in exc.errors or []) or str(exc.message)


def offline_action_apply(
    *, user, key: str, kind: str, occurred_at: datetime.datetime, data: dict, files: dict
) -> OfflineAction:
    """Apply one queued action once; returns its record (the first one again for a repeated key)."""
    key = (key or "").strip()
    errors = {}
    if not 8 <= len(key) <= 64:
        errors["key"] = _("Each action needs its key of 8 to 64 characters.")
    if kind not in _HANDLERS:
        errors["action"] = _("Unknown kind of action.")
    if errors:
        raise FieldError(errors)
    existing = OfflineAction.objects.filter(key=key).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise ApiError(_("This key belongs to another user's action."), status=409, code="key_taken")
        return existing
    request = OfflineRequest(user=user, key=key, occurred_at=occurred_at, data=data, files=files)
    record = {
        "key": key,
        "user": user,
        "kind": kind,
        "occurred_at": occurred_at,
        "object_ref": data.get("ref", ""),
    }
    try:
        with transaction.atomic():
            ref, label = _HANDLERS[kind](request)
            return OfflineAction.objects.create(
                **{**record, "object_ref": ref[:100]}, label=label[:200], outcome=OfflineOutcome.APPLIED
            )
    except IntegrityError:
        existing = OfflineAction.objects.filter(key=key, user=user).first()
        if existing is None:
            raise
        return existing
    except OfflineConflict as exc:
        message = str(exc)
    except ApiError as exc:
        message = _message(exc)
    try:
        with transaction.atomic():
            return OfflineAction.objects.create(
                **{**record, "object_ref": str(record["object_ref"])[:100]},
                label=str(data.get("label", ""))[:200],
                outcome=OfflineOutcome.CONFLICT,
                message=message,
            )
    except IntegrityError:
        return OfflineAction.objects.get(key=key, user=user)


def offline_conflicts(user) -> list[OfflineAction]:
    """The user's queued actions that could not be applied and that they have not yet seen."""
    return list(OfflineAction.objects.filter(user=user, outcome=OfflineOutcome.CONFLICT, acknowledged=False))


def offline_conflicts_acknowledge(*, user) -> int:
    return OfflineAction.objects.filter(
        user=user, outcome=OfflineOutcome.CONFLICT, acknowledged=False
    ).update(acknowledged=True)


def parse_occurred_at(text: str) -> datetime.datetime:
    """The phone's ISO 8601 moment (with its offset or Z) as an aware datetime."""
    try:
        value = datetime.datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        raise FieldError({"occurred_at": _("Give the time the action happened (ISO 8601).")}) from None
    if timezone.is_naive(value):
        raise FieldError({"occurred_at": _("Give the time with its time zone.")})
    return value
