"""Contractor reporting pages, as a clerk and as the people who may only look."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from compliance.models import PayrollLine, Report
from compliance.reporting.intake.store import report_submit
from tests.conftest import PASSWORD
from tests.intake_support import BEFORE_DUE, OCTOBER, ecpr, ecpr_employee, line, lines, workbook

WEEK_LATER = BEFORE_DUE + datetime.timedelta(days=7)


@pytest.fixture
def travel():
    with time_machine.travel(BEFORE_DUE, tick=False) as traveller:
        yield traveller


def log_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def months_url(slug="crenshaw", contractor="walsh"):
    return reverse("assignment_reports", kwargs={"slug": slug, "contractor": contractor})


def upload_url(contractor="walsh"):
    return reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": contractor})


def month_url(contractor="walsh", period="2026-10"):
    return reverse(
        "report_month", kwargs={"slug": "crenshaw", "contractor": contractor, "period": period}
    )


def xlsx(content: bytes, name="october.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def fill_template(content: bytes, rows: list[list]) -> bytes:
    """What a clerk does: open the downloaded template, type rows under the header, save."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["Payroll"]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=3 + offset, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(worker, craft="Carpenter", week=datetime.date(2026, 10, 3), straight=40, rate=45.5):
    return [
        worker,
        f"Worker {worker}",
        "90001",
        craft,
        "J",
        None,
        week,
        straight,
        0,
        0,
        rate,
        20.25,
        straight * rate,
        "F",
        "Hispanic",
        "N",
        "Y",
        "N",
    ]


def test_a_clerk_files_fixes_and_amends_a_month_in_the_browser(client, contractor, walsh, travel):
    log_in(client, contractor)
    home = client.get(reverse("contractor_reports", kwargs={"slug": "crenshaw"}))
    assert home.status_code == 302 and home.url == months_url()
    page = client.get(months_url())
    assert page.status_code == 200
    assert "October 2026" in page.text and "Not yet due" in page.text
    assert "Missing" in page.text  # September was due October 15

    template = client.get(
        reverse("report_template", kwargs={"slug": "crenshaw", "contractor": "walsh"}),
        {"period": "2026-10"},
    )
    assert template.status_code == 200
    assert "crenshaw-walsh-2026-10-payroll.xlsx" in template["Content-Disposition"]
    with_mistake = fill_template(
        template.content, [row("E1"), row("E2", craft="Plumbr"), row("E3", straight=85)]
    )

    failed = client.post(upload_url(), {"period": "2026-10", "file": xlsx(with_mistake)})
    assert failed.status_code == 422
    assert "2 problems found; nothing was stored" in failed.text
    assert "Plumbr" in failed.text and "Not a craft of this project" in failed.text
    assert '<td class="num">4</td><td>Craft</td>' in failed.text
    assert '<td class="num">5</td><td>Straight Hours</td>' in failed.text
    assert not Report.objects.exists()

    fixed = fill_template(template.content, [row("E1"), row("E2"), row("E3", straight=40)])
    done = client.post(upload_url(), {"period": "2026-10", "file": xlsx(fixed)}, follow=True)
    assert done.redirect_chain[-1][0] == month_url()
    assert "Stored version 1" in done.text and "3 lines, 120.00 hours, 3 workers" in done.text

    travel.move_to(WEEK_LATER)
    amended = fill_template(template.content, [row("E1"), row("E2"), row("E3"), row("E4")])
    done = client.post(
        upload_url(), {"period": "2026-10", "file": xlsx(amended, "october v2.xlsx")}, follow=True
    )
    assert "Stored version 2" in done.text and "Against version 1: +1 line, +40.00 hours" in (
        done.text
    )
    history = client.get(month_url())
    assert "october v2.xlsx" in history.text and "october.xlsx" in history.text
    assert "+1 line, +40.00 hours" in history.text and "first version" in history.text
    first = Report.objects.get(version=1)
    old = client.get(reverse("report_detail", kwargs={"report_id": first.pk}))
    assert "An earlier version" in old.text and "Worker E3" in old.text
    original = client.get(reverse("report_file", kwargs={"report_id": first.pk}))
    assert b"".join(original.streaming_content) == fixed
    assert PayrollLine.objects.filter(is_current=True).count() == 4


def test_no_work_this_month_from_the_months_table(client, contractor, walsh, travel):
    log_in(client, contractor)
    url = reverse(
        "report_no_work", kwargs={"slug": "crenshaw", "contractor": "walsh", "period": "2026-09"}
    )
    done = client.post(url, follow=True)
    assert "no work this month" in done.text
    report = Report.objects.get()
    assert report.no_work and report.source == "no_work" and report.is_late
    page = client.get(months_url())
    assert "no work" in page.text


def test_an_ecpr_upload_through_the_page(client, contractor, walsh, travel):
    log_in(client, contractor)
    content = ecpr("2026-10-03", [ecpr_employee()])
    done = client.post(
        upload_url(), {"period": "2026-10", "file": xlsx(content, "week.xml")}, follow=True
    )
    assert "Stored version 1" in done.text
    assert Report.objects.get().source == "ecpr"


