"""Render a memo snapshot as a PDF (SPEC §6), with reportlab platypus.

The PDF is a function of the snapshot alone (no database access here) and is built in
reportlab's invariant mode, so the same snapshot always gives the same bytes. Sections:
1 heading and summary (here); 2 each commitment (`commitments.py`); 3 wage restitution
(`restitution.py`); 4 reporting, 5 flag and 6 enforcement history, with the cure deadline a
notice sent today would set (`history.py`); 7 data sources (here). Every page but the
first carries a running header; every page says "Page n of N". A counsel memo (the
snapshot's `audience`) is titled a case memo and every one of its pages is marked
privileged.
"""

from decimal import Decimal

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    Spacer,
)
from reportlab.platypus.flowables import HRFlowable

from compliance.enforcement.memos.commitments import commitment_section
from compliance.enforcement.memos.history import (
    enforcement_section,
    flags_section,
    reporting_section,
)
from compliance.enforcement.memos.layout import (
    MARGIN_X,
    Ledger,
    facts_table,
    join,
)
from compliance.enforcement.memos.render_blocks import letter_pdf
from compliance.enforcement.memos.restitution import wages_section
from compliance.enforcement.memos.styles import (
    INK,
    MONO,
    MUTED,
    RULE,
    TARGET,
    fonts,
    markup,
    styles,
)
from compliance.formatting import long_date, money, number, plural, timestamp

SOURCE_LABELS = {
    "excel": "Excel",
    "ecpr": "eCPR XML",
    "api": "API",
    "web": "Web form",
    "no_work": "No work",
}
COUNSEL_MARKING = "Privileged and confidential: attorney work product"


def _for_counsel(snap: dict) -> bool:
    return snap.get("audience") == "counsel"


def memo_canvas(*, header: str, footer: str, marking: str = ""):
    """A canvas that holds its pages until the end, so each can say "Page n of N"; a
    `marking` is drawn at the top of every page."""

    class MemoCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            f = fonts()
            page = self._pageNumber
            width, height = LETTER
            self.saveState()
            self.setFillColor(MUTED)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            if marking:
                self.setFont(f["bold"], 8.5)
                self.setFillColor(TARGET)
                self.drawCentredString(width / 2, height - 0.38 * inch, marking)
                self.setFillColor(MUTED)
            if page > 1:
                self.setFont(f["regular"], 7.5)
                self.drawString(MARGIN_X, height - 0.55 * inch, header)
                self.line(MARGIN_X, height - 0.6 * inch, width - MARGIN_X, height - 0.6 * inch)
            self.line(MARGIN_X, 0.6 * inch, width - MARGIN_X, 0.6 * inch)
            self.setFont(f["regular"], 7)
            self.drawString(MARGIN_X, 0.45 * inch, footer)
            self.setFont(f["bold"], 7.5)
            self.drawRightString(width - MARGIN_X, 0.45 * inch, f"Page {page} of {total}")
            self.restoreState()

    return MemoCanvas


# ---------------------------------------------------------------------------------------
# 1. Heading and summary


def _as_of_words(snap: dict) -> str:
    """ "October 31, 2026, the end of the last complete month": the day figures stop."""
    reason = snap.get("as_of_reason")
    return long_date(snap["as_of"]) + (f", {reason}" if reason else "")


def _figures_as_of(snap: dict) -> str:
    return f"Figures as of {_as_of_words(snap)}"


def heading_rows(snap: dict) -> list[tuple[str, str]]:
    """The memo heading: to, copies, from, date, re (values in paragraph markup)."""
    to, sender, project = snap["to"], snap["from"], snap["project"]
    agreement = snap["agreement"]
    to_line = f"<b>{markup(to['name'])}</b><br/>{markup(to['detail'])}"
    from_line = f"<b>{markup(sender['name'])}</b>"
    if sender.get("title") and sender["title"].casefold() != sender["name"].casefold():
        from_line += f", {markup(sender['title'])}"
    if sender.get("organization"):
        from_line += f"<br/>{markup(sender['organization'])}"
    re_line = (
        f"Compliance with {markup(agreement['title']) if agreement else 'the agreement'}: "
        f"{markup(project['name'])}"
    )
    if snap["scope"]["contractor"]:
        re_line += f", {markup(snap['scope']['contractor'])}"
    rows = [("To", to_line)]
    if to.get("cc"):
        rows.append(("Cc", markup(to["cc"])))
    return rows + [
        ("From", from_line),
        ("Date", long_date(snap["memo_date"])),
        ("Re", f"<b>{re_line}</b>"),
        ("As of", _as_of_words(snap)),
    ]


