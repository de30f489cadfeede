"""The figures of a public project (SPEC §7.4), gathered once after each evaluation and
stored, already suppressed, as its `PublicFigures` row; the public pages and downloads only
read that row.

What is published, as of the project's last evaluation (every hours figure over the current
lines of weeks ending on or before that date, SPEC §3):
- per trade and for the project: all hours and distinct workers, and the hours and workers
  of each target group (local residents by the project's local-hire rule, apprentices,
  women, people of color) with its share of the hours and the wages paid to it
  (gross pay, or hours × hourly rate where no gross pay was reported);
- per workforce commitment of a public agreement: per trade and in total, the hours of its
  population and those that qualify, the share against the target, and whether it is met
  (the commitment's status from its stored evaluations); other commitments: their status;
- per contractor (named, as Boston does): hours, workers, the reporting record (reports
  due, on time, late, missing; median days after the due date a report came in, 0 when on
  time) and the liquidated damages assessed (as settled) and collected (paid or withheld),
  by the ledger's balance rule (`LedgerQuerySet.balances`);
- the worker-hours table in Boston's layout: hours and workers per contractor, trade,
  month (the report's month), gender, person of color, resident;
- the rules in plain words (the commitments' own descriptions, what counts as local, the
  denominator, exempt trades).
Every hours figure is a cell of `suppression.Cells`; the sums among them (a total is the sum
of its trades, of its contractors, of its worker-hours rows; qualifying + not qualifying =
all) are declared so the complementary suppression sees every way a figure could be worked
out. Percents and wages are shown only where the hours they rest on are.
"""

import datetime
import hashlib
import json
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.utils import timezone

from compliance.evaluation.engine.common import TOTAL, ZERO, current_lines
from compliance.evaluation.kinds import workforce_share
from compliance.evaluation.public.suppression import Cells, min_workers
from compliance.models import Evaluation, LedgerEntry, PublicFigures
from compliance.numbers import percent, round2
from compliance.status import commitment_status
from projects import access
from projects.models import Agreement, Commitment, Craft, Project, normalize_craft_name

ALL = "all"  # the population of every line, no trade excluded
GROUPS = ("local_hire", "apprentice", "women", "people_of_color")
GROUP_QUALIFIERS = {
    "apprentice": "apprentice",
    "women": "woman",
    "people_of_color": "person_of_color",
}
LOCAL_QUALIFIERS = ("area_resident", "reported_resident")
MET_STATUSES = {"met", "on_track"}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{round2(value):.2f}"


def _terms(commitment: Commitment):
    return workforce_share.KIND.terms(commitment)


class _Crafts:
    """What `workforce_share.population_filter` asks of an evaluation context."""

    def __init__(self, crafts: dict[int, Craft]):
        self.crafts = crafts

    def craft_ids_named(self, names) -> set[int]:
        wanted = {normalize_craft_name(n) for n in names}
        return {cid for cid, craft in self.crafts.items() if craft.match_keys() & wanted}


def _probe(qualifier: str, area=None) -> Commitment:
    """An unsaved workforce share with this qualifier: its line filter is the kind's own."""
    return Commitment(
        kind="workforce_share",
        params={"qualifier": qualifier, "target_percent": "0"},
        area=area,
    )


def public_agreements(project: Project) -> list[Agreement]:
    """The project's agreements whose figures are public: marked public, or adopting a
    public policy."""
    return list(
        project.agreements.filter(Q(public=True) | Q(adoptions__policy__public=True))
        .distinct()
        .order_by("effective_date", "pk")
    )


def _local_commitment(commitments: list[Commitment]) -> Commitment | None:
    """The commitment that says who is local: the first local-hire share (all workers before
    apprentices or journeyworkers only)."""
    local = [c for c in commitments if _terms(c).qualifier in LOCAL_QUALIFIERS]
    local.sort(key=lambda c: (_terms(c).population != "all", c.position, c.pk))
    return local[0] if local else None


