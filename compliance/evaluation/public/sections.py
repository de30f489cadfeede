"""The sections of a public project's figures (see `figures`): each turns the suppressed
cells and the stored evaluations, reports and ledger into the JSON the pages and downloads
read. Every number is text (Decimal to 2 places) or null when suppressed or unknown.

No sentence is stored: the figures keep the facts the words are made of (a commitment's
kind, terms and area name; who counts as local), and the pages and downloads say them in
the visitor's language (`pages.describe_terms`, `pages.rules_words`)."""

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from compliance.evaluation.kinds import workforce_share
from compliance.evaluation.public.suppression import Cells
from compliance.models import Evaluation, LedgerEntry
from compliance.numbers import percent, round2
from compliance.status import commitment_status
from projects.models import Agreement, Commitment, PolicyCommitment, Project

ALL = "all"  # the population of every line, no trade excluded
GROUPS = ("local_hire", "apprentice", "women", "people_of_color")
GROUP_QUALIFIERS = {
    "apprentice": "apprentice",
    "women": "woman",
    "people_of_color": "person_of_color",
}
LOCAL_QUALIFIERS = ("area_resident", "reported_resident")
MET_STATUSES = {"met", "on_track"}


def text(value: Decimal | None) -> str | None:
    return None if value is None else f"{round2(value):.2f}"


def terms(commitment: Commitment):
    return workforce_share.KIND.terms(commitment)


def cell(cells: Cells, key) -> dict:
    value = cells.shown(key)
    hidden = key in cells.suppressed
    workers = None if hidden else cells.workers.get(key)
    return {"value": text(value), "workers": workers, "suppressed": hidden}


def share(cells: Cells, qualifying_key, all_key) -> str | None:
    qualifying, everything = cells.shown(qualifying_key), cells.shown(all_key)
    if qualifying is None or everything is None:
        return None
    return text(percent(qualifying, everything))


@dataclass
class Standings:
    """Each commitment's status (SPEC §3.5) and how many of its groups stand where, read in
    one query for the headline and the commitments' sections alike."""

    status: dict[int, str | None]
    group_counts: dict[int, Counter]

    def met(self, commitment_id: int) -> bool | None:
        """Met (or on track) or not; None without data."""
        status = self.status.get(commitment_id)
        return None if status in (None, "no_data") else status in MET_STATUSES


def standings(project, commitments) -> Standings:
    statuses = defaultdict(list)
    group_counts = defaultdict(Counter)
    evaluations = Evaluation.objects.filter(project=project, commitment__in=commitments)
    for commitment_id, status, group_key in evaluations.values_list(
        "commitment_id", "status", "group_key"
    ):
        statuses[commitment_id].append(status)
        if group_key != "project":
            group_counts[commitment_id][status] += 1
    return Standings(
        status={c.pk: commitment_status(statuses.get(c.pk, [])) for c in commitments},
        group_counts=group_counts,
    )


def headline(cells: Cells, group_rule: dict, standing: Standings) -> dict:
    headline = {}
    for name in GROUPS:
        p, q, commitment = group_rule[name]
        all_key, q_key = ("P", p, None), ("Q", p, q, None)
        target = terms(commitment).target_percent if commitment else None
        achieved = share(cells, q_key, all_key)
        status = standing.status.get(commitment.pk) if commitment is not None else None
        met = standing.met(commitment.pk) if commitment is not None else None
        headline[name] = {
            "achieved_percent": achieved,
            "target_percent": text(target),
            "met": met,
            # The commitment's own status, so the headline and its section say the same word.
            "status": status,
            "hours": text(cells.shown(all_key)),
            "qualifying_hours": text(cells.shown(q_key)),
            "workers": None if all_key in cells.suppressed else cells.workers.get(all_key),
            "suppressed": q_key in cells.suppressed or all_key in cells.suppressed,
            # What counts, as facts: the words are the pages' (`pages.definition_words`).
            "terms": terms_facts(commitment) if commitment else None,
            "commitment": commitment.title if commitment else None,
            "policy_target": policy_target(commitment) if commitment else None,
        }
    return headline


def terms_facts(commitment: Commitment) -> dict:
    """What the commitment's words are made of at render time (`pages.describe_terms`): its
    kind, its terms (as checked and stored) and its area's name."""
    return {
        "kind": commitment.kind,
        "params": commitment.params,
        "area": commitment.area.name if commitment.area_id else None,
    }


def policy_target(commitment: Commitment) -> dict | None:
    """The target the policy it was made from publishes (its template's), with the policy's
    name, so a project whose own target differs (an adoption's override, an amendment) can
    say so beside its figure; None when no policy made it or the template has no target."""
    if commitment.template_id is None:
        return None
    template = (
        PolicyCommitment.objects.select_related("policy").filter(pk=commitment.template_id).first()
    )
    target = (template.params or {}).get("target_percent") if template else None
    if target is None:
        return None
    return {"percent": text(Decimal(str(target))), "policy": template.policy.name}


def wages(cells: Cells, total: dict, group_rule: dict) -> dict:
    wages = {}
    for name in GROUPS:
        p, q, _ = group_rule[name]
        hidden = ("Q", p, q, None) in cells.suppressed
        wages[name] = None if hidden else text(total.get(f"pay|{p}|{q}") or Decimal(0))
    return wages


