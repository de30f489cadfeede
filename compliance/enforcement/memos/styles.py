"""Fonts, paragraph and table styles of the memo PDF; its figures read through
`compliance.formatting`, like every other surface.

Text is real text in an embedded TrueType font: DejaVu Sans where the system has it (wide
Unicode coverage), else Bitstream Vera, which ships with reportlab (the same design, Latin-1
coverage: "§", "×", "–" and accented names all render). Hashes are set in Courier.
"""

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from compliance.formatting import (
    long_date,
    money,
    month,
    number,
    percent,
    quantity,
    short_date,
    timestamp,
)

INK = colors.HexColor("#1d2330")
MUTED = colors.HexColor("#5b6475")
RULE = colors.HexColor("#b8bfcc")
HEADER_BG = colors.HexColor("#e9edf3")
ZEBRA = colors.HexColor("#f6f7f9")
ACCENT = colors.HexColor("#1f5fbf")
TARGET = colors.HexColor("#a3231b")
BAR = colors.HexColor("#c9d6ea")
QUOTE_BG = colors.HexColor("#f3f4f7")
STATUS_COLORS = {
    "shortfall": colors.HexColor("#a3231b"),
    "at_risk": colors.HexColor("#8a5a00"),
    "met": colors.HexColor("#1e7b3a"),
    "on_track": colors.HexColor("#1e7b3a"),
    "no_data": MUTED,
}

MONO = "Courier"
_FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
]
_DEJAVU = {
    "": "DejaVuSans.ttf",
    "-Bold": "DejaVuSans-Bold.ttf",
    "-Oblique": "DejaVuSans-Oblique.ttf",
    "-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
_VERA = {
    "": "Vera.ttf",
    "-Bold": "VeraBd.ttf",
    "-Oblique": "VeraIt.ttf",
    "-BoldOblique": "VeraBI.ttf",
}


def _find_dejavu() -> dict[str, Path] | None:
    for folder in _FONT_DIRS:
        files = {suffix: folder / name for suffix, name in _DEJAVU.items()}
        if all(path.is_file() for path in files.values()):
            return files
    return None


@cache
def font_family() -> str:
    """Register the memo's font family once; returns its base name."""
    files = _find_dejavu()
    base = "MemoDejaVu"
    if files is None:
        vera = Path(reportlab.__file__).parent / "fonts"
        files = {suffix: vera / name for suffix, name in _VERA.items()}
        base = "MemoVera"
    for suffix, path in files.items():
        pdfmetrics.registerFont(TTFont(base + suffix, str(path)))
    pdfmetrics.registerFontFamily(
        base,
        normal=base,
        bold=base + "-Bold",
        italic=base + "-Oblique",
        boldItalic=base + "-BoldOblique",
    )
    return base


def fonts() -> dict[str, str]:
    base = font_family()
    return {"regular": base, "bold": base + "-Bold", "italic": base + "-Oblique"}


@cache
def styles() -> dict[str, ParagraphStyle]:
    f = fonts()
    body = ParagraphStyle(
        "body", fontName=f["regular"], fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=6
    )
    return {
        "body": body,
        "letterhead": ParagraphStyle(
            "letterhead",
            parent=body,
            fontName=f["bold"],
            fontSize=8.5,
            leading=11,
            textColor=MUTED,
            spaceAfter=2,
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=f["bold"], fontSize=20, leading=24, spaceAfter=10
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName=f["bold"],
            fontSize=13,
            leading=16,
            spaceBefore=14,
            spaceAfter=6,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=f["bold"],
            fontSize=11,
            leading=14,
            spaceBefore=12,
            spaceAfter=4,
            keepWithNext=1,
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=body,
            fontName=f["bold"],
            fontSize=9.5,
            leading=12,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "quote": ParagraphStyle(
            "quote",
            parent=body,
            fontName=f["italic"],
            fontSize=9,
            leading=12.5,
            leftIndent=10,
            rightIndent=10,
            borderPadding=(5, 6, 5, 6),
            backColor=QUOTE_BG,
            spaceBefore=4,
            spaceAfter=10,
        ),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8, leading=10.5, textColor=MUTED, spaceAfter=4
        ),
        "caption": ParagraphStyle(
            "caption",
            parent=body,
            fontName=f["italic"],
            fontSize=8,
            leading=10.5,
            textColor=MUTED,
            spaceAfter=8,
        ),
        "label": ParagraphStyle(
            "label", parent=body, fontName=f["bold"], fontSize=9, leading=13, spaceAfter=0
        ),
        "value": ParagraphStyle("value", parent=body, spaceAfter=0),
        "cell": ParagraphStyle(
            "cell", parent=body, fontSize=8, leading=10, spaceAfter=0, alignment=TA_LEFT
        ),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontName=f["bold"], fontSize=8, leading=10, spaceAfter=0
        ),
        "cell_right": ParagraphStyle(
            "cell_right", parent=body, fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT
        ),
        "callout": ParagraphStyle(
            "callout",
            parent=body,
            borderColor=ACCENT,
            borderWidth=0.8,
            leftIndent=8,
            rightIndent=8,
            borderPadding=(6, 8, 6, 8),
            backColor=colors.HexColor("#eef3fb"),
            spaceBefore=8,
            spaceAfter=10,
        ),
    }


def markup(value) -> str:
    """User-entered text made safe for a Paragraph, whose markup is XML: escaped, line
    breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


# The memo's figures and dates read as everywhere else (compliance.formatting); these names
# are the ones the memo modules have long imported from here.
text = markup
pct = percent
month_label = month
__all__ = [
    "long_date",
    "markup",
    "money",
    "month_label",
    "number",
    "pct",
    "quantity",
    "short_date",
    "styles",
    "text",
    "timestamp",
]
