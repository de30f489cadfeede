"""The case memo as a Word document (SPEC §6): the PDF's sections and figures, editable.

Written as blocks from the same snapshot and with the same phrases as the PDF (the heading
rows, the summary, each kind's facts, `compliance.formatting` for every figure); the chart
is left to the PDF. A counsel memo's every page is marked privileged in the page header.
"""

from compliance.enforcement.memos.commitments import commitment_facts
from compliance.enforcement.memos.docx_render import render_docx
from compliance.enforcement.memos.history import _acted_on, _event_markup
from compliance.enforcement.memos.render import (
    COUNSEL_MARKING,
    COUNSEL_WARNING,
    SOURCE_LABELS,
    heading_rows,
    summary_text,
)
from compliance.enforcement.memos.render_blocks import Block, Facts, Heading, Para, Rule, Table
from compliance.enforcement.memos.styles import markup
from compliance.evaluation.kinds.base import damages_arithmetic
from compliance.formatting import (
    long_date,
    money,
    month,
    number,
    percent,
    plural,
    short_date,
    timestamp,
)


def _commitment(number_: str, entry: dict) -> list[Block]:
    title = f"{number_} {markup(entry['clause'])} {markup(entry['title'])}".replace("  ", " ")
    blocks: list[Block] = [
        Heading(title, 2),
        *([Para(f"Source: {markup(entry['cited'])}.", "small")] if entry.get("cited") else []),
        Para(f"{markup(entry['kind_label'])}, measured {markup(entry['scope_label'])}.", "small"),
        Para(markup(entry["text"] or "The clause text is not recorded in CBA Monitor."), "quote"),
    ]
    blocks.append(Facts(commitment_facts(entry)))
    if not entry["evaluated"]:
        return blocks
    groups, totals = entry["groups"], entry["totals"]
    if totals["groups"] > 1:
        blocks.append(
            Table(
                ["Group", "Counted", "Total", "Actual", "Status", "Shortfall", "Damages"],
                [
                    [
                        markup(g["label"]),
                        number(g["numerator"]),
                        number(g["denominator"]),
                        percent(g["actual_percent"]),
                        g["status_label"],
                        number(g["shortfall"]),
                        damages_arithmetic(g) or money(g["liquidated_damages"]),
                    ]
                    for g in groups
                ],
                [130, 60, 60, 50, 60, 60, 90],
                numeric=frozenset({1, 2, 3, 5, 6}),
            )
        )
    for detail in entry["details"]:
        blocks.append(Heading(f"Month by month: {markup(detail['label'])}", 3))
        blocks.append(
            Table(
                ["Month", "Total", "Counted", "Percent", "Cumulative percent"],
                [
                    [
                        month(m["month"]),
                        number(m["denominator"]),
                        number(m["numerator"]),
                        percent(m["percent"]),
                        percent(m["cumulative_percent"]),
                    ]
                    for m in detail["series"]
                ],
                [110, 96, 96, 88, 106],
                numeric=frozenset({1, 2, 3, 4}),
                total=[
                    "To date",
                    number(detail["denominator"]),
                    number(detail["numerator"]),
                    "",
                    percent(detail["actual_percent"]),
                ],
            )
        )
    return blocks


def _worker(row: dict, names: bool) -> str:
    if names and row.get("name"):
        return markup(f"{row['worker']} · {row['name']}")
    return markup(row["worker"])


