"""Public figures (issue 16, SPEC §7.4, §10 example A): what the public page and downloads
publish for a public project, and how fast and cacheable they are."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import PublicFigures
from tests.conftest import make_commitment, make_report
from tests.engine_support import evaluate, line

AS_OF = datetime.date(2024, 3, 31)
WEEK = datetime.date(2024, 3, 8)


def _public(project) -> None:
    project.agreements.update(public=True)


def _example_a(project, walsh, crafts, area, *, workers: int = 20) -> None:
    """SPEC §10 A: 10,000 hours, 3,700 by residents of the area; target 40%."""
    make_commitment(
        project,
        "local",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        title="Local hire",
    )
    lines = []
    local_workers = workers // 2
    for n in range(workers):
        local = n < local_workers
        hours = 3700 / local_workers if local else 6300 / (workers - local_workers)
        lines.append(
            line(
                f"W{n}",
                WEEK,
                crafts["Carpenter"],
                f"{hours:.2f}",
                home_zip="90001" if local else "99999",
                gender="F" if n % 2 else "M",
            )
        )
    make_report(walsh, datetime.date(2024, 3, 1), lines)
    evaluate(project, AS_OF)


def published_example_a(project, walsh, crafts, area):
    """Example A on a public project, its figures gathered."""
    _public(project)
    _example_a(project, walsh, crafts, area)
    public_figures_refresh(project=project)
    return project


@pytest.fixture
def example_a(project, walsh, crafts, area):
    return published_example_a(project, walsh, crafts, area)


def test_the_public_page_shows_example_a_37_percent_against_40_at_risk(example_a):
    response = Client().get("/public/projects/crenshaw/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "37.00%" in text and "40.00%" in text
    assert "At risk" in text
    assert "10,000.00" in text and "3,700.00" in text


def test_the_stored_headline_follows_the_contract_the_comparison_reads(example_a):
    figures = PublicFigures.objects.get(project=example_a).figures

    local = figures["headline"]["local_hire"]
    assert local["achieved_percent"] == "37.00"
    assert local["target_percent"] == "40.00"
    assert local["met"] is False
    assert local["hours"] == "10000.00" and local["qualifying_hours"] == "3700.00"
    assert local["workers"] == 20 and local["suppressed"] is False
    assert "definition" not in local  # facts are stored; the words are said on the page
    assert local["terms"]["kind"] == "workforce_share"
    assert local["terms"]["area"] == "Economically disadvantaged ZIPs"
    assert local["terms"]["params"]["target_percent"] == "40"
    assert local["policy_target"] is None  # no policy made the commitment
    assert set(figures["headline"]) == {"local_hire", "apprentice", "women", "people_of_color"}
    assert set(figures["damages"]) == {"assessed", "collected"}
    assert set(figures["reporting"]) == {"reports_due", "reports_on_time", "median_lag_days"}


def test_a_private_project_has_no_public_page_or_download(project, walsh, crafts, area):
    _example_a(project, walsh, crafts, area)
    client = Client()

    for url in (
        "/public/projects/crenshaw/",
        "/public/projects/crenshaw.csv",
        "/public/projects/crenshaw.json",
    ):
        assert client.get(url).status_code == 404
    assert "Crenshaw" not in client.get("/public/").content.decode()


def test_a_project_that_stops_being_public_404s_at_once_everywhere_public(example_a):
    """Its figures are still gathered for its monitors' comparison, never shown publicly."""
    public_figures_refresh(project=example_a)
    example_a.agreements.update(public=False)

    anonymous = Client()
    for url in [
        "/public/projects/crenshaw/",
        "/public/projects/crenshaw.csv",
        "/public/projects/crenshaw.json",
    ]:
        assert anonymous.get(url).status_code == 404, url
    public_figures_refresh(project=example_a)
    assert PublicFigures.objects.filter(project=example_a).exists()
    assert example_a.name not in anonymous.get("/public/").text
    assert example_a.name not in anonymous.get("/public/compare/").text


def test_the_csv_is_one_tidy_table_with_the_headline(example_a):
    response = Client().get("/public/projects/crenshaw.csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Type"].startswith("text/csv")
    headline = {
        r["measure"]: r["value"]
        for r in rows
        if r["section"] == "headline" and r["target_group"] == "local_hire"
    }
    assert headline["achieved_percent"] == "37.00"
    assert headline["target_percent"] == "40.00"
    assert {r["section"] for r in rows} >= {"headline", "trades", "worker_hours", "contractors"}


