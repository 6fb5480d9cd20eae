"""The HTTP API under /api/v1/.

Every app that has an ``api`` module with a ``router`` is mounted here, so an app adds
endpoints without touching this file. Errors share one JSON shape::

    {"code": "validation_error", "message": "...", "errors": [{"field": "phone", "message": "..."}]}

Messages follow the request's language (Accept-Language, zh-hans by default).
"""

import importlib
import importlib.util

from django.apps import apps
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from powerexpress.core.errors import ApiError, pydantic_message


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        from powerexpress.accounts.models import ApiToken

        try:
            api_token = ApiToken.objects.select_related("user", "user__station").get(
                key_hash=ApiToken.hash_key(token)
            )
        except ApiToken.DoesNotExist:
            return None
        if not api_token.user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


api = NinjaAPI(
    title="Power Express API",
    version="1",
    description="API of Power Express, the service platform of a rural power supply bureau.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def _error(request, status: int, code: str, message: str, errors=None):
    body = {"code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = []
    for item in exc.errors:
        loc = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "query", "path", "payload", "data")
        ]
        errors.append({"field": ".".join(loc) or "body", "message": pydantic_message(item)})
    return _error(request, 422, "validation_error", _("Some fields are not valid."), errors)


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return _error(request, exc.status, exc.code, str(exc.message), exc.errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "unauthenticated", _("Sign in or send a valid bearer token."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "error", str(exc.message))


def _mount_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("powerexpress."):
            continue
        module_name = f"{config.name}.api"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("", router)


_mount_app_routers()
