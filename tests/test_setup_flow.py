"""Setup without JSON (issue 14 item 5): a program admin sets a project up from a policy in
the browser, step by step, every commitment in a form built from its kind's parameters;
bad input shows its error beside the field and stores nothing; others get a 404."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from projects.models import (
    Agreement,
    Area,
    Assignment,
    Commitment,
    CommitmentVersion,
    Craft,
    Organization,
    Project,
)
from tests.test_browser import browser, expect, log_in, shot  # noqa: F401 - the fixture

POLICIES = Path(__file__).resolve().parent.parent / "demo" / "policies"
PROJECT = {
    "slug": "mission-rock",
    "name": "Mission Rock",
    "location": "San Francisco, CA",
    "start_date": "2025-03-01",
    "end_date": "2027-12-31",
    "jurisdiction": "San Francisco, CA",
    "sector": "mixed_use",
    "total_cost": "1400000000",
    "public_subsidy": "25000000.50",
}


@pytest.fixture
def sf_policy(db):
    call_command("load_policy", str(POLICIES / "sf-local-hire.json"), stdout=None)


@pytest.fixture
def as_admin(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def filled(*forms) -> dict:
    """What a browser would post back for these forms as shown: every field's value."""
    data = {}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def set_up_project(client: Client) -> Project:
    """Steps 1-2: the project and two agreements."""
    response = client.post("/setup/new/", PROJECT)
    assert response.status_code == 302, text_of(response)
    assert response["Location"] == "/setup/mission-rock/agreements/"
    for agreement in (
        {
            "key": "sf-ordinance",
            "title": "SF Local Hiring Policy as applied",
            "effective_date": "2025-03-01",
            "signatories": "City and County of San Francisco; Mission Rock Partners",
            "cure_period_days": "45",
            "report_due_day": "20",
            "damages_basis": "to_date",
            "public": "on",
        },
        {
            "key": "cba",
            "title": "Mission Rock Community Benefits Agreement",
            "effective_date": "2025-01-15",
            "signatories": "Mission Rock Partners; Bayview Coalition",
            "cure_period_days": "30",
            "report_due_day": "15",
            "damages_basis": "at_completion",
        },
    ):
        response = client.post("/setup/mission-rock/agreements/", agreement)
        assert response.status_code == 302, text_of(response)
    return Project.objects.get(slug="mission-rock")