COUNSEL_WARNING = (
    "This case memo is the law center's own. It carries the coalition's and the law center's "
    "internal notes and workers' names: do not send it to the contractor or the owner; "
    "request a memo for the recipient instead."
)


def _heading(snap: dict) -> list:
    s = styles()
    sender = snap["from"]
    rows = heading_rows(snap)
    flow = []
    if sender.get("organization"):
        flow.append(Paragraph(markup(sender["organization"]).upper(), s["letterhead"]))
    warning = []
    if _for_counsel(snap):
        warning.append(Paragraph(COUNSEL_WARNING, s["callout"]))
    return [
        *flow,
        Paragraph("Case memo" if _for_counsel(snap) else "Memorandum", s["title"]),
        facts_table(rows, label_width=54),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=1.2, color=INK, spaceBefore=2, spaceAfter=6),
        *warning,
    ]


def _summary(snap: dict) -> list:
    s = styles()
    return [Paragraph("1. Summary of findings", s["h1"]), Paragraph(summary_text(snap), s["body"])]


def summary_text(snap: dict) -> str:
    """The summary of findings, in paragraph markup (the PDF's and the DOCX's)."""
    summary, project, agreement = snap["summary"], snap["project"], snap["agreement"]
    who = snap["scope"]["contractor"]
    subject = f"{markup(who)}'s compliance with" if who else "compliance with"
    agreement_name = f"the {markup(agreement['title'])}" if agreement else "the project's agreement"
    parts = [
        f"This memo reports on {subject} {agreement_name} on the {markup(project['name'])} "
        f"project, from the certified payroll and progress reports filed in CBA Monitor. "
        f"{_figures_as_of(snap)}."
    ]
    n = summary["commitments"]
    shortfall, at_risk = summary["shortfall"], summary["at_risk"]
    reviewed = f"Of the {plural(n, 'commitment')} reviewed, "
    if n == 1:
        if shortfall:
            parts.append(f"The commitment reviewed, {markup(shortfall[0])}, is in shortfall.")
        elif at_risk:
            parts.append(f"The commitment reviewed, {markup(at_risk[0])}, is at risk.")
        else:
            parts.append("The commitment reviewed is neither in shortfall nor at risk.")
    elif shortfall:
        verb = "is" if len(shortfall) == 1 else "are"
        parts.append(
            f"{reviewed}{len(shortfall)} {verb} in shortfall ({markup(join(shortfall))})"
            + (f" and {len(at_risk)} at risk ({markup(join(at_risk))})." if at_risk else ".")
        )
    elif at_risk:
        verb = "is" if len(at_risk) == 1 else "are"
        parts.append(
            f"{reviewed}none is in shortfall; {len(at_risk)} {verb} at risk "
            f"({markup(join(at_risk))})."
        )
    elif n:
        parts.append(f"{reviewed}none is in shortfall or at risk.")
    own = summary["liquidated_damages"]
    if own is not None and Decimal(own):
        whose = f" on {markup(who)}'s own groups" if who else ""
        parts.append(
            f"Liquidated damages at the rates the agreement sets come to <b>{money(own)}</b>"
            f"{whose}."
        )
    exposure = summary.get("damages_exposure")
    if exposure is not None and Decimal(exposure):
        whose = f" on {markup(who)}'s own groups" if who else ""
        parts.append(
            "Liquidated damages are not owed before the project's completion under the "
            f"agreement; if the shortfall stands at completion, the exposure{whose} at the "
            f"rates the agreement sets is <b>{money(exposure)}</b>."
        )
    wide = summary.get("project_wide_damages")
    if wide is not None and Decimal(wide):
        parts.append(
            f"The clauses measured across the whole project carry {money(wide)} in liquidated "
            "damages for the project as a whole."
        )
    wide = summary.get("project_wide_exposure")
    if wide is not None and Decimal(wide):
        parts.append(
            "The clauses measured across the whole project carry an exposure of "
            f"{money(wide)} for the project as a whole if the shortfall stands at completion."
        )
    if summary["restitution"] is not None and Decimal(summary["restitution"]):
        owed = summary["workers_owed"]
        parts.append(
            f"Restitution of <b>{money(summary['restitution'])}</b> is owed to "
            f"{plural(owed, 'worker')} paid below the required wage."
        )
    missing, late = summary["missing_reports"], summary["late_reports"]
    if missing or late:
        parts.append(
            f"Of the monthly reports due, {missing:,} {'is' if missing == 1 else 'are'} "
            f"missing and {late:,} {'was' if late == 1 else 'were'} filed late."
        )
    unresolved = summary["unresolved_flags"]
    if unresolved:
        parts.append(
            f"There {'is' if unresolved == 1 else 'are'} {plural(unresolved, 'unresolved flag')}."
        )
    parts.append(
        "A notice of non-compliance sent today would set a cure deadline of "
        f"<b>{long_date(snap['enforcement']['cure_deadline_if_sent_today'])}</b>."
    )
    return " ".join(parts)


