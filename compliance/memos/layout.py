"""Page geometry and the building blocks of the memo: list tables, fact tables, phrases."""

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import LongTable, Paragraph, Table, TableStyle

from compliance.memos.styles import (
    HEADER_BG,
    INK,
    MUTED,
    RULE,
    STATUS_COLORS,
    ZEBRA,
    fonts,
    styles,
    text,
)

MARGIN_X = 0.8 * inch
MARGIN_TOP = 0.95 * inch
MARGIN_BOTTOM = 0.8 * inch
WIDTH = LETTER[0] - 2 * MARGIN_X
LONG_TABLE_ROWS = 60


def _head_style(numeric: bool) -> ParagraphStyle:
    bold = styles()["cell_bold"]
    return ParagraphStyle("head_right", parent=bold, alignment=TA_RIGHT) if numeric else bold


def list_table(
    header: list[str],
    rows: list[list],
    widths: list[float],
    *,
    numeric: set[int] = frozenset(),
    total: list | None = None,
    extra: list[tuple] = (),
    zebra: bool = True,
) -> Table:
    """A list table: bold header repeated on every page it spans, numbers right-aligned,
    zebra rows, an optional bold total row. `extra` adds TableStyle commands."""
    head = [Paragraph(text(h), _head_style(i in numeric)) for i, h in enumerate(header)]
    data = [head, *rows] + ([total] if total else [])
    f = fonts()
    commands = [
        ("FONT", (0, 0), (-1, -1), f["regular"], 8, 10),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if zebra and len(data) > 2:
        last = -2 if total else -1
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, last), ["white", ZEBRA]))
    for i in numeric:
        commands.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    if total:
        commands += [
            ("FONT", (0, -1), (-1, -1), f["bold"], 8, 10),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
            ("BACKGROUND", (0, -1), (-1, -1), HEADER_BG),
        ]
    commands += list(extra)
    # LongTable lays out long lists in one pass instead of re-measuring at every page.
    cls = LongTable if len(data) > LONG_TABLE_ROWS else Table
    table = cls(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def facts_table(rows: list[tuple[str, str]], label_width: float = 128) -> Table:
    """Label / value pairs (values already Paragraph markup), borderless, two columns."""
    s = styles()
    table = Table(
        [
            [Paragraph(text(label), s["label"]), Paragraph(value, s["value"])]
            for label, value in rows
        ],
        colWidths=[label_width, WIDTH - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def grouped_rows(
    groups: list[tuple[str, list[list]]], columns: int
) -> tuple[list[list], list[tuple]]:
    """Rows under spanning heading rows ("Pulice Construction: 12 workers, $3,622.00"), and
    the style commands that span each heading and keep it on the page of its first row."""
    rows, commands = [], []
    for heading, members in groups:
        index = len(rows) + 1  # the list table's header row comes first
        rows.append([cell(heading, "cell_bold")] + [""] * (columns - 1))
        commands += [
            ("SPAN", (0, index), (-1, index)),
            ("LINEABOVE", (0, index), (-1, index), 0.5, RULE),
            ("NOSPLIT", (0, index), (-1, min(index + 1, index + len(members)))),
        ]
        rows += members
    return rows, commands


def status_markup(status: str, label: str) -> str:
    color = STATUS_COLORS.get(status, MUTED).hexval()[2:]
    return f'<font color="#{color}"><b>{text(label)}</b></font>'


def cell(value, style: str = "cell") -> Paragraph:
    """A wrapping table cell for text a person entered (names, notes)."""
    return Paragraph(text(value), styles()[style])


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