def test_a_program_admin_sets_up_a_project_from_a_policy_in_the_browser(
    as_admin, admin, sf_policy, django_capture_on_commit_callbacks
):
    project = set_up_project(as_admin)
    assert project.status == Project.Status.PLANNED
    assert (project.jurisdiction, project.sector, str(project.public_subsidy)) == (
        "San Francisco, CA",
        "mixed_use",
        "25000000.50",
    )
    ordinance = project.agreements.get(key="sf-ordinance")
    assert (ordinance.cure_period_days, ordinance.report_due_day, ordinance.public) == (
        45,
        20,
        True,
    )
    assert ordinance.damages_basis == "to_date"
    cba = project.agreements.get(key="cba")

    # Areas: a new one from a ZIP list (duplicates and separators forgiven).
    response = as_admin.post(
        "/setup/mission-rock/areas/",
        {"name": "Mission Rock impact area", "zips": "94107, 94158\n94124 94107"},
    )
    assert response.status_code == 302
    impact = Area.objects.get(slug="mission-rock-impact-area")
    assert impact.zips == ["94107", "94124", "94158"]

    # Trades: a new one with the other names uploads use, then the project's list ticked.
    response = as_admin.post(
        "/setup/mission-rock/crafts/",
        {"action": "new", "name": "Operating Engineer", "aliases": "Op Eng, Operator"},
    )
    assert response.status_code == 302
    carpenter = Craft.objects.create(name="Carpenter")
    engineer = Craft.objects.get(name="Operating Engineer")
    assert engineer.aliases == ["Op Eng", "Operator"]
    elevator = Craft.objects.get(name="Elevator Constructor")  # the policy's exempt trade
    response = as_admin.post(
        "/setup/mission-rock/crafts/",
        {"action": "pick", "crafts": [carpenter.pk, engineer.pk, elevator.pk]},
    )
    assert response.status_code == 302
    assert set(project.crafts.values_list("name", flat=True)) == {
        "Carpenter",
        "Operating Engineer",
        "Elevator Constructor",
    }

    # Policies: the ordinance adopted into its agreement, its local-hire commitment with the
    # project's own area and start date.
    page = as_admin.get("/setup/mission-rock/policies/?policy=sf-local-hire")
    assert "San Francisco Local Hiring Policy for Construction" in text_of(page)
    assert "Local resident hours per trade" in text_of(page)
    response = as_admin.post(
        "/setup/mission-rock/policies/",
        {
            "policy": "sf-local-hire",
            "agreement": ordinance.pk,
            "local-area": impact.pk,
            "local-start_date": "2025-06-01",
        },
    )
    assert response.status_code == 302, text_of(response)
    local = project.commitments.get(key="local")
    assert (local.agreement, local.area, local.params["target_percent"]) == (
        ordinance,
        impact,
        "30",
    )
    assert [v.effective_from for v in local.versions.all()] == [datetime.date(2025, 6, 1)]
    # Its terms have a history from the start: a correction during setup is a version too,
    # from the first terms' date unless told otherwise.
    page = as_admin.get("/setup/mission-rock/commitments/local/")
    correction = filled(page.context["fields"], page.context["terms"], page.context["amendment"])
    assert correction["effective_from"] == datetime.date(2025, 6, 1)
    correction["terms-min_base"] = "40"
    assert as_admin.post("/setup/mission-rock/commitments/local/", correction).status_code == 302
    local.refresh_from_db()
    assert local.terms_on(datetime.date(2025, 6, 1)).params["min_base"] == "40"
    assert local.versions.count() == 2
    apprentice = project.commitments.get(key="local-apprentice")
    assert apprentice.area.slug == "sf-city"
    assert apprentice.versions.get().effective_from == datetime.date(2025, 3, 1)

    # A commitment added by hand: a wage floor's rate table as rows, crafts as a select.
    page = as_admin.get("/setup/mission-rock/commitments/new/?kind=wage_floor")
    assert page.status_code == 200
    assert 'name="terms-rates-0-craft"' in page.content.decode()
    response = as_admin.post(
        "/setup/mission-rock/commitments/new/",
        {
            "kind": "wage_floor",
            "agreement": cba.pk,
            "key": "living-wage",
            "clause": "§5",
            "title": "Living wage",
            "terms-basis": "total",
            "terms-scope": "project",
            "terms-rates-0-craft": "any",
            "terms-rates-0-effective_from": "2025-01-01",
            "terms-rates-0-base": "30.00",
            "terms-rates-0-fringe": "8.50",
            "terms-rates-1-craft": "Carpenter",
            "terms-rates-1-effective_from": "2025-01-01",
            "terms-rates-1-base": "42",
        },
    )
    assert response.status_code == 302, text_of(response)
    wage = project.commitments.get(key="living-wage")
    assert wage.agreement == cba
    assert wage.params == {
        "basis": "total",
        "scope": "project",
        "rates": [
            {"craft": "any", "effective_from": "2025-01-01", "base": "30.00", "fringe": "8.50"},
            {"craft": "Carpenter", "effective_from": "2025-01-01", "base": "42", "fringe": "0"},
        ],
    }

    # Contractors: the prime and a sub, their contacts invited to choose a password.
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            "/setup/mission-rock/contractors/",
            {
                "new_company": "Bayside Builders",
                "tier": "prime",
                "scope_of_work": "General contractor",
                "emails": "ana@bayside.example, Payroll@Bayside.example",
            },
        )
    assert response.status_code == 302, text_of(response)
    prime = project.assignments.get(contractor__name="Bayside Builders")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            "/setup/mission-rock/contractors/",
            {
                "new_company": "Pier Electric",
                "tier": "sub",
                "parent": prime.pk,
                "scope_of_work": "Electrical",
                "start_date": "2025-04-01",
                "end_date": "2026-09-30",
                "emails": "lee@pier.example",
            },
        )
    assert response.status_code == 302, text_of(response)
    sub = project.assignments.get(contractor__name="Pier Electric")
    assert (sub.tier, sub.parent, sub.start_date, sub.end_date) == (
        "sub",
        prime,
        datetime.date(2025, 4, 1),
        datetime.date(2026, 9, 30),
    )
    assert prime.start_date == project.start_date
    assert sorted(prime.contacts.values_list("email", flat=True)) == [
        "ana@bayside.example",
        "payroll@bayside.example",
    ]
    assert Organization.objects.get(name="Pier Electric").kind == "contractor"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@bayside.example",
        "lee@pier.example",
        "payroll@bayside.example",
    ]
    invitation = next(m for m in mail.outbox if m.to == ["lee@pier.example"])
    assert "Pier Electric" in invitation.body and "Mission Rock" in invitation.body

    # The invitation's link lets the contact choose a password and sign in.
    link = re.search(r"https?://[^/\s]+(/welcome/\S+/)", invitation.body).group(1)
    contact = Client()
    form_page = contact.get(link, follow=True)
    assert form_page.status_code == 200
    response = contact.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a long new passphrase 7", "new_password2": "a long new passphrase 7"},
    )
    assert response.status_code == 302
    assert contact.login(username="lee@pier.example", password="a long new passphrase 7")

    # The review says it all in words.
    review = text_of(as_admin.get("/setup/mission-rock/review/"))
    assert (
        "At least 30% of work hours must go to residents of Mission Rock impact area, "
        "for each contractor in each trade (not counting Elevator Constructor)" in review
    )
    assert "Pier Electric, subcontractor working for Bayside Builders (Electrical)" in review
    assert "Mission Rock impact area : 3 ZIP codes (94107, 94124, 94158)" in review
    assert "Operating Engineer (also “Op Eng”, “Operator”)" in review
    assert "It adopts San Francisco Local Hiring Policy for Construction" in review

    response = as_admin.post("/setup/mission-rock/activate/")
    assert response.status_code == 302
    assert response["Location"] == "/projects/mission-rock/"
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


