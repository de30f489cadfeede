"""Privacy on the public pages and downloads (issue 16, SPEC §8): nothing that names or
numbers a worker, no one person's wage, no note; and no suppressed figure can be worked out
from what is published (the re-identification test)."""

import csv
import datetime
import io
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import Q
from django.test import Client

from compliance.evaluation.public.figures import public_figures_refresh
from compliance.models import FlagEvent, LedgerEntry, Memo, PayrollLine, Worker
from tests.coalition_data import make_flag
from tests.conftest import make_commitment, make_report
from tests.engine_support import evaluate, line

AS_OF = datetime.date(2024, 3, 31)
NAME = "Zebulon Quartermaine"
WORKER_KEY = "WKR-778899"
ZIP = "96799"
RATE = "87.13"
GROSS = "3485.20"
FLAG_NOTE = "Flag note: marmoset"
INTERNAL_NOTE = "Internal note: pangolin"
LEDGER_NOTE = "Ledger note: capybara"
MEMO_TEXT = "Memo text: axolotl"
REPORT_NOTE = "Report note: okapi"
MARKERS = [
    NAME,
    WORKER_KEY,
    ZIP,
    RATE,
    GROSS,
    FLAG_NOTE,
    INTERNAL_NOTE,
    LEDGER_NOTE,
    MEMO_TEXT,
    REPORT_NOTE,
]

# (contractor, trade, workers, of whom local, of whom women, people of color)
CREW = [
    ("walsh", "Carpenter", 12, 6, 3, 7),
    ("walsh", "Laborer", 3, 1, 0, 2),
    ("walsh", "Electrician", 8, 5, 2, 6),
    ("pulice", "Carpenter", 6, 5, 1, 3),
    ("pulice", "Laborer", 7, 3, 4, 5),
]


@pytest.fixture
def public_project(project, walsh, pulice, crafts, area, admin):
    project.agreements.update(public=True)
    local = make_commitment(
        project,
        "local",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        target_percent="40",
        penalty_per_unit="25",
        title="Local hire",
    )
    make_commitment(
        project, "women", "workforce_share", qualifier="woman", target_percent="6.9", title="Women"
    )
    # A narrower population: journeyworkers only, electricians left out (SF style).
    make_commitment(
        project,
        "journey-local",
        "workforce_share",
        qualifier="area_resident",
        area=area,
        population="journey",
        excluded_crafts=["Electrician"],
        target_percent="30",
        title="Journeyworker local hire",
    )
    assignments = {"walsh": walsh, "pulice": pulice}
    for month in (datetime.date(2024, 2, 1), datetime.date(2024, 3, 1)):
        week = month.replace(day=9)
        by_assignment = {}
        for contractor, trade, count, local_n, women, poc in CREW:
            for n in range(count):
                by_assignment.setdefault(contractor, []).append(
                    line(
                        f"{contractor}-{trade}-{n}",
                        week,
                        crafts[trade],
                        30 + 3 * n + (5 if month.month == 3 else 0),
                        home_zip="90001" if n < local_n else "99999",
                        gender="F" if n < women else "M",
                        ethnicity="Black" if n < poc else "White",
                        is_apprentice=n % 4 == 0,
                    )
                )
        by_assignment["walsh"].append(
            line(
                WORKER_KEY,
                week,
                crafts["Laborer"],
                40,
                home_zip=ZIP,
                hourly_rate=Decimal(RATE),
                gross_pay=Decimal(GROSS),
            )
        )
        for contractor, lines in by_assignment.items():
            make_report(assignments[contractor], month, lines, note=REPORT_NOTE)
    Worker.objects.filter(worker_key=WORKER_KEY).update(name=NAME)
    evaluate(project, AS_OF)
    flag = make_flag(project, commitment=local, assignment=walsh)
    FlagEvent.objects.create(flag=flag, kind="comment", note=FLAG_NOTE, visibility="shared")
    FlagEvent.objects.create(flag=flag, kind="comment", note=INTERNAL_NOTE, visibility="internal")
    LedgerEntry.objects.create(
        project=project,
        assignment=walsh,
        kind="assessed",
        date=AS_OF,
        amount=Decimal("7500.00"),
        note=LEDGER_NOTE,
    )
    Memo.objects.create(project=project, failure_reason=MEMO_TEXT, requested_by=admin)
    public_figures_refresh(project=project)
    return project


