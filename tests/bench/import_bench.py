"""Import benchmark (SPEC §9): a workbook of N lines, read by python-calamine alone (the floor)
and imported whole (read, validate, store) in the same run."""

import datetime
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from compliance.intake.fields import COLUMNS
from compliance.intake.upload import report_upload
from projects.models import Agreement, Assignment, Craft, Organization, Project

PERIOD = datetime.date(2024, 3, 1)
WEEKS = [datetime.date(2024, 3, d) for d in (2, 9, 16, 23, 30)]


def build_assignment() -> Assignment:
    crafts = [
        Craft.objects.get_or_create(name=name, defaults={"aliases": aliases})[0]
        for name, aliases in [
            ("Carpenter", ["Carp"]),
            ("Laborer", []),
            ("Electrician", ["Wireman"]),
            ("Operating Engineer", ["Op Eng"]),
        ]
    ]
    project = Project.objects.create(
        slug="bench-import",
        name="Import benchmark",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    project.crafts.set(crafts)
    Agreement.objects.create(project=project, title="CBA", effective_date=project.start_date)
    contractor = Organization.objects.create(slug="bench-co", name="Bench Co", kind="contractor")
    return Assignment.objects.create(
        project=project, contractor=contractor, tier="prime", start_date=project.start_date
    )


def payroll_rows(count: int, seed: int = 1):
    rng = random.Random(seed)
    crafts = ["Carpenter", "Laborer", "Wireman", "Op Eng"]
    for i in range(count):
        worker = i // len(WEEKS)
        straight = Decimal(rng.choice([24, 32, 40, 40, 40]))
        rate = Decimal(rng.choice(["38.00", "42.50", "47.25", "55.10"]))
        yield {
            "worker_id": f"W{worker:06d}",
            "worker_name": f"Worker {worker}",
            "home_zip": f"{90001 + rng.randrange(60):05d}",
            "craft": crafts[worker % 4],
            "apprentice": "RA" if worker % 5 == 0 else "J",
            "apprentice_level": 2 if worker % 5 == 0 else None,
            "week_ending": WEEKS[i % len(WEEKS)],
            "straight_hours": straight,
            "overtime_hours": Decimal(rng.choice([0, 0, 2, 4])),
            "doubletime_hours": Decimal(0),
            "hourly_rate": rate,
            "fringe_rate": Decimal("21.40"),
            "gross_pay": straight * rate,
            "gender": rng.choice(["F", "M", ""]),
            "ethnicity": rng.choice(["Hispanic", "Black", "White", "Asian", ""]),
            "veteran": rng.choice(["Y", "N"]),
            "disadvantaged": rng.choice(["Y", "N", ""]),
            "new_hire": rng.choice(["Y", "N"]),
        }


def write_workbook(path: Path, rows) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Payroll")
    sheet.append([c.header for c in COLUMNS])
    fields = [c.field for c in COLUMNS]
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in (row[f] for f in fields)])
    book.save(path)


def run(*, lines: int) -> dict:
    assignment = build_assignment()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "payroll.xlsx"
        write_workbook(path, payroll_rows(lines))

        started = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Payroll").to_python()
        floor = time.perf_counter() - started
        del rows

        started = time.perf_counter()
        result = report_upload(
            assignment=assignment,
            period=PERIOD,
            content=path.read_bytes(),
            filename="payroll.xlsx",
        )
        seconds = time.perf_counter() - started
    assert result.report.line_count == lines, result.summary()
    return {"seconds": seconds, "floor_seconds": floor}
