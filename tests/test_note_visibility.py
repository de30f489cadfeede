"""Who reads a note (SPEC §4, §6, §8): internal notes reach the coalition and the law center
only, by page, API, e-mail and document; shared notes reach the contractor concerned and the
owner too; a recipient memo carries no internal note, a counsel memo carries them, marked
privileged on every page.

Actors: `reviewer` (the coalition), `lawyer` (the law center), `contractor` (Walsh Shea,
whose flag it is), `owner` (Metro, the project's owner).
"""

import io
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from compliance.enforcement.flags.services import flag_comment, flag_transition
from compliance.enforcement.memos.gather import gather_snapshot
from compliance.models import Flag, FlagEvent, Memo, Worker
from projects import access
from tests import test_memos
from tests.conftest import make_user
from tests.engine_support import run_tasks_synchronously
from tests.test_memos import TODAY, build, memo_text
from tests.test_memos_web import bearer

memo_files = test_memos.memo_files
worked_examples = test_memos.worked_examples

INTERNAL = "Internal: their JATC story doesn't explain 1.19%. Recommend escalating."
INTERNAL_TRANSITION = "Escalating before they find out we know about the second crew."
SHARED = "Please send the apprentice registration cards by Friday."


@pytest.fixture
def owner(orgs, project):
    return make_user("metro_clerk", orgs["metro"])


@pytest.fixture
def flag(project, walsh):
    return Flag.objects.create(
        project=project,
        assignment=walsh,
        kind="shortfall",
        severity="critical",
        commitment_key="apprentice",
        group_key=f"a{walsh.pk}",
        dedupe_key="shortfall:apprentice:walsh",
        title="Walsh Shea apprentice hours at 18.81% against 20%",
    )


@pytest.fixture
def noted_flag(flag, reviewer, contractor):
    """A flag with an internal comment, a shared one, an internal escalation note and the
    contractor's dispute."""
    flag_comment(flag=flag, user=reviewer, note=INTERNAL, visibility="internal")
    flag_comment(flag=flag, user=reviewer, note=SHARED, visibility="shared")
    flag_transition(flag=flag, user=reviewer, action="escalate", note=INTERNAL_TRANSITION)
    flag_transition(flag=flag, user=contractor, action="dispute", note="Our apprentices start May")
    return flag


def page(client, user, flag) -> str:
    client.force_login(user)
    response = client.get(reverse("flag_detail", kwargs={"flag_id": flag.pk}))
    assert response.status_code == 200
    return response.content.decode()


def api_detail(client, user, flag) -> dict:
    response = client.get(f"/api/v1/flags/{flag.pk}", **bearer(user))
    assert response.status_code == 200
    return response.json()


# The one rule --------------------------------------------------------------------------


def test_the_owner_and_contractors_read_shared_notes_and_monitors_read_both(
    reviewer, lawyer, contractor, owner, admin, outsider
):
    both = {"shared", "internal"}
    assert access.note_visibilities_for(reviewer) == both
    assert access.note_visibilities_for(lawyer) == both
    assert access.note_visibilities_for(admin) == both
    assert access.note_visibilities_for(contractor) == {"shared"}
    assert access.note_visibilities_for(owner) == {"shared"}
    assert access.note_visibilities_for(None) == set()
    assert access.note_visibilities_for_audience("recipient") == {"shared"}
    assert access.note_visibilities_for_audience("counsel") == both
    assert not access.audience_reads_worker_names("recipient")
    assert access.audience_reads_worker_names("counsel")


# Page and API --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "contractor"])
def test_the_owner_and_the_contractor_never_read_an_internal_note_on_the_page_or_the_api(
    client, noted_flag, who, request
):
    user = request.getfixturevalue(who)
    html = page(client, user, noted_flag)
    body = str(api_detail(client, user, noted_flag))
    for seen in (html, body):
        assert SHARED in seen
        assert "Our apprentices start May" in seen
        assert INTERNAL not in seen.replace("&#x27;", "'")
        assert INTERNAL_TRANSITION not in seen
    # The escalation itself is no secret (the flag's status says it), only its note.
    assert "Open → Escalated" in html
    assert ">Internal<" not in html
    events = api_detail(client, user, noted_flag)["events"]
    escalation = next(e for e in events if e["to_status"] == "escalated")
    assert (escalation["note"], escalation["visibility"]) == ("", None)
    assert [e["kind"] for e in events].count("comment") == 1