def _group_commitment(commitments: list[Commitment], qualifiers) -> Commitment | None:
    found = [c for c in commitments if _terms(c).qualifier in qualifiers]
    found.sort(key=lambda c: (_terms(c).population != "all", c.position, c.pk))
    return found[0] if found else None


class _Measures:
    """The filters: one per population (signature → Q) and per qualifier (signature → Q)."""

    def __init__(self, crafts: _Crafts):
        self.crafts = crafts
        self.populations: dict[str, Q] = {ALL: Q()}
        self.qualifiers: dict[str, Q] = {}
        self.pairs: set[tuple[str, str]] = set()

    def population(self, commitment: Commitment) -> str:
        terms = _terms(commitment)
        excluded = sorted(self.crafts.craft_ids_named(terms.excluded_crafts))
        if terms.population == "all" and not excluded:
            return ALL
        key = f"{terms.population}:{','.join(map(str, excluded))}"
        self.populations[key] = workforce_share.population_filter(commitment, self.crafts)
        return key

    def qualifier(self, commitment: Commitment) -> str:
        terms = _terms(commitment)
        key = terms.qualifier
        if key == "area_resident":
            key = f"area:{commitment.area_id}"
        self.qualifiers[key] = workforce_share.qualifier_filter(commitment)
        return key

    def flags(self) -> dict:
        """One yes/no per line for every population and every qualifier, computed once a
        line and grouped by, so the pass over the lines is a plain GROUP BY."""
        flag = BooleanField()
        out = {}
        for key, condition in [
            *((f"p|{p}", pq) for p, pq in self.populations.items() if p != ALL),
            *((f"q|{q}", qq) for q, qq in self.qualifiers.items()),
        ]:
            out[key] = Case(
                When(condition, then=Value(True)), default=Value(False), output_field=flag
            )
        return out

    def rollup(self, rows: list[dict]) -> dict:
        """Per-worker rows (of a trade, a contractor or the project) summed: hours and pay
        added up, workers counted once each (`w|…` in the group, `n|…` in the population
        but not the group)."""
        out: dict = {}
        for p in self.populations:
            inside = [r for r in rows if p == ALL or r[f"p|{p}"]]
            out[f"h|{p}"] = sum((r["h"] for r in inside), ZERO)
            out[f"w|{p}"] = len({r["worker_id"] for r in inside if r["worker_id"]})
        for p in self.populations:
            if p == ALL:
                continue
            outside = [r for r in rows if not r[f"p|{p}"]]
            out[f"xh|{p}"] = sum((r["h"] for r in outside), ZERO)
            out[f"xw|{p}"] = len({r["worker_id"] for r in outside if r["worker_id"]})
            for q in self.qualifiers:
                outside_q = [r for r in outside if r[f"q|{q}"]]
                out[f"xh|{p}|{q}"] = sum((r["h"] for r in outside_q), ZERO)
                out[f"xw|{p}|{q}"] = len({r["worker_id"] for r in outside_q if r["worker_id"]})
        for p, q in self.pairs:
            inside = [r for r in rows if p == ALL or r[f"p|{p}"]]
            qualifying = [r for r in inside if r[f"q|{q}"]]
            out[f"h|{p}|{q}"] = sum((r["h"] for r in qualifying), ZERO)
            out[f"pay|{p}|{q}"] = sum((r["pay"] for r in qualifying), ZERO)
            out[f"w|{p}|{q}"] = len({r["worker_id"] for r in qualifying if r["worker_id"]})
            out[f"n|{p}|{q}"] = len(
                {r["worker_id"] for r in inside if r["worker_id"] and not r[f"q|{q}"]}
            )
        return out


def _workers(row: dict, key: str, hours: Decimal) -> int | None:
    """Distinct identified workers; None (unknown) when the cell has hours but its lines
    carry no worker identity (open data)."""
    count = row.get(key) or 0
    return None if count == 0 and hours else count


