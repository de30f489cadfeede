"""A prime's clerk in a real browser (issue 13): from the company's monthly reports, sees its
sub's missing month, opens the sub's standing, and adds a lower-tier subcontractor.
Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.core import mail

from compliance.months import month_start
from projects.models import Assignment
from tests.coalition_data import fast_passwords, fresh_cache  # noqa: F401 - applied here
from tests.conftest import make_report
from tests.test_browser import browser, log_in, shot  # noqa: F401 - the harness

try:
    from playwright.sync_api import expect
except ImportError:  # the dev extra is not installed; the browser fixture skips
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def months_back(today: datetime.date, n: int) -> datetime.date:
    period = month_start(today)
    for _ in range(n):
        period = month_start(period - datetime.timedelta(days=1))
    return period


def test_a_primes_clerk_watches_a_sub_and_adds_one(
    browser,  # noqa: F811
    live_server,
    project,
    walsh,
    pulice,
    crafts,
    contractor,
):
    today = datetime.date.today()
    project.end_date = today.replace(year=today.year + 2)
    project.save()
    # Pulice started four months ago and filed every month since but one.
    pulice.start_date = months_back(today, 4)
    pulice.save()
    missing = months_back(today, 3)
    for n in (4, 2, 1):
        period = months_back(today, n)
        make_report(
            pulice,
            period,
            [
                {
                    "worker": "P-3",
                    "week_ending": period + datetime.timedelta(days=8),
                    "craft": crafts["Laborer"],
                    "hours": "40",
                }
            ],
        )
    base = live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    log_in(page, base, contractor.username)
    page.click("text=Crenshaw/LAX Line")
    expect(page.get_by_role("heading", name="Walsh Shea: monthly reports")).to_be_visible()
    subs = page.locator("#subcontractors")
    expect(subs).to_contain_text("Pulice")
    expect(subs).to_contain_text(f"{missing:%B %Y}")
    subs.scroll_into_view_if_needed()
    shot(page, "subs-1-prime-sees-its-sub")

    subs.locator("a", has_text="Standing").first.click()
    expect(
        page.get_by_role("heading", name="Pulice: standing on Crenshaw/LAX Line")
    ).to_be_visible()
    expect(page.locator("#reporting")).to_contain_text("1 missing")
    shot(page, "subs-2-sub-standing")

    page.go_back()
    page.click("text=Add a subcontractor")
    expect(page.get_by_role("heading", name="Add a subcontractor")).to_be_visible()
    page.fill("#id_company", "Eastside Electric")
    page.fill("#id_contact_name", "Rosa Mendez")
    page.fill("#id_contact_email", "rosa@eastside-electric.example")
    page.fill("#id_scope_of_work", "Underground electrical")
    start = month_start(today) + datetime.timedelta(days=40)
    page.fill("#id_start_date", month_start(start).isoformat())
    page.fill("#id_end_date", project.end_date.isoformat())
    shot(page, "subs-3-add-form")
    page.click("button:has-text('Add the subcontractor')")

    expect(page.locator("ul.messages")).to_contain_text(
        "Eastside Electric is now your subcontractor"
    )
    expect(page.locator("#subcontractors")).to_contain_text("Underground electrical")
    shot(page, "subs-4-added")
    added = Assignment.objects.get(contractor__name="Eastside Electric")
    assert (added.tier, added.parent_id) == ("sub", walsh.pk)
    assert [m.to for m in mail.outbox if "/welcome/" in m.body] == [
        ["rosa@eastside-electric.example"]
    ]