def test_the_coalition_and_the_law_center_read_every_note_marked_internal(
    client, noted_flag, reviewer, lawyer
):
    for user in (reviewer, lawyer):
        html = page(client, user, noted_flag).replace("&#x27;", "'")
        assert INTERNAL in html and INTERNAL_TRANSITION in html and SHARED in html
        notes = [e["note"] for e in api_detail(client, user, noted_flag)["events"]]
        assert INTERNAL in notes and INTERNAL_TRANSITION in notes


def test_every_form_says_who_will_read_the_note_and_defaults_to_internal(client, flag, reviewer):
    html = page(client, reviewer, flag)
    forms = re.findall(
        r"<form method=\"post\" class=\"(?:action|comment)-form.*?</form>", html, re.S
    )
    assert len(forms) == 5  # acknowledge, escalate, resolve, waive, comment
    for form in forms:
        assert re.search(r'value="internal" checked', form), form
        assert "Only the coalition and the law center will read this." in form
        assert (
            "Walsh Shea and Metro (the owner) will read this, as will the coalition and the "
            "law center." in form
        )


def test_a_contractors_form_says_its_note_is_shared_and_offers_no_choice(client, flag, contractor):
    html = page(client, contractor, flag)
    assert 'value="internal"' not in html
    assert (
        "Your company and Metro (the owner) will read this, as will the coalition and the law "
        "center." in html
    )


def test_a_project_wide_flag_names_only_the_owner(client, project, reviewer):
    flag = Flag.objects.create(
        project=project,
        kind="at_risk",
        severity="warning",
        commitment_key="targeted",
        dedupe_key="at_risk:targeted:project",
        title="Targeted hours at risk",
    )
    html = page(client, reviewer, flag)
    assert "Metro (the owner) will read this, as will the coalition and the law center." in html


def test_a_transition_from_the_web_is_internal_unless_shared_is_chosen(
    client, flag, reviewer, contractor
):
    client.force_login(reviewer)
    url = reverse("flag_detail", kwargs={"flag_id": flag.pk})
    client.post(url, {"action": "acknowledge", "note": "Called the union"})
    client.post(url, {"action": "escalate", "note": "Notice to follow", "visibility": "shared"})
    assert list(flag.events.values_list("note", "visibility")) == [
        ("Called the union", "internal"),
        ("Notice to follow", "shared"),
    ]
    html = page(client, contractor, flag)
    assert "Notice to follow" in html and "Called the union" not in html


def test_bulk_acknowledge_takes_a_note_internal_by_default(client, project, flag, reviewer):
    other = Flag.objects.create(
        project=project,
        kind="at_risk",
        severity="warning",
        commitment_key="targeted",
        dedupe_key="at_risk:targeted:project",
        title="Targeted hours at risk",
    )
    client.force_login(reviewer)
    html = client.get(reverse("flag_queue")).content.decode()
    assert "Only the coalition and the law center will read this." in html
    assert "Each flag&#x27;s contractor and the project&#x27;s owner will read this" in html
    client.post(reverse("flag_queue"), {"flag": [flag.pk, other.pk], "note": "Seen in triage"})
    assert (
        list(FlagEvent.objects.filter(kind="transition").values_list("note", "visibility"))
        == [("Seen in triage", "internal")] * 2
    )


def test_the_api_takes_a_visibility_on_transitions_and_refuses_an_internal_note_from_a_contractor(
    client, flag, reviewer, contractor
):
    url = f"/api/v1/flags/{flag.pk}/transition"
    refused = client.post(
        url,
        {"action": "dispute", "note": "Secret", "visibility": "internal"},
        content_type="application/json",
        **bearer(contractor),
    )
    assert refused.status_code == 422
    assert "Your notes are always shared" in refused.json()["detail"]
    client.post(
        url,
        {"action": "acknowledge", "note": "Quiet word"},
        content_type="application/json",
        **bearer(reviewer),
    )
    shared = client.post(
        url,
        {"action": "escalate", "note": "Told them", "visibility": "shared"},
        content_type="application/json",
        **bearer(reviewer),
    )
    assert shared.status_code == 200
    notes = {e["note"]: e["visibility"] for e in shared.json()["events"]}
    assert notes == {"Quiet word": "internal", "Told them": "shared"}
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "never the owner" in schema["TransitionIn"]["properties"]["visibility"]["description"]


