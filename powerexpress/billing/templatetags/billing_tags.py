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
