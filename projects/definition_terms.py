"""A project definition's agreements, adopted policies and commitment terms (SPEC §7.3):
how `agreement` / `agreements`, `policies`, a commitment's terms, its `agreement` and its
`versions` are checked (every error kept with its JSON path) and written. The rest of the
file, and the one transaction, are projects.definition's.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from compliance.evaluation.kinds import KINDS, clean_terms
from projects.json_checks import (
    Errors,
    at,
    choice_at,
    date_at,
    json_list,
    json_object,
    slug_at,
    text_at,
    whole_at,
)
from projects.models import (
    Agreement,
    Area,
    Commitment,
    CommitmentVersion,
    Policy,
    Project,
    normalize_craft_name,
)
from projects.policies import first_effective_date, template_terms

AGREEMENT_KEYS = [
    "title",
    "effective_date",
    "signatories",
    "cure_period_days",
    "report_due_day",
    "damages_basis",
    "public",
]
ADOPTION_KEYS = ["slug", "agreement", "overrides"]


@dataclass
class Plan:
    """What the file asks for, checked; written only when no error was found."""

    project: dict = field(default_factory=dict)
    owner: dict | None = None
    areas: list[dict] = field(default_factory=list)
    crafts: list[dict] = field(default_factory=list)
    monitors: list[dict] = field(default_factory=list)
    contractors: list[dict] = field(default_factory=list)
    # Each agreement's fields by key; "" is the single `agreement` of older files (the
    # project's primary agreement).
    agreements: dict[str, dict] = field(default_factory=dict)
    commitments: list[dict] = field(default_factory=list)
    policies: list[dict] = field(default_factory=list)


def agreement_fields(errors: Errors, obj: dict, path: str) -> dict:
    fields = {
        "title": text_at(errors, obj, "title", path, required=True),
        "effective_date": date_at(errors, obj, "effective_date", path, required=True),
        "signatories": text_at(errors, obj, "signatories", path, max_length=5000) or "",
    }
    cure = whole_at(errors, obj, "cure_period_days", path, minimum=0, maximum=3650)
    due = whole_at(errors, obj, "report_due_day", path, minimum=1, maximum=28)
    if cure is not None:
        fields["cure_period_days"] = cure
    if due is not None:
        fields["report_due_day"] = due
    if "damages_basis" in obj:
        basis = choice_at(errors, obj, "damages_basis", path, Agreement.DamagesBasis.values)
        if basis is not None:
            fields["damages_basis"] = basis
    if "public" in obj:
        if isinstance(obj["public"], bool):
            fields["public"] = obj["public"]
        else:
            errors.add(at(path, "public"), "Must be true or false.")
    return fields


def check_agreements(errors: Errors, data, plan: Plan, project: Project | None) -> list[str]:
    """Returns the keys a commitment or an adopted policy may name: the listed agreements'
    and the project's existing ones."""
    if "agreement" in data and "agreements" in data:
        errors.add("agreement", "Give either agreement or agreements (a list), not both.")
    if "agreement" in data:
        obj = json_object(
            errors, data["agreement"], "agreement", AGREEMENT_KEYS, what="the agreement"
        )
        if obj is not None:
            plan.agreements[""] = agreement_fields(errors, obj, "agreement")
    items = json_list(errors, data.get("agreements"), "agreements", what="agreements")
    for i, item in enumerate(items):
        path = at("agreements", i)
        obj = json_object(errors, item, path, ["key", *AGREEMENT_KEYS], what="an agreement")
        if obj is None:
            continue
        key = slug_at(errors, obj, "key", path)
        if key in plan.agreements:
            errors.add(at(path, "key"), f"Agreement {key!r} is listed twice.")
        fields = agreement_fields(errors, obj, path)
        if key:
            plan.agreements[key] = fields
    existing = list(project.agreements.values_list("key", flat=True)) if project else []
    return [*existing, *(k for k in plan.agreements if k and k not in existing)]


def agreement_named(errors: Errors, obj: dict, path: str, keys: list[str]) -> str | None:
    """The agreement a commitment or an adoption names; needed only when there are several."""
    key = slug_at(errors, obj, "agreement", path, required=False)
    if key is None:
        if len(keys) > 1 and "agreement" not in obj:
            errors.add(
                at(path, "agreement"),
                f"The project has several agreements: name one of {', '.join(keys)}.",
            )
        return None
    if key not in keys:
        known = f"one of {', '.join(keys)}" if keys else "an agreement listed under agreements"
        errors.add(at(path, "agreement"), f"Unknown agreement {key!r}: use {known}.")
        return None
    return key


def area_named(errors: Errors, slug: str | None, path: str, area_slugs: set[str]):
    """An area by slug, existing or listed in the file (unsaved then), or None with an error."""
    if slug is None:
        return None
    area = Area.objects.filter(slug=slug).first()
    if area is None and slug in area_slugs:
        area = Area(slug=slug)
    if area is None:
        errors.add(path, f"Unknown area {slug!r}: list it under areas first.")
    return area


