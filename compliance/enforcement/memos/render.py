"""Render a memo snapshot as a PDF (SPEC §6), with reportlab platypus.

The PDF is a function of the snapshot alone (no database access here) and is built in
reportlab's invariant mode, so the same snapshot always gives the same bytes. Sections:
1 heading and summary; 2 each commitment (`commitments.py`); 3 wage restitution; 4 reporting
history; 5 flag history; 6 enforcement history with the cure deadline a notice sent today
would set; 7 data sources. Every page but the first carries a running header; every page
says "Page n of N". A counsel memo (the snapshot's `audience`) is titled a case memo and
every one of its pages is marked privileged.
"""

import io
from decimal import Decimal

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas as pdfcanvas
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

from compliance.enforcement.memos.commitments import commitment_section
from compliance.enforcement.memos.layout import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    Ledger,
    Mark,
    facts_table,
    grouped_rows,
    join,
    list_table,
    plural,
    status_markup,
    subheading,
)
from compliance.enforcement.memos.styles import (
    INK,
    MONO,
    MUTED,
    RULE,
    TARGET,
    fonts,
    long_date,
    money,
    month_label,
    number,
    short_date,
    styles,
    text,
    timestamp,
)

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


def _worker(row: dict) -> str:
    """The worker ID, and the name where the snapshot carries one (counsel memos only)."""
    return f"{row['worker']} · {row['name']}" if row.get("name") else row["worker"]


def _canvas_class(*, header: str, footer: str, marking: str = ""):
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


