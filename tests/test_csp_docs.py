"""The Content-Security-Policy allows only this site, and the API docs work offline under it.

Every page carries the policy; no template (ours or the Django admin's) has inline script,
inline style or event-handler attributes the policy would block; /api/v1/docs is Swagger UI
from django-ninja's own static files. In a real browser with every request off this site
cut, the docs list the operations and the console shows no policy violation.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import make_user

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\sstyle=|\son[a-z]+=",
    re.IGNORECASE,
)


def test_every_page_carries_a_policy_that_allows_only_this_site(db):
    response = Client().get("/login/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "http" not in policy


def test_no_template_has_inline_script_style_or_handlers():
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0).strip()}"
        for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html"))
        for match in INLINE.finditer(path.read_text())
    ]

    assert offenders == []


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/projects/project/", "/admin/projects/project/add/"]
)
def test_the_admin_pages_have_no_inline_script_or_style(db, url):
    client = Client()
    client.force_login(make_user("boss", None, is_staff=True, is_superuser=True))

    response = client.get(url)

    assert response.status_code == 200
    assert INLINE.findall(response.content.decode()) == []


def test_the_api_docs_page_loads_swagger_ui_from_this_site_without_inline_code(db):
    response = Client().get("/api/v1/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert INLINE.findall(html) == []


@pytest.fixture
def browser(monkeypatch):
    if sync_playwright is None:
        pytest.skip("Playwright is not importable: install the dev extra.")
    if not os.path.exists(CHROMIUM) or not shutil.which(CHROMIUM):
        pytest.skip(f"No chromium at {CHROMIUM}.")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_render_the_operations_offline_with_no_policy_violation(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside, console = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))

    def only_this_site(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_this_site)
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e =>"
        " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    listing = "#operations-reports-compliance_reporting_api_reports_list_reports"
    page.click(f"{listing} .opblock-summary")  # open one: its form and icons load too
    page.click(f"{listing} button.try-out__btn")
    page.wait_for_selector(f"{listing} .parameters input", timeout=5_000)
    violations = page.evaluate("() => window.__cspViolations || []")
    operations = page.locator(".opblock").count()
    text = page.inner_text("#swagger-ui")
    page.screenshot(path=str(ARTIFACTS / "api-docs-offline.png"), full_page=False)

    assert operations >= 20
    assert "CBA Monitor API" in text and "/api/v1/projects" in text
    assert outside == []
    assert violations == []
    assert [line for line in console if "Content Security Policy" in line or "error" in line] == []
