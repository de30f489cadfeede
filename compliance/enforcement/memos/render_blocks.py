"""A document as a list of blocks, laid out as a PDF here and as a DOCX in `docx_render`.

The notice and the case memo's DOCX are written once as blocks (headings, paragraphs in
reportlab's small markup: <b>, <i>, <br/>, fact rows, list tables, a signature), so the PDF
and the Word file carry the same words and the same figures by construction.
"""

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import LETTER
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.flowables import HRFlowable

from compliance.enforcement.memos.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    WIDTH,
    facts_table,
    list_table,
)
from compliance.enforcement.memos.styles import INK, markup, styles


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 0 the document's title, 1 a section, 2 a subsection, 3 a table's


@dataclass(frozen=True)
class Para:
    """A paragraph in markup; `style` is one of body, small, quote, callout, letterhead."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Facts:
    """Label / value rows (values in markup), e.g. To, Date, Re."""

    rows: list[tuple[str, str]]
    label_width: float = 128


@dataclass(frozen=True)
class Table:
    """A list table; `widths` in points across the PDF's text width."""

    header: list[str]
    rows: list[list[str]]
    widths: list[float]
    numeric: frozenset[int] = frozenset()
    total: list[str] | None = None
    mono: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Signature:
    """The closing: a complimentary close, space to sign, then name, title, organization."""

    close: str
    lines: list[str] = field(default_factory=list)
    after: str = ""  # a small line kept with the signature: "Enclosure: ..."


Block = Heading | Para | Facts | Table | Rule | Signature


def _is_heading(flowable) -> bool:
    return isinstance(flowable, Paragraph) and flowable.style.name in {"h1", "h2", "h3"}


def flowables(blocks: list[Block]) -> list:
    """The reportlab flowables of a block list. Headings keep with what follows them, a
    table's header row repeats on every page, and a signature is never split."""
    s = styles()
    flow: list = []
    for block in blocks:
        if isinstance(block, Heading):
            style = {0: "title", 1: "h1", 2: "h2"}.get(block.level, "h3")
            if block.level:
                flow.append(CondPageBreak({1: 110, 2: 96}.get(block.level, 90)))
            flow.append(Paragraph(block.text, s[style]))
        elif isinstance(block, Para):
            flow.append(Paragraph(block.text, s[block.style]))
        elif isinstance(block, Facts):
            flow.append(facts_table(block.rows, label_width=block.label_width))
            flow.append(Spacer(1, 4))
        elif isinstance(block, Table):
            flow.append(
                list_table(
                    block.header,
                    [list(r) for r in block.rows],
                    _fit(block.widths),
                    numeric=set(block.numeric),
                    total=block.total,
                    mono=set(block.mono),
                )
            )
            flow.append(Spacer(1, 6))
        elif isinstance(block, Rule):
            flow.append(
                HRFlowable(width="100%", thickness=1.2, color=INK, spaceBefore=2, spaceAfter=6)
            )
        elif isinstance(block, Signature):
            # The letter's last paragraph goes with the signature: never a signature alone;
            # and the heading over that paragraph goes with them: never a heading alone.
            last = [flow.pop()] if flow and isinstance(flow[-1], Paragraph) else []
            if last and flow and _is_heading(flow[-1]):
                last.insert(0, flow.pop())
                if flow and isinstance(flow[-1], CondPageBreak):
                    flow.pop()
            flow.append(
                KeepTogether(
                    [
                        *last,
                        Spacer(1, 4),
                        Paragraph(block.close, s["body"]),
                        Spacer(1, 24),
                        *[Paragraph(line, s["value"]) for line in block.lines],
                        *(
                            [Spacer(1, 10), Paragraph(block.after, s["small"])]
                            if block.after
                            else []
                        ),
                    ]
                )
            )
    return flow


def _fit(widths: list[float]) -> list[float]:
    total = sum(widths)
    return [w * WIDTH / total for w in widths] if total > WIDTH else widths


def render_blocks_pdf(
    blocks: list[Block], *, canvasmaker, title: str, author: str, subject: str
) -> bytes:
    """The PDF bytes of a block list, with the running header and page numbers the
    `canvasmaker` draws (invariant: the same blocks give the same bytes)."""
    return letter_pdf(
        flowables(blocks), canvasmaker=canvasmaker, title=title, author=author, subject=subject
    )


def letter_pdf(story: list, *, canvasmaker, title: str, author: str, subject: str) -> bytes:
    """A story of flowables laid on US Letter pages with the memos' margins: the one page
    set-up of every document (invariant mode, so the same story gives the same bytes)."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator="CBA Monitor",
        invariant=1,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


def text_of(value) -> str:
    """User-entered text made safe for a block's markup."""
    return markup(value)
