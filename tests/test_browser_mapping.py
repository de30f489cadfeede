"""A contractor maps its own payroll export on the mapping page, in a real browser
(Playwright and Debian's chromium; see tests/test_browser.py). Screenshots go to
test-artifacts/."""

import datetime

import pytest

from compliance.models import ExportMapping, Report
from tests.test_browser import browser, log_in, shot  # noqa: F401 - the browser fixture
from tests.test_intake_mapping import export_rows, export_xlsx

try:
    from playwright.sync_api import expect
except ImportError:  # the dev extra is not installed; the fixture skips
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contractor_maps_a_payroll_export_on_the_mapping_page(
    browser,  # noqa: F811
    live_server,
    walsh,
    crafts,
    contractor,
    tmp_path,
):
    export = tmp_path / "walsh-payroll-october.xlsx"
    export.write_bytes(export_xlsx(export_rows(datetime.date(2026, 10, 10))))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    base = live_server.url
    log_in(page, base, contractor.username)

    page.goto(f"{base}/projects/crenshaw/contractors/walsh/reports/upload/")
    page.select_option("#id_period", "2026-10")
    page.set_input_files("#id_file", str(export))
    page.click("button:has-text('Upload report')")

    expect(page.get_by_role("heading", name="Map your payroll export")).to_be_visible()
    expect(page.locator("#column_2")).to_have_value("home_zip")
    expect(page.locator("#column_5")).to_have_value("week_ending")
    expect(page.locator("#column_6")).to_have_value("straight_hours")
    expect(page.locator("#column_7")).to_have_value("overtime_hours")
    page.select_option("#column_4", "apprentice")
    page.click("button:has-text('Show the codes of the columns chosen')")
    page.select_option("select[name=craft_0]", "Carpenter")
    page.select_option("select[name=craft_1]", "Laborer")
    page.select_option("select[name=apprentice_0]", "J")
    page.select_option("select[name=apprentice_1]", "RA")
    page.fill("#name", "Walsh payroll export")
    shot(page, "mapping-page")
    page.click("button:has-text('Save the mapping and upload the file')")

    expect(page.get_by_text("Stored version 1")).to_be_visible()
    shot(page, "mapping-uploaded")
    assert Report.objects.get().line_count == 3
    assert ExportMapping.objects.get().name == "Walsh payroll export"
