"""Page geometry and the building blocks of the memo: list tables, fact tables, phrases."""

from dataclasses import dataclass

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    LongTable,
    Paragraph,
    Table,
    TableStyle,
)

from compliance.enforcement.memos.styles import (
    HEADER_BG,
    INK,
    MONO,
    MUTED,
    RULE,
    STATUS_COLORS,
    ZEBRA,
    fonts,
    markup,
    styles,
)
from compliance.formatting import plural  # noqa: F401  (memo modules import it from here)

MARGIN_X = 0.8 * inch
MARGIN_TOP = 0.95 * inch
MARGIN_BOTTOM = 0.8 * inch
WIDTH = LETTER[0] - 2 * MARGIN_X
LONG_TABLE_ROWS = 60


def _head_style(numeric: bool) -> ParagraphStyle:
    bold = styles()["cell_bold"]
    return ParagraphStyle("head_right", parent=bold, alignment=TA_RIGHT) if numeric else bold


@dataclass(frozen=True)
class Mark:
    """A table cell in the colour of a status, in bold: "Shortfall" in red."""

    label: str
    status: str


def _cells(data: list[list], widths: list[float], mono: set[int]) -> list[tuple]:
    """Lay plain text out as plain text where it fits its column (cheap: reportlab draws it
    directly) and as a wrapping Paragraph where it does not; colour `Mark` cells.
    Returns the style commands the marks need. The header row is left as it is."""
    f = fonts()
    cell_style = styles()["cell"]
    commands = []
    for r in range(1, len(data)):
        row = data[r]
        for c, value in enumerate(row):
            if isinstance(value, Mark):
                row[c] = value.label
                commands += [
                    ("TEXTCOLOR", (c, r), (c, r), STATUS_COLORS.get(value.status, MUTED)),
                    ("FONT", (c, r), (c, r), f["bold"], 8, 10),
                ]
            elif isinstance(value, str) and value and c not in mono:
                if "\n" in value or stringWidth(value, f["regular"], 8) > widths[c] - 8:
                    row[c] = Paragraph(markup(value), cell_style)
    return commands


def list_table(
    header: list[str],
    rows: list[list],
    widths: list[float],
    *,
    numeric: set[int] = frozenset(),
    total: list | None = None,
    extra: list[tuple] = (),
    zebra: bool = True,
    mono: set[int] = frozenset(),
) -> Table:
    """A list table: bold header repeated on every page it spans, numbers right-aligned,
    zebra rows, an optional bold total row. Cells are plain text (wrapped when too wide),
    `Mark`s or flowables; `mono` columns are set small in Courier (hashes); `extra` adds
    TableStyle commands."""
    head = [Paragraph(markup(h), _head_style(i in numeric)) for i, h in enumerate(header)]
    data = [head, *[list(row) for row in rows]] + ([list(total)] if total else [])
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
    for c in mono:
        commands.append(("FONT", (c, 1), (c, -1), MONO, 6.6, 10))
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
    commands += _cells(data, widths, set(mono))
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
            [Paragraph(markup(label), s["label"]), Paragraph(value, s["value"])]
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


def subheading(title: str) -> list:
    """A table's heading, moved to the next page with the table's first rows when the page
    is nearly full. (reportlab's keepWithNext would move a page-long table whole.)"""
    return [CondPageBreak(1.4 * inch), Paragraph(markup(title), styles()["h3"])]


def status_markup(status: str, label: str) -> str:
    color = STATUS_COLORS.get(status, MUTED).hexval()[2:]
    return f'<font color="#{color}"><b>{markup(label)}</b></font>'


def cell(value, style: str = "cell") -> Paragraph:
    """A wrapping table cell for text a person entered (names, notes)."""
    return Paragraph(markup(value), styles()[style])


