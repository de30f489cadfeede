"""Section 2 of the memo: each commitment in question (SPEC §6.2).

For each: the clause and its text, the target, the measured result to date, the shortfall
with the arithmetic that gives it, liquidated damages as "shortfall × rate = amount" where
the clause sets a rate, a table of groups when the clause is measured per contractor or
craft, and for the groups furthest from the target a monthly table and the cumulative chart.
"""

from decimal import Decimal

from reportlab.lib.units import inch
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from compliance.enforcement.memos.chart import cumulative_chart
from compliance.enforcement.memos.layout import (
    WIDTH,
    Ledger,
    Mark,
    facts_table,
    list_table,
    plural,
    status_markup,
    subheading,
)
from compliance.enforcement.memos.styles import (
    long_date,
    money,
    month_label,
    number,
    pct,
    quantity,
    styles,
    text,
)
from compliance.evaluation.damages import damages_label, damages_owed
from compliance.evaluation.kinds import KINDS
from compliance.evaluation.kinds.base import damages_arithmetic

STATUS_SEQUENCE = [
    ("shortfall", "in shortfall"),
    ("at_risk", "at risk"),
    ("on_track", "on track"),
    ("met", "met"),
    ("no_data", "without data"),
]


def _amount(value, unit: str) -> str:
    return quantity(value, unit)


def _single_group_facts(entry: dict, group: dict) -> list[tuple[str, str]]:
    """The facts of a commitment measured once, in the words of its kind."""
    kind = KINDS[entry["kind"]]
    as_of = f" (as of {long_date(group['as_of'])})" if group["as_of"] else ""
    status = status_markup(group["status"], group["status_label"])
    measured = kind.memo_measured(entry, group, as_of=as_of, status=status)
    return kind.memo_facts(entry, group, measured=measured)


def _groups_table(entry: dict) -> list:
    s = styles()
    groups = entry["groups"]
    totals = entry["totals"]
    unit = groups[0]["unit"]
    label = (
        "All groups"
        if not entry["groups_not_listed"]["count"]
        else (f"All {totals['groups']} groups")
    )
    if entry.get("restitution"):
        header = ["Group", "Underpaid hours", "Total hours", "Share", "Status", "Owed"]
        widths = [176, 66, 66, 52, 62, 74]
        rows = [
            [
                g["label"],
                number(g["numerator"]),
                number(g["denominator"]),
                pct(g["actual_percent"]),
                Mark(g["status_label"], g["status"]),
                money(g["shortfall"]),
            ]
            for g in groups
        ]
        total = [label, "", "", "", "", money(totals["shortfall"])]
        numeric = {1, 2, 3, 5}
    else:
        header = [
            "Group",
            "Qualifying",
            "Total",
            "Actual",
            "Status",
            f"Shortfall ({unit})",
            "Damages" if damages_owed(totals) else "Exposure",
        ]
        widths = [146, 60, 62, 46, 52, 66, 64]
        rows = [
            [
                g["label"],
                number(g["numerator"]),
                number(g["denominator"]),
                pct(g["actual_percent"]),
                Mark(g["status_label"], g["status"]),
                number(g["shortfall"]),
                money(g["liquidated_damages"]),
            ]
            for g in groups
        ]
        total = [
            label,
            "",
            "",
            "",
            "",
            number(totals["shortfall"]),
            money(totals["liquidated_damages"]),
        ]
        numeric = {1, 2, 3, 5, 6}
        if totals["liquidated_damages"] is None:
            # The clause sets no rate: no damages column, the group names get its room.
            header, widths, total = header[:-1], [210, *widths[1:-1]], total[:-1]
            rows = [row[:-1] for row in rows]
            numeric = {1, 2, 3, 5}
    flow = [list_table(header, rows, widths, numeric=numeric, total=total)]
    rest = entry["groups_not_listed"]
    if rest["count"]:
        flow.append(
            Paragraph(
                f"The table lists the {len(groups)} groups furthest from the target; the "
                f"{plural(rest['count'], 'other group')} ({rest['shortfall_count']} in "
                f"shortfall, {_amount(rest['shortfall'], unit)} short together) are in the "
                "totals and in the memo's snapshot.",
                s["small"],
            )
        )
    charged = [g for g in groups if damages_arithmetic(g) and Decimal(g["liquidated_damages"])]
    if charged:
        owed = damages_owed(totals)
        label = "All groups" if not rest["count"] else f"All {totals['groups']} groups"
        flow += [
            *subheading(f"{damages_label(totals)}, group by group"),
            list_table(
                ["Group", f"Shortfall × rate = {'damages' if owed else 'exposure'}"],
                [[g["label"], damages_arithmetic(g)] for g in charged],
                [226, 270],
                numeric={1},
                total=[label, money(totals["liquidated_damages"])],
            ),
            Paragraph(
                f"{damages_label(totals)} under {text(entry['clause'] or entry['title'])}: "
                f"<b>{money(totals['liquidated_damages'])}</b>.",
                s["body"],
            ),
        ]
    return flow