def gather(project: Project) -> dict:
    """Every public figure of the project, suppressed (module docstring)."""
    as_of = (
        Evaluation.objects.filter(project=project)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
    ).first() or timezone.localdate()
    agreements = public_agreements(project)
    commitments = list(
        Commitment.objects.filter(project=project, agreement__in=agreements)
        .select_related("area")
        .order_by("position", "pk")
    )
    shares = [c for c in commitments if c.kind == "workforce_share"]
    hours_measured = [c for c in shares if _terms(c).measure == "hours"]
    crafts = _Crafts({c.pk: c for c in project.crafts.all()})
    measures = _Measures(crafts)

    # The target groups of the headline and the trade table: the commitment's own rule where
    # the agreement has one, else the plain rule over all lines.
    group_rule: dict[str, tuple[str, str, Commitment | None]] = {}
    local = _local_commitment(hours_measured)
    if local is not None:
        group_rule["local_hire"] = (measures.population(local), measures.qualifier(local), local)
    else:
        group_rule["local_hire"] = (ALL, measures.qualifier(_probe("reported_resident")), None)
    for name, qualifier in GROUP_QUALIFIERS.items():
        found = _group_commitment(hours_measured, {qualifier})
        probe = found or _probe(qualifier)
        pop = measures.population(found) if found else ALL
        group_rule[name] = (pop, measures.qualifier(probe), found)
    for p, q, _ in group_rule.values():
        measures.pairs.add((p, q))
    share_keys = {c.pk: (measures.population(c), measures.qualifier(c)) for c in hours_measured}
    measures.pairs.update(share_keys.values())
    measures.pairs.update((ALL, q) for q in measures.qualifiers)

    lines = current_lines(project, as_of)
    flags = measures.flags()
    pay = Case(
        When(gross_pay__isnull=False, then=F("gross_pay")),
        default=F("hours") * F("hourly_rate"),
        output_field=TOTAL,
    )
    per_worker = [
        {**row, "h": row["h"] or ZERO, "pay": row["pay"] or ZERO}
        for row in lines.order_by()
        .annotate(**flags)
        .values("assignment_id", "craft_id", "worker_id", *flags)
        .annotate(h=Sum("hours", output_field=TOTAL), pay=Sum(pay, output_field=TOTAL))
    ]
    rows_by_trade: dict[int, list] = defaultdict(list)
    rows_by_contractor: dict[int, list] = defaultdict(list)
    for row in per_worker:
        rows_by_trade[row["craft_id"]].append(row)
        rows_by_contractor[row["assignment_id"]].append(row)
    by_trade = {craft_id: measures.rollup(rows) for craft_id, rows in rows_by_trade.items()}
    total = measures.rollup(per_worker)
    by_contractor = {
        assignment_id: {"h": r[f"h|{ALL}"], "w": r[f"w|{ALL}"]}
        for assignment_id, r in (
            (a, measures.rollup(rows)) for a, rows in rows_by_contractor.items()
        )
    }
    worker_hours = _worker_hours_rows(
        lines,
        resident_q=measures.qualifiers[group_rule["local_hire"][1]],
        poc_q=measures.qualifiers[group_rule["people_of_color"][1]],
    )

    cells = Cells()
    trade_ids = sorted(by_trade, key=lambda c: crafts.crafts[c].name if c in crafts.crafts else "")

    def add_measure(row: dict, where) -> None:
        for p in measures.populations:
            hours = row.get(f"h|{p}") or Decimal(0)
            cells.add(("P", p, where), hours, _workers(row, f"w|{p}", hours))
        for p in measures.populations:
            if p == ALL:
                continue
            hours = row[f"xh|{p}"]
            cells.add(("XP", p, where), hours, _workers(row, f"xw|{p}", hours))
            for q in measures.qualifiers:
                hours = row[f"xh|{p}|{q}"]
                cells.add(("XQ", p, q, where), hours, _workers(row, f"xw|{p}|{q}", hours))
        for p, q in measures.pairs:
            all_hours = row.get(f"h|{p}") or Decimal(0)
            qualifying = row.get(f"h|{p}|{q}") or Decimal(0)
            rest = all_hours - qualifying
            cells.add(("Q", p, q, where), qualifying, _workers(row, f"w|{p}|{q}", qualifying))
            cells.add(("N", p, q, where), rest, _workers(row, f"n|{p}|{q}", rest))

    for craft_id in trade_ids:
        add_measure(by_trade[craft_id], craft_id)
    add_measure(total, None)
    for p in measures.populations:
        cells.tie(("P", p, None), [("P", p, c) for c in trade_ids])
    # A narrower population (journeyworkers, apprentices, trades left out) and the lines
    # outside it make up all lines; the same for the lines of each group.
    apprentice = measures.qualifier(_probe("apprentice"))
    for p in measures.populations:
        if p == ALL:
            continue
        for where in [*trade_ids, None]:
            cells.tie(("P", ALL, where), [("P", p, where), ("XP", p, where)])
            for q in measures.qualifiers:
                cells.tie(("Q", ALL, q, where), [("Q", p, q, where), ("XQ", p, q, where)])
            # The same lines under two names are one figure, suppressed together: a trade
            # left out is all outside; else outside the journeyworkers are the apprentices,
            # and the other way round.
            population, excluded = p.split(":")
            excluded_ids = {int(c) for c in excluded.split(",") if c}
            same_lines = []
            if where in excluded_ids:
                same_lines.append((("XP", p, where), ("P", ALL, where)))
                same_lines += [
                    (("XQ", p, q, where), ("Q", ALL, q, where)) for q in measures.qualifiers
                ]
            elif where is not None or not excluded_ids:
                bucket = {"journey": "Q", "apprentice": "N"}.get(population)
                if bucket:
                    same_lines.append((("XP", p, where), (bucket, ALL, apprentice, where)))
            for a, b in same_lines:
                cells.tie(a, [b])
                cells.tie(b, [a])
        cells.tie(("XP", p, None), [("XP", p, c) for c in trade_ids])
        for q in measures.qualifiers:
            cells.tie(("XQ", p, q, None), [("XQ", p, q, c) for c in trade_ids])
    for p, q in measures.pairs:
        for where in [*trade_ids, None]:
            cells.tie(("P", p, where), [("Q", p, q, where), ("N", p, q, where)])
        cells.tie(("Q", p, q, None), [("Q", p, q, c) for c in trade_ids])
        cells.tie(("N", p, q, None), [("N", p, q, c) for c in trade_ids])

    for assignment_id, row in by_contractor.items():
        hours = row["h"] or Decimal(0)
        cells.add(("C", assignment_id), hours, _workers(row, "w", hours))
    cells.tie(("P", ALL, None), [("C", a) for a in by_contractor])
    keys_by = defaultdict(list)
    for row in worker_hours:
        key = (
            "W",
            row["assignment_id"],
            row["craft_id"],
            row["report__period"],
            row["gender"],
            row["poc"],
            row["resident"],
        )
        cells.add(key, row["h"] or Decimal(0), _workers(row, "w", row["h"] or Decimal(0)))
        keys_by[("C", row["assignment_id"])].append(key)
        keys_by[("P", ALL, row["craft_id"])].append(key)
        keys_by[("P", ALL, None)].append(key)
        if row["gender"] == "F":
            q = group_rule["women"][1]
            keys_by[("Q", ALL, q, row["craft_id"])].append(key)
            keys_by[("Q", ALL, q, None)].append(key)
        for flag_name, group in (("poc", "people_of_color"), ("resident", "local_hire")):
            q = group_rule[group][1]
            bucket = "Q" if row[flag_name] else "N"
            keys_by[(bucket, ALL, q, row["craft_id"])].append(key)
            keys_by[(bucket, ALL, q, None)].append(key)
    for total_key, addends in keys_by.items():
        cells.tie(total_key, addends)
    cells.suppress()

    names = {
        a.pk: a
        for a in project.assignments.select_related("contractor").order_by("contractor__name")
    }
    return {
        "project": _project_facts(project, agreements),
        "as_of": as_of.isoformat(),
        "min_workers": min_workers(),
        "headline": _headline(cells, group_rule, measures),
        "wages_to_target_groups": _wages(cells, total, group_rule),
        "damages": _damages(project),
        "reporting": _reporting(project),
        "trades": _trades(cells, trade_ids, crafts, group_rule, total, by_trade),
        "commitments": _commitments(project, commitments, cells, share_keys, trade_ids, crafts),
        "contractors": _contractors(project, cells, names),
        "worker_hours": _worker_hours(cells, worker_hours, names, crafts),
        "worker_hours_count": len(worker_hours),
        "rules": _rules(project, agreements, commitments, local, crafts),
    }


