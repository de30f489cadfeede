"""The evidence exhibits (SPEC §6): a workbook of the lines behind each finding, and the
manifest of the report versions they were read from.

`exhibit_lines` reads, when the memo is built, every underpaid line the evaluation lists
for the wage floors in question (the PDF lists only the largest), with the line's hours by
type from the payroll; they go into the snapshot, so its SHA-256 covers them.
`render_exhibits_xlsx` writes the workbook from the snapshot alone: Findings (each group's
figures), Wage lines (worker ID, week, craft, straight / overtime / double-time hours, rate
paid, rate required, owed), Monthly (each detailed group's series) and Manifest.
Workers appear by ID only, whoever the exhibits are for.
"""

import datetime
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from compliance.enforcement.memos.snapshot_values import dec, fig
from compliance.evaluation.kinds import kind_of
from compliance.models import Evaluation, PayrollLine
from projects.models import Assignment, Project

HEADER_FILL = PatternFill("solid", fgColor="E9EDF3")
MONEY = '"$"#,##0.00'
HOURS = "#,##0.00"


def exhibit_lines(
    *, project: Project, assignment: Assignment | None, commitment_keys: list[str]
) -> list[dict]:
    """Every underpaid line behind the wage findings in question, complete (not capped)."""
    commitments = [
        c
        for c in project.commitments.all()
        if kind_of(c).lists_violations and (not commitment_keys or c.key in commitment_keys)
    ]
    found = []
    for evaluation in (
        Evaluation.objects.filter(project=project, commitment__in=commitments)
        .select_related("commitment")
        .order_by("commitment__position", "group_key")
    ):
        for v in (evaluation.details or {}).get("violations", []):
            found.append((evaluation.commitment, evaluation.assignment_id, v))
    ids = [v.get("line_id") for _, _, v in found if v.get("line_id")]
    lines = {
        row["pk"]: row
        for row in PayrollLine.objects.filter(pk__in=ids).values(
            "pk",
            "assignment_id",
            "assignment__contractor__name",
            "straight_hours",
            "overtime_hours",
            "doubletime_hours",
        )
    }
    out = []
    for commitment, group_assignment, v in found:
        line = lines.get(v.get("line_id"), {})
        assignment_id = group_assignment or line.get("assignment_id")
        if assignment is not None and assignment_id != assignment.pk:
            continue
        out.append(
            {
                "clause": commitment.clause,
                "title": commitment.title,
                "contractor": line.get("assignment__contractor__name", ""),
                "worker": str(v.get("worker")),
                "week_ending": str(v.get("week_ending")),
                "craft": str(v.get("craft") or ""),
                "straight": fig(line.get("straight_hours")),
                "overtime": fig(line.get("overtime_hours")),
                "doubletime": fig(line.get("doubletime_hours")),
                "hours": fig(v.get("hours")),
                "paid": fig(v.get("paid")),
                "required": fig(v.get("required")),
                "owed": fig(v.get("owed")),
            }
        )
    out.sort(
        key=lambda r: (r["clause"], r["contractor"], r["worker"], r["week_ending"], r["craft"])
    )
    return out


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], formats: dict) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for column, fmt in formats.items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = fmt
    for i, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [len(str(r[i - 1])) for r in rows[:200]])
        ws.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 70)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"


def _number(value):
    return None if value in (None, "") else dec(value)