def damages(project: Project) -> dict:
    entries = LedgerEntry.objects.filter(project=project)
    row = next(iter(entries.balances("project")), None) or {}
    return {
        "assessed": text(row.get("owed") or Decimal(0)),
        "collected": text(row.get("collected") or Decimal(0)),
    }


def reporting_rows(project: Project) -> dict[int, dict]:
    """Per assignment: reports due, on time, late, missing, and the median days after the due
    date a report came in (0 when on time: a month the reporting rule counts as received,
    which a month from the city's open data always is), from the stored reporting
    evaluations."""
    rows = {}
    for evaluation in Evaluation.objects.filter(project=project, commitment_key="reporting"):
        details = evaluation.details or {}
        lags = []
        for month in details.get("months", []):
            if month.get("status") == "received":
                lags.append(0)
            elif month.get("submitted_at") and month.get("due_date"):
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


def reporting(project: Project) -> dict:
    rows = reporting_rows(project).values()
    lags = [lag for row in rows for lag in row["lags"]]
    return {
        "reports_due": sum(r["reports_due"] for r in rows),
        "reports_on_time": sum(r["reports_on_time"] for r in rows),
        "median_lag_days": text(Decimal(str(statistics.median(lags)))) if lags else None,
    }


def trades(cells, trade_ids, crafts, group_rule, total, by_trade) -> list[dict]:
    rows = []
    for where in [*trade_ids, None]:
        row = {
            "trade": crafts.crafts[where].name if where in crafts.crafts else None,
            "hours": cell(cells, ("P", ALL, where)),
            "groups": {},
        }
        for name in GROUPS:
            _, q, _ = group_rule[name]
            key = ("Q", ALL, q, where)
            row["groups"][name] = {
                **cell(cells, key),
                "percent": share(cells, key, ("P", ALL, where)),
            }
        rows.append(row)
    return rows


def commitments(
    commitments, cells, share_keys, trade_ids, crafts, standing: Standings
) -> list[dict]:
    out = []
    for commitment in commitments:
        status = standing.status.get(commitment.pk)
        entry = {
            "key": commitment.key,
            "title": commitment.title,
            "clause": commitment.clause,
            "kind": commitment.kind,
            "terms": terms_facts(commitment),
            "status": status,
            "met": standing.met(commitment.pk),
            # A commitment measured per contractor or trade: how many groups stand where
            # (counts only; which contractor falls short is the signed-in pages' to say).
            "group_counts": dict(standing.group_counts[commitment.pk]),
            "target_percent": None,
            "trades": [],
        }
        if commitment.pk in share_keys:
            p, q = share_keys[commitment.pk]
            entry["target_percent"] = text(terms(commitment).target_percent)
            for where in [*trade_ids, None]:
                all_key, q_key = ("P", p, where), ("Q", p, q, where)
                if where is not None and cells.values.get(all_key, 0) == 0:
                    continue
                entry["trades"].append(
                    {
                        "trade": crafts.crafts[where].name if where in crafts.crafts else None,
                        "hours": cell(cells, all_key),
                        "qualifying_hours": cell(cells, q_key),
                        "percent": share(cells, q_key, all_key),
                    }
                )
        out.append(entry)
    return out


def contractors(project, cells, names) -> list[dict]:
    reporting = reporting_rows(project)
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
                "hours": cell(cells, ("C", assignment_id)),
                "reports_due": record.get("reports_due", 0),
                "reports_on_time": record.get("reports_on_time", 0),
                "reports_late": record.get("reports_late", 0),
                "reports_missing": record.get("reports_missing", 0),
                "median_lag_days": text(Decimal(str(statistics.median(lags)))) if lags else None,
                "damages_assessed": text(money.get("owed") or Decimal(0)),
                "damages_collected": text(money.get("collected") or Decimal(0)),
            }
        )
    return out


def worker_hours_key(row: dict) -> tuple:
    """The cell of one row of the worker-hours table (Boston's layout): contractor, trade,
    month, gender, person of color, resident."""
    return (
        "W",
        row["assignment_id"],
        row["craft_id"],
        row["report__period"],
        row["gender"],
        row["poc"],
        row["resident"],
    )


def worker_hours_table(cells, worker_hours, names, crafts) -> list[dict]:
    out = []
    for row in worker_hours:
        key = worker_hours_key(row)
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
                **cell(cells, key),
            }
        )
    return out


def rules(project, agreements, commitments, local, crafts) -> dict:
    """The rules as facts (`pages.rules_words` says them): who counts as local (`local_rule`:
    "area" with the area's name and ZIP codes, "reported" by the local-hire commitment,
    "none" without one: residency as reported), the trades left out, the agreements."""
    exempt = set()
    for commitment in commitments:
        if commitment.kind == workforce_share.KIND.name:
            exempt.update(terms(commitment).excluded_crafts)
    if local is None:
        local_rule = {"rule": "none"}
    elif terms(local).qualifier == "area_resident" and local.area is not None:
        local_rule = {"rule": "area", "area": local.area.name, "zips": sorted(local.area.zips)}
    else:
        local_rule = {"rule": "reported"}
    return {
        "local_rule": local_rule,
        "exempt_trades": sorted(exempt),
        "agreements": [a.title for a in agreements],
    }


def project_facts(project: Project, agreements: list[Agreement]) -> dict:
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
