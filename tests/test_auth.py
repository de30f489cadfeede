"""Logging in, resetting a password, the home page per role, and personal API tokens."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from compliance.models import AuditEvent
from projects.models import ApiToken, Membership, Monitoring, Project, hash_token
from tests.conftest import PASSWORD, make_user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def second_project(db, orgs) -> Project:
    """A project only the law center monitors, with only Pulice on it."""
    project = Project.objects.create(
        slug="purple",
        name="Purple Line Extension",
        start_date=datetime.date(2024, 6, 1),
        end_date=datetime.date(2027, 6, 30),
    )
    Monitoring.objects.create(project=project, organization=orgs["lawcenter"])
    project.assignments.create(contractor=orgs["pulice"], start_date=project.start_date)
    return project


def test_logging_in_is_an_audit_event(contractor):
    client = Client()
    response = client.post("/login/", {"username": "walsh_clerk", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/"
    event = AuditEvent.objects.get(verb="login")
    assert event.actor == contractor


def test_a_wrong_password_says_what_to_do(contractor):
    response = Client().post("/login/", {"username": "walsh_clerk", "password": "nope"})

    assert response.status_code == 200
    assert "Check your username and password" in response.content.decode()
    assert not AuditEvent.objects.filter(verb="login").exists()


def test_pages_ask_anonymous_visitors_to_log_in(db):
    response = Client().get("/")

    assert response.status_code == 302 and response["Location"] == "/login/?next=/"


def test_the_password_reset_email_carries_a_link_that_works(contractor, mailoutbox):
    client = Client()
    response = client.post("/password-reset/", {"email": "walsh_clerk@example.org"})
    assert response.status_code == 302

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["walsh_clerk@example.org"]
    assert email.subject == "Choose a new CBA Monitor password"
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", email.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a fresh long passphrase 7",
            "new_password2": "a fresh long passphrase 7",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"
    assert Client().login(username="walsh_clerk", password="a fresh long passphrase 7")


def test_a_used_reset_link_says_it_expired(contractor, mailoutbox):
    client = Client()
    client.post("/password-reset/", {"email": "walsh_clerk@example.org"})
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a fresh long passphrase 7",
            "new_password2": "a fresh long passphrase 7",
        },
    )

    again = Client().get(link, follow=True)

    assert "This link has expired" in again.content.decode()


def home_projects(user) -> list[str]:
    response = logged_in(user).get("/")
    assert response.status_code == 200
    return [p.slug for p in response.context["projects"]]


def test_a_contractor_sees_the_projects_it_is_assigned_to(
    contractor, other_contractor, second_project
):
    assert home_projects(contractor) == ["crenshaw"]
    assert home_projects(other_contractor) == ["crenshaw", "purple"]


def test_a_reviewer_and_a_law_center_see_the_projects_they_monitor(
    reviewer, lawyer, outsider, second_project
):
    assert home_projects(reviewer) == ["crenshaw"]
    assert home_projects(lawyer) == ["crenshaw", "purple"]
    assert home_projects(outsider) == []
    assert "not on any project yet" in logged_in(outsider).get("/").content.decode()


def test_a_program_admin_sees_every_project(admin, project, second_project):
    assert home_projects(admin) == ["crenshaw", "purple"]


def test_the_navigation_fits_the_role(contractor, admin):
    assert "/admin/" not in logged_in(contractor).get("/").content.decode()
    page = logged_in(admin).get("/").content.decode()
    assert 'href="/admin/"' in page and 'href="/account/tokens/"' in page


def create_token(user, name="payroll export") -> tuple[Client, str]:
    client = logged_in(user)
    response = client.post("/account/tokens/", {"name": name})
    assert response.status_code == 200
    raw = re.search(r'<code class="token" id="new-token">([^<]+)</code>', response.content.decode())
    return client, raw.group(1)


def test_a_new_token_is_shown_once_and_stored_only_as_its_hash(contractor):
    client, raw = create_token(contractor)

    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw) and token.prefix == raw[:12]
    page = client.get("/account/tokens/").content.decode()
    assert raw not in page and "payroll export" in page and raw[:12] in page
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert raw not in dump.getvalue()
    assert AuditEvent.objects.filter(verb="token.create", actor=contractor).exists()


def test_the_token_page_is_never_cached(contractor):
    response = logged_in(contractor).get("/account/tokens/")

    assert "no-store" in response["Cache-Control"]


def test_a_token_needs_a_name(contractor):
    response = logged_in(contractor).post("/account/tokens/", {"name": ""})

    assert response.status_code == 400
    assert "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_authenticates_the_api_and_records_its_use(contractor, project):
    _, raw = create_token(contractor)

    response = Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert [p["slug"] for p in response.json()] == ["crenshaw"]
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_gets_401(contractor, project):
    client, raw = create_token(contractor)
    token = ApiToken.objects.get()

    response = client.post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 302 and response["Location"] == "/account/tokens/"
    api = Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 401
    assert "revoked" in client.get("/account/tokens/").content.decode()
    assert AuditEvent.objects.filter(verb="token.revoke").exists()


def test_a_made_up_token_gets_401(db):
    response = Client().get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer cba_made_up")

    assert response.status_code == 401


def test_nobody_can_revoke_someone_elses_token(contractor, other_contractor):
    create_token(contractor)
    token = ApiToken.objects.get()

    response = logged_in(other_contractor).post(f"/account/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_a_token_stops_working_when_its_user_leaves(contractor, project):
    _, raw = create_token(contractor)
    contractor.is_active = False
    contractor.save()

    response = Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401


def test_a_user_whose_organization_changes_sees_the_new_projects(db, orgs, project, walsh):
    user = make_user("moving")
    assert home_projects(user) == []
    Membership.objects.create(user=user, organization=orgs["walsh"])

    assert home_projects(user) == ["crenshaw"]


# Abuse limits (SPEC §8).


def sign_in(client: Client, password: str, username: str = "walsh_clerk", address="10.0.0.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_six_wrong_passwords_lock_the_account_even_for_the_right_one_and_are_audited(contractor):
    client = Client()
    answers = [sign_in(client, f"guess {n}").status_code for n in range(6)]

    refused = sign_in(client, PASSWORD)

    assert answers == [200, 200, 200, 200, 429, 429]
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    page = refused.content.decode()
    assert "Too many failed sign-ins" in page and "try again in 15 minutes" in page.lower()
    assert "reset your password" in page
    failed = AuditEvent.objects.filter(verb="login.failed")
    assert failed.count() == 5
    refused_while_locked = AuditEvent.objects.filter(verb="login.refused")
    assert refused_while_locked.count() == 2
    assert {e.data["username"] for e in failed} == {"walsh_clerk"}
    assert {e.data["address"] for e in failed} == {"10.0.0.7"}
    assert AuditEvent.objects.filter(verb="login.locked").exists()
    assert not AuditEvent.objects.filter(verb="login").exists()
    assert "guess" not in str(list(failed.values_list("data", flat=True)))


def test_the_lockout_lifts_after_15_minutes(contractor):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)) as clock:
        client = Client()
        for n in range(5):
            sign_in(client, f"guess {n}")
        clock.shift(datetime.timedelta(minutes=14))
        assert sign_in(client, PASSWORD).status_code == 429

        clock.shift(datetime.timedelta(minutes=16))
        response = sign_in(client, PASSWORD)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(contractor.pk)


def test_one_persons_failures_do_not_lock_out_colleagues_at_the_same_address(
    contractor, other_contractor
):
    client = Client()
    for n in range(5):
        sign_in(client, f"guess {n}")

    assert sign_in(client, PASSWORD).status_code == 429
    assert sign_in(Client(), PASSWORD, username="pulice_clerk").status_code == 302


def test_nobody_can_lock_a_username_out_from_another_address(contractor):
    for _ in range(5):
        sign_in(Client(), "wrong", address="10.0.9.9")

    assert sign_in(Client(), PASSWORD, address="10.0.9.9").status_code == 429
    assert sign_in(Client(), PASSWORD, address="10.0.2.1").status_code == 302


def test_a_password_reset_lifts_the_lockout(contractor, mailoutbox):
    client = Client()
    for n in range(5):
        sign_in(client, f"guess {n}")
    client.post("/password-reset/", {"email": "walsh_clerk@example.org"})
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "a fresh long passphrase 7"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

    assert sign_in(client, new).status_code == 302


def test_password_reset_requests_are_throttled_with_the_same_neutral_answer(contractor, mailoutbox):
    answers = [
        Client().post("/password-reset/", {"email": "walsh_clerk@example.org"}, REMOTE_ADDR=a)
        for a in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]
    ]

    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/password-reset/sent/")}
    assert len(mailoutbox) == 5


def test_password_reset_requests_from_one_address_are_throttled(contractor, mailoutbox):
    client = Client()
    for n in range(5):
        client.post("/password-reset/", {"email": f"nobody{n}@example.org"})

    response = client.post("/password-reset/", {"email": "walsh_clerk@example.org"})

    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert mailoutbox == []
    with time_machine.travel(datetime.timedelta(hours=1, minutes=1)):
        client.post("/password-reset/", {"email": "walsh_clerk@example.org"})
    assert len(mailoutbox) == 1


def test_made_up_tokens_are_throttled_per_address_with_retry_after(contractor, project, settings):
    settings.API_BAD_TOKEN_LIMIT = 3
    _, raw = create_token(contractor)
    for n in range(3):
        bad = Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer cba_guess{n}")
        assert bad.status_code == 401

    refused = Client().get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    body = refused.json()
    assert body["errors"] == [] and body["detail"].startswith("Too many requests")
    elsewhere = Client().get(
        "/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="10.9.9.9"
    )
    assert elsewhere.status_code == 200


def test_a_token_is_held_to_the_per_minute_limit(contractor, project, settings):
    settings.API_REQUESTS_PER_MINUTE = 4
    _, raw = create_token(contractor)
    api = Client()
    statuses = [
        api.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
        for _ in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 429]
    last = api.get("/api/v1/projects", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert last.json()["errors"] == [] and int(last["Retry-After"]) >= 1


def test_behind_a_proxy_the_address_the_proxy_appended_is_the_one_locked(contractor, settings):
    settings.BEHIND_PROXY = True
    for n in range(5):
        Client().post(
            "/login/",
            {"username": f"someone{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 10.0.0.66",
        )

    mine = Client().post(
        "/login/",
        {"username": "walsh_clerk", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.0.0.67",
    )

    assert mine.status_code == 302
    assert AuditEvent.objects.filter(verb="login.failed", data__address="10.0.0.66").count() == 5


def test_a_garbled_forwarded_address_falls_back_to_the_connection(contractor, settings):
    settings.BEHIND_PROXY = True

    response = Client().post(
        "/login/", {"username": "walsh_clerk", "password": "no"}, HTTP_X_FORWARDED_FOR="x, <b>"
    )

    assert response.status_code == 200
    assert AuditEvent.objects.get(verb="login.failed").data["address"] == "127.0.0.1"