def _worker_hours_rows(lines, *, resident_q: Q, poc_q: Q) -> list[dict]:
    """Hours and distinct workers per contractor, trade, report month, gender, person of
    color and resident (on PostgreSQL at a million lines COUNT(DISTINCT) here is faster than
    a GROUP BY per worker inside a GROUP BY per row)."""
    flag = BooleanField()
    return [
        {**row, "h": row["h"] or ZERO, "gender": row["gender"] or ""}
        for row in lines.order_by()
        .annotate(
            poc=Case(When(poc_q, then=Value(True)), default=Value(False), output_field=flag),
            resident=Case(
                When(resident_q, then=Value(True)), default=Value(False), output_field=flag
            ),
        )
        .values("assignment_id", "craft_id", "report__period", "gender", "poc", "resident")
        .annotate(h=Sum("hours", output_field=TOTAL), w=Count("worker", distinct=True))
        .order_by("assignment_id", "craft_id", "report__period", "gender", "poc", "resident")
    ]


def _cell(cells: Cells, key) -> dict:
    value = cells.shown(key)
    hidden = key in cells.suppressed
    workers = None if hidden else cells.workers.get(key)
    return {"value": _text(value), "workers": workers, "suppressed": hidden}


def _share(cells: Cells, qualifying_key, all_key) -> str | None:
    qualifying, everything = cells.shown(qualifying_key), cells.shown(all_key)
    if qualifying is None or everything is None:
        return None
    return _text(percent(qualifying, everything))