def _bodies() -> dict[str, str]:
    client = Client()
    bodies = {}
    for url in (
        "/public/",
        "/public/data-dictionary/",
        "/public/projects/crenshaw/",
        "/public/projects/crenshaw.csv",
        "/public/projects/crenshaw.json",
    ):
        for language in ("en", "es"):
            response = client.get(f"{url}?language={language}")
            assert response.status_code == 200, url
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
            bodies[f"{url}?language={language}"] = content.decode()
    return bodies


def test_no_public_page_or_download_names_numbers_or_pays_a_worker(public_project):
    assert PayrollLine.objects.filter(worker__name=NAME).exists()
    leaks = [
        f"{url} shows {marker!r}"
        for url, body in _bodies().items()
        for marker in MARKERS
        if marker in body
    ]

    assert not leaks, "\n".join(leaks)


def test_small_groups_read_fewer_than_5_workers(public_project):
    page = Client().get("/public/projects/crenshaw/").content.decode()

    assert "fewer than 5 workers" in page
    es = Client().get("/public/projects/crenshaw/?language=es").content.decode()
    assert "Crenshaw/LAX Line" in es


# The re-identification attempt: everything published, and every sum it implies.


def _json() -> dict:
    return json.loads(Client().get("/public/projects/crenshaw.json").content)


class Attack:
    """Published values (known) and unknowns, and sums total = Σ addends among them."""

    def __init__(self):
        self.known: dict = {}
        self.unknown: set = set()
        self.sums: list = []

    def cell(self, name, figure) -> None:
        if figure is None or figure.get("suppressed") or figure.get("value") is None:
            self.unknown.add(name)
        else:
            self.known[name] = Fraction(figure["value"])

    def value(self, name, value) -> None:
        if value is None:
            self.unknown.add(name)
        else:
            self.known[name] = Fraction(value)

    def hidden(self, name) -> None:
        self.unknown.add(name)

    def same(self, a, b) -> None:
        self.sums.append((a, [b]))

    def sum(self, total, addends) -> None:
        self.sums.append((total, list(addends)))

    def solve(self) -> dict:
        """Repeatedly find a sum with exactly one unknown member and solve it (one sum at a
        time; `determined` combines them all)."""
        known = dict(self.known)
        solved = {}
        progress = True
        while progress:
            progress = False
            for total, addends in self.sums:
                members = [total, *addends]
                missing = [m for m in members if m not in known]
                if len(missing) != 1:
                    continue
                m = missing[0]
                rest = sum((known[a] for a in addends if a != m), Fraction(0))
                known[m] = known[total] - rest if m != total else rest
                solved[m] = known[m]
                progress = True
        return solved

    def determined(self) -> set:
        """The unknowns any combination of the sums pins down (Gauss-Jordan elimination over
        exact fractions): stronger than one unknown at a time."""
        pivots: dict = {}
        for total, addends in self.sums:
            row, constant = {}, Fraction(0)
            for member, sign in [(total, 1), *[(a, -1) for a in addends]]:
                if member in self.known:
                    constant -= sign * self.known[member]
                else:
                    row[member] = row.get(member, 0) + sign
            row = {k: Fraction(v) for k, v in row.items() if v}
            while any(k in pivots for k in row):
                k = next(k for k in row if k in pivots)
                factor = row[k]
                pivot_row, pivot_constant = pivots[k]
                for kk, vv in pivot_row.items():
                    row[kk] = row.get(kk, 0) - factor * vv
                    if row[kk] == 0:
                        del row[kk]
                constant -= factor * pivot_constant
            if not row:
                continue
            lead = min(row, key=str)
            scale = row[lead]
            row = {k: v / scale for k, v in row.items()}
            constant /= scale
            for k, (pivot_row, pivot_constant) in list(pivots.items()):
                if lead in pivot_row:
                    factor = pivot_row[lead]
                    for kk, vv in row.items():
                        pivot_row[kk] = pivot_row.get(kk, 0) - factor * vv
                        if pivot_row[kk] == 0:
                            del pivot_row[kk]
                    pivots[k] = (pivot_row, pivot_constant - factor * constant)
            pivots[lead] = (row, constant)
        return {k for k, (row, _) in pivots.items() if len(row) == 1}


