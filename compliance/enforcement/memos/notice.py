"""The notice of non-compliance and cure demand (SPEC §6), a letter the law center sends.

Written as blocks (`render_blocks`) from the memo's snapshot alone, then laid out as a PDF
(`render_notice_pdf`) and as a DOCX the attorney edits before sending
(`render_notice_docx`): the same words and figures in both.

A notice is addressed to a contractor (or, on the whole project, the owner): it carries the
findings' figures with their arithmetic, what must be done to cure, the cure deadline, the
agreement's remedies and how to respond, workers by ID only, and nothing internal: no flag
note, no enforcement note, no worker name, whatever the snapshot it is drawn from holds.

`notice_letterhead` and `notice_addressee` read the organization profiles when the memo is
built; their result is stored in the snapshot (its SHA-256 covers them).
"""

from decimal import Decimal

from compliance.enforcement.memos.layout import join, status_markup
from compliance.enforcement.memos.render import memo_canvas
from compliance.enforcement.memos.render_blocks import (
    Block,
    Facts,
    Heading,
    Para,
    Rule,
    Signature,
    Table,
    render_blocks_pdf,
)
from compliance.enforcement.memos.styles import markup
from compliance.evaluation.kinds import KINDS, kind_of
from compliance.formatting import long_date, money, number, plural, quantity
from projects.models import Assignment, Organization, Project

TITLE = "Notice of non-compliance and cure demand"
FINDING_STATUSES = ("shortfall", "at_risk")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def notice_letterhead(user) -> dict:
    """The sender's letterhead and signature block, from its organization's profile; the
    signer defaults to the person who asked for the notice."""
    membership = getattr(user, "membership", None) if user is not None else None
    org: Organization | None = membership.organization if membership else None
    person = (user.get_full_name() or user.username) if user is not None else ""
    return {
        "organization": org.name if org else "",
        "address": _lines(org.address) if org else [],
        "phone": org.phone if org else "",
        "email": org.email if org else "",
        "signer_name": (org.signer_name if org else "") or person,
        "signer_title": (org.signer_title if org else "")
        or (membership.title if membership else ""),
    }


def notice_addressee(project: Project, assignment: Assignment | None) -> dict:
    """Who the notice goes to: the contractor, copied to the owner; on the whole project,
    the owner."""
    owner = project.owner if project.owner_id else None
    if assignment is not None:
        firm = assignment.contractor
        return {
            "name": firm.name,
            "address": _lines(firm.address),
            "email": firm.email,
            "cc": [owner.name] if owner else [],
        }
    return {
        "name": owner.name if owner else f"Owner of {project.name}",
        "address": _lines(owner.address) if owner else [],
        "email": owner.email if owner else "",
        "cc": [],
    }


def _findings(snap: dict) -> list[dict]:
    """The commitments with a finding, and the groups of each that are in trouble.

    A notice addressed to a contractor tells only of commitments measured from the payroll
    it files (hours, shares, wages): a count of units delivered or dollars paid into a
    fund is the developer's promise, not the contractor's to cure."""
    found = []
    to_contractor = bool(snap["scope"]["contractor"])
    for entry in snap["commitments"]:
        if not entry["evaluated"]:
            continue
        if to_contractor and not kind_of(entry["kind"]).filed_by_contractors:
            continue
        groups = [g for g in entry["groups"] if g["status"] in FINDING_STATUSES]
        if groups:
            found.append({"entry": entry, "groups": groups})
    return found


def _wages_for(snap: dict, entry: dict) -> dict | None:
    for wages in snap["wages"]:
        if wages["clause"] == entry["clause"] and wages["title"] == entry["title"]:
            return wages
    return None


def _facts(entry: dict, group: dict) -> list[tuple[str, str]]:
    kind = KINDS[entry["kind"]]
    as_of = f" (as of {long_date(group['as_of'])})" if group["as_of"] else ""
    status = status_markup(group["status"], group["status_label"])
    measured = kind.memo_measured(entry, group, as_of=as_of, status=status)
    rows = kind.memo_facts(entry, group, measured=measured)
    return [
        (label, value.replace(" (section 3).", ", to the workers listed below."))
        for label, value in rows
    ]


def _cure(entry: dict, group: dict, wages: dict | None) -> str:
    """What the contractor must do to cure one finding, in figures."""
    if wages is not None:
        return (
            f"Pay <b>{money(group['shortfall'])}</b> in restitution to the workers listed below "
            "by worker ID, at the difference between the rate paid and the rate required for "
            "every underpaid hour (overtime and double-time hours at their premium), and file "
            "amended certified payroll showing the payments."
        )
    shortfall = quantity(group["shortfall"], group["unit"])
    cure = KINDS[entry["kind"]].cure_words(group)
    if cure:
        return cure
    return (
        f"Make up the shortfall of <b>{shortfall}</b> and submit a written plan, with dates, "
        "showing how the commitment will be met."
    )


