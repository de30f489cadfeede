"""Lay a block list (`render_blocks`) out as a Word document, editable by the attorney.

The same blocks as the PDF, so the same words and figures: headings as Word headings (kept
with the next paragraph), tables with a header row that repeats on every page and rows that
do not split, a running header and "Page n of N" footer, and a marking (a counsel memo's
privilege) at the top of every page.
"""

import html
import io
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from compliance.enforcement.memos.render_blocks import (
    Block,
    Facts,
    Heading,
    Para,
    Rule,
    Signature,
    Table,
)

FONT = "Calibri"
INK = RGBColor(0x1D, 0x23, 0x30)
MUTED = RGBColor(0x5B, 0x64, 0x75)
MARK = RGBColor(0xA3, 0x23, 0x1B)
KEEP_WHOLE_ROWS = 15
TEXT_WIDTH = 6.9  # inches: Letter less two 0.8-inch margins
_TAG = re.compile(r"(<[^>]+>)")
# Characters XML 1.0 cannot carry (a NUL or other control character someone typed): Word
# files are XML, so they are left out rather than failing the whole document.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def runs(markup_text: str) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) runs of a paragraph's markup; <br/> becomes a line break ("\\n"),
    other tags (colours, fonts) are dropped and entities read back."""
    out: list[tuple[str, bool, bool]] = []
    bold = italic = False
    for part in _TAG.split(markup_text or ""):
        if not part:
            continue
        if part.startswith("<"):
            tag = part.strip("<>/ ").split()[0].lower() if part.strip("<>/ ") else ""
            closing = part.startswith("</")
            if tag == "b":
                bold = not closing
            elif tag == "i":
                italic = not closing
            elif tag == "br":
                out.append(("\n", bold, italic))
            continue
        out.append((_NOT_XML.sub("", html.unescape(part)), bold, italic))
    return out


def plain(markup_text: str) -> str:
    """The text of a paragraph's markup, without its formatting."""
    return "".join(text for text, _, _ in runs(markup_text))


def _add_runs(paragraph, markup_text: str, *, size: float | None = None, color=None) -> None:
    for text, bold, italic in runs(markup_text):
        if text == "\n":
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
        if color is not None:
            run.font.color.rgb = color


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


def _cant_split(row) -> None:
    props = row._tr.get_or_add_trPr()
    props.append(OxmlElement("w:cantSplit"))


def _page_field(paragraph, code: str) -> None:
    """A PAGE or NUMPAGES field, filled in by Word when the page is laid out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(end)


def _widths(table, shares: list[float]) -> None:
    """Column widths as shares of the text width, set on the grid (LibreOffice reads it)
    and on every cell (Word does)."""
    table.autofit = False
    for i, share in enumerate(shares):
        width = Inches(TEXT_WIDTH * share)
        table.columns[i].width = width
        for cell in table.columns[i].cells:
            cell.width = width
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)


def _table(document, block: Table) -> None:
    columns = len(block.header)
    rows = [*block.rows, *([block.total] if block.total else [])]
    table = document.add_table(rows=1 + len(rows), cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _widths(table, [w / sum(block.widths) for w in block.widths])
    header = table.rows[0]
    _repeat_header(header)
    for i, label in enumerate(block.header):
        p = header.cells[i].paragraphs[0]
        _add_runs(p, f"<b>{label}</b>", size=8)
        if i in block.numeric:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    keep_whole = len(rows) <= KEEP_WHOLE_ROWS
    for r, values in enumerate(rows, start=1):
        row = table.rows[r]
        _cant_split(row)
        bold = block.total is not None and r == len(rows)
        for i, value in enumerate(values):
            p = row.cells[i].paragraphs[0]
            text = str(value or "")
            _add_runs(p, f"<b>{text}</b>" if bold else text, size=7 if i in block.mono else 8)
            if i in block.numeric:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if keep_whole:
        # A short table stays on one page: every row but the last keeps with the next.
        for row in table.rows[:-1]:
            for cell in row.cells:
                for p in cell.paragraphs:
                    _keep_with_next(p)
    document.add_paragraph()


def render_docx(blocks: list[Block], *, title: str, header: str, marking: str = "") -> bytes:
    """The DOCX bytes of a block list."""
    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "CBA Monitor"
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.font.color.rgb = INK
    normal.paragraph_format.space_after = Pt(5)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = document.styles[name]
        style.font.name = FONT
        style.font.color.rgb = INK
        style.font.bold = True
    document.styles["Title"].font.size = Pt(20)
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Inches(0.8))
    section.top_margin, section.bottom_margin = Inches(0.9), Inches(0.8)

    head = section.header.paragraphs[0]
    if marking:
        _add_runs(head, f"<b>{marking}</b>", size=8.5, color=MARK)
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        head = section.header.add_paragraph()
    _add_runs(head, header, size=7.5, color=MUTED)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _add_runs(foot, "Page ", size=7.5, color=MUTED)
    _page_field(foot, "PAGE")
    _add_runs(foot, " of ", size=7.5, color=MUTED)
    _page_field(foot, "NUMPAGES")

    for block in blocks:
        if isinstance(block, Heading):
            p = document.add_heading(level=min(block.level, 3))
            _add_runs(p, block.text)
            _keep_with_next(p)
        elif isinstance(block, Para):
            if block.style == "quote":
                p = document.add_paragraph(style="Quote")
            else:
                p = document.add_paragraph()
            size = {"small": 8, "letterhead": 9}.get(block.style)
            color = MUTED if block.style in ("small", "letterhead") else None
            _add_runs(p, block.text, size=size, color=color)
            if block.style == "letterhead":
                p.paragraph_format.space_after = Pt(0)
        elif isinstance(block, Facts):
            table = document.add_table(rows=len(block.rows), cols=2)
            label_share = block.label_width / 500
            _widths(table, [label_share, 1 - label_share])
            for r, (label, value) in enumerate(block.rows):
                row = table.rows[r]
                _cant_split(row)
                _add_runs(row.cells[0].paragraphs[0], f"<b>{label}</b>")
                _add_runs(row.cells[1].paragraphs[0], value)
            document.add_paragraph()
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Rule):
            p = document.add_paragraph()
            borders = OxmlElement("w:pBdr")
            bottom = OxmlElement("w:bottom")
            for key, value in (("val", "single"), ("sz", "8"), ("space", "1"), ("color", "1D2330")):
                bottom.set(qn(f"w:{key}"), value)
            borders.append(bottom)
            p._p.get_or_add_pPr().append(borders)
        elif isinstance(block, Signature):
            if document.paragraphs:
                _keep_with_next(document.paragraphs[-1])
            p = document.add_paragraph()
            p.paragraph_format.space_before = Pt(8)
            _add_runs(p, block.close)
            _keep_with_next(p)
            spacer = document.add_paragraph()
            spacer.paragraph_format.space_after = Pt(16)
            _keep_with_next(spacer)
            for i, line in enumerate(block.lines):
                p = document.add_paragraph()
                p.paragraph_format.space_after = Pt(0)
                _add_runs(p, line)
                if i < len(block.lines) - 1 or block.after:
                    _keep_with_next(p)
            if block.after:
                p = document.add_paragraph()
                p.paragraph_format.space_before = Pt(10)
                _add_runs(p, block.after, size=8, color=MUTED)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