# Each commitment's group, and whether its population is narrower than all lines.
HIDDEN = {"n", "c rest", "c rest q"}  # implied, never published: recoverable unless sensitive
COMMITMENTS = {
    "Local hire": ("local_hire", False),
    "Women": ("women", False),
    "Journeyworker local hire": ("local_hire", True),
}


def attack_of(figures: dict, *, groups=("local_hire", "women", "people_of_color", "apprentice")):
    """Every relation an outsider can read off the data dictionary."""
    attack = Attack()
    trades = [t["trade"] for t in figures["trades"] if t["trade"]]
    for t in figures["trades"]:
        where = t["trade"] or "ALL"
        attack.cell(("hours", where), t["hours"])
        for group, figure in t["groups"].items():
            attack.cell(("q", group, where), figure)
            attack.hidden(("n", group, where))
            attack.sum(("hours", where), [("q", group, where), ("n", group, where)])
    attack.sum(("hours", "ALL"), [("hours", t) for t in trades])
    for group in groups:
        attack.sum(("q", group, "ALL"), [("q", group, t) for t in trades])
        attack.sum(("n", group, "ALL"), [("n", group, t) for t in trades])
        entry = figures["headline"][group]
        attack.value(("headline", group), entry["qualifying_hours"])
        attack.value(("headline hours", group), entry["hours"])
    for group in groups:
        # The headline's population is all lines here (no commitment narrows it).
        attack.same(("headline", group), ("q", group, "ALL"))
        attack.same(("headline hours", group), ("hours", "ALL"))
    for c in figures["commitments"]:
        group, narrower = COMMITMENTS[c["title"]]
        title = c["title"]
        rows = {t["trade"] or "ALL": t for t in c["trades"]}
        for where in [*trades, "ALL"]:
            if where not in rows:  # a trade left out: none of its hours count
                attack.value(("c hours", title, where), "0")
                attack.value(("c q", title, where), "0")
            else:
                attack.cell(("c hours", title, where), rows[where]["hours"])
                attack.cell(("c q", title, where), rows[where]["qualifying_hours"])
            if not narrower:
                attack.same(("c hours", title, where), ("hours", where))
                attack.same(("c q", title, where), ("q", group, where))
                continue
            # All hours = the population's + the rest (the apprentices, the trade left out).
            attack.hidden(("c rest", title, where))
            attack.hidden(("c rest q", title, where))
            attack.sum(("hours", where), [("c hours", title, where), ("c rest", title, where)])
            attack.sum(("q", group, where), [("c q", title, where), ("c rest q", title, where)])
            # Outside the journeyworkers are the apprentices, except in the trade left out
            # (all of it is outside) and so in the project's total too.
            if where not in ("Electrician", "ALL"):
                attack.same(("c rest", title, where), ("q", "apprentice", where))
        attack.sum(("c hours", title, "ALL"), [("c hours", title, t) for t in trades])
        attack.sum(("c q", title, "ALL"), [("c q", title, t) for t in trades])
        if narrower:
            attack.sum(("c rest", title, "ALL"), [("c rest", title, t) for t in trades])
            attack.sum(("c rest q", title, "ALL"), [("c rest q", title, t) for t in trades])
    contractors = [c["contractor"] for c in figures["contractors"]]
    for c in figures["contractors"]:
        attack.cell(("contractor", c["contractor"]), c["hours"])
    attack.sum(("hours", "ALL"), [("contractor", c) for c in contractors])
    by = {}
    for n, w in enumerate(figures["worker_hours"]):
        name = ("wh", n)
        attack.cell(name, w)
        by.setdefault(("contractor", w["contractor"]), []).append(name)
        by.setdefault(("hours", w["trade"]), []).append(name)
        by.setdefault(("hours", "ALL"), []).append(name)
        for group, member in (
            ("women", w["gender"] == "F"),
            ("people_of_color", w["person_of_color"]),
            ("local_hire", w["resident"]),
        ):
            by.setdefault(("q" if member else "n", group, w["trade"]), []).append(name)
            by.setdefault(("q" if member else "n", group, "ALL"), []).append(name)
    for total, addends in by.items():
        attack.sum(total, addends)
    return attack


