"""The coalition's day in a real browser: Playwright drives Debian's chromium against a live
server. A reviewer opens the dashboard, a project and a flag, escalates it with a note and
adds an internal comment; the contractor then sees the shared words and not the internal
ones. Screenshots go to test-artifacts/ (kept by CI, ignored by git)."""

import datetime
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from compliance.models import Flag, Notification
from tests.coalition_data import (  # noqa: F401 - fast_passwords applies to this module
    crenshaw_compliance,
    fast_passwords,
    fresh_cache,
    make_flag,
)
from tests.conftest import PASSWORD, make_report
from tests.engine_support import line

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    if sync_playwright is None:
        pytest.skip(
            "Playwright is not importable: install the dev extra (pip install -e '.[dev]')."
        )
    if not os.path.exists(CHROMIUM) or not shutil.which(CHROMIUM):
        pytest.skip(f"No chromium at {CHROMIUM}: apt-get install chromium (.ci/run does it).")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between pages are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_reviewer_escalates_a_flag_and_the_contractor_sees_only_the_shared_words(
    browser, live_server, project, walsh, pulice, crafts, area, reviewer, contractor
):
    standing = crenshaw_compliance(project, walsh, pulice, crafts, area)
    flag = make_flag(
        project,
        "shortfall",
        "critical",
        commitment=standing["local_trades"],
        assignment=walsh,
        craft=crafts["Laborer"],
        title="Walsh laborers below 30% local hours",
        figures={"actual_percent": "15.00", "target_percent": "30.00", "shortfall": "120.00"},
    )
    base = live_server.url

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, base, reviewer.username)
    page.click("header >> text=Dashboard")
    expect(page.get_by_role("heading", name="Portfolio dashboard")).to_be_visible()
    expect(page.locator("text=37.00% of 40.00%")).to_be_visible()
    shot(page, "1-reviewer-dashboard")

    page.click("text=Crenshaw/LAX Line")
    expect(page.get_by_role("heading", name="Crenshaw/LAX Line")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    shot(page, "2-reviewer-project")

    page.click("text=Walsh laborers below 30% local hours")
    expect(page.get_by_role("heading", name="Walsh laborers below 30% local hours")).to_be_visible()
    page.fill("#note-escalate", "Third month short: over to the law center.")
    page.check("#action-escalate input[name=visibility][value=shared]")
    page.click("#action-escalate button")
    expect(page.locator("ul.messages")).to_contain_text("The flag is now escalated")
    page.fill("#comment-note", "Please send your local hiring plan by Friday.")
    page.check("#comment input[name=visibility][value=shared]")
    page.click("#comment button")
    page.fill("#comment-note", "Internal: they missed this twice before.")
    page.check("#comment input[name=visibility][value=internal]")
    page.click("#comment button")
    expect(page.locator("ul.messages")).to_contain_text("Comment added (internal).")
    expect(page.locator("ol.timeline")).to_contain_text("Internal: they missed this twice")
    shot(page, "3-reviewer-flag-escalated")
    context.close()
    flag.refresh_from_db()
    assert flag.status == Flag.Status.ESCALATED

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    log_in(page, base, contractor.username)
    page.click("header >> text=My flags")
    expect(page.get_by_role("heading", name="My flags")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "4-contractor-flags-phone")
    page.click("text=Walsh laborers below 30% local hours")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Third month short: over to the law center.")
    expect(timeline).to_contain_text("Please send your local hiring plan by Friday.")
    expect(timeline).not_to_contain_text("they missed this twice")
    expect(page.locator("#action-dispute")).to_be_visible()
    expect(page.locator("#action-escalate")).to_have_count(0)
    shot(page, "5-contractor-flag-phone")
    context.close()


def test_the_dashboard_reads_on_a_phone(
    browser, live_server, project, walsh, pulice, crafts, area, reviewer
):
    crenshaw_compliance(project, walsh, pulice, crafts, area)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, reviewer.username)
    page.goto(f"{live_server.url}/dashboard/")
    # No sideways scrolling: the table turns into stacked cards.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "6-reviewer-dashboard-phone")
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    shot(page, "7-reviewer-project-phone")
    context.close()


def test_no_page_scrolls_sideways_on_a_phone_for_a_contractor_or_a_reviewer(
    browser, live_server, project, walsh, pulice, crafts, area, reviewer, contractor
):
    """At 390 px every wide table scrolls inside its own region; the page itself never
    does (SPEC §8)."""
    standing = crenshaw_compliance(project, walsh, pulice, crafts, area)
    flag = make_flag(
        project,
        "wage_violation",
        "critical",
        commitment=standing["local_trades"],
        assignment=walsh,
        craft=crafts["Laborer"],
        title="Walsh laborers paid under the prevailing wage floor in January 2024",
        figures={"actual_percent": "15.00", "target_percent": "30.00", "shortfall": "7479.90"},
    )
    january = datetime.date(2024, 1, 1)
    make_report(
        walsh,
        january,
        [
            line(f"W-{n:04d}-LONG-IDENTIFIER", datetime.date(2024, 1, 6), crafts["Laborer"], 40)
            for n in range(3)
        ],
    )
    for user in (reviewer, contractor):
        Notification.objects.create(
            user=user,
            flag=flag,
            event_key=f"flag:{flag.pk}:opened",
            message=f"New critical flag on {project.name}: {flag.title}",
            url=f"/flags/{flag.pk}/",
        )
    base = live_server.url
    reports = f"{base}/projects/{project.slug}/contractors/{walsh.contractor.slug}/reports/"
    pages = {
        "home": f"{base}/",
        "project": f"{base}/projects/{project.slug}/",
        "months": reports,
        "month": f"{reports}2024-01/",
        "flags": f"{base}/flags/",
        "flag": f"{base}/flags/{flag.pk}/",
        "notifications": f"{base}/notifications/",
    }
    for user, extra in ((contractor, {"upload": f"{reports}upload/"}), (reviewer, {})):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        log_in(page, base, user.username)
        for name, url in {**pages, **extra}.items():
            response = page.goto(url)
            assert response.status == 200, (user.username, name)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                shot(page, f"8-too-wide-{user.username}-{name}")
            assert width <= 390, f"{name} is {width} px wide for {user.username}"
        context.close()
