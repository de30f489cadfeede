"""`/public/compare/` in a real browser, in English and Spanish: an anonymous visitor filters
the comparison without script, and axe-core finds no WCAG 2.1 AA violation (issue 16 item 5).
Screenshots go to test-artifacts/."""

import pytest

from projects.models import Policy
from tests.test_browser import ARTIFACTS, browser, shot  # noqa: F401 - the fixture
from tests.test_public_compare import public_project, published

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # the dev extra is not installed
    Axe = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def three_cities() -> None:
    boston = Policy.objects.create(
        slug="boston-rjp", name="Boston Residents Jobs Policy", jurisdiction="Boston, MA",
        type="ordinance", public=True,
    )  # fmt: skip
    sf = Policy.objects.create(
        slug="sf-local-hire", name="San Francisco Local Hiring Policy",
        jurisdiction="San Francisco, CA", type="ordinance", public=True,
    )  # fmt: skip
    published(
        public_project("dorchester-bay-commons", name="Dorchester Bay Commons Phase 1",
                       policy=boston, total_cost="96000000"),
        local=("19.17", "51", "44937.50", "8615.00"),
        definition="Hours by Boston residents, as the contractor reports and the city "
        "certifies them, over all hours",
    )  # fmt: skip
    published(
        public_project("mission-rock", name="Mission Rock Block G",
                       jurisdiction="San Francisco, CA", policy=sf, total_cost="412000000"),
        local=("33.40", "30", "12000.00", "4008.00"),
        definition="Hours by residents of San Francisco ZIP codes, per contractor and trade; "
        "elevator constructors exempt",
        damages=("4200.00", "1200.00"),
    )  # fmt: skip
    published(
        public_project("vermont-commons", name="Vermont Commons Affordable Housing",
                       jurisdiction="Los Angeles, CA"),
        local=("10.00", "30", "400.00", "40.00"),
        suppressed=True,
    )  # fmt: skip


def violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_comparison_passes_axe_in_english_and_spanish_and_filters_without_script(
    browser,  # noqa: F811 - the fixture
    live_server,
    language,
):
    if Axe is None:
        pytest.skip("axe-playwright-python is not installed: pip install -e '.[dev]'.")
    three_cities()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale=language,
        extra_http_headers={"Accept-Language": language},
        java_script_enabled=True,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/public/compare/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("svg.chart").count() == 4
    assert page.locator("tbody th", has_text="Dorchester Bay Commons Phase 1").first.is_visible()
    shot(page, f"compare-{language}")
    assert violations(page) == []

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": language}
    ).new_page()
    phone.goto(f"{live_server.url}/public/compare/")
    shot(phone, f"compare-{language}-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert violations(phone) == []

    # The filters are a plain form: they work with script off.
    bare = browser.new_context(java_script_enabled=False).new_page()
    bare.goto(f"{live_server.url}/public/compare/")
    bare.select_option("select[name=jurisdiction]", "San Francisco, CA")
    bare.locator("form.filters button[type=submit]").click()
    bare.wait_for_load_state()
    assert "jurisdiction=San+Francisco" in bare.url
    assert bare.locator("tbody th", has_text="Mission Rock Block G").first.is_visible()
    assert bare.locator("tbody th", has_text="Dorchester Bay").count() == 0
    assert ARTIFACTS.exists()
