"""The public pages in a real browser (issue 16): an anonymous visitor, as a new user would,
finds a public project from /public/, reads its page, downloads its CSV and reads it in
Spanish; axe-core checks every public page in English and Spanish and the test fails on any
WCAG 2.1 AA violation. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from compliance.evaluation.public.figures import public_figures_refresh
from tests.test_browser import ARTIFACTS, shot
from tests.test_browser import browser as browser  # the fixture
from tests.test_public_figures import _example_a

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # the dev extra is not installed
    Axe = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def public_crenshaw(project, walsh, crafts, area):
    project.agreements.update(public=True)
    _example_a(project, walsh, crafts, area, workers=12)
    public_figures_refresh(project=project)
    return project


def violations(page) -> list[str]:
    if Axe is None:
        pytest.skip("axe-playwright-python is not installed (the dev extra).")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
    ]


def test_an_anonymous_visitor_reads_a_public_project_and_downloads_its_csv(
    browser, live_server, public_crenshaw
):
    page = browser.new_page()
    page.goto(f"{live_server.url}/public/")
    expect(page.get_by_role("heading", name="Public projects", exact=True)).to_be_visible()
    shot(page, "public-index")
    page.get_by_role("link", name="Crenshaw/LAX Line").click()

    expect(page.get_by_role("heading", name="Crenshaw/LAX Line")).to_be_visible()
    targets = page.get_by_role("table", name="Share of all hours")
    expect(targets).to_contain_text("37.00%")
    expect(targets).to_contain_text("40.00%")
    expect(targets).to_contain_text("At risk")
    expect(page.get_by_text("Figures as of March 31, 2024")).to_be_visible()
    shot(page, "public-project")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith("section,target_group,commitment,trade,contractor,period")
    assert "headline,local_hire,Local hire,,,,,,,achieved_percent,37.00,false" in text

    page.get_by_role("link", name="Leer en español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    shot(page, "public-project-es")


def test_every_public_page_passes_wcag_2_1_aa_in_english_and_spanish(
    browser, live_server, public_crenshaw
):
    page = browser.new_page()
    found = []
    for path in ("/public/", "/public/projects/crenshaw/", "/public/data-dictionary/"):
        for language in ("en", "es"):
            page.goto(f"{live_server.url}{path}?language={language}")
            found += violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/public/projects/crenshaw/")
    shot(page, "public-project-phone")
    found += violations(page)

    assert not found, "\n".join(found)
    assert ARTIFACTS.exists()