def render_exhibits_xlsx(snapshot: dict, *, snapshot_sha256: str) -> bytes:
    """The exhibits workbook for one snapshot."""
    wb = Workbook()
    cover = wb.active
    cover.title = "About"
    project = snapshot["project"]
    cover.append(["Evidence exhibits"])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in [
        ("Project", project["name"]),
        ("Contractor", snapshot["scope"]["contractor"] or "All contractors"),
        ("Date", snapshot["memo_date"]),
        ("Measured as of", snapshot.get("as_of") or "not evaluated"),
        ("Snapshot SHA-256", snapshot_sha256),
        (
            "Workers",
            "Identified by the contractor's worker ID on its certified payroll; no names.",
        ),
    ]:
        cover.append([label, value])
    cover.column_dimensions["A"].width = 20
    cover.column_dimensions["B"].width = 80

    findings = []
    for entry in snapshot["commitments"]:
        for g in entry["groups"]:
            findings.append(
                [
                    entry["clause"],
                    entry["title"],
                    g["label"],
                    g["status_label"],
                    _number(g["numerator"]),
                    _number(g["denominator"]),
                    _number(g["actual_percent"]),
                    _number(g["target_percent"]),
                    _number(g["shortfall"]),
                    g["unit"],
                    _number(g["penalty_per_unit"]),
                    _number(g["liquidated_damages"]),
                ]
            )
    _sheet(
        wb,
        "Findings",
        [
            "Clause",
            "Commitment",
            "Group",
            "Status",
            "Counted",
            "Total",
            "Actual %",
            "Target %",
            "Shortfall",
            "Unit",
            "Rate per unit",
            "Liquidated damages",
        ],
        findings,
        {5: HOURS, 6: HOURS, 9: HOURS, 11: MONEY, 12: MONEY},
    )
    lines = snapshot.get("exhibits", {}).get("wage_lines", [])
    _sheet(
        wb,
        "Wage lines",
        [
            "Clause",
            "Commitment",
            "Contractor",
            "Worker ID",
            "Week ending",
            "Craft",
            "Straight hours",
            "Overtime hours",
            "Double-time hours",
            "Underpaid hours",
            "Rate paid",
            "Rate required",
            "Owed",
        ],
        [
            [
                r["clause"],
                r["title"],
                r["contractor"],
                r["worker"],
                datetime.date.fromisoformat(r["week_ending"]),
                r["craft"],
                _number(r["straight"]),
                _number(r["overtime"]),
                _number(r["doubletime"]),
                _number(r["hours"]),
                _number(r["paid"]),
                _number(r["required"]),
                _number(r["owed"]),
            ]
            for r in lines
        ],
        {5: "yyyy-mm-dd", 7: HOURS, 8: HOURS, 9: HOURS, 10: HOURS, 11: MONEY, 12: MONEY, 13: MONEY},
    )
    monthly = []
    for entry in snapshot["commitments"]:
        for detail in entry["details"]:
            for m in detail["series"]:
                monthly.append(
                    [
                        entry["clause"],
                        entry["title"],
                        detail["label"],
                        m["month"],
                        _number(m["denominator"]),
                        _number(m["numerator"]),
                        _number(m["percent"]),
                        _number(m["cumulative_percent"]),
                    ]
                )
    _sheet(
        wb,
        "Monthly",
        ["Clause", "Commitment", "Group", "Month", "Total", "Counted", "Percent", "Cumulative %"],
        monthly,
        {5: HOURS, 6: HOURS},
    )
    _sheet(
        wb,
        "Attached evidence",
        ["Flag", "File", "Bytes", "SHA-256", "Attached by", "When", "Note"],
        [
            [
                f"#{flag['id']} {flag['title']}",
                a["name"],
                a["size"],
                a["sha256"],
                a["actor"],
                a["at"],
                "Internal" if a["internal"] else "Shared",
            ]
            for flag in snapshot.get("flags", {}).get("listed", [])
            for a in flag.get("attachments", [])
        ],
        {},
    )
    sources = snapshot["sources"]
    _sheet(
        wb,
        "Manifest",
        ["Contractor", "Month", "Version", "Source", "Submitted", "Lines", "File SHA-256"],
        [
            [
                r["contractor"],
                r["month"],
                r["version"],
                r["source"],
                r["submitted_at"],
                r["lines"],
                r["sha256"] or "",
            ]
            for r in sources["reports"]
        ]
        + [["Snapshot (canonical JSON)", "", "", "", "", "", snapshot_sha256]],
        {},
    )
    stamp = datetime.datetime.fromisoformat(snapshot["memo_date"])
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "CBA Monitor"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
