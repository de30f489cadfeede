"""Sections 4 to 6 of the memo PDF: the reporting, flag and enforcement histories."""

from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from compliance.enforcement.memos.layout import Mark, list_table, status_markup, subheading
from compliance.enforcement.memos.ledger_section import ledger_section
from compliance.enforcement.memos.styles import markup, styles
from compliance.formatting import long_date, money, month, plural, short_date, timestamp


def reporting_section(snap: dict) -> list:
    """Section 4: reports due, on time, late and missing, by contractor and by month."""
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
                month(m["month"]),
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


def _event_markup(event: dict) -> str:
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
            markup(flag["kind_label"]),
            status_markup(status_color, flag["status_label"]),
            markup(flag["group"]),
            month(flag["month"]) if flag["month"] else "",
            f"raised {timestamp(flag['raised_at'])}",
            f"closed {timestamp(flag['resolved_at'])}" if flag["resolved_at"] else "",
        ]
        if part
    )
    rows = [
        [
            timestamp(e["at"]),
            e["actor"],
            _event_markup(e),
            ("Internal: " if e["internal"] and e["note"] else "")
            + ("" if e["note"] == flag["title"] else e["note"])
            + (f" [Attached: {e['attachment']}]" if e.get("attachment") else ""),
        ]
        for e in flag["events"]
    ]
    block = [
        Paragraph(f"Flag #{flag['id']}: {markup(flag['title'])}", s["h3"]),
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


def flags_section(snap: dict, *, counsel: bool) -> list:
    """Section 5: the flags on the matters in question and the history of those acted on;
    internal notes only in a counsel memo (the snapshot holds only what its audience may read)."""
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
        list_table(["Flag", "Finding", "Severity", "Status", "Raised"], rows, [46, 250, 54, 70, 76])
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
                if counsel
                else "Every event on the flag, oldest first, with the notes shared with the "
                "contractor and the owner.",
                s["small"],
            ),
        ]
    for flag in told:
        flow += _flag_block(flag)
    return flow


def enforcement_section(snap: dict) -> list:
    """Section 6: enforcement actions with their cure deadlines, the deadline a notice sent
    today would set, and (counsel) the ledger of damages assessed and collected."""
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
            note = markup(a["note"])
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
    return flow + ledger_section(snap)