def check_terms(
    errors: Errors, *, kind: str, params: dict, area, path: str, crafts: dict[str, str] | None
) -> dict | None:
    """A commitment's (or template's) parameters checked by its kind; every finding is
    added at `path`.parameter; returns them normalised, or None."""
    try:
        params = clean_terms(kind=kind, params=params, area=area)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.add(at(path, name), message)
        return None
    if crafts is not None:
        canonical_crafts(errors, KINDS[kind], params, crafts, path)
    return params


@dataclass
class CommitmentItem:
    """One entry of a file's `commitments`, its common fields checked."""

    path: str
    key: str | None
    kind: str | None
    area_slug: str | None
    area: object
    params: dict | None

    def texts(self, errors: Errors, item: dict) -> dict:
        """Clause, title and text, checked, with the kind, area and terms."""
        path = self.path
        return {
            "key": self.key,
            "clause": text_at(errors, item, "clause", path, max_length=60) or "",
            "title": text_at(errors, item, "title", path, required=True),
            "text": text_at(errors, item, "text", path, max_length=20000) or "",
            "kind": self.kind,
            "area": self.area_slug,
            "params": self.params,
        }


def commitment_items(
    errors: Errors, data, *, own_fields, area_slugs: set[str], crafts: dict[str, str] | None
):
    """Each object of a file's `commitments` (a project's, or a policy's templates), with
    what both check alike: a key listed once, a known kind and area, and the kind's terms
    (with the project's crafts when `crafts` is given). Entries that are not objects are
    reported and skipped."""
    items = json_list(errors, data.get("commitments"), "commitments", what="commitments")
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = at("commitments", i)
        if not isinstance(item, dict):
            errors.add(path, "Must be an object: a commitment.")
            continue
        key = slug_at(errors, item, "key", path)
        if key in seen:
            errors.add(at(path, "key"), f"Commitment {key!r} is listed twice.")
        if key:
            seen.add(key)
        kind = choice_at(errors, item, "kind", path, list(KINDS))
        area_slug = slug_at(errors, item, "area", path, required=False)
        area = area_named(errors, area_slug, at(path, "area"), area_slugs)
        params = {k: v for k, v in item.items() if k not in own_fields}
        if kind is not None:
            # An unknown area was reported above: the kind need not repeat it.
            before = len(errors)
            params = check_terms(
                errors, kind=kind, params=params, area=area, path=path, crafts=crafts
            )
            if area_slug is not None and area is None:
                errors[before:] = [e for e in errors[before:] if e["path"] != at(path, "area")]
        yield item, CommitmentItem(path, key, kind, area_slug, area, params)


def check_versions(
    errors: Errors, item: dict, path: str, base: dict | None, kind, area, crafts, area_slugs
) -> list[dict]:
    """A commitment's later terms: each version names its effective date, optionally a
    note and an area, and the parameters that change from the version before it."""
    versions = []
    previous = base
    items = json_list(errors, item.get("versions"), at(path, "versions"), what="versions")
    for j, version in enumerate(items):
        where = at(at(path, "versions"), j)
        if not isinstance(version, dict):
            errors.add(where, "Must be an object: effective_from, note and the terms that change.")
            continue
        effective = date_at(errors, version, "effective_from", where, required=True)
        note = text_at(errors, version, "note", where, max_length=2000) or ""
        version_area = area
        if "area" in version:
            slug = slug_at(errors, version, "area", where)
            version_area = area_named(errors, slug, at(where, "area"), area_slugs)
        changes = {k: v for k, v in version.items() if k not in ("effective_from", "note", "area")}
        params = None
        if previous is not None and kind is not None:
            params = check_terms(
                errors,
                kind=kind,
                params={**previous, **changes},
                area=version_area,
                path=where,
                crafts=crafts,
            )
        if previous is not None and params is None:
            previous = None
        else:
            previous = params
        versions.append(
            {
                "effective_from": effective,
                "note": note,
                "params": params,
                "area": version_area.slug if version_area else None,
            }
        )
    return versions


