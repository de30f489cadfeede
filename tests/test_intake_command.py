"""`manage.py import_report` (SPEC §7.3): a one-line summary, or every error and exit 1."""

from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from compliance.models import Report
from tests.intake_support import BEFORE_DUE, line, lines, workbook

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def before_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        yield


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_report", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_workbook_and_prints_one_line(tmp_path, walsh, contractor):
    path = tmp_path / "october.xlsx"
    path.write_bytes(workbook(lines(5)))
    out, _ = run(
        path,
        "--project",
        "crenshaw",
        "--contractor",
        "walsh",
        "--period",
        "2026-10",
        "--user",
        "walsh_clerk",
    )
    assert out.strip().count("\n") == 0
    assert "Stored version 1" in out and "5 lines, 200.00 hours" in out
    report = Report.objects.get()
    assert report.submitted_by == contractor and report.original_filename == "october.xlsx"


def test_it_imports_an_ecpr_file_by_its_content(walsh):
    out, _ = run(
        DATA / "ecpr_week_2026-10-03.xml",
        "--project",
        "crenshaw",
        "--contractor",
        "walsh",
        "--period",
        "2026-10",
    )
    assert "3 lines" in out and Report.objects.get().source == "ecpr"


def test_errors_are_each_printed_and_nothing_is_stored(tmp_path, walsh):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([line(craft="Plumber"), line(worker_id="E2", home_zip="9")]))
    with pytest.raises(CommandError) as caught:
        out, err = StringIO(), StringIO()
        call_command(
            "import_report",
            str(path),
            "--project",
            "crenshaw",
            "--contractor",
            "walsh",
            "--period",
            "2026-10",
            stdout=out,
            stderr=err,
        )
    assert caught.value.returncode == 1
    printed = err.getvalue().splitlines()
    assert printed[0].startswith("row 2, Craft: Not a craft of this project")
    assert printed[0].endswith("(given: Plumber)")
    assert printed[1].startswith("row 3, Home ZIP:")
    assert not Report.objects.exists()


def test_an_unknown_contractor_or_period_is_refused(tmp_path, walsh):
    path = tmp_path / "a.xlsx"
    path.write_bytes(workbook(lines(1)))
    with pytest.raises(CommandError, match="No contractor"):
        run(path, "--project", "crenshaw", "--contractor", "nobody", "--period", "2026-10")
    with pytest.raises(CommandError, match="YYYY-MM"):
        run(path, "--project", "crenshaw", "--contractor", "walsh", "--period", "Oct")