def _headline(cells: Cells, group_rule: dict, measures: _Measures) -> dict:
    headline = {}
    for name in GROUPS:
        p, q, commitment = group_rule[name]
        all_key, q_key = ("P", p, None), ("Q", p, q, None)
        target = _terms(commitment).target_percent if commitment else None
        achieved = _share(cells, q_key, all_key)
        met = None
        if commitment is not None:
            statuses = list(
                Evaluation.objects.filter(commitment=commitment).values_list("status", flat=True)
            )
            status = commitment_status(statuses)
            met = None if status in (None, "no_data") else status in MET_STATUSES
        headline[name] = {
            "achieved_percent": achieved,
            "target_percent": _text(target),
            "met": met,
            "hours": _text(cells.shown(all_key)),
            "qualifying_hours": _text(cells.shown(q_key)),
            "workers": None if all_key in cells.suppressed else cells.workers.get(all_key),
            "suppressed": q_key in cells.suppressed or all_key in cells.suppressed,
            "definition": _definition(name, commitment),
            "commitment": commitment.title if commitment else None,
        }
    return headline


def _definition(name: str, commitment: Commitment | None) -> str:
    if commitment is not None:
        return commitment.description
    words = {
        "apprentice": "Hours worked by registered apprentices, out of all hours reported.",
        "women": "Hours worked by women, out of all hours reported.",
        "people_of_color": "Hours worked by people of color (ethnicity reported and not "
        "White), out of all hours reported.",
    }
    return words.get(name, "")


