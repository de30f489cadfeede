"""Primes over their subs (issue 13 item 3): a prime's people read their lower tiers'
months, standing and flags (never worker names, files or internal notes), and add a
lower-tier subcontractor, whose contact is invited to choose a password while the program
admin and the coalition are told. Walsh is the prime, Pulice its sub, Acme a sibling sub."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from compliance.enforcement.alerts.services import send_digests
from compliance.models import (
    AuditEvent,
    Flag,
    FlagEvent,
    Notification,
    NotificationPreference,
    Worker,
)
from projects.models import Assignment, Membership, Organization
from tests.coalition_data import make_flag
from tests.conftest import PASSWORD, make_report, make_user
from tests.engine_support import run_tasks_synchronously

TODAY = datetime.datetime(2024, 5, 20, 12, tzinfo=datetime.UTC)


@pytest.fixture
def acme(project, orgs, walsh) -> Assignment:
    organization = Organization.objects.create(slug="acme", name="Acme Drywall", kind="contractor")
    return Assignment.objects.create(
        project=project,
        contractor=organization,
        tier="sub",
        parent=walsh,
        start_date=project.start_date,
    )


@pytest.fixture
def acme_clerk(acme) -> object:
    user = make_user("acme_clerk", acme.contractor)
    acme.contacts.add(user)
    return user


@pytest.fixture
def pulice_months(pulice, crafts):
    """Pulice filed January to March 2024 (a named worker each month); April is missing
    (due May 15) and May is not due yet on May 20."""
    for month in (1, 2, 3):
        make_report(
            pulice,
            datetime.date(2024, month, 1),
            [
                {
                    "worker": "P-3",
                    "week_ending": datetime.date(2024, month, 9),
                    "craft": crafts["Laborer"],
                    "hours": "40",
                }
            ],
        )
    Worker.objects.filter(worker_key="P-3").update(name="Ann Lee")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def months_url(assignment) -> str:
    return reverse(
        "assignment_reports",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )


def standing_url(assignment) -> str:
    return reverse(
        "contractor_standing",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )


def add_url(assignment) -> str:
    return reverse(
        "subcontractor_add",
        kwargs={"slug": assignment.project.slug, "contractor": assignment.contractor.slug},
    )


def sub_form(**changes) -> dict:
    form = {
        "company": "Eastside Electric",
        "contact_name": "Rosa Mendez",
        "contact_email": "Rosa@Eastside-Electric.example",
        "scope_of_work": "Underground electrical",
        "start_date": "2024-06-01",
        "end_date": "2025-12-31",
    }
    form.update(changes)
    return form


# Reading the lower tiers.


@time_machine.travel(TODAY, tick=False)
def test_a_primes_clerk_sees_a_subs_missing_month_and_standing(
    contractor, walsh, pulice, pulice_months
):
    client = logged_in(contractor)

    own = client.get(months_url(walsh)).content.decode()
    assert "Subcontractors under Walsh Shea" in own
    assert "Pulice" in own and "1 month missing" in own and "April 2024" in own

    sub = client.get(months_url(pulice))
    assert sub.status_code == 200
    html = sub.content.decode()
    assert "Missing" in html and "April 2024" in html
    assert "Upload a report" not in html  # only Pulice files Pulice's reports
    standing = client.get(standing_url(pulice))
    assert standing.status_code == 200
    assert "Pulice: standing on Crenshaw/LAX Line" in standing.content.decode()
    assert "1 missing" in standing.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_the_prime_reads_a_subs_lines_without_names_and_never_its_files(
    contractor, pulice, pulice_months
):
    client = logged_in(contractor)
    report = pulice.reports.get(period=datetime.date(2024, 3, 1))

    detail = client.get(reverse("report_detail", kwargs={"report_id": report.pk}))
    assert detail.status_code == 200
    assert "P-3" in detail.content.decode() and "Ann Lee" not in detail.content.decode()
    assert client.get(reverse("report_file", kwargs={"report_id": report.pk})).status_code == 404
    api = client.get(f"/api/v1/projects/crenshaw/reports/{report.pk}")
    assert api.status_code == 200
    assert "P-3" in api.content.decode() and "Ann Lee" not in api.content.decode()
    upload = client.get(
        reverse("report_upload", kwargs={"slug": "crenshaw", "contractor": "pulice"})
    )
    assert upload.status_code == 403


def test_the_prime_never_sees_worker_names_or_internal_notes_of_a_subs_flag(
    contractor, other_contractor, reviewer, pulice, crafts
):
    report = make_report(
        pulice,
        datetime.date(2024, 3, 1),
        [
            {
                "worker": "P-3",
                "week_ending": datetime.date(2024, 3, 9),
                "craft": crafts["Laborer"],
                "hours": "40",
            }
        ],
    )
    Worker.objects.filter(worker_key="P-3").update(name="Ann Lee")
    line = report.lines.get()
    flag = make_flag(
        pulice.project,
        "wage_violation",
        assignment=pulice,
        title="Pulice paid below the floor",
        figures={
            "violations": [
                {
                    "line_id": line.pk,
                    "worker": "P-3",
                    "week_ending": "2024-03-09",
                    "craft": "Laborer",
                    "hours": "40.00",
                    "paid": "35.50",
                    "required": "38.00",
                    "owed": "100.00",
                }
            ]
        },
    )
    FlagEvent.objects.create(
        flag=flag, actor=reviewer, kind="comment", note="Shared: send the JATC list"
    )
    FlagEvent.objects.create(
        flag=flag,
        actor=reviewer,
        kind="comment",
        note="Internal: recommend a notice",
        visibility="internal",
    )

    page = logged_in(contractor).get(reverse("flag_detail", kwargs={"flag_id": flag.pk}))
    api = logged_in(contractor).get(f"/api/v1/flags/{flag.pk}")

    for body in (page.content.decode(), api.content.decode()):
        assert "Pulice paid below the floor" in body
        assert "Shared: send the JATC list" in body
        assert "Internal: recommend a notice" not in body
        assert "Ann Lee" not in body
    assert "P-3" in page.content.decode()
    assert api.json()["actions"] == []  # disputing is the sub's own call
    assert "a subcontractor under your company" in " ".join(page.content.decode().split())
    assert "about your company's reports" not in page.content.decode()
    own = logged_in(other_contractor).get(reverse("flag_detail", kwargs={"flag_id": flag.pk}))
    assert "Ann Lee" in own.content.decode()
    assert "about your company's reports" in own.content.decode()


def test_a_sub_cannot_see_its_prime_or_a_sibling(
    client, other_contractor, acme_clerk, walsh, pulice, acme
):
    flag = make_flag(walsh.project, assignment=acme, title="Acme short of local hours")
    client.force_login(other_contractor)

    for assignment in (walsh, acme):
        assert client.get(months_url(assignment)).status_code == 404
        assert client.get(standing_url(assignment)).status_code == 404
        assert client.get(add_url(assignment)).status_code == 404
    assert client.get(reverse("flag_detail", kwargs={"flag_id": flag.pk})).status_code == 404
    assert client.get("/api/v1/flags").json()["count"] == 0
    evaluations = client.get("/api/v1/projects/crenshaw/evaluations?contractor=acme").json()
    assert evaluations["count"] == 0
    # Acme's clerk, for its part, sees nothing of Pulice.
    assert logged_in(acme_clerk).get(months_url(pulice)).status_code == 404


def test_a_prime_oversees_every_tier_below_it_but_not_above(
    contractor, other_contractor, orgs, project, walsh, pulice
):
    deep = Organization.objects.create(slug="deep", name="Deep Drilling", kind="contractor")
    lower = Assignment.objects.create(
        project=project, contractor=deep, tier="lower", parent=pulice, start_date=project.start_date
    )

    assert logged_in(contractor).get(months_url(lower)).status_code == 200
    assert logged_in(other_contractor).get(months_url(lower)).status_code == 200
    assert "Deep Drilling" in logged_in(contractor).get(months_url(walsh)).content.decode()
    deep_clerk = make_user("deep_clerk", deep)
    assert logged_in(deep_clerk).get(months_url(pulice)).status_code == 404


# Adding a subcontractor.


def test_a_prime_adds_a_lower_tier_subcontractor(
    contractor, walsh, reviewer, lawyer, admin, settings, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    run_tasks_synchronously(settings, monkeypatch)
    client = logged_in(contractor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url(walsh), sub_form())

    assert response.status_code == 302
    assert response["Location"] == months_url(walsh) + "#subcontractors"
    added = Assignment.objects.get(contractor__name="Eastside Electric")
    assert (added.tier, added.parent, added.scope_of_work) == (
        "sub",
        walsh,
        "Underground electrical",
    )
    assert (added.start_date, added.end_date) == (
        datetime.date(2024, 6, 1),
        datetime.date(2025, 12, 31),
    )
    assert added.contractor.kind == "contractor"
    contact = added.contacts.get()
    assert (contact.email, contact.get_full_name()) == (
        "rosa@eastside-electric.example",
        "Rosa Mendez",
    )
    assert contact.membership.organization == added.contractor
    event = AuditEvent.objects.get(verb="assignment.subcontractor_added")
    assert (event.actor, event.data["company"], event.data["under"]) == (
        contractor,
        "Eastside Electric",
        "Walsh Shea",
    )
    followed = client.get(response["Location"]).content.decode()
    assert "Eastside Electric is now your subcontractor" in followed

    # The admin and the coalition are told, in the app and by e-mail; the law center is not.
    told = set(
        Notification.objects.filter(event_key=f"assignment:{added.pk}:added").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"admin", "reviewer"}
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {
        "rosa@eastside-electric.example",
        "admin@example.org",
        "reviewer@example.org",
    }
    inbox = logged_in(reviewer).get(reverse("notifications")).content.decode()
    assert "Walsh Shea added Eastside Electric" in inbox
    alert = by_address["reviewer@example.org"]
    assert "Walsh Shea added Eastside Electric (Underground electrical) as a subcontractor" in (
        alert.body
    )

    # The invitation's link lets the contact choose a password and signs them in.
    invitation = by_address["rosa@eastside-electric.example"]
    assert invitation.subject == (
        "[CBA Monitor] Walsh Shea added Eastside Electric to Crenshaw/LAX Line"
    )
    link = re.search(r"https?://[^/\s]+(/welcome/\S+/)", invitation.body).group(1)
    newcomer = Client()
    form = newcomer.get(link, follow=True)
    assert "Welcome to CBA Monitor" in form.content.decode()
    done = newcomer.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a fresh long passphrase 7",
            "new_password2": "a fresh long passphrase 7",
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("home")
    months = newcomer.get(months_url(added))
    assert months.status_code == 200 and "Upload a report" in months.content.decode()
    assert newcomer.get(months_url(walsh)).status_code == 404  # not its prime's
    assert Client().login(username="rosa@eastside-electric.example", password=PASSWORD) is False
    again = Client().get(link, follow=True)
    assert "This invitation link has expired" in again.content.decode()


def test_a_sub_adds_its_own_sub_one_tier_lower_which_the_prime_sees(
    client, contractor, other_contractor, pulice, walsh, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(other_contractor).post(
            add_url(pulice), sub_form(company="Deep Drilling", contact_email="ops@deep.example")
        )

    assert response.status_code == 302
    deep = Assignment.objects.get(contractor__name="Deep Drilling")
    assert (deep.tier, deep.parent) == ("lower", pulice)
    assert logged_in(contractor).get(months_url(deep)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": "2023-12-01"}, "start_date", "The start must fall within"),
        ({"end_date": "2027-03-31"}, "end_date", "to December 31, 2026"),
        ({"end_date": "2024-05-01"}, "end_date", "between the start and the end"),
        ({"company": "Pulice"}, "company", "Pulice is already on Crenshaw/LAX Line"),
        ({"company": "Walsh Shea"}, "company", "That is your own company"),
        ({"company": "Crenshaw Coalition"}, "company", "registered as a community coalition"),
        (
            {"contact_email": "reviewer@example.org"},
            "contact_email",
            "already belongs to someone at another organization",
        ),
        ({"contact_email": "not an address"}, "contact_email", "Enter a valid email address"),
    ],
)
def test_bad_input_is_refused_with_what_to_do_and_nothing_stored(
    contractor, walsh, pulice, reviewer, changes, field, message
):
    before = (Assignment.objects.count(), Organization.objects.count(), mail.outbox[:])

    response = logged_in(contractor).post(add_url(walsh), sub_form(**changes))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert message in " ".join(errors[field]), errors
    assert (Assignment.objects.count(), Organization.objects.count(), mail.outbox) == before


def test_an_existing_company_only_takes_one_of_its_own_people_as_contact(
    contractor, walsh, orgs, project, django_capture_on_commit_callbacks
):
    """A company already on CBA Monitor (on another project) gets no new account from a
    prime: that would open its other projects to whoever the prime names."""
    other = type(project).objects.create(
        slug="harbor",
        name="Harbor",
        start_date=project.start_date,
        end_date=project.end_date,
    )
    busy = Organization.objects.create(slug="busy-co", name="Busy Co", kind="contractor")
    Assignment.objects.create(project=other, contractor=busy, start_date=other.start_date)
    own_clerk = make_user("busy_clerk", busy)
    client = logged_in(contractor)

    refused = client.post(add_url(walsh), sub_form(company="Busy Co", contact_email="x@busy.co"))
    assert refused.status_code == 422
    assert "already uses CBA Monitor" in refused.content.decode()
    assert not Membership.objects.filter(user__email="x@busy.co").exists()

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            add_url(walsh), sub_form(company="busy co", contact_email=own_clerk.email)
        )
    assert accepted.status_code == 302
    added = Assignment.objects.get(project=project, contractor=busy)
    assert list(added.contacts.all()) == [own_clerk]
    note = next(m for m in mail.outbox if m.to == [own_clerk.email])
    assert "Sign in with your usual account" in note.body and "/welcome/" not in note.body


def test_only_the_company_itself_adds_under_its_assignment(
    client, contractor, reviewer, lawyer, other_contractor, walsh, pulice
):
    assert logged_in(contractor).get(add_url(walsh)).status_code == 200
    assert logged_in(contractor).get(add_url(pulice)).status_code == 403  # the sub's own call
    assert logged_in(reviewer).get(add_url(walsh)).status_code == 403
    assert logged_in(lawyer).post(add_url(walsh), sub_form()).status_code == 403
    assert logged_in(other_contractor).get(add_url(walsh)).status_code == 404
    assert not Assignment.objects.filter(contractor__name="Eastside Electric").exists()


def test_a_flag_on_a_sub_is_not_disputable_by_the_prime(contractor, pulice):
    flag = make_flag(pulice.project, assignment=pulice)

    response = logged_in(contractor).post(
        reverse("flag_detail", kwargs={"flag_id": flag.pk}),
        {"action": "dispute", "note": "We disagree"},
    )

    assert response.status_code == 403
    assert Flag.objects.get(pk=flag.pk).status == "open"


def test_the_api_adds_a_subcontractor_and_refuses_bad_input_with_the_field(
    contractor, other_contractor, walsh, django_capture_on_commit_callbacks
):
    url = "/api/v1/projects/crenshaw/contractors/walsh/subcontractors"
    body = {
        "company": "Eastside Electric",
        "contact_email": "rosa@eastside-electric.example",
        "scope_of_work": "Underground electrical",
        "start_date": "2024-06-01",
    }
    client = logged_in(contractor)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(url, body, content_type="application/json")

    assert created.status_code == 201, created.content
    assert created.json() == {
        "assignment": {
            "contractor": "eastside-electric",
            "contractor_name": "Eastside Electric",
            "tier": "sub",
            "parent": "walsh",
            "scope_of_work": "Underground electrical",
            "start_date": "2024-06-01",
            "end_date": None,
        },
        "contact": "rosa@eastside-electric.example",
        "invited": True,
        "organization_created": True,
    }
    assert [m.to for m in mail.outbox] == [["rosa@eastside-electric.example"]]
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "company"
    assert "already on Crenshaw/LAX Line" in again.json()["detail"]
    other = logged_in(other_contractor).post(url, body, content_type="application/json")
    assert other.status_code == 404


def test_a_digest_lists_a_new_subcontractor_under_its_own_heading(
    contractor, walsh, admin, settings, monkeypatch, django_capture_on_commit_callbacks
):
    run_tasks_synchronously(settings, monkeypatch)
    NotificationPreference.objects.create(user=admin, email="digest")
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(contractor).post(add_url(walsh), sub_form())
    assert [m.to for m in mail.outbox] == [["rosa@eastside-electric.example"]]

    assert send_digests() == 1

    digest = mail.outbox[-1]
    assert digest.to == ["admin@example.org"]
    assert "New subcontractors\n- Walsh Shea added Eastside Electric" in digest.body
