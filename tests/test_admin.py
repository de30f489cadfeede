"""The program admin's Django admin: every page opens, parameters are checked, changes audited."""

import datetime

import pytest
from django.contrib import admin as django_admin
from django.test import Client
from django.urls import reverse

from compliance.models import (
    AuditEvent,
    EnforcementAction,
    Evaluation,
    Flag,
    Memo,
    Notification,
    ProgressEntry,
)
from projects.models import ApiToken, Area, Commitment, Project
from projects.tokens import api_token_create
from tests.conftest import make_commitment, make_report


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def everything(project, walsh, pulice, contractor, area, crafts, admin):
    """One object of every kind the admin shows."""
    targeted = make_commitment(
        project,
        "targeted",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
    )
    units = make_commitment(
        project,
        "units",
        "count_target",
        unit="units",
        target_quantity="100",
        start_date="2024-01-01",
        due_date="2026-12-31",
    )
    report = make_report(
        walsh,
        datetime.date(2024, 3, 1),
        [
            {
                "worker": "W1",
                "week_ending": datetime.date(2024, 3, 8),
                "craft": crafts["Carpenter"],
                "hours": 40,
            }
        ],
    )
    flag = Flag.objects.create(
        project=project,
        commitment=targeted,
        commitment_key="targeted",
        kind="shortfall",
        severity="critical",
        assignment=walsh,
        dedupe_key="shortfall:targeted:project",
        title="Targeted hours short",
    )
    memo = Memo.objects.create(project=project, assignment=walsh, requested_by=admin)
    EnforcementAction.objects.create(
        project=project, assignment=walsh, kind="notice", date=datetime.date(2024, 5, 1)
    )
    ProgressEntry.objects.create(commitment=units, date=datetime.date(2024, 6, 1), quantity=5)
    Evaluation.objects.create(
        project=project,
        commitment=targeted,
        commitment_key="targeted",
        kind="workforce_share",
        as_of=datetime.date(2024, 6, 30),
        status="met",
    )
    Notification.objects.create(user=contractor, flag=flag, event_key="k", message="A flag")
    api_token_create(user=contractor, name="script")
    return {"report": report, "flag": flag, "memo": memo}


def test_every_admin_page_opens_for_a_program_admin(client, admin, everything, rf):
    request = rf.get("/admin/")
    request.user = admin
    failures = []
    for model, model_admin in django_admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        obj = model._default_manager.first()
        if obj is not None:
            urls.append(reverse(f"{prefix}_change", args=[obj.pk]))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{prefix}_add"))
        for url in urls:
            status = client.get(url).status_code
            if status != 200:
                failures.append(f"{url}: {status}")
    assert failures == []


