"""The policy file (SPEC §7.3, `load_policy FILE.json`): one JSON document holds a policy.

`policy_definition_load` creates or updates, by slug, a policy (its jurisdiction, type,
adoption date, source, threshold, definition of "local"), the areas it names, its exempt
crafts and its commitment templates (by key), in one transaction. Everything is checked
first and every error is reported with its JSON path (`commitments[2].area`); with any
error nothing is stored. A template whose terms change is not pushed to the projects that
adopted it: `policy_definition_load` returns them, and the program admin applies the
amendment to each from the admin (projects.policies.template_amend).
"""

from dataclasses import dataclass, field

from django.db import transaction

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.evaluation.kinds import KINDS
from projects.definition import check_areas
from projects.definition_terms import commitment_items
from projects.json_checks import (
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
from projects.models import Area, Craft, Policy, PolicyCommitment, normalize_craft_name

TOP_KEYS = ["policy", "areas", "exempt_crafts", "commitments"]
POLICY_KEYS = [
    "slug",
    "name",
    "jurisdiction",
    "type",
    "adopted",
    "source",
    "source_url",
    "threshold_dollars",
    "local_definition",
    "public",
]
TEMPLATE_FIELDS = ["key", "clause", "title", "text", "kind", "area"]


@dataclass
class _Plan:
    policy: dict = field(default_factory=dict)
    areas: list[dict] = field(default_factory=list)
    exempt_crafts: list[str] = field(default_factory=list)
    commitments: list[dict] = field(default_factory=list)


@dataclass
class Loaded:
    """What a policy file did: the policy, whether it was new, and for each template whose
    terms changed, the commitments made from it that still hold the old terms."""

    policy: Policy
    created: bool
    changed: dict[str, list] = field(default_factory=dict)


def _check_policy(errors: Errors, data, plan: _Plan) -> None:
    obj = json_object(errors, data.get("policy"), "policy", POLICY_KEYS, what="the policy")
    if obj is None:
        return
    path = "policy"
    plan.policy = {
        "slug": slug_at(errors, obj, "slug", path),
        "name": text_at(errors, obj, "name", path, required=True),
        "jurisdiction": text_at(errors, obj, "jurisdiction", path, required=True),
        "type": choice_at(errors, obj, "type", path, Policy.Type.values),
        "adopted": date_at(errors, obj, "adopted", path),
        "source": text_at(errors, obj, "source", path, max_length=300) or "",
        "source_url": text_at(errors, obj, "source_url", path, max_length=500) or "",
        "threshold_dollars": money_at(errors, obj, "threshold_dollars", path),
        "local_definition": choice_at(
            errors,
            obj,
            "local_definition",
            path,
            Policy.LocalDefinition.values,
            default=Policy.LocalDefinition.ZIP,
        ),
    }
    url = plan.policy["source_url"]
    if url and not url.startswith(("https://", "http://")):
        errors.add(at(path, "source_url"), "Must be an address starting with https://.")
    if "public" in obj:
        if isinstance(obj["public"], bool):
            plan.policy["public"] = obj["public"]
        else:
            errors.add(at(path, "public"), "Must be true or false.")


def _known_crafts(errors: Errors, data, plan: _Plan) -> dict[str, str]:
    """Every craft a template may name: the crafts recorded and the exempt crafts listed."""
    known = {}
    for craft in Craft.objects.all():
        for key in craft.match_keys():
            known[key] = craft.name
    items = json_list(errors, data.get("exempt_crafts"), "exempt_crafts", what="craft names")
    for i, name in enumerate(items):
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            errors.add(at("exempt_crafts", i), "Must be a craft's name.")
            continue
        name = known.get(normalize_craft_name(name), name.strip())
        known[normalize_craft_name(name)] = name
        plan.exempt_crafts.append(name)
    return known


def _proper_craft_names(kind, params: dict, crafts: dict[str, str]) -> None:
    """Craft names a template's terms give are stored as the crafts recorded call them; a
    trade no project has yet is kept as written (the engine matches crafts by name or
    alias, ignoring case and spaces, whichever project adopts the policy)."""
    for where, name in kind.craft_names(params):
        proper = crafts.get(normalize_craft_name(name))
        if proper is not None:
            kind.rename_craft(params, where, proper)


def _check_templates(errors: Errors, data, plan: _Plan, area_slugs, crafts) -> None:
    for item, checked in commitment_items(
        errors, data, own_fields=TEMPLATE_FIELDS, area_slugs=area_slugs, crafts=None
    ):
        if checked.params is not None and checked.kind is not None:
            _proper_craft_names(KINDS[checked.kind], checked.params, crafts)
        plan.commitments.append(checked.texts(errors, item))


def _check(data) -> _Plan:
    if not isinstance(data, dict):
        raise InvalidInput(
            "The policy file must be a JSON object.",
            errors=[{"path": "", "message": "Must be a JSON object with a policy key."}],
        )
    errors, plan = Errors(), _Plan()
    for key in data:
        if key not in TOP_KEYS:
            errors.add(key, f"Unknown key: use one of {', '.join(TOP_KEYS)}.")
    _check_policy(errors, data, plan)
    area_slugs = check_areas(errors, data, plan)
    crafts = _known_crafts(errors, data, plan)
    _check_templates(errors, data, plan, area_slugs, crafts)
    if errors:
        count = len(errors)
        raise InvalidInput(
            f"The policy file has {count} error{'s' if count != 1 else ''}; nothing was stored.",
            errors=list(errors),
        )
    return plan


def policy_definition_load(*, data: dict, user=None) -> Loaded:
    """Create or update a policy from its file (SPEC §7.3); all or nothing. Raises
    InvalidInput listing every error with its JSON path when the file is wrong."""
    plan = _check(data)
    with transaction.atomic():
        for area in plan.areas:
            Area.objects.update_or_create(
                slug=area["slug"], defaults={"name": area["name"], "zips": area["zips"]}
            )
        fields = {k: v for k, v in plan.policy.items() if k != "slug"}
        policy, created = Policy.objects.update_or_create(slug=plan.policy["slug"], defaults=fields)
        crafts = []
        for name in plan.exempt_crafts:
            craft = Craft.objects.filter(name__iexact=name).first()
            crafts.append(craft or Craft.objects.create(name=name))
        policy.exempt_crafts.add(*crafts)
        areas = {
            a.slug: a for a in Area.objects.filter(slug__in=[c["area"] for c in plan.commitments])
        }
        loaded = Loaded(policy=policy, created=created)
        for position, item in enumerate(plan.commitments):
            template = PolicyCommitment.objects.filter(policy=policy, key=item["key"]).first()
            before = (template.params, template.area_id) if template else None
            template = template or PolicyCommitment(policy=policy, key=item["key"])
            template.clause = item["clause"]
            template.title = item["title"]
            template.text = item["text"]
            template.kind = item["kind"]
            template.area = areas.get(item["area"])
            template.params = item["params"]
            template.position = position
            template.save()
            if before is not None and before != (template.params, template.area_id):
                adopters = list(template.commitments.select_related("project"))
                if adopters:
                    loaded.changed[template.key] = adopters
        audit_record(
            verb="setup.policy.load",
            actor=user,
            actor_label="" if user else "load_policy",
            obj=policy,
            data={
                "created": created,
                "commitments": [c["key"] for c in plan.commitments],
                "changed": sorted(loaded.changed),
            },
        )
    return loaded