def _heading(snap: dict) -> list:
    s = styles()
    to, sender, project = snap["to"], snap["from"], snap["project"]
    agreement = snap["agreement"]
    to_line = f"<b>{text(to['name'])}</b><br/>{text(to['detail'])}"
    from_line = f"<b>{text(sender['name'])}</b>"
    if sender.get("title") and sender["title"].casefold() != sender["name"].casefold():
        from_line += f", {text(sender['title'])}"
    if sender.get("organization"):
        from_line += f"<br/>{text(sender['organization'])}"
    re_line = (
        f"Compliance with {text(agreement['title']) if agreement else 'the agreement'}: "
        f"{text(project['name'])}"
    )
    if snap["scope"]["contractor"]:
        re_line += f", {text(snap['scope']['contractor'])}"
    rows = [("To", to_line)]
    if to.get("cc"):
        rows.append(("Cc", text(to["cc"])))
    rows += [
        ("From", from_line),
        ("Date", long_date(snap["memo_date"])),
        ("Re", f"<b>{re_line}</b>"),
    ]
    flow = []
    if sender.get("organization"):
        flow.append(Paragraph(text(sender["organization"]).upper(), s["letterhead"]))
    warning = []
    if _for_counsel(snap):
        warning.append(
            Paragraph(
                "This case memo is the law center's own. It carries the coalition's and the "
                "law center's internal notes and workers' names: do not send it to the "
                "contractor or the owner; request a memo for the recipient instead.",
                s["callout"],
            )
        )
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
    summary, project, agreement = snap["summary"], snap["project"], snap["agreement"]
    who = snap["scope"]["contractor"]
    subject = f"{text(who)}'s compliance with" if who else "compliance with"
    agreement_name = f"the {text(agreement['title'])}" if agreement else "the project's agreement"
    as_of = f"as evaluated on {long_date(snap['as_of'])}" if snap["as_of"] else "not yet evaluated"
    parts = [
        f"This memo reports on {subject} {agreement_name} on the {text(project['name'])} "
        f"project, from the certified payroll and progress reports filed in CBA Monitor, "
        f"{as_of}."
    ]
    n = summary["commitments"]
    shortfall, at_risk = summary["shortfall"], summary["at_risk"]
    reviewed = f"Of the {plural(n, 'commitment')} reviewed, "
    if n == 1:
        if shortfall:
            parts.append(f"The commitment reviewed, {text(shortfall[0])}, is in shortfall.")
        elif at_risk:
            parts.append(f"The commitment reviewed, {text(at_risk[0])}, is at risk.")
        else:
            parts.append("The commitment reviewed is neither in shortfall nor at risk.")
    elif shortfall:
        verb = "is" if len(shortfall) == 1 else "are"
        parts.append(
            f"{reviewed}{len(shortfall)} {verb} in shortfall ({text(join(shortfall))})"
            + (f" and {len(at_risk)} at risk ({text(join(at_risk))})." if at_risk else ".")
        )
    elif at_risk:
        verb = "is" if len(at_risk) == 1 else "are"
        parts.append(
            f"{reviewed}none is in shortfall; {len(at_risk)} {verb} at risk "
            f"({text(join(at_risk))})."
        )
    elif n:
        parts.append(f"{reviewed}none is in shortfall or at risk.")
    own = summary["liquidated_damages"]
    if own is not None and Decimal(own):
        whose = f" on {text(who)}'s own groups" if who else ""
        parts.append(
            f"Liquidated damages at the rates the agreement sets come to <b>{money(own)}</b>"
            f"{whose}."
        )
    wide = summary.get("project_wide_damages")
    if wide is not None and Decimal(wide):
        parts.append(
            f"The clauses measured across the whole project carry {money(wide)} in liquidated "
            "damages for the project as a whole."
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
    return [Paragraph("1. Summary of findings", s["h1"]), Paragraph(" ".join(parts), s["body"])]


# ---------------------------------------------------------------------------------------
# 3. Wages


def _by_contractor(wages: dict, rows: list[dict], build) -> list[tuple[str, list[list]]]:
    """Listed rows grouped under their contractor, contractors owing the most first."""
    groups = []
    for c in wages["contractors"]:
        members = [build(r) for r in rows if r["contractor"] == c["contractor"]]
        if members:
            heading = (
                f"{c['contractor']}: {plural(c['workers'], 'worker')}, "
                f"{number(c['hours'])} underpaid hours, {money(c['owed'])} owed"
            )
            groups.append((heading, members))
    return groups


def _wage_section(wages: dict, names: bool) -> list:
    s = styles()
    title = f"{text(wages['clause'])} {text(wages['title'])}".strip()
    if not wages["violation_count"]:
        return [Paragraph(f"{title}: no line was paid below the required rate.", s["body"])]
    source = (
        "the evaluation's underpayment figure"
        if wages["total_source"] == "evaluation"
        else "the sum of this contractor's underpaid lines"
    )
    workers = wages["worker_count"]
    rows, extra = grouped_rows(
        _by_contractor(
            wages,
            wages["by_worker"],
            lambda w: [_worker(w), str(w["weeks"]), number(w["hours"]), money(w["owed"])],
        ),
        columns=4,
    )
    flow = [
        Paragraph(title, s["h2"]),
        Paragraph(
            f"{plural(workers, 'worker')} {'was' if workers == 1 else 'were'} paid below the "
            f"required rate in {plural(wages['week_count'], 'worker-week')} "
            f"({number(wages['underpaid_hours'])} hours). Restitution owed: "
            f"<b>{money(wages['total_owed'])}</b> ({source}). Workers are identified by their "
            + (
                "contractor's worker ID and, where the contractor reported it, their name."
                if names
                else "contractor's worker ID only."
            ),
            s["body"],
        ),
        *subheading("Restitution by worker"),
        list_table(
            ["Worker" if names else "Worker ID", "Weeks underpaid", "Underpaid hours", "Owed"],
            rows,
            [190, 90, 100, 116],
            numeric={1, 2, 3},
            total=[
                "All workers",
                str(wages["week_count"]),
                number(wages["underpaid_hours"]),
                money(wages["total_owed"]),
            ],
            extra=extra,
            zebra=False,
        ),
    ]
    rest = wages["by_worker_not_listed"]
    if rest["count"]:
        flow.append(
            Paragraph(
                f"The {len(wages['by_worker'])} workers owed the most are listed; "
                f"{plural(rest['count'], 'more worker')} are owed {money(rest['owed'])} "
                "together (in the totals and in the memo's snapshot).",
                s["small"],
            )
        )
    rows, extra = grouped_rows(
        _by_contractor(
            wages,
            wages["lines"],
            lambda v: [
                _worker(v),
                short_date(v["week_ending"]),
                v["craft"],
                number(v["hours"]),
                money(v["paid"]),
                money(v["required"]),
                money(v["owed"]),
            ],
        ),
        columns=7,
    )
    flow += [
        *subheading("Underpaid weeks: hourly rate paid against the rate required"),
        list_table(
            [
                "Worker" if names else "Worker ID",
                "Week ending",
                "Craft",
                "Hours",
                "Paid",
                "Required",
                "Owed",
            ],
            rows,
            [130, 70, 70, 48, 58, 60, 60] if names else [84, 76, 106, 52, 58, 60, 60],
            numeric={3, 4, 5, 6},
            extra=extra,
            zebra=False,
        ),
    ]
    rest = wages["lines_not_listed"]
    if rest["count"]:
        flow.append(
            Paragraph(
                f"The {len(wages['lines'])} largest underpayments are listed; "
                f"{plural(rest['count'], 'more line')} add {money(rest['owed'])} (in the "
                "totals above and in the memo's snapshot).",
                s["small"],
            )
        )
    return flow


def _wages(snap: dict) -> list:
    s = styles()
    flow = [CondPageBreak(1.5 * inch), Paragraph("3. Wage violations and restitution", s["h1"])]
    if not snap["wages"]:
        flow.append(Paragraph("No wage-floor commitment is in question in this memo.", s["body"]))
    for wages in snap["wages"]:
        flow += _wage_section(wages, names=_for_counsel(snap))
    return flow


# ---------------------------------------------------------------------------------------
# 4–7. Reporting, flags, enforcement, sources


def _reporting(snap: dict) -> list:
    s = styles()
    reporting = snap["reporting"]
    flow = [CondPageBreak(1.5 * inch), Paragraph("4. Reporting history", s["h1"])]
    if not reporting["contractors"]:
        flow.append(Paragraph("No reporting obligation has been evaluated yet.", s["body"]))
        return flow
    t = reporting["totals"]
    due_day = snap["agreement"]["report_due_day"] if snap["agreement"] else 15
    flow.append(
        Paragraph(
            f"Each contractor owes a report for every month of its work, due on day {due_day} "
            f"of the following month. Of {plural(t['due'], 'report')} due, {t['on_time']:,} "
            f"arrived on time, {t['late']:,} late and {t['missing']:,} not at all.",
            s["body"],
        )
    )
    rows = [
        [
            c["contractor"],
            str(c["due"]),
            str(c["on_time"]),
            str(c["late"]),
            str(c["missing"]),
            str(c["not_yet_due"]),
        ]
        for c in reporting["contractors"]
    ]
    total = None
    if len(rows) > 1:
        total = [
            "All contractors",
            str(t["due"]),
            str(t["on_time"]),
            str(t["late"]),
            str(t["missing"]),
            "",
        ]
    flow.append(
        list_table(
            ["Contractor", "Due", "On time", "Late", "Missing", "Not yet due"],
            rows,
            [206, 56, 56, 56, 56, 66],
            numeric={1, 2, 3, 4, 5},
            total=total,
        )
    )
    if reporting["months"]:
        rows = [
            [
                m["contractor"],
                month_label(m["month"]),
                short_date(m["due_date"]),
                Mark(
                    m["status"].capitalize(),
                    "shortfall" if m["status"] == "missing" else "at_risk",
                ),
                timestamp(m["submitted_at"]),
                str(m["version"] or "—"),
            ]
            for m in reporting["months"]
        ]
        flow += [
            *subheading("Missing and late reports"),
            list_table(
                ["Contractor", "Month", "Due", "Status", "Received", "Version"],
                rows,
                [160, 62, 72, 56, 96, 50],
                numeric={5},
            ),
        ]
        if reporting["months_not_listed"]:
            flow.append(
                Paragraph(
                    f"{plural(reporting['months_not_listed'], 'more late or missing month')} "
                    "are counted above and listed in the memo's snapshot.",
                    s["small"],
                )
            )
    return flow


def _event_text(event: dict) -> str:
    if event["kind"] == "transition" and event["to_status"]:
        what = f"{event['from_status'] or '—'} → {event['to_status']}"
    else:
        what = event["kind"]
    return what.replace("_", " ")


def _flag_block(flag: dict) -> list:
    s = styles()
    status_color = "shortfall" if flag["status"] in ("open", "escalated") else "met"
    meta = " · ".join(
        part
        for part in [
            flag["severity"].capitalize(),
            text(flag["kind_label"]),
            status_markup(status_color, flag["status_label"]),
            text(flag["group"]),
            month_label(flag["month"]) if flag["month"] else "",
            f"raised {timestamp(flag['raised_at'])}",
            f"closed {timestamp(flag['resolved_at'])}" if flag["resolved_at"] else "",
        ]
        if part
    )
    rows = [
        [
            timestamp(e["at"]),
            e["actor"],
            _event_text(e),
            ("Internal: " if e["internal"] and e["note"] else "")
            + ("" if e["note"] == flag["title"] else e["note"]),
        ]
        for e in flag["events"]
    ]
    block = [
        Paragraph(f"Flag #{flag['id']}: {text(flag['title'])}", s["h3"]),
        Paragraph(meta, s["small"]),
    ]
    if rows:
        block.append(list_table(["When", "Who", "Event", "Note"], rows, [96, 86, 90, 224]))
    if flag["events_not_listed"]:
        block.append(
            Paragraph(
                f"{plural(flag['events_not_listed'], 'earlier event')} not shown.", s["small"]
            )
        )
    block.append(Spacer(1, 4))
    return [KeepTogether(block)] if len(rows) <= 8 else block


def _acted_on(flag: dict) -> bool:
    """Someone did something about the flag: a transition or a comment, not only the
    engine raising and updating it."""
    return any(e["kind"] not in ("raised", "updated") for e in flag["events"])


def _flags(snap: dict) -> list:
    s = styles()
    flags = snap["flags"]
    flow = [CondPageBreak(1.5 * inch), Paragraph("5. Flag history", s["h1"])]
    if not flags["listed"]:
        flow.append(Paragraph("No flag has been raised on the matters in question.", s["body"]))
        return flow
    if flags["selected"]:
        intro = "The flags chosen for this memo, most serious first, then each one's history."
        told = flags["listed"]
    else:
        verb = "concerns" if flags["total"] == 1 else "concern"
        intro = (
            f"{plural(flags['total'], 'flag')} {verb} the matters in question "
            f"({flags['unresolved']:,} unresolved), most serious first. The histories below "
            "follow every flag someone acted on or commented."
        )
        told = [f for f in flags["listed"] if _acted_on(f)]
    flow.append(Paragraph(intro, s["body"]))
    rows = [
        [
            f"#{f['id']}",
            f["title"],
            f["severity"].capitalize(),
            Mark(f["status_label"], "shortfall" if f["status"] in ("open", "escalated") else "met"),
            short_date(f["raised_at"]),
        ]
        for f in flags["listed"]
    ]
    flow.append(
        list_table(["Flag", "Finding", "Severity", "Status", "Raised"], rows, [34, 262, 54, 70, 76])
    )
    if flags["not_listed"]:
        flow.append(
            Paragraph(
                f"{plural(flags['not_listed'], 'more flag')} on these matters are not listed "
                "here (unresolved and critical flags come first).",
                s["small"],
            )
        )
    if told:
        flow += [
            *subheading("Histories"),
            Paragraph(
                "Every event on the flag, oldest first. Internal notes, which only the "
                "coalition and the law center read, are marked as such."
                if _for_counsel(snap)
                else "Every event on the flag, oldest first, with the notes shared with the "
                "contractor and the owner.",
                s["small"],
            ),
        ]
    for flag in told:
        flow += _flag_block(flag)
    return flow


def _enforcement(snap: dict) -> list:
    s = styles()
    enforcement = snap["enforcement"]
    memo_date = snap["memo_date"]
    flow = [CondPageBreak(1.5 * inch), Paragraph("6. Enforcement history", s["h1"])]
    if enforcement["actions"]:
        rows = []
        for a in enforcement["actions"]:
            deadline = "—"
            if a["cure_deadline"]:
                deadline = short_date(a["cure_deadline"])
                if a["cured_at"]:
                    deadline += f"; cured {short_date(a['cured_at'])}"
                elif a["cure_deadline"] < memo_date:
                    deadline += "; passed, not cured"
            note = text(a["note"])
            links = [f"flag #{i}" for i in a["flags"]] + (
                [f"memo #{a['memo']}"] if a["memo"] else []
            )
            if links:
                note += ("<br/>" if note else "") + f"<i>Linked: {', '.join(links)}.</i>"
            rows.append(
                [
                    short_date(a["date"]),
                    a["kind_label"],
                    a["contractor"] or "All",
                    money(a["amount"]) if a["amount"] else "—",
                    deadline,
                    Paragraph(note, s["cell"]),
                ]
            )
        flow.append(
            list_table(
                ["Date", "Action", "Contractor", "Amount", "Cure deadline", "Note"],
                rows,
                [62, 86, 84, 62, 82, 120],
                numeric={3},
            )
        )
    else:
        flow.append(Paragraph("No enforcement action has been recorded yet.", s["body"]))
    days = enforcement["cure_period_days"]
    flow.append(
        Paragraph(
            f"A notice of non-compliance sent today, {long_date(memo_date)}, would set a cure "
            f"deadline of <b>{long_date(enforcement['cure_deadline_if_sent_today'])}</b>: the "
            f"agreement gives {plural(days, 'day')} to cure.",
            s["callout"],
        )
    )
    return flow


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
    story += _wages(snapshot)
    story += _reporting(snapshot)
    story += _flags(snapshot)
    story += _enforcement(snapshot)
    story += _sources(snapshot, snapshot_sha256)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"Enforcement memo: {project['name']}",
        author=snapshot["from"]["organization"] or snapshot["from"]["name"],
        subject=f"Compliance memo of {memo_date}",
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
    doc.addPageTemplates([PageTemplate(id="memo", frames=[frame])])
    marking = COUNSEL_MARKING if _for_counsel(snapshot) else ""
    doc.build(story, canvasmaker=_canvas_class(header=header, footer=footer, marking=marking))
    return buffer.getvalue()