def _wages(cells: Cells, total: dict, group_rule: dict) -> dict:
    wages = {}
    for name in GROUPS:
        p, q, _ = group_rule[name]
        hidden = ("Q", p, q, None) in cells.suppressed
        wages[name] = None if hidden else _text(total.get(f"pay|{p}|{q}") or Decimal(0))
    return wages


def _damages(project: Project) -> dict:
    entries = LedgerEntry.objects.filter(project=project)
    row = next(iter(entries.balances("project")), None) or {}
    return {
        "assessed": _text(row.get("owed") or Decimal(0)),
        "collected": _text(row.get("collected") or Decimal(0)),
    }


def _reporting_rows(project: Project) -> dict[int, dict]:
    """Per assignment: reports due, on time, late, missing, and the median days after the due
    date a report came in (0 when on time), from the stored reporting evaluations."""
    rows = {}
    for evaluation in Evaluation.objects.filter(project=project, commitment_key="reporting"):
        details = evaluation.details or {}
        lags = []
        for month in details.get("months", []):
            if month.get("submitted_at") and month.get("due_date"):
                submitted = datetime.datetime.fromisoformat(month["submitted_at"])
                due = datetime.date.fromisoformat(month["due_date"])
                lags.append(max(0, (timezone.localdate(submitted) - due).days))
        rows[evaluation.assignment_id] = {
            "reports_due": details.get("due", 0),
            "reports_on_time": details.get("on_time", 0),
            "reports_late": details.get("late", 0),
            "reports_missing": details.get("missing", 0),
            "lags": lags,
        }
    return rows


def _reporting(project: Project) -> dict:
    rows = _reporting_rows(project).values()
    lags = [lag for row in rows for lag in row["lags"]]
    return {
        "reports_due": sum(r["reports_due"] for r in rows),
        "reports_on_time": sum(r["reports_on_time"] for r in rows),
        "median_lag_days": _text(Decimal(str(statistics.median(lags)))) if lags else None,
    }


def _trades(cells, trade_ids, crafts, group_rule, total, by_trade) -> list[dict]:
    rows = []
    for where in [*trade_ids, None]:
        row = {
            "trade": crafts.crafts[where].name if where in crafts.crafts else None,
            "hours": _cell(cells, ("P", ALL, where)),
            "groups": {},
        }
        for name in GROUPS:
            _, q, _ = group_rule[name]
            key = ("Q", ALL, q, where)
            row["groups"][name] = {
                **_cell(cells, key),
                "percent": _share(cells, key, ("P", ALL, where)),
            }
        rows.append(row)
    return rows


def _commitments(project, commitments, cells, share_keys, trade_ids, crafts) -> list[dict]:
    statuses = defaultdict(list)
    evaluations = Evaluation.objects.filter(project=project, commitment__in=commitments)
    for commitment_id, status in evaluations.values_list("commitment_id", "status"):
        statuses[commitment_id].append(status)
    out = []
    for commitment in commitments:
        status = commitment_status(statuses.get(commitment.pk, []))
        entry = {
            "key": commitment.key,
            "title": commitment.title,
            "clause": commitment.clause,
            "kind": commitment.kind,
            "description": commitment.description,
            "status": status,
            "met": None if status in (None, "no_data") else status in MET_STATUSES,
            "target_percent": None,
            "trades": [],
        }
        if commitment.pk in share_keys:
            p, q = share_keys[commitment.pk]
            entry["target_percent"] = _text(_terms(commitment).target_percent)
            for where in [*trade_ids, None]:
                all_key, q_key = ("P", p, where), ("Q", p, q, where)
                if where is not None and cells.values.get(all_key, 0) == 0:
                    continue
                entry["trades"].append(
                    {
                        "trade": crafts.crafts[where].name if where in crafts.crafts else None,
                        "hours": _cell(cells, all_key),
                        "qualifying_hours": _cell(cells, q_key),
                        "percent": _share(cells, q_key, all_key),
                    }
                )
        out.append(entry)
    return out