def test_an_oversized_upload_is_refused_on_the_page(client, contractor, walsh, travel, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    log_in(client, contractor)
    page = client.post(upload_url(), {"period": "2026-10", "file": xlsx(workbook(lines(50)))})
    assert page.status_code == 422 and "the limit is" in page.text


def test_the_same_file_twice_says_nothing_changed(client, contractor, walsh, travel):
    log_in(client, contractor)
    content = workbook(lines(3))
    client.post(upload_url(), {"period": "2026-10", "file": xlsx(content)})
    again = client.post(upload_url(), {"period": "2026-10", "file": xlsx(content)}, follow=True)
    assert "Nothing changed" in again.text
    assert Report.objects.count() == 1


# Who may see and do what


def test_another_contractor_never_sees_walshs_reports(client, other_contractor, walsh, travel):
    report = report_submit(assignment=walsh, period=OCTOBER, rows=lines(2), source="api").report
    log_in(client, other_contractor)
    for url in [
        months_url(),
        month_url(),
        reverse("report_detail", kwargs={"report_id": report.pk}),
        reverse("report_file", kwargs={"report_id": report.pk}),
        reverse("report_template", kwargs={"slug": "crenshaw", "contractor": "walsh"}),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(upload_url(), {"period": "2026-10"}).status_code == 404
    no_work = reverse(
        "report_no_work", kwargs={"slug": "crenshaw", "contractor": "walsh", "period": "2026-10"}
    )
    assert client.post(no_work).status_code == 404
    own = client.get(reverse("contractor_reports", kwargs={"slug": "crenshaw"}))
    assert own.url == months_url(contractor="pulice")
    assert Report.objects.count() == 1


def test_monitors_read_but_never_upload(client, reviewer, walsh, contractor, travel):
    report = report_submit(
        assignment=walsh, period=OCTOBER, rows=lines(2), source="api", user=contractor
    ).report
    log_in(client, reviewer)
    chooser = client.get(reverse("contractor_reports", kwargs={"slug": "crenshaw"}))
    assert chooser.status_code == 200 and "Walsh Shea" in chooser.text
    picked = client.get(
        reverse("contractor_reports", kwargs={"slug": "crenshaw"}), {"contractor": "walsh"}
    )
    assert picked.url == months_url()
    page = client.get(months_url())
    assert page.status_code == 200 and "Upload report" not in page.text
    assert "only the contractor files them" in page.text
    assert client.get(upload_url()).status_code == 403
    assert client.post(upload_url(), {"period": "2026-10"}).status_code == 403
    detail = client.get(reverse("report_detail", kwargs={"report_id": report.pk}))
    assert detail.status_code == 200 and "Ana Flores" not in detail.text


def test_the_law_center_sees_worker_names(client, lawyer, walsh, travel):
    report = report_submit(assignment=walsh, period=OCTOBER, rows=lines(1), source="api").report
    log_in(client, lawyer)
    detail = client.get(reverse("report_detail", kwargs={"report_id": report.pk}))
    assert "Ana Flores" in detail.text


def test_outsiders_and_strangers_find_nothing(client, outsider, walsh, travel):
    assert client.get(months_url()).status_code == 302  # to the login page
    log_in(client, outsider)
    assert client.get(months_url()).status_code == 404
    assert client.get(reverse("contractor_reports", kwargs={"slug": "crenshaw"})).status_code == (
        404
    )


def test_the_months_page_runs_a_fixed_number_of_queries(
    client, contractor, walsh, travel, django_assert_max_num_queries
):
    for month in (8, 9, 10):
        week = datetime.date(2026, month, 26 if month != 10 else 31).isoformat()
        report_submit(
            assignment=walsh,
            period=OCTOBER.replace(month=month),
            rows=[line(worker_id=f"E{i}", week_ending=week) for i in range(3)],
            source="api",
        )
    log_in(client, contractor)
    with django_assert_max_num_queries(12):
        assert client.get(months_url()).status_code == 200


def test_a_month_filed_without_an_account_says_where_it_came_from(
    client, contractor, walsh, travel, django_user_model
):
    report_submit(
        assignment=walsh, period=OCTOBER, rows=lines(2), source="excel", user=None
    )  # what `import_report` without --user stores
    clerk = django_user_model.objects.create_user("gone", password=PASSWORD)
    report_submit(assignment=walsh, period=OCTOBER, rows=lines(3), source="api", user=clerk)
    clerk.delete()
    log_in(client, contractor)
    page = client.get(month_url())
    assert page.status_code == 200
    assert "an administrator (imported from a file)" in page.text
    assert "a user who no longer has an account" in page.text
    first = Report.objects.get(version=1)
    detail = client.get(reverse("report_detail", kwargs={"report_id": first.pk}))
    assert detail.status_code == 200
    assert "by an administrator (imported from a file) from Excel upload" in detail.text


def test_control_characters_and_direction_overrides_stay_in_their_place(
    client, contractor, lawyer, walsh, travel
):
    contractor.first_name = "\u202eNeila"
    contractor.save()
    report_submit(
        assignment=walsh,
        period=OCTOBER,
        rows=[line(worker_id="CTRL\u0001", worker_name="Ana\u0007 \u202eFlores")],
        source="api",
        user=contractor,
    )
    report = Report.objects.get()
    log_in(client, lawyer)
    month = client.get(month_url())
    assert month.status_code == 200
    assert "<bdi>\u202eNeila" in month.text
    detail = client.get(reverse("report_detail", kwargs={"report_id": report.pk}))
    assert detail.status_code == 200
    assert "<bdi>CTRL\ufffd</bdi>" in detail.text
    assert "<bdi>Ana\ufffd \u202eFlores</bdi>" in detail.text
    assert "\u0001" not in detail.text and "\u0007" not in detail.text
