"""The open data page in a real browser (issue 15): a coalition reviewer imports Boston's
file for a project and reads what was stored. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from compliance.models import Report
from tests.test_browser import browser, log_in, shot  # noqa: F401 - the browser fixture
from tests.test_open_data import EXTRACT, boston  # noqa: F401 - the project fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_imports_the_citys_file_from_the_project_page(
    browser,  # noqa: F811
    live_server,
    boston,  # noqa: F811
    reviewer,
):
    page = browser.new_page()
    log_in(page, live_server.url, "reviewer")
    page.goto(f"{live_server.url}/projects/parcel-p3/")
    page.click("text=Import the city's open data")
    expect(page.get_by_role("heading", name="Import the city's open data")).to_be_visible()

    page.set_input_files("#id_file", str(EXTRACT))
    page.click("button:has-text('Import')")

    expect(page.get_by_role("status")).to_contain_text(
        "Imported 130 rows for “Parcel P-3 Residential”"
    )
    expect(page.get_by_role("link", name="Coastal Steel Erectors: January 2024")).to_be_visible()
    shot(page, "open-data-import-reviewer")
    assert Report.objects.filter(source="open_data").count() == 12