def _wages(snap: dict, names: bool) -> list[Block]:
    blocks: list[Block] = [Heading("3. Wage violations and restitution", 1)]
    if not snap["wages"]:
        blocks.append(Para("No wage-floor commitment is in question in this memo."))
    for wages in snap["wages"]:
        title = f"{markup(wages['clause'])} {markup(wages['title'])}".strip()
        if not wages["violation_count"]:
            blocks.append(Para(f"{title}: no line was paid below the required rate."))
            continue
        workers = wages["worker_count"]
        blocks += [
            Heading(title, 2),
            Para(
                f"{plural(workers, 'worker')} {'was' if workers == 1 else 'were'} paid below the "
                f"required rate in {plural(wages['week_count'], 'worker-week')} "
                f"({number(wages['underpaid_hours'])} hours). Restitution owed: "
                f"<b>{money(wages['total_owed'])}</b>."
            ),
            Heading("Restitution by worker", 3),
            Table(
                ["Contractor", "Worker" if names else "Worker ID", "Weeks", "Hours", "Owed"],
                [
                    [
                        markup(w["contractor"]),
                        _worker(w, names),
                        str(w["weeks"]),
                        number(w["hours"]),
                        money(w["owed"]),
                    ]
                    for w in wages["by_worker"]
                ],
                [130, 150, 60, 70, 86],
                numeric=frozenset({2, 3, 4}),
                total=[
                    "All workers",
                    "",
                    str(wages["week_count"]),
                    number(wages["underpaid_hours"]),
                    money(wages["total_owed"]),
                ],
            ),
            Heading("Underpaid weeks: hourly rate paid against the rate required", 3),
            Table(
                ["Worker" if names else "Worker ID", "Week ending", "Craft", "Hours", "Paid"]
                + ["Required", "Owed"],
                [
                    [
                        _worker(v, names),
                        short_date(v["week_ending"]),
                        markup(v["craft"]),
                        number(v["hours"]),
                        money(v["paid"]),
                        money(v["required"]),
                        money(v["owed"]),
                    ]
                    for v in wages["lines"]
                ],
                [110, 70, 80, 50, 60, 60, 66],
                numeric=frozenset({3, 4, 5, 6}),
            ),
        ]
        rest = wages["lines_not_listed"]
        if rest["count"]:
            blocks.append(
                Para(
                    f"The {len(wages['lines'])} largest underpayments are listed; "
                    f"{plural(rest['count'], 'more line')} add {money(rest['owed'])} (in the "
                    "totals above and in the exhibits).",
                    "small",
                )
            )
    return blocks


def _reporting(snap: dict) -> list[Block]:
    reporting = snap["reporting"]
    blocks: list[Block] = [Heading("4. Reporting history", 1)]
    if not reporting["contractors"]:
        return [*blocks, Para("No reporting obligation has been evaluated yet.")]
    t = reporting["totals"]
    blocks += [
        Para(
            f"Of {plural(t['due'], 'report')} due, {t['on_time']:,} arrived on time, "
            f"{t['late']:,} late and {t['missing']:,} not at all."
        ),
        Table(
            ["Contractor", "Due", "On time", "Late", "Missing", "Not yet due"],
            [
                [
                    markup(c["contractor"]),
                    str(c["due"]),
                    str(c["on_time"]),
                    str(c["late"]),
                    str(c["missing"]),
                    str(c["not_yet_due"]),
                ]
                for c in reporting["contractors"]
            ],
            [206, 56, 56, 56, 56, 66],
            numeric=frozenset({1, 2, 3, 4, 5}),
        ),
    ]
    if reporting["months"]:
        blocks += [
            Heading("Missing and late reports", 3),
            Table(
                ["Contractor", "Month", "Due", "Status", "Received", "Version"],
                [
                    [
                        markup(m["contractor"]),
                        month(m["month"]),
                        short_date(m["due_date"]),
                        m["status"].capitalize(),
                        timestamp(m["submitted_at"]),
                        str(m["version"] or "—"),
                    ]
                    for m in reporting["months"]
                ],
                [160, 62, 72, 56, 96, 50],
                numeric=frozenset({5}),
            ),
        ]
    return blocks


def _flags(snap: dict, counsel: bool) -> list[Block]:
    flags = snap["flags"]
    blocks: list[Block] = [Heading("5. Flag history", 1)]
    if not flags["listed"]:
        return [*blocks, Para("No flag has been raised on the matters in question.")]
    blocks.append(
        Table(
            ["Flag", "Finding", "Severity", "Status", "Raised"],
            [
                [
                    f"#{f['id']}",
                    markup(f["title"]),
                    f["severity"].capitalize(),
                    f["status_label"],
                    short_date(f["raised_at"]),
                ]
                for f in flags["listed"]
            ],
            [34, 262, 54, 70, 76],
        )
    )
    told = flags["listed"] if flags["selected"] else [f for f in flags["listed"] if _acted_on(f)]
    for flag in told:
        blocks.append(Heading(f"Flag #{flag['id']}: {markup(flag['title'])}", 3))
        rows = [
            [
                timestamp(e["at"]),
                markup(e["actor"]),
                _event_markup(e),
                markup(
                    ("Internal: " if counsel and e["internal"] and e["note"] else "")
                    + ("" if e["note"] == flag["title"] else e["note"])
                ),
            ]
            for e in flag["events"]
        ]
        if rows:
            blocks.append(Table(["When", "Who", "Event", "Note"], rows, [96, 86, 90, 224]))
    return blocks