def _sources(snap: dict, snapshot_sha256: str) -> list:
    s = styles()
    sources = snap["sources"]
    reports = sources["reports"]
    as_of = f" as of {long_date(snap['as_of'])}" if snap["as_of"] else ""
    flow = [
        CondPageBreak(1.5 * inch),
        Paragraph("7. Data sources", s["h1"]),
        Paragraph(
            f"Every figure in this memo is CBA Monitor's evaluation of the commitments{as_of}, "
            "computed from the current version of each monthly report listed below; earlier "
            "versions are kept but do not count. The figures used are stored with the memo as "
            "a JSON snapshot (canonical form: sorted keys, no spaces, UTF-8) whose SHA-256 is",
            s["body"],
        ),
        Paragraph(f'<font name="{MONO}" size="8.5">{snapshot_sha256}</font>', s["body"]),
        Paragraph(
            f"{plural(len(reports), 'report version')} used, with "
            f"{number(sources['lines'], 0)} payroll lines. Each file's SHA-256 identifies the "
            "exact submission.",
            s["body"],
        ),
    ]
    if not reports:
        return flow
    # Thousands of rows on a large project: a Ledger, with each contractor as a heading row.
    rows: list = []
    contractor = None
    for r in reports:
        if r["contractor"] != contractor:
            contractor = r["contractor"]
            rows.append(contractor)
        rows.append(
            [
                r["month"],
                str(r["version"]),
                SOURCE_LABELS.get(r["source"], r["source"]),
                timestamp(r["submitted_at"]),
                f"{r['lines']:,}",
                r["sha256"] or "—",
            ]
        )
    flow.append(
        Ledger(
            ["Month", "Ver.", "Source", "Submitted", "Lines", "SHA-256"],
            rows,
            [42, 28, 48, 82, 36, 260],
            numeric={1, 4},
            mono={5},
        )
    )
    return flow


# ---------------------------------------------------------------------------------------


def render_memo_pdf(snapshot: dict, *, snapshot_sha256: str) -> bytes:
    """The memo's PDF bytes for one snapshot (deterministic)."""
    s = styles()
    project = snapshot["project"]
    memo_date = long_date(snapshot["memo_date"])
    kind = "Case memo" if _for_counsel(snapshot) else "Enforcement memo"
    header = f"{project['name']}  ·  {kind} of {memo_date}"
    if snapshot["scope"]["contractor"]:
        header += f"  ·  {snapshot['scope']['contractor']}"
    footer = f"Snapshot SHA-256 {snapshot_sha256}"

    story = [*_heading(snapshot), *_summary(snapshot), Paragraph("2. Commitments", s["h1"])]
    if not snapshot["commitments"]:
        story.append(Paragraph("No commitment is in question in this memo.", s["body"]))
    for i, entry in enumerate(snapshot["commitments"], start=1):
        story += commitment_section(f"2.{i}", entry)
    counsel = _for_counsel(snapshot)
    story += wages_section(snapshot, names=counsel)
    story += reporting_section(snapshot)
    story += flags_section(snapshot, counsel=counsel)
    story += enforcement_section(snapshot)
    story += _sources(snapshot, snapshot_sha256)

    marking = COUNSEL_MARKING if _for_counsel(snapshot) else ""
    return letter_pdf(
        story,
        canvasmaker=memo_canvas(header=header, footer=footer, marking=marking),
        title=f"Enforcement memo: {project['name']}",
        author=snapshot["from"]["organization"] or snapshot["from"]["name"],
        subject=f"Compliance memo of {memo_date}",
    )