def _finding_blocks(index: int, snap: dict, finding: dict) -> list[Block]:
    entry = finding["entry"]
    title = f"{index}. {markup(entry['clause'])} {markup(entry['title'])}".replace("  ", " ")
    blocks: list[Block] = [
        Heading(title, 2),
        *([Para(f"Source: {markup(entry['cited'])}.", "small")] if entry.get("cited") else []),
        Para(markup(entry["text"] or "The clause text is not recorded in CBA Monitor."), "quote"),
    ]
    wages = _wages_for(snap, entry)
    for group in finding["groups"]:
        rows = [("Target", markup(entry["target_text"]))]
        if len(entry["groups"]) > 1 or group["label"] != "Whole project":
            rows.insert(0, ("Measured for", markup(group["label"])))
        rows += _facts(entry, group)
        rows.append(("To cure", _cure(entry, group, wages)))
        blocks.append(Facts(rows))
    if entry["contractor_memo"] and not entry["narrowed_to_contractor"]:
        blocks.append(
            Para(
                "The clause is measured for the project as a whole: these are the project's "
                "figures, to which your work contributes.",
                "small",
            )
        )
    if wages is not None and wages["violation_count"]:
        blocks += [
            Heading(f"Restitution owed under {markup(entry['clause'] or entry['title'])}", 3),
            Table(
                ["Worker ID", "Weeks underpaid", "Underpaid hours", "Owed"],
                [
                    [markup(w["worker"]), str(w["weeks"]), number(w["hours"]), money(w["owed"])]
                    for w in wages["by_worker"]
                ],
                [190, 100, 100, 110],
                numeric=frozenset({1, 2, 3}),
                total=[
                    "All workers",
                    str(wages["week_count"]),
                    number(wages["underpaid_hours"]),
                    money(wages["total_owed"]),
                ],
            ),
        ]
        rest = wages["by_worker_not_listed"]
        if rest["count"]:
            blocks.append(
                Para(
                    f"{plural(rest['count'], 'more worker')} are owed {money(rest['owed'])} "
                    "together; every underpaid line is in the enclosed exhibits.",
                    "small",
                )
            )
    return blocks


def notice_blocks(snap: dict) -> list[Block]:
    """The notice, as blocks; see the module docstring."""
    head, to = snap.get("letterhead") or {}, snap.get("addressee") or {}
    project, agreement = snap["project"], snap["agreement"]
    enforcement = snap["enforcement"]
    contractor = snap["scope"]["contractor"]
    deadline = enforcement["cure_deadline_if_sent_today"]
    period = enforcement.get("cure_period_days")
    agreement_name = markup(agreement["title"]) if agreement else "the project's agreement"

    blocks: list[Block] = []
    if head.get("organization"):
        blocks.append(Para(f"<b>{markup(head['organization']).upper()}</b>", "letterhead"))
        contact = [
            markup(x) for x in [*head.get("address", []), head.get("phone"), head.get("email")] if x
        ]
        if contact:
            blocks.append(Para(" · ".join(contact), "letterhead"))
        blocks.append(Rule())
    to_lines = [f"<b>{markup(to.get('name', ''))}</b>", *[markup(x) for x in to.get("address", [])]]
    rows = [("Date", long_date(snap["memo_date"])), ("To", "<br/>".join(to_lines))]
    if to.get("cc"):
        rows.append(("Copies", markup("; ".join(to["cc"]))))
    re_line = f"{agreement_name}: {markup(project['name'])}"
    if contractor:
        re_line += f", {markup(contractor)}"
    rows.append(("Re", f"<b>{re_line}</b>"))
    blocks += [Heading(TITLE, 0), Facts(rows, label_width=60)]

    findings = _findings(snap)
    who = markup(contractor) if contractor else "the project's contractors"
    effective = (
        f", effective {long_date(agreement['effective_date'])}"
        if agreement and agreement.get("effective_date")
        else ""
    )
    as_of = (
        f"measured as of {long_date(snap['as_of'])}" if snap.get("as_of") else "as last measured"
    )
    opening = (
        f"We write concerning {who}'s obligations under the {agreement_name}{effective}, on the "
        f"{markup(project['name'])} project. The certified payroll and progress reports filed "
        f"through CBA Monitor, {as_of}, show "
    )
    if findings:
        opening += _breaches(findings) + (
            " This letter is notice of non-compliance under the agreement and a demand that the "
            f"breach be cured by <b>{long_date(deadline)}</b>."
        )
    else:
        opening += "no commitment in shortfall or at risk: there is nothing to cure."
    blocks += [Heading("Notice", 1), Para(opening)]

    if findings:
        blocks.append(Heading("Findings and what is required to cure", 1))
        blocks.append(
            Para(
                "Each finding below gives the clause, the figures measured and the arithmetic "
                "behind them, and what must be done to cure it. Workers are identified by the "
                "worker ID on your certified payroll."
            )
        )
        for i, finding in enumerate(findings, start=1):
            blocks += _finding_blocks(i, snap, finding)

    if findings:
        period_text = (
            f"the agreement's cure period of {plural(period, 'day')}"
            if period
            else "the agreement's cure period"
        )
        blocks += [
            Heading("Cure deadline", 1),
            Para(
                f"Cure the breach by <b>{long_date(deadline)}</b>, the end of {period_text} from "
                "the date of this notice."
            ),
            Heading("Remedies under the agreement", 1),
            Para(_remedies(snap, findings)),
        ]
    contact = head.get("signer_name") or head.get("organization") or "the undersigned"
    reach = join([x for x in [head.get("email"), head.get("phone")] if x])
    blocks += [
        Heading("How to respond", 1),
        Para(
            f"Within the cure period, write to {markup(contact)}"
            + (f" ({markup(reach)})" if reach else "")
            + " with: the steps taken to cure each finding and their dates; proof of each "
            "restitution payment, by worker ID (payroll records or cancelled checks); and "
            "amended certified payroll filed through CBA Monitor. If you dispute a finding, say "
            "which one and why, with the records that support you; you may also dispute it in "
            "CBA Monitor, where the monitoring coalition will review it."
        ),
        Signature(
            "Sincerely,",
            [
                markup(x)
                for x in [
                    head.get("signer_name"),
                    head.get("signer_title"),
                    head.get("organization"),
                ]
                if x
            ],
            after="Enclosure: evidence exhibits (the lines behind each finding, and the report "
            "versions they were read from, with their SHA-256).",
        ),
    ]
    return blocks