# E-mails -------------------------------------------------------------------------------


@pytest.fixture
def sync_tasks(settings, monkeypatch):
    run_tasks_synchronously(settings, monkeypatch)


def mail_to(address: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message.subject + "\n" + message.body


def test_an_escalation_with_an_internal_note_reaches_the_contractor_without_the_note(
    sync_tasks, flag, reviewer, lawyer, contractor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flag_transition(flag=flag, user=reviewer, action="escalate", note=INTERNAL_TRANSITION)
    assert INTERNAL_TRANSITION in mail_to("lawyer@example.org")
    to_contractor = mail_to("walsh_clerk@example.org")
    assert "escalated a flag on Crenshaw/LAX Line" in to_contractor
    assert INTERNAL_TRANSITION not in to_contractor
    assert "Note:" not in to_contractor


def test_an_escalation_with_a_shared_note_carries_it_to_the_contractor(
    sync_tasks, flag, reviewer, lawyer, contractor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        flag_transition(
            flag=flag, user=reviewer, action="escalate", note=SHARED, visibility="shared"
        )
    assert SHARED in mail_to("walsh_clerk@example.org")
    assert SHARED in mail_to("lawyer@example.org")


# Memos ---------------------------------------------------------------------------------


@pytest.fixture
def memo_notes(worked_examples, reviewer, lawyer):
    """The worked examples' flag with an internal comment (from the fixture), a shared
    comment and an internal escalation note; a named worker owed restitution."""
    flag = worked_examples["flag"]
    flag_comment(flag=flag, user=reviewer, note=SHARED, visibility="shared")
    flag_comment(flag=flag, user=reviewer, note=INTERNAL, visibility="internal")
    flag_transition(flag=flag, user=reviewer, action="escalate", note=INTERNAL_TRANSITION)
    Worker.objects.filter(worker_key="W-17").update(name="Maria Lopez")
    return flag


def pages_of(memo: Memo) -> list[str]:
    with memo.pdf.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return [" ".join(p.extract_text().split()) for p in reader.pages]


def test_a_recipient_memo_to_the_contractor_carries_no_internal_note_and_no_worker_name(
    memo_notes, project, walsh, lawyer
):
    memo = build(project, lawyer, assignment=walsh)
    assert memo.audience == "recipient"
    text = memo_text(memo).replace("’", "'")
    assert "To Walsh Shea" in text and "Cc Metro" in text
    assert SHARED in text
    assert INTERNAL not in text
    assert INTERNAL_TRANSITION not in text
    assert "Ask Walsh for its hiring plan before the notice." not in text
    assert "W-17" in text and "Maria Lopez" not in text
    assert "Privileged" not in text
    assert "Internal:" not in text, "not even the mark of a note withheld"
    events = [e for f in memo.snapshot["flags"]["listed"] for e in f["events"]]
    assert not any(e["internal"] and e["note"] for e in events)


def test_a_counsel_memo_carries_internal_notes_and_names_and_every_page_is_marked(
    memo_notes, project, walsh, lawyer
):
    memo = build(project, lawyer, assignment=walsh, audience="counsel")
    pages = pages_of(memo)
    text = " ".join(pages).replace("’", "'")
    assert INTERNAL in text and INTERNAL_TRANSITION in text and SHARED in text
    assert "W-17 · Maria Lopez" in text
    assert "Case memo" in pages[0] and "To Counsel's case file" in pages[0].replace("’", "'")
    assert len(pages) >= 3
    for number, content in enumerate(pages, start=1):
        assert "Privileged and confidential: attorney work product" in content, number


def test_a_counsel_memo_downloads_under_a_name_that_says_privileged(
    client, memo_notes, project, walsh, lawyer
):
    client.force_login(lawyer)
    for audience, marked in (("counsel", True), ("recipient", False)):
        memo = build(project, lawyer, assignment=walsh, audience=audience)
        for url in (reverse("memo_pdf", args=[memo.pk]), f"/api/v1/memos/{memo.pk}/pdf"):
            disposition = client.get(url)["Content-Disposition"]
            assert ("-privileged.pdf" in disposition) is marked, (audience, url)


def test_the_snapshot_is_filtered_by_the_audience(memo_notes, project, lawyer):
    def notes(audience):
        snap = gather_snapshot(
            project=project, user=lawyer, memo_date=TODAY.date(), audience=audience
        )
        return {e["note"] for f in snap["flags"]["listed"] for e in f["events"]}

    assert INTERNAL in notes("counsel") and INTERNAL_TRANSITION in notes("counsel")
    assert INTERNAL not in notes("recipient") and INTERNAL_TRANSITION not in notes("recipient")
    assert SHARED in notes("recipient")


def test_the_law_center_asks_for_a_counsel_memo_on_the_web_and_the_list_says_so(
    client, memo_notes, project, lawyer, monkeypatch
):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    client.force_login(lawyer)
    form = client.get(reverse("memo_new", kwargs={"slug": "crenshaw"})).content.decode()
    assert 'value="recipient" checked' in form.replace(' id="id_audience_0"', "")
    assert "Never send it to the contractor or the owner." in form
    with time_machine.travel(TODAY, tick=False):
        client.post(reverse("memo_new", kwargs={"slug": "crenshaw"}), {"audience": "counsel"})
        client.post(reverse("memo_new", kwargs={"slug": "crenshaw"}), {"contractor": ""})
    counsel, recipient = Memo.objects.order_by("pk")
    assert (counsel.audience, recipient.audience) == ("counsel", "recipient")
    listing = client.get(reverse("memo_list", kwargs={"slug": "crenshaw"})).content.decode()
    assert "Counsel only" in listing and "Privileged case memo" in listing
    assert "The recipient" in listing and "Metro (the owner): shared notes only" in listing


def test_the_api_takes_an_audience_and_refuses_an_unknown_one(client, memo_notes, project, lawyer):
    auth = bearer(lawyer)
    url = "/api/v1/projects/crenshaw/memos"
    made = client.post(url, {"audience": "counsel"}, content_type="application/json", **auth)
    assert made.status_code == 202
    assert made.json()["audience"] == "counsel"
    assert client.post(url, {}, content_type="application/json", **auth).json()["audience"] == (
        "recipient"
    )
    wrong = client.post(url, {"audience": "press"}, content_type="application/json", **auth)
    assert wrong.status_code == 422
    assert "recipient" in wrong.json()["detail"] and "counsel" in wrong.json()["detail"]


def test_generate_memo_takes_an_audience(memo_notes, tmp_path):
    from tests.test_memos import pdf_text

    out = tmp_path / "case.pdf"
    with time_machine.travel(TODAY, tick=False):
        call_command(
            "generate_memo", "--project", "crenshaw", "--audience", "counsel", "--out", str(out)
        )
        call_command("generate_memo", "--project", "crenshaw", "--out", str(tmp_path / "r.pdf"))
    assert INTERNAL_TRANSITION in pdf_text(out.read_bytes())
    assert INTERNAL_TRANSITION not in pdf_text((tmp_path / "r.pdf").read_bytes())
    assert list(Memo.objects.order_by("pk").values_list("audience", flat=True)) == [
        "counsel",
        "recipient",
    ]


@pytest.mark.parametrize(
    "note", ["Worker SSN 123-45-6789 says so", "id 123.45.6789", "1234\u200b56789"]
)
def test_a_note_holding_an_ssn_is_refused_and_nothing_is_stored(client, reviewer, flag, note):
    client.force_login(reviewer)
    before = FlagEvent.objects.count()
    response = client.post(
        f"/api/v1/flags/{flag.pk}/comments",
        {"note": note, "visibility": "internal"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "Social Security number" in response.json()["detail"]
    assert "6789" not in response.content.decode()
    assert FlagEvent.objects.count() == before