def join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class Ledger(Flowable):
    """One-line rows drawn straight onto the page, for the memo's long, plain lists (monthly
    series, the data-sources appendix with thousands of report versions): the look of
    `list_table` at a tenth of the cost. Rows never wrap (callers give values that fit), the
    header row repeats on every page the list spans, heading rows (a str instead of a list)
    name the group below them, and an optional bold total row closes the list.
    """

    GROUP = 16.0
    HEAD = 14.0

    def __init__(
        self,
        header: list[str],
        rows: list,
        widths: list[float],
        *,
        numeric: set[int] = frozenset(),
        mono: set[int] = frozenset(),
        total: list[str] | None = None,
        zebra: bool = False,
        row_height: float = 11.0,
    ):
        super().__init__()
        self.header, self.rows, self.widths, self.total = header, rows, widths, total
        self.numeric, self.mono, self.zebra, self.row = set(numeric), set(mono), zebra, row_height
        self.width = sum(widths)
        self.height = (
            self.HEAD + sum(self._height(row) for row in rows) + (row_height if total else 0)
        )

    def _height(self, row) -> float:
        return self.GROUP if isinstance(row, str) else self.row

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def _part(self, rows: list, total: list[str] | None) -> "Ledger":
        return Ledger(
            self.header,
            rows,
            self.widths,
            numeric=self.numeric,
            mono=self.mono,
            total=total,
            zebra=self.zebra,
            row_height=self.row,
        )

    def split(self, available_width, available_height):
        room, fit = available_height - self.HEAD, 0
        for row in self.rows:
            if room - self._height(row) < 0:
                break
            room -= self._height(row)
            fit += 1
        if fit >= len(self.rows):
            if not self.total or room >= self.row:
                return [self]
            fit = len(self.rows) - 1  # the total row keeps a row of the list with it
        while fit > 0 and isinstance(self.rows[fit - 1], str):
            fit -= 1  # a group heading never ends a page
        if fit < 2:
            return []
        return [self._part(self.rows[:fit], None), self._part(self.rows[fit:], self.total)]

    def _cells(self, values: list[str], y: float, font: str) -> None:
        """Queue one row's text on the page's text object (one object for all rows is what
        keeps thousands of rows cheap)."""
        words, x = self._text, 0.0
        for i, (value, width) in enumerate(zip(values, self.widths, strict=True)):
            name, size = (MONO, 6.6) if i in self.mono and font == self._regular else (font, 8)
            if (name, size) != self._font:
                words.setFont(name, size)
                self._font = (name, size)
            left = x + width - 4 - stringWidth(value, name, size) if i in self.numeric else x + 4
            words.setTextOrigin(left, y)
            words.textOut(value)
            x += width

    def draw(self):
        canvas = self.canv
        f = fonts()
        self._regular = f["regular"]
        baseline = (self.row - 8) / 2 + 2
        y = self.height - self.HEAD
        canvas.saveState()
        # Backgrounds and rules first, then every word in one text object on top.
        canvas.setFillColor(HEADER_BG)
        canvas.rect(0, y, self.width, self.HEAD, stroke=0, fill=1)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.line(0, y, self.width, y)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.setFillColor(ZEBRA)
        rows_y = []
        for index, row in enumerate(self.rows):
            y -= self._height(row)
            rows_y.append(y)
            if isinstance(row, str):
                canvas.line(0, y + self.GROUP, self.width, y + self.GROUP)
            elif self.zebra and index % 2:
                canvas.rect(0, y, self.width, self.row, stroke=0, fill=1)
        if self.total:
            y -= self.row
            canvas.setFillColor(HEADER_BG)
            canvas.rect(0, y, self.width, self.row, stroke=0, fill=1)
            canvas.setStrokeColor(INK)
            canvas.setLineWidth(0.8)
            canvas.line(0, y + self.row, self.width, y + self.row)
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.5)
        canvas.line(0, y, self.width, y)

        canvas.setFillColor(INK)
        self._text, self._font = canvas.beginText(), None
        top = self.height - self.HEAD
        self._cells(self.header, top + 4.5, f["bold"])
        for row, row_y in zip(self.rows, rows_y, strict=True):
            if isinstance(row, str):
                self._cells([row] + [""] * (len(self.widths) - 1), row_y + 4, f["bold"])
            else:
                self._cells(row, row_y + baseline, f["regular"])
        if self.total:
            self._cells(self.total, y + baseline, f["bold"])
        canvas.drawText(self._text)
        canvas.restoreState()