def _monthly_table(entry: dict, detail: dict):
    if entry.get("whole_target"):
        # The denominator of a count is its target, the same every month: not a column.
        unit = entry["groups"][0]["unit"]
        amount = money if unit == "dollars" else number
        return Ledger(
            ["Month", f"Delivered ({unit})", "Percent of target", "Cumulative percent"],
            [
                [
                    month_label(m["month"]),
                    amount(m["numerator"]),
                    pct(m["percent"]),
                    pct(m["cumulative_percent"]),
                ]
                for m in detail["series"]
            ],
            [124, 124, 124, 124],
            numeric={1, 2, 3},
            zebra=True,
            row_height=13.0,
            total=["To date", amount(detail["numerator"]), "", pct(detail["actual_percent"])],
        )
    total_label, counted_label = entry["series_columns"]
    return Ledger(
        ["Month", total_label, counted_label, "Percent", "Cumulative percent"],
        [
            [
                month_label(m["month"]),
                number(m["denominator"]),
                number(m["numerator"]),
                pct(m["percent"]),
                pct(m["cumulative_percent"]),
            ]
            for m in detail["series"]
        ],
        [110, 96, 96, 88, 106],
        numeric={1, 2, 3, 4},
        zebra=True,
        row_height=13.0,
        total=[
            "To date",
            number(detail["denominator"]),
            number(detail["numerator"]),
            "",
            pct(detail["actual_percent"]),
        ],
    )


def _monthly(entry: dict, detail: dict, heading: str) -> list:
    s = styles()
    flow = [*subheading(heading), _monthly_table(entry, detail)]
    if not entry.get("chart", True):
        # No percent target (a wage floor): the restitution tables of section 3 tell it.
        return flow
    chart = cumulative_chart(
        series=detail["series"], target_percent=detail["target_percent"], width=WIDTH
    )
    if chart is not None:
        drawing, caption = chart
        if entry["totals"]["groups"] > 1:
            caption = f"{detail['label']}: {caption[0].lower()}{caption[1:]}"
        flow.append(Spacer(1, 8))
        flow.append(KeepTogether([drawing, Paragraph(text(caption), s["caption"])]))
    return flow


def commitment_facts(entry: dict) -> list[tuple[str, str]]:
    """A commitment's facts as (label, value in paragraph markup), the same in the PDF and
    the Word case memo: the target, what was measured, the shortfall and the damages."""
    facts = [("Target", text(entry["target_text"]))]
    if not entry["evaluated"]:
        measured = (
            "No figures for this contractor: it has reported no hours this clause counts."
            if entry.get("evaluated_for_others")
            else "Not evaluated yet: run the evaluation, then request this memo again."
        )
        return [*facts, ("Measured to date", measured)]
    groups, totals = entry["groups"], entry["totals"]
    if totals["groups"] == 1:
        facts += _single_group_facts(entry, groups[0])
    else:
        counts = totals["by_status"]
        status_text = ", ".join(
            f"{counts[key]} {label}" for key, label in STATUS_SEQUENCE if counts.get(key)
        )
        facts.append(
            (
                "Measured to date",
                f"{totals['groups']} groups: {status_text} (as of {long_date(entry['as_of'])}).",
            )
        )
        facts.append(
            (
                "Shortfall",
                f"<b>{quantity(totals['shortfall'], groups[0]['unit'])}</b> across all groups.",
            )
        )
        if totals["liquidated_damages"] is not None:
            facts.append(
                (
                    damages_label(totals),
                    f"<b>{money(totals['liquidated_damages'])}</b>, group by group below.",
                )
            )
    if entry["contractor_memo"] and not entry["narrowed_to_contractor"]:
        facts.append(
            (
                "Note",
                "The clause is measured for the project as a whole: these are the project's "
                "figures, not this contractor's alone.",
            )
        )
    return facts


def commitment_section(number_: str, entry: dict) -> list:
    s = styles()
    title = f"{number_} {text(entry['clause'])} {text(entry['title'])}".replace("  ", " ")
    flow = [
        CondPageBreak(2.4 * inch),
        Paragraph(title, s["h2"]),
        *(
            [Paragraph(f"Source: {text(entry['cited'])}.", s["small"])]
            if entry.get("cited")
            else []
        ),
        Paragraph(
            f"{text(entry['kind_label'])}, measured {text(entry['scope_label'])}.", s["small"]
        ),
        Paragraph(
            text(entry["text"] or "The clause text is not recorded in CBA Monitor."), s["quote"]
        ),
    ]
    facts = commitment_facts(entry)
    if not entry["evaluated"]:
        return [*flow, facts_table(facts)]
    totals = entry["totals"]
    single = totals["groups"] == 1
    flow.append(facts_table(facts))
    if not single:
        flow.append(Spacer(1, 6))
        flow += _groups_table(entry)
    for detail in entry["details"]:
        heading = "Month by month" if single else f"Month by month: {detail['label']}"
        flow += _monthly(entry, detail, heading)
    if totals["groups"] > len(entry["details"]) > 0:
        flow.append(
            Paragraph(
                f"Monthly detail is shown for the {plural(len(entry['details']), 'group')} "
                "furthest from the target; every group's monthly series is in the memo's "
                "snapshot.",
                s["small"],
            )
        )
    return flow