def test_no_suppressed_figure_can_be_worked_out_from_what_is_published(public_project):
    figures = _json()
    attack = attack_of(figures)
    suppressed = {name for name in attack.unknown if name[0] not in HIDDEN}
    assert suppressed, "the fixture has small groups: something must be suppressed"

    solved = set(attack.solve()) | attack.determined()

    recovered = sorted(map(str, suppressed & solved))
    assert not recovered, f"worked out {len(recovered)} suppressed figure(s): {recovered}"
    for name in solved - suppressed:
        # An implied figure that can be worked out must rest on 0 or 5 and more workers.
        workers = _implied_workers(public_project, name)
        assert workers == 0 or workers >= 5, (name, workers)


def _implied_workers(project, name) -> int:
    if name[0] == "n":
        return _not_in_group_workers(project, name[1], name[2])
    lines = PayrollLine.objects.filter(project=project, is_current=True)
    lines = lines.filter(Q(is_apprentice=True) | Q(craft__name="Electrician"))
    if name[2] != "ALL":
        lines = lines.filter(craft__name=name[2])
    if name[0] == "c rest q":
        lines = lines.filter(home_zip__in=["90001", "90002", "90003"])
    return lines.values("worker").distinct().count()


def test_no_suppressed_figure_can_be_worked_out_by_combining_the_sums(public_project):
    attack = attack_of(_json())
    suppressed = {name for name in attack.unknown if name[0] not in HIDDEN}

    assert not sorted(map(str, suppressed & attack.determined()))


def _not_in_group_workers(project, group: str, trade: str) -> int:
    lines = PayrollLine.objects.filter(project=project, is_current=True)
    if trade != "ALL":
        lines = lines.filter(craft__name=trade)
    if group == "local_hire":
        lines = lines.exclude(home_zip__in=["90001", "90002", "90003"])
    elif group == "women":
        lines = lines.exclude(gender="F")
    elif group == "people_of_color":
        lines = lines.filter(ethnicity__in=["", "White"])
    else:
        lines = lines.filter(is_apprentice=False)
    return lines.values("worker").distinct().count()


def test_the_attack_recovers_figures_when_complementary_suppression_is_off(
    public_project, monkeypatch
):
    """The test bites: with the primary rule only, a suppressed figure can be worked out."""
    from compliance.evaluation.public import suppression

    def primary_only(self):
        self.suppressed = {k for k, w in self.workers.items() if suppression.too_few(w)}
        return self.suppressed

    monkeypatch.setattr(suppression.Cells, "suppress", primary_only)
    public_figures_refresh(project=public_project)
    attack = attack_of(_json())
    suppressed = {name for name in attack.unknown if name[0] not in HIDDEN}

    assert suppressed & set(attack.solve())
    assert suppressed & attack.determined()


def test_combining_the_sums_recovers_figures_when_the_audit_is_off(public_project, monkeypatch):
    """The audit bites: with complementary suppression one sum at a time only, no sum alone
    gives a suppressed figure away, but elimination across the sums does."""
    from compliance.evaluation.public import suppression

    monkeypatch.setattr(suppression.Cells, "audit", lambda self: None)
    public_figures_refresh(project=public_project)
    attack = attack_of(_json())
    suppressed = {name for name in attack.unknown if name[0] not in HIDDEN}

    assert not suppressed & set(attack.solve())
    assert suppressed & attack.determined()


def test_the_csv_publishes_exactly_the_json_figures(public_project):
    text = b"".join(Client().get("/public/projects/crenshaw.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    figures = _json()

    shown = {r["value"] for r in rows if r["section"] == "worker_hours" and r["measure"] == "hours"}
    published = {w["value"] or "" for w in figures["worker_hours"]}
    assert shown == published
    assert all(r["value"] == "" for r in rows if r["suppressed"] == "true")


def test_the_audit_finds_figures_only_a_combination_of_sums_gives_away():
    from compliance.evaluation.public.suppression import disclosed

    # a+b, b+c and a+c published: no sum alone has a single unknown, together they give all.
    assert disclosed([{"a": 1, "b": 1}, {"b": 1, "c": 1}, {"a": 1, "c": 1}]) == {"a", "b", "c"}
    # a and b always together (the same months of one contractor): only c comes out.
    assert disclosed([{"a": 1, "b": 1}, {"a": -1, "b": -1, "c": -1}]) == {"c"}
    assert disclosed([{"a": 1, "b": -1}, {"b": 1, "a": -1}]) == set()
