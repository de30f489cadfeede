"""The case memo's ledger (audience `counsel`): each entry with its calculation as recorded,
and each contractor's balance outstanding. Gathered into the snapshot by `ledger_record`,
drawn after the enforcement history by `ledger_section`.

Only a counsel memo carries it: entry notes record negotiations (settlement terms), and a
recipient document speaks for itself through the notice's demand.
"""

from reportlab.platypus import KeepTogether, Paragraph

from compliance.enforcement.memos.layout import list_table, subheading
from compliance.enforcement.memos.snapshot_values import fig, iso
from compliance.enforcement.memos.styles import markup, styles
from compliance.formatting import money, short_date
from compliance.models import LedgerEntry
from projects import access
from projects.models import Assignment, Project

BALANCE_FIELDS = ("assessed", "settled_off", "owed", "paid", "withheld", "collected", "balance")
ENTRY_LIMIT = 200


def ledger_record(project: Project, assignment: Assignment | None, audience: str) -> dict | None:
    """The ledger of the memo's scope (one contractor, or the whole project), balances
    summed in the database by `LedgerQuerySet.balances`; None for a recipient memo."""
    if audience != access.COUNSEL:
        return None
    entries = LedgerEntry.objects.filter(project=project)
    if assignment is not None:
        entries = entries.filter(assignment=assignment)
    balances = {
        row["assignment__contractor__name"]: {f: fig(row[f]) for f in BALANCE_FIELDS}
        for row in entries.balances("assignment__contractor__name")
    }
    total = next(iter(entries.balances("project")), None)
    listed = list(
        entries.select_related("assignment__contractor", "settles").order_by(
            "assignment__contractor__name", "date", "id"
        )[:ENTRY_LIMIT]
    )
    return {
        "entries": [
            {
                "id": e.pk,
                "contractor": e.assignment.contractor.name,
                "kind": e.kind,
                "kind_label": e.get_kind_display(),
                "date": iso(e.date),
                "amount": fig(e.amount),
                "commitment": e.commitment_label,
                "calculation": e.calculation,
                "reference": e.reference,
                "settles": e.settles_id,
                "settles_amount": fig(e.settles.amount) if e.settles_id else None,
                "note": e.note,
            }
            for e in listed
        ],
        "entries_not_listed": max(0, entries.count() - len(listed)),
        "contractors": [
            {"contractor": name, **balance} for name, balance in sorted(balances.items())
        ],
        "total": None if total is None else {f: fig(total[f]) for f in BALANCE_FIELDS},
    }


def ledger_section(snap: dict) -> list:
    """Damages assessed and collected: every entry, then each contractor's balance."""
    ledger = snap.get("ledger")
    if ledger is None:
        return []
    s = styles()
    flow = subheading("Ledger: damages assessed and collected")
    if not ledger["entries"]:
        flow.append(Paragraph("Nothing has been recorded in the ledger.", s["body"]))
        return flow
    flow.append(
        Paragraph(
            "Balance outstanding = assessed − paid − withheld, where a settled assessment counts "
            "for the amount agreed instead of the amount assessed. Calculations are as recorded "
            "when the damages were assessed.",
            s["small"],
        )
    )
    rows = []
    for e in ledger["entries"]:
        what = markup(e["commitment"] or "")
        if e["calculation"]:
            what += ("<br/>" if what else "") + markup(e["calculation"])
        if e["settles"]:
            what += ("<br/>" if what else "") + (
                f"Settles entry #{e['settles']}: {money(e['amount'])} agreed instead of "
                f"{money(e['settles_amount'])}."
            )
        detail = " ".join(part for part in (e["reference"], e["note"]) if part)
        sign = "−" if e["kind"] in ("payment", "withheld") else ""
        rows.append(
            [
                short_date(e["date"]),
                f"#{e['id']} {e['kind_label']}",
                e["contractor"],
                Paragraph(what or "—", s["cell"]),
                sign + money(e["amount"]),
                Paragraph(markup(detail) or "—", s["cell"]),
            ]
        )
    flow.append(
        list_table(
            ["Date", "Entry", "Contractor", "Commitment and calculation", "Amount", "Note"],
            rows,
            [62, 80, 76, 140, 62, 76],
            numeric={4},
        )
    )
    if ledger["entries_not_listed"]:
        flow.append(
            Paragraph(
                f"{ledger['entries_not_listed']:,} later entries are counted in the balances.",
                s["small"],
            )
        )
    balances = [
        [
            c["contractor"],
            money(c["owed"]),
            money(c["paid"]),
            money(c["withheld"]),
            money(c["balance"]),
        ]
        for c in ledger["contractors"]
    ]
    total = ledger["total"]
    flow.append(
        KeepTogether(
            [
                Paragraph("Balances", s["h3"]),
                list_table(
                    ["Contractor", "Assessed, as settled", "Paid", "Withheld", "Outstanding"],
                    balances,
                    [176, 84, 76, 76, 84],
                    numeric={1, 2, 3, 4},
                    total=[
                        "All",
                        money(total["owed"]),
                        money(total["paid"]),
                        money(total["withheld"]),
                        money(total["balance"]),
                    ]
                    if len(balances) > 1
                    else None,
                ),
                Paragraph(f"Balance outstanding: <b>{money(total['balance'])}</b>.", s["callout"]),
            ]
        )
    )
    return flow