def _enforcement(snap: dict) -> list[Block]:
    enforcement, memo_date = snap["enforcement"], snap["memo_date"]
    blocks: list[Block] = [Heading("6. Enforcement history", 1)]
    if enforcement["actions"]:
        rows = []
        for a in enforcement["actions"]:
            deadline = short_date(a["cure_deadline"]) if a["cure_deadline"] else "—"
            if a["cure_deadline"] and a["cured_at"]:
                deadline += f"; cured {short_date(a['cured_at'])}"
            rows.append(
                [
                    short_date(a["date"]),
                    a["kind_label"],
                    markup(a["contractor"] or "All"),
                    money(a["amount"]) if a["amount"] else "—",
                    deadline,
                    markup(a["note"]),
                ]
            )
        blocks.append(
            Table(
                ["Date", "Action", "Contractor", "Amount", "Cure deadline", "Note"],
                rows,
                [62, 86, 84, 62, 82, 120],
                numeric=frozenset({3}),
            )
        )
    else:
        blocks.append(Para("No enforcement action has been recorded yet."))
    blocks.append(
        Para(
            f"A notice of non-compliance sent today, {long_date(memo_date)}, would set a cure "
            f"deadline of <b>{long_date(enforcement['cure_deadline_if_sent_today'])}</b>: the "
            f"agreement gives {plural(enforcement['cure_period_days'], 'day')} to cure."
        )
    )
    return blocks


def _sources(snap: dict, snapshot_sha256: str) -> list[Block]:
    sources = snap["sources"]
    return [
        Heading("7. Data sources", 1),
        Para(
            "Every figure in this memo is CBA Monitor's evaluation of the commitments, computed "
            "from the current version of each monthly report listed below. The figures used "
            f"are stored as a JSON snapshot whose SHA-256 is {snapshot_sha256}."
        ),
        Table(
            ["Contractor", "Month", "Ver.", "Source", "Lines", "SHA-256"],
            [
                [
                    markup(r["contractor"]),
                    r["month"],
                    str(r["version"]),
                    SOURCE_LABELS.get(r["source"], r["source"]),
                    f"{r['lines']:,}",
                    r["sha256"] or "—",
                ]
                for r in sources["reports"]
            ],
            [90, 52, 28, 52, 36, 242],
            numeric=frozenset({2, 4}),
            mono=frozenset({5}),
        ),
    ]


def memo_blocks(snap: dict, *, snapshot_sha256: str) -> list[Block]:
    counsel = snap.get("audience") == "counsel"
    blocks: list[Block] = []
    if snap["from"].get("organization"):
        blocks.append(Para(markup(snap["from"]["organization"]).upper(), "letterhead"))
    blocks += [
        Heading("Case memo" if counsel else "Memorandum", 0),
        Facts(heading_rows(snap), label_width=54),
        Rule(),
    ]
    if counsel:
        blocks.append(Para(COUNSEL_WARNING))
    blocks += [
        Heading("1. Summary of findings", 1),
        Para(summary_text(snap)),
        Heading("2. Commitments", 1),
    ]
    if not snap["commitments"]:
        blocks.append(Para("No commitment is in question in this memo."))
    for i, entry in enumerate(snap["commitments"], start=1):
        blocks += _commitment(f"2.{i}", entry)
    blocks += _wages(snap, counsel)
    blocks += _reporting(snap)
    blocks += _flags(snap, counsel)
    blocks += _enforcement(snap)
    blocks += _sources(snap, snapshot_sha256)
    return blocks


def render_memo_docx(snapshot: dict, *, snapshot_sha256: str) -> bytes:
    """The case memo (or a memo to the recipient) as a Word document."""
    counsel = snapshot.get("audience") == "counsel"
    project = snapshot["project"]
    kind = "Case memo" if counsel else "Enforcement memo"
    return render_docx(
        memo_blocks(snapshot, snapshot_sha256=snapshot_sha256),
        title=f"{kind}: {project['name']}",
        header=f"{project['name']}  ·  {kind} of {long_date(snapshot['memo_date'])}",
        marking=COUNSEL_MARKING if counsel else "",
    )
