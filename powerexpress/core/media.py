"""Uploaded files (fault, hazard and activity photos) served only to users whose scope covers the
row that holds them — never a public folder or a directory listing.

The file is looked up in the database first: a path no visible row names answers 404, whether or not
the file exists. In production the view hands the file to the proxy (``MEDIA_SENDFILE``:
``x-accel-redirect`` for nginx, ``x-sendfile`` for Apache/lighttpd) instead of sending it itself.
"""

import mimetypes
from functools import cache

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.utils._os import safe_join
from django.utils.translation import gettext as _

from powerexpress.core.scope import visible


@cache
def media_fields() -> tuple[tuple[type[models.Model], str], ...]:
    """Every (model, file field) whose files are served, for models scoped to a station."""
    found = []
    for model in apps.get_models():
        if not getattr(model, "station_path", None):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                found.append((model, field.name))
    return tuple(found)


def media_visible(user, name: str) -> bool:
    return any(
        visible(user, model.objects.filter(**{field: name})).exists() for model, field in media_fields()
    )


@login_required
def media_serve(request, path: str):
    if not media_visible(request.user, path):
        raise Http404(_("No such file."))
    try:
        full = safe_join(settings.MEDIA_ROOT, path)
    except Exception as exc:  # a path leaving MEDIA_ROOT (SuspiciousFileOperation)
        raise Http404(_("No such file.")) from exc
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    mode = settings.MEDIA_SENDFILE.lower()
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + path.lstrip("/")
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = full
    else:
        try:
            response = FileResponse(open(full, "rb"), content_type=content_type)  # noqa: SIM115
        except OSError as exc:
            raise Http404(_("No such file.")) from exc
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
