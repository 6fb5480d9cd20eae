"""Portal writes: sending and checking one-time sign-in codes, and rating a finished application."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from powerexpress.applications.choices import ApplicationStatus
from powerexpress.core.errors import ApiError, FieldError
from powerexpress.core.notifications import notify
from powerexpress.core.throttle import counted_over_limit
from powerexpress.portal.models import ApplicationRating, LoginCode
from powerexpress.registry.models import Customer

CODE_WINDOW = datetime.timedelta(minutes=30)


def _hash(code: str, customer_id: int) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{customer_id}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def _customer(account_no: str, phone: str) -> Customer | None:
    account_no, phone = account_no.strip(), phone.strip()
    if not account_no or not phone:
        return None
    return Customer.objects.select_related("village").filter(account_no=account_no, phone=phone).first()


def login_code_request(*, account_no: str, phone: str) -> None:
    """Send a sign-in code when the account number and mobile match a household.

    Answers the same whether or not they matched (no way to test which numbers exist): the limit
    of codes per half hour counts every account number and mobile pair asked for, known or not,
    and an unknown pair does comparable work.
    """
    pair = f"portal-code:{account_no.strip()}:{phone.strip()}"
    if counted_over_limit(
        pair, limit=settings.PORTAL_CODES_PER_30_MIN, window_seconds=int(CODE_WINDOW.total_seconds())
    ):
        raise ApiError(
            _("Too many codes were asked for this account. Please wait half an hour."),
            status=429,
            code="rate_limited",
        )
    customer = _customer(account_no, phone)
    now = timezone.now()
    recent = LoginCode.objects.filter(
        customer_id=customer.pk if customer else None, created_at__gte=now - CODE_WINDOW
    ).count()
    if customer is None or recent >= settings.PORTAL_CODES_PER_30_MIN:
        _hash(f"{secrets.randbelow(1_000_000):06d}", 0)
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    LoginCode.objects.create(
        customer=customer,
        phone=customer.phone,
        code_hash=_hash(code, customer.pk),
        expires_at=now + datetime.timedelta(seconds=settings.PORTAL_CODE_TTL_SECONDS),
    )
    text = _(
        "Your Power Express sign-in code is %(code)s. It expires in %(minutes)s minutes. Never give it "
        "to anyone."
    )
    minutes = settings.PORTAL_CODE_TTL_SECONDS // 60
    notify(
        channel="sms",
        recipient=customer.phone,
        subject=_("Sign-in code"),
        purpose="portal_login",
        body=text % {"code": code, "minutes": minutes},
        stored_body=text % {"code": "******", "minutes": minutes},
    )


def login_code_verify(*, account_no: str, phone: str, code: str) -> Customer:
    """The household when ``code`` is its latest valid code; otherwise a clear refusal."""
    customer = _customer(account_no, phone)
    wrong = FieldError({"code": _("The code is wrong or has expired. Ask for a new code.")})
    if customer is None:
        raise wrong
    with transaction.atomic():
        login = (
            LoginCode.objects.select_for_update()
            .filter(customer=customer, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if login is None or login.expires_at <= now:
            raise wrong
        if login.locked_at is None and hmac.compare_digest(login.code_hash, _hash(code.strip(), customer.pk)):
            login.used_at = now
            login.save(update_fields=["used_at"])
            return customer
        if login.locked_at is None:
            login.failed_attempts += 1
            if login.failed_attempts >= settings.PORTAL_CODE_MAX_TRIES:
                login.locked_at = now
            login.save(update_fields=["failed_attempts", "locked_at"])
    # raised after the block so that the counted wrong try is kept
    if login.locked_at is not None:
        raise FieldError({"code": _("Too many wrong tries: this code is locked. Ask for a new code.")})
    raise FieldError(
        {
            "code": _("The code is wrong. %(left)s tries left.")
            % {"left": settings.PORTAL_CODE_MAX_TRIES - login.failed_attempts}
        }
    )


def application_rate(*, customer: Customer, application, stars: int, comment: str = "") -> ApplicationRating:
    """Rate a connected application made with the household's mobile (once)."""
    if application.phone != customer.phone or application.status != ApplicationStatus.CONNECTED:
        raise ApiError(
            _("Only a connected application of yours can be rated."), status=409, code="not_finished"
        )
    if not 1 <= stars <= 5:
        raise FieldError({"stars": _("Choose 1 to 5 stars.")})
    if ApplicationRating.objects.filter(application=application).exists():
        raise ApiError(_("This application was already rated. Thank you!"), status=409, code="already_rated")
    return ApplicationRating.objects.create(
        application=application, customer=customer, stars=stars, comment=comment.strip()[:300]
    )
