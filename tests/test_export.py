import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from compliance.models import AuditEvent, Worker
from tests import test_memos
from tests.coalition_data import (  # noqa: F401 - fast_passwords applies to this module
    crenshaw_compliance,
    fast_passwords,
    fresh_cache,
    make_flag,
)
from tests.conftest import make_report
from tests.test_memos import build, memo_text

# The worked examples and the temporary media folder of the memo tests.
memo_files = test_memos.memo_files
worked_examples = test_memos.worked_examples


@pytest.fixture
def exported_project(project, walsh, pulice, crafts, area):
    standing = crenshaw_compliance(project, walsh, pulice, crafts, area)
    make_report(
        walsh,
        datetime.date(2026, 10, 1),
        [
            {
                "worker": "@SUM(A1:A9)",
                "week_ending": datetime.date(2026, 10, 9),
                "craft": crafts["Laborer"],
                "hours": "40",
                "hourly_rate": Decimal("35.50"),
                "ethnicity": '=HYPERLINK("http://evil.example","click")',
                "home_zip": "90001",
            },
            {
                "worker": "W-2",
                "week_ending": datetime.date(2026, 10, 9),
                "craft": crafts["Carpenter"],
                "hours": "10",
                "is_apprentice": True,
                "apprentice_level": 2,
                "ethnicity": "+1 (555) 0100",
                "veteran": True,
            },
        ],
    )
    Worker.objects.filter(worker_key="W-2").update(name="Maria Lopez")
    Worker.objects.filter(worker_key="@SUM(A1:A9)").update(name="Ann Lee")
    make_flag(
        project,
        "wage_violation",
        "critical",
        commitment=standing["wage"],
        title="-2 workers underpaid",
        figures={"owed": "100.00"},
    )
    return project


def download(client, user, slug="crenshaw"):
    client.force_login(user)
    return client.get(reverse("project_export", kwargs={"slug": slug}))


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_export_has_evaluations_series_lines_and_flags(client, reviewer, exported_project):
    book = workbook(download(client, reviewer))
    assert book.sheetnames[:4] == ["Evaluations", "Monthly series", "Payroll lines", "Flags"]
    evaluations = list(book["Evaluations"].values)
    assert evaluations[0][:3] == ("Commitment", "Kind", "Group")
    targeted = next(r for r in evaluations if r[0] == "§3.1 Targeted worker hours")
    assert targeted[1:3] == ("Workforce share", "Whole project")
    assert targeted[6:11] == (3700, 10000, 37, 40, 300)
    assert targeted[12] == "At risk"
    series = [r for r in book["Monthly series"].values if r[0] == "§3.1 Targeted worker hours"]
    assert [r[4] for r in series] == ["2026-08", "2026-09", "2026-10"]
    assert series[-1][8] == 37
    lines = list(book["Payroll lines"].values)
    assert len(lines) == 3
    assert lines[1][:4] == ("2026-10", 1, "Walsh Shea", "@SUM(A1:A9)")
    assert lines[2][7:9] == ("RA", 2)
    assert lines[2][18] == "Y"
    flags = list(book["Flags"].values)
    assert flags[1][1:4] == ("Wage violation", "Critical", "Open")
    assert "_" not in "".join(str(cell) for row in evaluations[1:] for cell in row[:3])


def test_worker_names_are_never_exported(client, reviewer, lawyer, admin, exported_project):
    for user in (reviewer, lawyer, admin):
        book = workbook(download(client, user))
        cells = [str(v) for ws in book for row in ws.values for v in row if v is not None]
        assert not any("Maria Lopez" in c or "Ann Lee" in c for c in cells)
        assert "Worker ID" in cells and "Worker name" not in cells


def test_text_that_looks_like_a_formula_is_written_as_text(client, reviewer, exported_project):
    book = workbook(download(client, reviewer))
    rows = list(book["Payroll lines"].iter_rows(min_row=2))
    worker, ethnicity = rows[0][3], rows[0][17]
    assert ethnicity.value == '=HYPERLINK("http://evil.example","click")'
    assert ethnicity.data_type == "s" and ethnicity.quotePrefix
    assert worker.value == "@SUM(A1:A9)" and worker.data_type == "s" and worker.quotePrefix
    assert rows[1][17].value == "+1 (555) 0100" and rows[1][17].quotePrefix
    title = next(book["Flags"].iter_rows(min_row=2))[9]
    assert title.value == "-2 workers underpaid" and title.quotePrefix
    # Ordinary numbers stay numbers.
    assert rows[0][12].data_type == "n"


def test_the_export_is_recorded_in_the_audit_log(client, reviewer, exported_project):
    download(client, reviewer)
    event = AuditEvent.objects.get(verb="project_exported")
    assert event.actor == reviewer and event.project == exported_project


def test_contractors_and_outsiders_cannot_export(
    client, contractor, outsider, orgs, exported_project
):
    assert download(client, contractor).status_code == 403
    assert download(client, outsider).status_code == 404


def test_the_project_page_offers_the_export_to_reviewers(client, reviewer, exported_project):
    client.force_login(reviewer)
    html = client.get(reverse("project_home", kwargs={"slug": "crenshaw"})).content.decode()
    assert reverse("project_export", kwargs={"slug": "crenshaw"}) in html


def test_control_characters_in_a_worker_id_do_not_break_the_export(
    client, reviewer, exported_project, walsh, crafts
):
    make_report(
        walsh,
        datetime.date(2026, 9, 1),
        [
            {
                "worker": "CTRL\u0001",
                "week_ending": datetime.date(2026, 9, 11),
                "craft": crafts["Laborer"],
                "hours": "8",
                "ethnicity": "\u202eevil\u0007",
            }
        ],
    )
    book = workbook(download(client, reviewer))
    rows = list(book["Payroll lines"].values)
    september = next(r for r in rows if r[0] == "2026-09")
    assert september[3] == "CTRL\ufffd"
    assert september[17] == "\u202eevil\ufffd"


def test_control_characters_and_markup_in_stored_text_render_in_a_memo(
    worked_examples, project, lawyer, walsh
):
    walsh.contractor.name = "Walsh\u0001 <Shea> & \u202eCo"
    walsh.contractor.save()
    memo = build(project, lawyer)
    assert memo.status == "ready", memo.failure_reason
    text = memo_text(memo)
    assert "<Shea> & \u202eCo" in text


def test_control_characters_and_overrides_in_a_flag_title_reach_the_email(
    project, walsh, reviewer, contractor
):
    from django.core import mail

    from compliance.enforcement.alerts.services import alert_flags_opened

    flag = make_flag(
        project, assignment=walsh, title="Short\u0001 hours\r\nBcc: x@evil.example \u202e<b>"
    )
    assert alert_flags_opened(flags=[flag]) >= 1
    message = mail.outbox[0]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.message()["Bcc"] is None
    assert "Short\u0001 hours Bcc: x@evil.example \u202e" in message.subject
