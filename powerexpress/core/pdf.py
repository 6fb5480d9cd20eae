"""What every PDF of the platform shares: the Chinese font.

ReportLab's built-in CID font STSong-Light (Adobe's Song/宋体 metrics; PDF viewers supply the
glyphs) renders Simplified Chinese without shipping a font file."""

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CHINESE_FONT = "STSong-Light"


def chinese_font() -> str:
    """The registered Chinese font's name (registered on first use)."""
    if CHINESE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    return CHINESE_FONT
