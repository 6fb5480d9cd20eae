from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen → yuan with two decimals ("¥" left to the template)."""
    if fen is None or fen == "":
        return ""
    return f"{Decimal(int(fen)) / 100:.2f}"


@register.filter
def percent(rate) -> str:
    if rate is None:
        return "—"
    return f"{Decimal(rate) * 100:.1f}%"


@register.filter
def customer_tag_label(tag: str) -> str:
    """A customer tag's label (low_income → 低保户) for a tariff's free allowance."""
    from powerexpress.registry.choices import CustomerTag

    return CustomerTag(tag).label if tag in CustomerTag.values else tag


@register.filter
def tariff_source(text: str) -> str:
    """A tariff's source note, translated when it is the note a shipped schedule came with."""
    from powerexpress.billing.shipped import shipped_source

    return shipped_source(text or "")
