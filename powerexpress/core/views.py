from pathlib import Path

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from powerexpress.core.errors import ApiError
from powerexpress.core.models import AuditEntry, ImportJob
from powerexpress.core.offline import offline_action_apply, offline_conflicts_acknowledge, parse_occurred_at
from powerexpress.core.permissions import VIEW_AUDIT_LOG


@login_required
@permission_required(VIEW_AUDIT_LOG, raise_exception=True)
def audit_log(request):
    entries = AuditEntry.objects.select_related("user").all()
    if request.GET.get("user"):
        entries = entries.filter(user__username=request.GET["user"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})


@login_required
def import_status(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk, user=request.user)
    template = "core/_import_status.html" if request.htmx else "core/import_status.html"
    return render(request, template, {"job": job})


STATIC_DIR = Path(__file__).resolve().parent / "static" / "core"


def service_worker(request):
    """The service worker, served from the site root so that its scope covers every page."""
    response = HttpResponse((STATIC_DIR / "sw.js").read_bytes(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def manifest(request):
    """The web app manifest that makes the staff pages installable on a phone."""
    data = {
        "name": _("Power Express"),
        "short_name": _("Power Express"),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("core:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#0b5cab",
        "icons": [
            {"src": static(f"core/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@login_required
@require_POST
def offline_sync(request):
    """One action queued on a phone while offline: ``key``, ``action`` (its kind), ``occurred_at``
    and its form's fields (multipart, so photos come along). Answers the outcome; a repeated key answers the
    first outcome and changes nothing."""
    try:
        occurred_at = parse_occurred_at(request.POST.get("occurred_at", ""))
        action = offline_action_apply(
            user=request.user,
            key=request.POST.get("key", ""),
            kind=request.POST.get("action", ""),
            occurred_at=occurred_at,
            data=request.POST.dict(),
            files=request.FILES.dict(),
        )
    except ApiError as exc:
        return JsonResponse(
            {"code": exc.code, "message": str(exc.message), "errors": exc.errors or []}, status=exc.status
        )
    return JsonResponse(
        {"key": action.key, "outcome": action.outcome, "message": action.message, "ref": action.object_ref}
    )


@login_required
@require_POST
def offline_conflicts_seen(request):
    offline_conflicts_acknowledge(user=request.user)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "core:home")


def text_size(request):
    """Large text on the public pages (a cookie, so that it works without script or sign-in)."""
    target = request.GET.get("next", "")
    response = redirect(target if target.startswith("/") and not target.startswith("//") else "/")
    if request.GET.get("large") == "1":
        response.set_cookie("pe_large_text", "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie("pe_large_text")
    return response
