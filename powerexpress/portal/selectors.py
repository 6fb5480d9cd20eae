"""Portal reads. Billing, repair and outreach are separate capabilities: each is looked up when
needed, and a page says "not available yet" when one is not installed."""

import importlib

from django.urls import NoReverseMatch, reverse

from powerexpress.registry.models import Customer


def optional(module: str, name: str):
    """``module.name`` when that capability is installed, else None."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def optional_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def portal_customer(request) -> Customer | None:
    customer_id = request.session.get("portal_customer_id")
    if not customer_id:
        return None
    return Customer.objects.select_related("village", "village__station").filter(pk=customer_id).first()


def bills_for(customer) -> list[dict] | None:
    """The household's bills newest first, or None when billing is not available."""
    customer_bills = optional("powerexpress.billing.selectors", "customer_bills")
    return None if customer_bills is None else customer_bills(customer)


def credit_balance_for(customer) -> int | None:
    """The household's credit carried forward in fen, or None when billing is not available."""
    balance = optional("powerexpress.billing.selectors", "customer_credit_balance_fen")
    return None if balance is None else balance(customer)


def tickets_for(phone: str):
    """The household's fault reports newest first, or None when fault repair is not available."""
    tickets_for_phone = optional("powerexpress.repair.selectors", "tickets_for_phone")
    return None if tickets_for_phone is None else list(tickets_for_phone(phone)[:20])