def _contractors(project, cells, names) -> list[dict]:
    reporting = _reporting_rows(project)
    ledger = {
        row["assignment"]: row
        for row in LedgerEntry.objects.filter(project=project).balances("assignment")
    }
    out = []
    for assignment_id, assignment in names.items():
        record = reporting.get(assignment_id, {})
        lags = record.get("lags", [])
        money = ledger.get(assignment_id, {})
        out.append(
            {
                "contractor": assignment.contractor.name,
                "tier": assignment.tier,
                "hours": _cell(cells, ("C", assignment_id)),
                "reports_due": record.get("reports_due", 0),
                "reports_on_time": record.get("reports_on_time", 0),
                "reports_late": record.get("reports_late", 0),
                "reports_missing": record.get("reports_missing", 0),
                "median_lag_days": _text(Decimal(str(statistics.median(lags)))) if lags else None,
                "damages_assessed": _text(money.get("owed") or Decimal(0)),
                "damages_collected": _text(money.get("collected") or Decimal(0)),
            }
        )
    return out


def _worker_hours(cells, worker_hours, names, crafts) -> list[dict]:
    out = []
    for row in worker_hours:
        key = (
            "W",
            row["assignment_id"],
            row["craft_id"],
            row["report__period"],
            row["gender"],
            row["poc"],
            row["resident"],
        )
        assignment = names.get(row["assignment_id"])
        craft = crafts.crafts.get(row["craft_id"])
        out.append(
            {
                "contractor": assignment.contractor.name if assignment else "",
                "trade": craft.name if craft else "",
                "period": f"{row['report__period']:%Y-%m}",
                "gender": row["gender"] or "",
                "person_of_color": row["poc"],
                "resident": row["resident"],
                **_cell(cells, key),
            }
        )
    return out


def _rules(project, agreements, commitments, local, crafts) -> dict:
    exempt = set()
    for commitment in commitments:
        if commitment.kind == "workforce_share":
            exempt.update(_terms(commitment).excluded_crafts)
    if local is None:
        local_words = "Residency as the contractor reports it (no local-hire commitment)."
    elif _terms(local).qualifier == "area_resident" and local.area is not None:
        local_words = (
            f"A worker whose home ZIP code is in {local.area.name}: "
            f"{', '.join(sorted(local.area.zips))}."
        )
    else:
        local_words = "A worker the contractor reports, or the city certifies, as a resident."
    return {
        "local": local_words,
        "denominator": "All hours reported on the project's current payroll reports for weeks "
        "ending on or before the date of the data, unless a commitment names its own "
        "population (apprentices or journeyworkers only) or exempts trades.",
        "exempt_trades": sorted(exempt),
        "agreements": [a.title for a in agreements],
    }


def _project_facts(project: Project, agreements: list[Agreement]) -> dict:
    policies = sorted(
        {
            adoption.policy.name
            for agreement in agreements
            for adoption in agreement.adoptions.select_related("policy")
        }
    )
    return {
        "name": project.name,
        "slug": project.slug,
        "location": project.location,
        "jurisdiction": project.jurisdiction,
        "status": project.status,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "policies": policies,
    }


def canonical(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def public_figures_refresh(*, project: Project) -> PublicFigures | None:
    """Gather and store the project's public figures; remove them when it is not public.
    The etag is the SHA-256 of the figures' canonical JSON."""
    if not access.public_projects().filter(pk=project.pk).exists():
        PublicFigures.objects.filter(project=project).delete()
        return None
    figures = gather(project)
    etag = hashlib.sha256(canonical(figures).encode()).hexdigest()
    with transaction.atomic():
        row, _ = PublicFigures.objects.update_or_create(
            project=project,
            defaults={
                "as_of": datetime.date.fromisoformat(figures["as_of"]),
                "computed_at": timezone.now(),
                "etag": etag,
                "figures": figures,
            },
        )
    return row