def check_policies(
    errors: Errors,
    data,
    plan: Plan,
    area_slugs: set[str],
    crafts: dict[str, str],
    agreement_keys: list[str],
    project: Project | None,
) -> None:
    """Adopted policies: each names an existing policy and the agreement it joins; its
    overrides, per template key, change the area, the start date, the key or any
    parameter, and are checked as the commitment they make would be."""
    keys = {c["key"] for c in plan.commitments if c["key"]}
    items = json_list(errors, data.get("policies"), "policies", what="adopted policies")
    for i, item in enumerate(items):
        path = at("policies", i)
        obj = json_object(errors, item, path, ADOPTION_KEYS, what='{"slug", "agreement"}')
        if obj is None:
            continue
        slug = slug_at(errors, obj, "slug", path)
        policy = Policy.objects.filter(slug=slug).first() if slug else None
        if slug and policy is None:
            errors.add(at(path, "slug"), f"Unknown policy {slug!r}: load it first (load_policy).")
        agreement = agreement_named(errors, obj, path, agreement_keys)
        overrides = obj.get("overrides") or {}
        if not isinstance(overrides, dict):
            errors.add(at(path, "overrides"), "Must be an object: overrides by commitment key.")
            overrides = {}
        if policy is not None:
            templates = {t.key: t for t in policy.templates.select_related("area")}
            for key, override in overrides.items():
                where = at(at(path, "overrides"), key)
                if key not in templates:
                    errors.add(
                        where,
                        f"{policy.name} has no commitment {key!r}: use one of "
                        f"{', '.join(templates)}.",
                    )
                elif not isinstance(override, dict):
                    errors.add(where, "Must be an object: the parameters that differ.")
            for key, template in templates.items():
                override = overrides.get(key) if isinstance(overrides.get(key), dict) else {}
                where = at(at(path, "overrides"), key)
                if "start_date" in override:
                    date_at(errors, override, "start_date", where)
                new_key = override.get("key", key)
                if "key" in override:
                    new_key = slug_at(errors, override, "key", where)
                made_by = None
                if project is not None:
                    made_by = (
                        project.commitments.filter(key=new_key)
                        .values_list("template_id", flat=True)
                        .first()
                    )
                if (
                    new_key in keys
                    or (made_by is not None and made_by != template.pk)
                    or (
                        project is not None
                        and made_by is None
                        and project.commitments.filter(key=new_key, template__isnull=True).exists()
                    )
                ):
                    errors.add(
                        at(where, "key"),
                        f"The project already has a commitment {new_key!r}: rename this one "
                        'with an override {"key": "..."}.',
                    )
                if new_key:
                    keys.add(new_key)
                params, area_slug = template_terms(template, override)
                area = area_named(errors, area_slug, at(where, "area"), area_slugs)
                check_terms(
                    errors, kind=template.kind, params=params, area=area, path=where, crafts=None
                )
        plan.policies.append(
            {"slug": slug, "agreement": agreement, "overrides": overrides, "path": path}
        )


def canonical_crafts(errors: Errors, kind, params: dict, crafts: dict[str, str], path: str) -> None:
    """Craft names in parameters must be the project's crafts; store their proper names."""
    for where, name in kind.craft_names(params):
        proper = crafts.get(normalize_craft_name(name))
        if proper is None:
            errors.add(
                f"{path}.{where}",
                f"Unknown craft {name!r}: use a craft of the project"
                + (' or "any".' if where.endswith(".craft") else "."),
            )
        else:
            kind.rename_craft(params, where, proper)


def write_agreements(plan: Plan, project: Project) -> dict[str, Agreement]:
    """The listed agreements by key (updated or created); the single `agreement` of an
    older file updates the project's primary agreement, or becomes it."""
    agreements = {a.key: a for a in project.agreements.all()}
    for key, fields in plan.agreements.items():
        if key == "":
            primary = project.agreement
            if primary is None:
                primary = Agreement.objects.create(project=project, **fields)
            else:
                for name, value in fields.items():
                    setattr(primary, name, value)
                primary.save()
            agreements[primary.key] = primary
        else:
            agreements[key], _ = Agreement.objects.update_or_create(
                project=project, key=key, defaults=fields
            )
    project.__dict__.pop("_primary_agreement", None)
    if hasattr(project, "_prefetched_objects_cache"):
        project._prefetched_objects_cache.pop("agreements", None)
    return agreements


def write_versions(commitment: Commitment, item: dict, areas: dict[str, Area]) -> None:
    """The file's terms as versions: its parameters from the agreement's effective date,
    then each of its `versions`. A version the commitment already has (same date, same
    terms) is kept; different terms from a date become a new version (nothing is
    overwritten), which an evaluation from that date applies."""
    wanted = [
        {
            "effective_from": first_effective_date(commitment),
            "params": item["params"],
            "area": commitment.area,
            "note": "The terms as first recorded.",
        },
        *(
            {
                "effective_from": v["effective_from"],
                "params": v["params"],
                "area": areas.get(v["area"]) if v["area"] else commitment.area,
                "note": v["note"],
            }
            for v in item["versions"]
        ),
    ]
    for version in wanted:
        in_force = commitment.terms_on(version["effective_from"])
        if (
            in_force is not None
            and in_force.effective_from == version["effective_from"]
            and in_force.params == version["params"]
            and in_force.area_id == (version["area"].pk if version["area"] else None)
        ):
            continue
        CommitmentVersion.objects.create(
            commitment=commitment,
            effective_from=version["effective_from"],
            params=version["params"],
            area=version["area"],
            note=version["note"],
            created_by_label="load_project",
        )
    latest = commitment.versions.order_by("-effective_from", "-pk").first()
    if latest is not None and (latest.params, latest.area_id) != (
        commitment.params,
        commitment.area_id,
    ):
        commitment.params, commitment.area = latest.params, latest.area
        commitment.save()
