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
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.utils import timezone

from compliance.evaluation.engine.common import TOTAL, ZERO, current_lines
from compliance.evaluation.kinds import workforce_share
from compliance.evaluation.public import sections
from compliance.evaluation.public.sections import ALL, GROUP_QUALIFIERS, LOCAL_QUALIFIERS, terms
from compliance.evaluation.public.suppression import Cells, min_workers
from compliance.models import Evaluation, PublicFigures
from projects.models import Agreement, Commitment, Craft, Project, normalize_craft_name


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
        kind=workforce_share.KIND.name,
        params={"qualifier": qualifier, "target_percent": "0"},
        area=area,
    )


def public_agreements(project: Project) -> list[Agreement]:
    """The agreements whose figures are gathered: of a public project, those marked public
    or adopting a public policy; of a private one (gathered only for the comparison its
    monitors see, never published), all of them."""
    agreements = project.agreements.order_by("effective_date", "pk")
    public = agreements.filter(Q(public=True) | Q(adoptions__policy__public=True)).distinct()
    return list(public) or list(agreements)


def _local_commitment(commitments: list[Commitment]) -> Commitment | None:
    """The commitment that says who is local: the first local-hire share (all workers before
    apprentices or journeyworkers only)."""
    local = [c for c in commitments if terms(c).qualifier in LOCAL_QUALIFIERS]
    local.sort(key=lambda c: (terms(c).population != "all", c.position, c.pk))
    return local[0] if local else None


def _group_commitment(commitments: list[Commitment], qualifiers) -> Commitment | None:
    found = [c for c in commitments if terms(c).qualifier in qualifiers]
    found.sort(key=lambda c: (terms(c).population != "all", c.position, c.pk))
    return found[0] if found else None


class _Measures:
    """The filters: one per population (signature → Q) and per qualifier (signature → Q)."""

    def __init__(self, crafts: _Crafts):
        self.crafts = crafts
        self.populations: dict[str, Q] = {ALL: Q()}
        self.qualifiers: dict[str, Q] = {}
        self.pairs: set[tuple[str, str]] = set()

    def population(self, commitment: Commitment) -> str:
        found = terms(commitment)
        excluded = sorted(self.crafts.craft_ids_named(found.excluded_crafts))
        if found.population == "all" and not excluded:
            return ALL
        key = f"{found.population}:{','.join(map(str, excluded))}"
        self.populations[key] = workforce_share.population_filter(commitment, self.crafts)
        return key

    def qualifier(self, commitment: Commitment) -> str:
        key = terms(commitment).qualifier
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
    shares = [c for c in commitments if c.kind == workforce_share.KIND.name]
    hours_measured = [c for c in shares if terms(c).measure == "hours"]
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
        key = sections.worker_hours_key(row)
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
    standing = sections.standings(project, commitments)
    return {
        "project": sections.project_facts(project, agreements),
        "as_of": as_of.isoformat(),
        "min_workers": min_workers(),
        "headline": sections.headline(cells, group_rule, standing),
        "wages_to_target_groups": sections.wages(cells, total, group_rule)
        if lines.filter(Q(gross_pay__isnull=False) | Q(hourly_rate__isnull=False)).exists()
        else {},
        "damages": sections.damages(project),
        "reporting": sections.reporting(project),
        "trades": sections.trades(cells, trade_ids, crafts, group_rule, total, by_trade),
        "commitments": sections.commitments(
            commitments, cells, share_keys, trade_ids, crafts, standing
        ),
        "contractors": sections.contractors(project, cells, names),
        "worker_hours": sections.worker_hours_table(cells, worker_hours, names, crafts),
        "worker_hours_count": len(worker_hours),
        "rules": sections.rules(project, agreements, commitments, local, crafts),
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


def canonical(figures: dict) -> str:
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def public_figures_refresh(*, project: Project) -> PublicFigures:
    """Gather and store the project's figures as the public pages show them, suppressed
    alike. A private project's are gathered too, for the comparison its monitors see
    (`access.compared_projects_for`); the public pages and downloads never show them
    (`access.public_project`). The etag is the SHA-256 of the figures' canonical JSON.
    `computed_at` is when the gathering began: what was committed before it is in them."""
    began = timezone.now()
    figures = gather(project)
    etag = hashlib.sha256(canonical(figures).encode()).hexdigest()
    with transaction.atomic():
        row, _ = PublicFigures.objects.update_or_create(
            project=project,
            defaults={
                "as_of": datetime.date.fromisoformat(figures["as_of"]),
                "computed_at": began,
                "etag": etag,
                "figures": figures,
            },
        )
    return row