def test_the_json_carries_the_figures_and_the_data_dictionary(example_a):
    body = json.loads(Client().get("/public/projects/crenshaw.json").content)

    assert body["headline"]["local_hire"]["achieved_percent"] == "37.00"
    assert "suppressed" in body["dictionary"]["columns"]
    assert body["as_of"] == "2024-03-31"


def test_downloads_answer_a_conditional_get_with_304_and_may_be_cached(example_a):
    client = Client()
    for url in (
        "/public/projects/crenshaw/",
        "/public/projects/crenshaw.csv",
        "/public/projects/crenshaw.json",
    ):
        first = client.get(url)
        assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
        assert first["Last-Modified"]

        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

        assert again.status_code == 304, url


def test_the_page_is_in_spanish_when_asked(example_a):
    response = Client().get("/public/projects/crenshaw/?language=es")

    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()


def test_the_data_dictionary_and_the_index_open_without_login(example_a):
    client = Client()

    index = client.get("/public/").content.decode()
    assert "Crenshaw/LAX Line" in index
    assert client.get("/public/data-dictionary/").status_code == 200


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_project(project, walsh, pulice, crafts, area):
    _public(project)
    _example_a(project, walsh, crafts, area, workers=10)
    public_figures_refresh(project=project)
    urls = [
        "/public/projects/crenshaw/",
        "/public/projects/crenshaw.csv",
        "/public/projects/crenshaw.json",
        "/public/",
    ]
    small = [_queries(url) for url in urls]

    lines = [
        line(f"P{n}", datetime.date(2024, 2, 9), crafts[c], 40, home_zip="90002")
        for n in range(30)
        for c in ("Laborer", "Electrician")
    ]
    make_report(pulice, datetime.date(2024, 2, 1), lines)
    evaluate(project, AS_OF)
    public_figures_refresh(project=project)
    larger = [_queries(url) for url in urls]

    assert larger == small


def test_an_evaluation_of_a_public_project_gathers_its_figures(
    project, walsh, crafts, area, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from tests.engine_support import run_tasks_synchronously

    run_tasks_synchronously(settings, monkeypatch)
    _public(project)
    with django_capture_on_commit_callbacks(execute=True):
        _example_a(project, walsh, crafts, area)

    row = PublicFigures.objects.get(project=project)
    assert row.as_of == AS_OF
    assert row.figures["headline"]["local_hire"]["achieved_percent"] == "37.00"


def test_a_refresh_asked_before_a_gathering_began_is_answered_by_it(example_a):
    """After a burst of uploads, one gathering answers every request made before it began."""
    from compliance import tasks

    project = example_a
    with time_machine.travel("2026-11-27 10:00Z"):
        asked = timezone.now().isoformat()
    with time_machine.travel("2026-11-27 10:01Z"):
        public_figures_refresh(project=project)
    gathered = PublicFigures.objects.get(project=project).computed_at

    with time_machine.travel("2026-11-27 10:05Z"):
        answer = tasks.refresh_public_figures_task(project.pk, asked)
        assert "already gathered" in answer
        assert PublicFigures.objects.get(project=project).computed_at == gathered
        later = timezone.now().isoformat()
    with time_machine.travel("2026-11-27 10:06Z"):
        assert "public figures as of" in tasks.refresh_public_figures_task(project.pk, later)
    assert PublicFigures.objects.get(project=project).computed_at > gathered


def test_the_refresh_command_gathers_every_project_saying_which_are_published(example_a):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("refresh_public_figures", stdout=out)
    assert "crenshaw: figures as of 2024-03-31 (published)" in out.getvalue()

    example_a.agreements.update(public=False)
    out = io.StringIO()
    call_command("refresh_public_figures", stdout=out)
    assert "crenshaw: figures as of 2024-03-31 (compared by its monitors only)" in out.getvalue()


def test_the_headline_and_the_commitments_section_give_the_same_status(example_a):
    """Example A: 37.00% against 40% with a margin of 5 is at risk; the headline row of the
    group and the commitment's own section both say so (the headline said "Not met")."""
    text = " ".join(Client().get("/public/projects/crenshaw/").text.split())
    headline = text.split("Who did the work")[1].split("The commitments")[0]
    assert "37.00%" in headline and "At risk" in headline and "Not met" not in headline