def test_the_lists_filter_by_project_kind_status_and_contractor(client, everything, project, orgs):
    pages = [
        f"/admin/projects/commitment/?project__id__exact={project.pk}&kind__exact=workforce_share",
        f"/admin/projects/assignment/?tier__exact=prime&contractor__id__exact={orgs['walsh'].pk}",
        "/admin/compliance/flag/?status__exact=open&severity__exact=critical",
        f"/admin/compliance/report/?assignment__project__id__exact={project.pk}",
        "/admin/projects/organization/?kind__exact=contractor",
        "/admin/projects/project/?q=crenshaw&status__exact=active",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert response.context["cl"].result_count >= 1, page


def commitment_form(project, **values) -> dict:
    data = {
        "project": project.pk,
        "key": "targeted",
        "clause": "§3.1",
        "position": 0,
        "title": "Targeted worker hours",
        "kind": "workforce_share",
        "area": "",
        "params": '{"qualifier": "area_resident", "target_percent": "140", "colour": "red"}',
        "text": "",
    }
    data.update(values)
    return data


def test_the_commitment_page_shows_each_bad_parameter_by_name(client, project, area):
    response = client.post("/admin/projects/commitment/add/", commitment_form(project))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["params"] == [
        "colour: Unknown parameter for a workforce_share commitment.",
        "target_percent: Must be at most 100.",
    ]
    assert errors["area"] == ["An area_resident commitment needs an area."]
    assert "target_percent: Must be at most 100." in response.content.decode()
    assert not Commitment.objects.exists()


def test_the_commitment_page_reports_a_bad_rate_row_by_its_path(client, project):
    response = client.post(
        "/admin/projects/commitment/add/",
        commitment_form(
            project,
            kind="wage_floor",
            params='{"rates": [{"craft": "any", "effective_from": "2024-01-01", "base": "x"}]}',
        ),
    )

    assert response.context["adminform"].form.errors["params"] == [
        "rates[0].base: 'x' is not a number."
    ]


def test_a_good_commitment_is_saved_normalised_and_audited(client, admin, project, area):
    response = client.post(
        "/admin/projects/commitment/add/",
        commitment_form(
            project, area=area.pk, params='{"qualifier": "area_resident", "target_percent": 40}'
        ),
    )

    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert commitment.params["target_percent"] == "40"
    assert commitment.params["warning_margin"] == "5"
    event = AuditEvent.objects.get(verb="setup.commitment.add")
    assert (event.actor, event.project, event.object_id) == (admin, project, str(commitment.pk))
    page = client.get(f"/admin/projects/commitment/{commitment.pk}/change/").content.decode()
    assert "<code>warning_margin</code>: 5" in page


def post_data_from(response) -> dict:
    """The POST body a browser would send back for an admin change page, unchanged."""

    def fields(form, data):
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif value is True:
                data[bound.html_name] = "on"
            else:
                data[bound.html_name] = str(value)
            if bound.field.show_hidden_initial:
                data[bound.html_initial_name] = data[bound.html_name]

    data: dict = {}
    fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        fields(formset.management_form, data)
        for form in formset.forms:
            fields(form, data)
    return data


def test_setup_changes_made_on_the_project_page_are_audited_row_by_row(
    client, admin, project, walsh, area
):
    make_commitment(
        project,
        "targeted",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
    )
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    data = post_data_from(page)
    data["name"] = "Crenshaw/LAX Transit Line"
    data["commitments-0-title"] = "Local hire hours"
    data["assignments-0-scope_of_work"] = "Stations"

    response = client.post(f"/admin/projects/project/{project.pk}/change/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    events = {e.verb: e for e in AuditEvent.objects.filter(verb__startswith="setup.")}
    assert events["setup.project.change"].data["fields"] == ["name"]
    assert events["setup.commitment.change"].data["fields"] == ["title"]
    assert events["setup.assignment.change"].data["fields"] == ["scope_of_work"]
    assert all(e.project == project for e in events.values())


def test_deleting_setup_objects_is_audited(client, admin, project):
    area = Area.objects.create(slug="sf", name="San Francisco", zips=["94103"])

    response = client.post(f"/admin/projects/area/{area.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.post(f"/admin/projects/project/{project.pk}/delete/", {"post": "yes"})

    assert not Project.objects.exists()
    deleted = AuditEvent.objects.get(verb="setup.area.delete")
    assert (deleted.object_id, deleted.data["object"]) == (str(area.pk), "San Francisco")
    assert AuditEvent.objects.get(verb="setup.project.delete").data["object"] == (
        "Crenshaw/LAX Line"
    )


def test_reports_lines_evaluations_and_audit_events_cannot_be_changed(client, everything):
    report = everything["report"]
    line = report.lines.get()

    assert client.post(f"/admin/compliance/report/{report.pk}/change/", {}).status_code == 403
    assert (
        client.post(f"/admin/compliance/payrollline/{line.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.get("/admin/compliance/evaluation/add/").status_code == 403
    event = AuditEvent.objects.first()
    assert (
        client.post(f"/admin/compliance/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert report.lines.count() == 1


def test_an_admin_can_revoke_tokens_but_never_sees_their_secret(client, contractor):
    token, raw = api_token_create(user=contractor, name="export")

    page = client.get(f"/admin/projects/apitoken/{token.pk}/change/").content.decode()
    client.post("/admin/projects/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    assert raw not in page and token.key_hash not in page
    assert ApiToken.objects.get().revoked_at is not None


def test_a_user_is_given_an_organization_on_the_user_page(client, orgs):
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "newclerk",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
            "usable_password": "true",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-organization": orgs["walsh"].pk,
            "membership-0-title": "Payroll clerk",
        },
    )

    assert response.status_code == 302
    assert AuditEvent.objects.filter(verb="admin.user.add").exists()
    assert AuditEvent.objects.filter(verb="setup.membership.add").exists()
    from django.contrib.auth.models import User

    assert User.objects.get(username="newclerk").membership.organization == orgs["walsh"]