def test_a_bad_zip_shows_the_error_and_stores_no_area(as_admin):
    set_up_project(as_admin)
    response = as_admin.post(
        "/setup/mission-rock/areas/", {"name": "Impact", "zips": "94107, 9410, abcde"}
    )
    assert response.status_code == 200
    assert "Not 5-digit ZIP codes: 9410, abcde." in text_of(response)
    assert 'id="id_zips_error"' in response.content.decode()
    assert not Area.objects.filter(name="Impact").exists()


def test_a_bad_parameter_shows_the_error_beside_its_field_and_stores_nothing(as_admin):
    project = set_up_project(as_admin)
    cba = project.agreements.get(key="cba")
    response = as_admin.post(
        "/setup/mission-rock/commitments/new/",
        {
            "kind": "workforce_share",
            "agreement": cba.pk,
            "key": "local",
            "title": "Local hours",
            "terms-measure": "hours",
            "terms-qualifier": "area_resident",
            "terms-population": "all",
            "terms-scope": "project",
            "terms-target_percent": "120",
            "terms-warning_margin": "5",
            "terms-min_base": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'id="id_terms-target_percent_error">Must be at most 100\.<', page)
    assert re.search(r'id="id_terms-area_error">An area_resident commitment needs an area', page)
    assert not Commitment.objects.exists()


def test_a_bad_rate_row_is_named_beside_its_cell(as_admin):
    project = set_up_project(as_admin)
    response = as_admin.post(
        "/setup/mission-rock/commitments/new/",
        {
            "kind": "wage_floor",
            "agreement": project.agreements.get(key="cba").pk,
            "key": "wage",
            "title": "Wage",
            "terms-basis": "base",
            "terms-scope": "project",
            "terms-rates-1-craft": "any",
            "terms-rates-1-effective_from": "2025-01-01",
            "terms-rates-1-base": "0",
        },
    )
    assert response.status_code == 200
    assert "Must be at least 0.01." in text_of(response)
    assert not Commitment.objects.exists()


def test_new_terms_on_an_active_project_are_a_new_version_from_a_date(as_admin, sf_policy):
    project = set_up_project(as_admin)
    ordinance = project.agreements.get(key="sf-ordinance")
    as_admin.post(
        "/setup/mission-rock/policies/",
        {"policy": "sf-local-hire", "agreement": ordinance.pk},
    )
    project.status = Project.Status.ACTIVE
    project.save()
    page = as_admin.get("/setup/mission-rock/commitments/local/")
    data = filled(page.context["fields"], page.context["terms"])
    data["terms-target_percent"] = "35"

    refused = as_admin.post("/setup/mission-rock/commitments/local/", data)
    assert refused.status_code == 200
    assert re.search(
        r'id="id_effective_from_error">This field is required', refused.content.decode()
    )
    assert CommitmentVersion.objects.filter(commitment__key="local").count() == 1

    data |= {"effective_from": "2026-01-01", "note": "Phase 2 of the ordinance"}
    response = as_admin.post("/setup/mission-rock/commitments/local/", data)
    assert response.status_code == 302, text_of(response)
    local = Commitment.objects.get(project=project, key="local")
    assert local.terms_on(datetime.date(2025, 12, 31)).params["target_percent"] == "30"
    assert local.terms_on(datetime.date(2026, 1, 1)).params["target_percent"] == "35"
    newest = local.versions.order_by("-effective_from").first()
    assert (newest.note, newest.created_by.username) == ("Phase 2 of the ordinance", "admin")
    history = text_of(as_admin.get("/setup/mission-rock/commitments/local/"))
    assert "Target (percent): 30 → 35" in history


def test_a_draft_commitment_changes_in_place_while_the_project_is_in_setup(as_admin):
    project = set_up_project(as_admin)
    data = {
        "kind": "count_target",
        "agreement": project.agreements.get(key="cba").pk,
        "key": "units",
        "title": "Affordable units",
        "terms-unit": "units",
        "terms-target_quantity": "100",
        "terms-start_date": "2025-01-01",
        "terms-due_date": "2027-12-31",
        "terms-max_ami_percent": "60",
        "terms-warning_margin": "5",
        "terms-milestones-0-date": "2026-12-31",
        "terms-milestones-0-quantity": "40",
    }
    assert as_admin.post("/setup/mission-rock/commitments/new/", data).status_code == 302
    data |= {"terms-max_ami_percent": "", "terms-target_quantity": "120"}
    assert as_admin.post("/setup/mission-rock/commitments/units/", data).status_code == 302
    units = Commitment.objects.get(key="units")
    assert units.params["target_quantity"] == "120"
    assert "max_ami_percent" not in units.params
    assert units.params["milestones"] == [{"date": "2026-12-31", "quantity": "40"}]
    assert not units.versions.exists()


def test_a_project_cannot_be_activated_before_it_has_what_it_needs(as_admin):
    project = set_up_project(as_admin)
    review = text_of(as_admin.get("/setup/mission-rock/review/"))
    assert "Add at least the prime contractor (Contractors)." in review
    as_admin.post("/setup/mission-rock/activate/")
    project.refresh_from_db()
    assert project.status == Project.Status.PLANNED


@pytest.mark.parametrize("who", ["reviewer", "lawyer", "contractor"])
def test_nobody_but_a_program_admin_finds_the_setup_pages(request, who, project):
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    for url in (
        "/setup/",
        "/setup/new/",
        f"/setup/{project.slug}/",
        f"/setup/{project.slug}/commitments/",
        f"/setup/{project.slug}/review/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/setup/new/", PROJECT).status_code == 404
    assert not Project.objects.filter(slug="mission-rock").exists()


def test_an_anonymous_visitor_is_asked_to_log_in(db):
    response = Client().get("/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_contact_of_another_organization_is_refused(as_admin, orgs, reviewer):
    set_up_project(as_admin)
    response = as_admin.post(
        "/setup/mission-rock/contractors/",
        {"new_company": "Bayside Builders", "tier": "prime", "emails": reviewer.email},
    )
    assert response.status_code == 200
    assert "belongs to" in text_of(response)
    assert not Assignment.objects.filter(project__slug="mission-rock").exists()
    assert not Organization.objects.filter(name="Bayside Builders").exists()
    assert User.objects.filter(email=reviewer.email).count() == 1
    assert Agreement.objects.filter(project__slug="mission-rock").count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_setup_in_a_real_browser(browser, live_server, admin):  # noqa: F811
    """The admin, as a new user would, clicks through the steps without typing JSON."""
    call_command("load_policy", str(POLICIES / "sf-local-hire.json"), stdout=None)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    base = live_server.url
    log_in(page, base, "admin")
    page.click("text=Set up a project")
    page.click("text=Start a new project")
    for name in ("slug", "name", "location", "jurisdiction", "total_cost", "public_subsidy"):
        page.fill(f"#id_{name}", PROJECT[name])
    page.fill("#id_start_date", PROJECT["start_date"])
    page.fill("#id_end_date", PROJECT["end_date"])
    page.select_option("#id_sector", "mixed_use")
    shot(page, "setup-1-project")
    page.click("button:has-text('Save and continue')")

    expect(page.get_by_role("heading", name="Mission Rock: agreements")).to_be_visible()
    page.fill("#id_key", "sf-ordinance")
    page.fill("#id_title", "SF Local Hiring Policy as applied")
    page.fill("#id_effective_date", "2025-03-01")
    page.fill("#id_signatories", "City and County of San Francisco; Mission Rock Partners")
    page.click("button:has-text('Add the agreement')")
    shot(page, "setup-2-agreements")

    page.click("text=Continue: Areas")
    page.fill("#id_name", "Mission Rock impact area")
    page.fill("#id_zips", "94107, 9415")
    page.click("button:has-text('Create the area')")
    expect(page.locator("#id_zips_error")).to_contain_text("Not 5-digit ZIP codes: 9415.")
    shot(page, "setup-3-area-error")
    page.fill("#id_zips", "94107, 94158, 94124")
    page.click("button:has-text('Create the area')")

    page.click("nav[aria-label='Setup steps'] >> text=Policies")
    page.click("a:has-text('Adopt')")
    page.select_option("#id_local-area", label="Mission Rock impact area")
    page.fill("#id_local-start_date", "2025-06-01")
    shot(page, "setup-4-adopt")
    page.click("button:has-text('Adopt the policy')")

    expect(page.get_by_role("heading", name="Mission Rock: commitments")).to_be_visible()
    shot(page, "setup-5-commitments")
    page.click("tr:has-text('Local resident hours per trade') >> text=Change")
    page.fill("#id_terms-target_percent", "130")
    page.click("button:has-text('Save the commitment')")
    expect(page.locator("#id_terms-target_percent_error")).to_contain_text("at most 100")
    shot(page, "setup-5b-commitment-error")
    page.fill("#id_terms-target_percent", "30")
    page.click("text=Back to the commitments")
    page.select_option("#id_kind", "wage_floor")
    page.click("button:has-text('Add')")
    page.fill("#id_key", "living-wage")
    page.fill("#id_title", "Living wage")
    page.select_option("#id_terms-rates-0-craft", "any")
    page.fill("#id_terms-rates-0-effective_from", "2025-01-01")
    page.fill("#id_terms-rates-0-base", "30")
    shot(page, "setup-6-wage-floor")
    page.click("button:has-text('Save the commitment')")
    expect(page.locator("ul.messages")).to_contain_text("Every worker must be paid at least")

    page.click("nav[aria-label='Setup steps'] >> text=Contractors")
    page.fill("#id_new_company", "Bayside Builders")
    page.select_option("#id_tier", "prime")
    page.fill("#id_emails", "ana@bayside.example")
    page.click("button:has-text('Add the contractor')")
    expect(page.locator("ul.messages")).to_contain_text("e-mailed ana@bayside.example")
    shot(page, "setup-7-contractors")

    page.click("nav[aria-label='Setup steps'] >> text=Review and activate")
    expect(page.locator("main")).to_contain_text("residents of Mission Rock impact area")
    shot(page, "setup-8-review")
    page.click("button:has-text('Activate the project')")
    expect(page.locator("ul.messages")).to_contain_text("Mission Rock is active.")
    assert Project.objects.get(slug="mission-rock").status == Project.Status.ACTIVE
    assert [m.to for m in mail.outbox] == [["ana@bayside.example"]]


def test_a_taken_short_name_is_refused_in_words(as_admin, project):
    response = as_admin.post("/setup/new/", {**PROJECT, "slug": project.slug})
    assert response.status_code == 200
    assert "Another project has this short name: choose another." in text_of(response)
    assert Project.objects.filter(slug=project.slug).count() == 1


def test_a_contact_with_an_account_is_told_where_to_sign_in_and_a_new_one_invited(
    as_admin, orgs, contractor, django_capture_on_commit_callbacks
):
    set_up_project(as_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            "/setup/mission-rock/contractors/",
            {
                "contractor": orgs["walsh"].pk,
                "tier": "prime",
                "emails": f"{contractor.email}, new.clerk@walsh.example",
            },
            follow=True,
        )
    assert f"e-mailed {contractor.email}, new.clerk@walsh.example" in text_of(response)
    to = {m.to[0]: m.body for m in mail.outbox}
    assert "Sign in with your usual account" in to[contractor.email]
    assert "/welcome/" not in to[contractor.email]
    assert "/welcome/" in to["new.clerk@walsh.example"]
