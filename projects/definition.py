"""The project definition file (SPEC §7.3): one JSON document sets a project up.

`project_definition_load` creates or updates, by slug or key, a project, its areas, crafts,
contractors (organizations and their assignments), monitoring organizations, agreements,
commitments (with their later terms, `versions`) and adopted policies, in one transaction.
Everything in the file is checked first and every error is reported with its JSON path
(`commitments[2].area`); with any error nothing is stored.

Loading is additive: what the file names is created or updated, what it leaves out stays
as it is (a craft or contractor dropped from the file keeps its reports and history).
Craft aliases are added to a craft's aliases, never removed, since crafts are shared by
projects.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cba.errors import Conflict, InvalidInput
from compliance.audit import audit_record
from projects.certifications import check_contract_terms, write_contract_terms
from projects.definition_terms import (
    Plan,
    agreement_named,
    check_agreements,
    check_policies,
    check_versions,
    commitment_items,
    write_agreements,
    write_versions,
)
from projects.json_checks import (
    ZIP,
    Errors,
    at,
    choice_at,
    date_at,
    json_list,
    json_object,
    money_at,
    slug_at,
    text_at,
)
from projects.models import (
    Area,
    Assignment,
    Commitment,
    Craft,
    Monitoring,
    Organization,
    Policy,
    Project,
    governing_agreement,
    normalize_craft_name,
)
from projects.policies import policy_adopt

TOP_KEYS = [
    "project",
    "areas",
    "crafts",
    "contractors",
    "agreement",
    "agreements",
    "policies",
    "commitments",
    "monitors",
]
PROJECT_KEYS = [
    "slug",
    "name",
    "location",
    "start_date",
    "end_date",
    "status",
    "owner",
    "jurisdiction",
    "sector",
    "total_cost",
    "public_subsidy",
]
AREA_KEYS = ["slug", "name", "zips"]
CRAFT_KEYS = ["name", "aliases"]
CONTRACTOR_KEYS = [
    "slug",
    "name",
    "tier",
    "parent",
    "start_date",
    "end_date",
    "scope_of_work",
    "contacts",
    "contract_value",
    "certifications",
]
COMMITMENT_FIELDS = ["key", "clause", "title", "text", "kind", "area", "agreement", "versions"]
MONITOR_KEYS = ["slug", "name", "kind"]
ORGANIZATION_KEYS = ["slug", "name"]


def _check_organization(errors, slug, kinds: set[str], path: str) -> None:
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None and existing.kind not in kinds:
        errors.add(
            at(path, "slug"),
            f"{slug!r} is already a {existing.get_kind_display().lower()} organization: "
            "choose another slug.",
        )


def _check_project(errors: Errors, data, plan: Plan) -> Project | None:
    obj = json_object(errors, data.get("project"), "project", PROJECT_KEYS, what="the project")
    if obj is None:
        return None
    plan.project = {
        "slug": slug_at(errors, obj, "slug", "project"),
        "name": text_at(errors, obj, "name", "project", required=True),
        "location": text_at(errors, obj, "location", "project") or "",
        "start_date": date_at(errors, obj, "start_date", "project", required=True),
        "end_date": date_at(errors, obj, "end_date", "project", required=True),
    }
    if "status" in obj:
        plan.project["status"] = choice_at(errors, obj, "status", "project", Project.Status.values)
    if "jurisdiction" in obj:
        plan.project["jurisdiction"] = text_at(errors, obj, "jurisdiction", "project") or ""
    if "sector" in obj:
        plan.project["sector"] = choice_at(errors, obj, "sector", "project", Project.Sector.values)
    for name in ("total_cost", "public_subsidy"):
        if name in obj:
            plan.project[name] = money_at(errors, obj, name, "project")
    start, end = plan.project["start_date"], plan.project["end_date"]
    if start and end and end < start:
        errors.add("project.end_date", "Expected completion is before the start date.")
    if "owner" in obj:
        owner = json_object(
            errors, obj["owner"], "project.owner", ORGANIZATION_KEYS, what='{"slug", "name"}'
        )
        if owner is not None:
            plan.owner = {
                "slug": slug_at(errors, owner, "slug", "project.owner"),
                "name": text_at(errors, owner, "name", "project.owner", required=True),
            }
            if plan.owner["slug"]:
                _check_organization(errors, plan.owner["slug"], {"owner"}, "project.owner")
    if plan.project["slug"]:
        return Project.objects.filter(slug=plan.project["slug"]).first()
    return None


def check_areas(errors: Errors, data, plan: Plan) -> set[str]:
    seen: set[str] = set()
    for i, item in enumerate(json_list(errors, data.get("areas"), "areas", what="areas")):
        path = at("areas", i)
        obj = json_object(errors, item, path, AREA_KEYS, what='{"slug", "name", "zips"}')
        if obj is None:
            continue
        slug = slug_at(errors, obj, "slug", path)
        if slug in seen:
            errors.add(at(path, "slug"), f"Area {slug!r} is listed twice.")
        zips = []
        for j, code in enumerate(json_list(errors, obj.get("zips"), at(path, "zips"), what="ZIPs")):
            if isinstance(code, str) and ZIP.match(code):
                zips.append(code)
            else:
                errors.add(at(at(path, "zips"), j), f"{code!r} is not a 5-digit ZIP code.")
        if "zips" not in obj:
            errors.add(at(path, "zips"), "Required: the area's 5-digit ZIP codes.")
        if slug:
            seen.add(slug)
        plan.areas.append(
            {"slug": slug, "name": text_at(errors, obj, "name", path, required=True), "zips": zips}
        )
    return seen


def _check_crafts(errors: Errors, data, plan: Plan, project: Project | None) -> dict[str, str]:
    """Returns every craft the project will have, by match key (name or alias) → name."""
    known: dict[str, str] = {}
    if project is not None:
        for craft in project.crafts.all():
            for key in craft.match_keys():
                known[key] = craft.name
    listed: set[str] = set()
    for i, item in enumerate(json_list(errors, data.get("crafts"), "crafts", what="crafts")):
        path = at("crafts", i)
        if isinstance(item, str):
            item = {"name": item}
        obj = json_object(errors, item, path, CRAFT_KEYS, what='a name or {"name", "aliases"}')
        if obj is None:
            continue
        name = text_at(errors, obj, "name", path, required=True, max_length=100)
        if name is None:
            continue
        if normalize_craft_name(name) in listed:
            errors.add(at(path, "name"), f"Craft {name!r} is listed twice.")
            continue
        listed.add(normalize_craft_name(name))
        aliases = []
        for j, alias in enumerate(
            json_list(errors, obj.get("aliases"), at(path, "aliases"), what="names")
        ):
            if not isinstance(alias, str) or not alias.strip():
                errors.add(at(at(path, "aliases"), j), "Must be a name.")
            else:
                aliases.append(alias.strip())
        for j, key in enumerate([name, *aliases]):
            owner = known.get(normalize_craft_name(key))
            if owner is not None and normalize_craft_name(owner) != normalize_craft_name(name):
                where = at(path, "name") if j == 0 else at(at(path, "aliases"), j - 1)
                errors.add(where, f"{key!r} already names the craft {owner!r}.")
            else:
                known[normalize_craft_name(key)] = name
        plan.crafts.append({"name": name.strip(), "aliases": aliases})
    return known


def _check_monitors(errors: Errors, data, plan: Plan) -> None:
    kinds = [Organization.Kind.COALITION, Organization.Kind.LAW_CENTER]
    for i, item in enumerate(json_list(errors, data.get("monitors"), "monitors", what="monitors")):
        path = at("monitors", i)
        obj = json_object(errors, item, path, MONITOR_KEYS, what='{"slug", "name", "kind"}')
        if obj is None:
            continue
        monitor = {
            "slug": slug_at(errors, obj, "slug", path),
            "name": text_at(errors, obj, "name", path, required=True),
            "kind": choice_at(errors, obj, "kind", path, kinds),
        }
        if monitor["slug"] and monitor["kind"]:
            _check_organization(errors, monitor["slug"], {monitor["kind"]}, path)
        plan.monitors.append(monitor)


def _check_contractors(errors: Errors, data, plan: Plan, project: Project | None) -> None:
    existing = set()
    if project is not None:
        existing = set(project.assignments.values_list("contractor__slug", flat=True))
    items = json_list(errors, data.get("contractors"), "contractors", what="contractors")
    listed = [item.get("slug") for item in items if isinstance(item, dict)]
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = at("contractors", i)
        obj = json_object(errors, item, path, CONTRACTOR_KEYS, what="a contractor")
        if obj is None:
            continue
        slug = slug_at(errors, obj, "slug", path)
        if slug in seen:
            errors.add(at(path, "slug"), f"Contractor {slug!r} is listed twice.")
        if slug:
            seen.add(slug)
            _check_organization(errors, slug, {"contractor"}, path)
        parent = slug_at(errors, obj, "parent", path, required=False)
        if parent is not None and parent == slug:
            errors.add(at(path, "parent"), "A contractor cannot be its own parent.")
        elif parent is not None and parent not in listed and parent not in existing:
            errors.add(
                at(path, "parent"),
                f"Unknown contractor {parent!r}: list it under contractors first.",
            )
        tier = "prime" if parent is None else "sub"
        start = date_at(errors, obj, "start_date", path)
        end = date_at(errors, obj, "end_date", path)
        if start and end and end < start:
            errors.add(at(path, "end_date"), "The end is before the start.")
        contacts = []
        for j, username in enumerate(
            json_list(errors, obj.get("contacts"), at(path, "contacts"), what="usernames")
        ):
            where = at(at(path, "contacts"), j)
            user = (
                User.objects.filter(username=username).select_related("membership").first()
                if isinstance(username, str)
                else None
            )
            membership = getattr(user, "membership", None) if user else None
            if user is None:
                errors.add(where, f"No user {username!r}: create the user first.")
            elif membership is None or membership.organization.slug != slug:
                errors.add(where, f"{username!r} is not a member of {slug!r}.")
            else:
                contacts.append(user)
        plan.contractors.append(
            {
                "slug": slug,
                "name": text_at(errors, obj, "name", path, required=True),
                "tier": choice_at(errors, obj, "tier", path, Assignment.Tier.values, default=tier),
                "parent": parent,
                "start_date": start,
                "end_date": end,
                "scope_of_work": text_at(errors, obj, "scope_of_work", path, max_length=300) or "",
                "contacts": contacts if "contacts" in obj else None,
                "contract_terms": check_contract_terms(errors, obj, path),
            }
        )
    parents = {c["slug"]: c["parent"] for c in plan.contractors if c["slug"]}
    for i, contractor in enumerate(plan.contractors):
        chain, slug = set(), contractor["slug"]
        while slug in parents and slug not in chain:
            chain.add(slug)
            slug = parents[slug]
        if slug in chain and slug == contractor["slug"]:
            errors.add(at(at("contractors", i), "parent"), "The parents form a loop.")


def _check_commitments(
    errors: Errors,
    data,
    plan: Plan,
    area_slugs: set[str],
    crafts: dict[str, str],
    agreement_keys: list[str],
    project: Project | None,
) -> None:
    # A commitment the project has keeps its agreement when the file does not name one.
    placed = set(project.commitments.values_list("key", flat=True)) if project else set()
    for item, checked in commitment_items(
        errors, data, own_fields=COMMITMENT_FIELDS, area_slugs=area_slugs, crafts=crafts
    ):
        path, key = checked.path, checked.key
        plan.commitments.append(
            {
                **checked.texts(errors, item),
                "agreement": None
                if key in placed and "agreement" not in item
                else agreement_named(errors, item, path, agreement_keys),
                "versions": check_versions(
                    errors,
                    item,
                    path,
                    checked.params,
                    checked.kind,
                    checked.area,
                    crafts,
                    area_slugs,
                ),
            }
        )


def _check(data) -> tuple[Plan, Project | None]:
    errors = Errors()
    plan = Plan()
    if not isinstance(data, dict):
        raise InvalidInput(
            "The project definition must be a JSON object.",
            errors=[{"path": "", "message": "Must be a JSON object with a project key."}],
        )
    for key in data:
        if key not in TOP_KEYS:
            errors.add(key, f"Unknown key: use one of {', '.join(TOP_KEYS)}.")
    project = _check_project(errors, data, plan)
    area_slugs = check_areas(errors, data, plan)
    crafts = _check_crafts(errors, data, plan, project)
    _check_monitors(errors, data, plan)
    _check_contractors(errors, data, plan, project)
    agreement_keys = check_agreements(errors, data, plan, project)
    _check_commitments(errors, data, plan, area_slugs, crafts, agreement_keys, project)
    check_policies(errors, data, plan, area_slugs, crafts, agreement_keys, project)
    if errors:
        count = len(errors)
        raise InvalidInput(
            f"The project definition has {count} error{'s' if count != 1 else ''}; "
            "nothing was stored.",
            errors=list(errors),
        )
    return plan, project


def _write(plan: Plan, project: Project | None) -> tuple[Project, bool]:
    owner = None
    if plan.owner:
        owner, _ = Organization.objects.update_or_create(
            slug=plan.owner["slug"], defaults={"name": plan.owner["name"], "kind": "owner"}
        )
    fields = {k: v for k, v in plan.project.items() if k != "slug"}
    if plan.owner:
        fields["owner"] = owner
    created = project is None
    if created:
        project = Project.objects.create(slug=plan.project["slug"], **fields)
    else:
        for name, value in fields.items():
            setattr(project, name, value)
        project.save()

    for area in plan.areas:
        Area.objects.update_or_create(
            slug=area["slug"], defaults={"name": area["name"], "zips": area["zips"]}
        )

    # A listed craft is an existing one when it matches its name or, failing that, an alias.
    existing = list(Craft.objects.all())
    by_key = {normalize_craft_name(c.name): c for c in existing}
    for c in existing:
        for key in c.match_keys():
            by_key.setdefault(key, c)
    for item in plan.crafts:
        craft = by_key.get(normalize_craft_name(item["name"]))
        if craft is None:
            craft = Craft.objects.create(name=item["name"], aliases=item["aliases"])
        else:
            known = craft.match_keys()
            new = [a for a in item["aliases"] if normalize_craft_name(a) not in known]
            if new:
                craft.aliases = [*craft.aliases, *new]
                craft.save(update_fields=["aliases"])
        project.crafts.add(craft)

    for monitor in plan.monitors:
        organization, _ = Organization.objects.update_or_create(
            slug=monitor["slug"], defaults={"name": monitor["name"], "kind": monitor["kind"]}
        )
        Monitoring.objects.get_or_create(project=project, organization=organization)

    assignments = {}
    for item in plan.contractors:
        organization, _ = Organization.objects.update_or_create(
            slug=item["slug"], defaults={"name": item["name"], "kind": "contractor"}
        )
        assignment, _ = Assignment.objects.update_or_create(
            project=project,
            contractor=organization,
            defaults={
                "tier": item["tier"],
                "scope_of_work": item["scope_of_work"],
                "start_date": item["start_date"] or project.start_date,
                "end_date": item["end_date"],
            },
        )
        if item["contacts"] is not None:
            assignment.contacts.set(item["contacts"])
        write_contract_terms(assignment, item["contract_terms"])
        assignments[item["slug"]] = assignment
    for item in plan.contractors:
        assignment = assignments[item["slug"]]
        parent = None
        if item["parent"]:
            parent = assignments.get(item["parent"]) or project.assignments.get(
                contractor__slug=item["parent"]
            )
        if assignment.parent_id != (parent.pk if parent else None):
            assignment.parent = parent
            assignment.save(update_fields=["parent"])

    agreements = write_agreements(plan, project)
    areas = {a.slug: a for a in Area.objects.filter(slug__in=_area_slugs(plan))}
    for position, item in enumerate(plan.commitments):
        commitment = Commitment.objects.filter(project=project, key=item["key"]).first()
        commitment = commitment or Commitment(project=project, key=item["key"])
        commitment.clause = item["clause"]
        commitment.title = item["title"]
        commitment.text = item["text"]
        commitment.kind = item["kind"]
        if item["agreement"]:
            commitment.agreement = agreements[item["agreement"]]
        elif commitment.agreement_id is None:
            commitment.agreement = project.agreement
        commitment.area = areas.get(item["area"])
        commitment.params = item["params"]
        commitment.position = position
        commitment.save()
        write_versions(commitment, item, areas)
    for item in plan.policies:
        agreement = agreements[item["agreement"]] if item["agreement"] else project.agreement
        if agreement is None:
            raise InvalidInput(
                "Adopting a policy needs an agreement; nothing was stored.",
                errors=[{"path": item["path"], "message": "List the project's agreement first."}],
            )
        try:
            policy_adopt(
                agreement=agreement,
                policy=Policy.objects.get(slug=item["slug"]),
                overrides=item["overrides"],
                label="load_project",
            )
        except ValidationError as exc:
            raise InvalidInput(
                "An adopted policy's overrides are wrong; nothing was stored.",
                errors=[
                    {"path": at(at(item["path"], "overrides"), name), "message": message}
                    for name, messages in exc.message_dict.items()
                    for message in messages
                ],
            ) from exc
    return project, created


def _area_slugs(plan: Plan) -> set[str]:
    slugs = {c["area"] for c in plan.commitments}
    slugs |= {v["area"] for c in plan.commitments for v in c["versions"]}
    return {s for s in slugs if s}


def project_definition_load(*, data: dict, user=None) -> Project:
    """Create or update a project from its definition (SPEC §7.3); all or nothing.

    Raises InvalidInput listing every error with its JSON path when the file is wrong.
    """
    plan, project = _check(data)
    try:
        with transaction.atomic():
            project, created = _write(plan, project)
            audit_record(
                verb="setup.project_definition.load",
                actor=user,
                actor_label="" if user else "load_project",
                obj=project,
                project=project,
                data={
                    "created": created,
                    "areas": [a["slug"] for a in plan.areas],
                    "crafts": [c["name"] for c in plan.crafts],
                    "contractors": [c["slug"] for c in plan.contractors],
                    "monitors": [m["slug"] for m in plan.monitors],
                    "commitments": [c["key"] for c in plan.commitments],
                    "agreements": sorted(plan.agreements),
                    "policies": [p["slug"] for p in plan.policies],
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            "Another change to this project was saved at the same moment; load the file again."
        ) from exc
    return project


def project_summary(project: Project) -> dict:
    """What a project holds, in the words of the definition file."""
    agreement = governing_agreement(project)
    return {
        "slug": project.slug,
        "name": project.name,
        "location": project.location,
        "status": project.status,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "agreement": agreement.title if agreement else None,
        "agreements": list(project.agreements.values_list("key", flat=True)),
        "areas": sorted(
            set(project.commitments.filter(area__isnull=False).values_list("area__slug", flat=True))
        ),
        "crafts": list(project.crafts.order_by("name").values_list("name", flat=True)),
        "contractors": list(
            project.assignments.order_by("contractor__slug").values_list(
                "contractor__slug", flat=True
            )
        ),
        "monitors": list(
            project.monitoring.order_by("organization__slug").values_list(
                "organization__slug", flat=True
            )
        ),
        "commitments": list(
            project.commitments.order_by("position", "key").values_list("key", flat=True)
        ),
    }
