"""Section 3 of the memo PDF: wage violations and restitution, by worker and by week."""

from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, Paragraph

from compliance.enforcement.memos.layout import grouped_rows, list_table, subheading
from compliance.enforcement.memos.styles import markup, styles
from compliance.formatting import money, number, plural, short_date


def _worker(row: dict) -> str:
    """The worker ID, and the name where the snapshot carries one (counsel memos only)."""
    return f"{row['worker']} · {row['name']}" if row.get("name") else row["worker"]


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
    title = f"{markup(wages['clause'])} {markup(wages['title'])}".strip()
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


def wages_section(snap: dict, *, names: bool) -> list:
    """Section 3: each wage floor's underpaid workers and weeks; `names` (counsel memos
    only) shows workers' names beside their IDs."""
    s = styles()
    flow = [CondPageBreak(1.5 * inch), Paragraph("3. Wage violations and restitution", s["h1"])]
    if not snap["wages"]:
        flow.append(Paragraph("No wage-floor commitment is in question in this memo.", s["body"]))
    for wages in snap["wages"]:
        flow += _wage_section(wages, names=names)
    return flow
