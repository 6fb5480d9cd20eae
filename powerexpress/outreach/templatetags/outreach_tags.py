from django import template

from powerexpress.outreach.calc import fen_to_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen as yuan with two decimals."""
    return fen_to_yuan(int(fen or 0))