def _breaches(findings: list[dict]) -> str:
    """ "that §5 Living wage is not being met and that §3.1 Targeted worker hours is at risk
    of not being met." """

    def names(status: str) -> list[str]:
        return [
            f"{markup(f['entry']['clause'])} {markup(f['entry']['title'])}".strip()
            for f in findings
            if any(g["status"] == status for g in f["groups"])
            and (status == "shortfall" or all(g["status"] != "shortfall" for g in f["groups"]))
        ]

    parts = []
    missed, at_risk = names("shortfall"), names("at_risk")
    if missed:
        verb = "is" if len(missed) == 1 else "are"
        parts.append(f"that {join(missed)} {verb} not being met")
    if at_risk:
        verb = "is" if len(at_risk) == 1 else "are"
        parts.append(f"that {join(at_risk)} {verb} at risk of not being met")
    return " and ".join(parts) + "."


def _remedies(snap: dict, findings: list[dict]) -> str:
    damages = []
    for finding in findings:
        entry = finding["entry"]
        for group in finding["groups"]:
            if group.get("liquidated_damages") is not None and Decimal(group["liquidated_damages"]):
                clause = markup(entry["clause"] or entry["title"])
                damages.append(f"{clause}: {money(group['liquidated_damages'])}")
    text = (
        "If the breach is not cured by the deadline, the parties may enforce the agreement's "
        "remedies without further notice"
    )
    if damages:
        text += (
            ", including liquidated damages at the rate each clause sets (shown with their "
            f"arithmetic above: {join(damages)})"
        )
    return (
        text + ", and, where the agreement allows, the owner may withhold payments due until the "
        "breach is cured and any damages are paid."
    )


def _header(snap: dict) -> str:
    project = snap["project"]
    head = f"{project['name']}  ·  Notice of {long_date(snap['memo_date'])}"
    if snap["scope"]["contractor"]:
        head += f"  ·  {snap['scope']['contractor']}"
    return head


def render_notice_pdf(snapshot: dict, *, snapshot_sha256: str) -> bytes:
    """The notice's PDF bytes (deterministic)."""
    return render_blocks_pdf(
        notice_blocks(snapshot),
        canvasmaker=memo_canvas(
            header=_header(snapshot), footer=f"Snapshot SHA-256 {snapshot_sha256}"
        ),
        title=f"{TITLE}: {snapshot['project']['name']}",
        author=(snapshot.get("letterhead") or {}).get("organization") or "CBA Monitor",
        subject=f"Notice of {long_date(snapshot['memo_date'])}",
    )


def render_notice_docx(snapshot: dict, *, snapshot_sha256: str) -> bytes:
    """The notice as a Word document, to edit before sending."""
    from compliance.enforcement.memos.docx_render import render_docx

    return render_docx(
        notice_blocks(snapshot),
        title=f"{TITLE}: {snapshot['project']['name']}",
        header=_header(snapshot),
    )
