"""Writing policies, adoptions and the versions of a commitment's terms (SPEC §2, §3.6).

- `commitment_amend`: a new version of a commitment's terms from an effective date, with
  who and why; nothing is overwritten (the commitment's own `params` mirror its latest
  version, the engine applies the one in force on its as-of date).
- `policy_adopt`: a project adopts a policy into one of its agreements; its commitments are
  made from the templates with per-commitment overrides.
- `template_amend` and `adopters_of`: a template's amendment, offered to every commitment
  made from it, each applied as a new version with an effective date.

Every function is one transaction and leaves an audit event.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.audit import audit_record
from projects.models import (
    Adoption,
    Agreement,
    Area,
    Commitment,
    CommitmentVersion,
    Policy,
    PolicyCommitment,
)

_UNCHANGED = object()


def first_effective_date(commitment: Commitment) -> datetime.date:
    """When a commitment's first terms apply: its agreement's effective date, else the
    project's start."""
    agreement = commitment.agreement
    if agreement is not None:
        return agreement.effective_date
    return commitment.project.start_date


def _mirror_latest(commitment: Commitment) -> None:
    latest = commitment.versions.order_by("-effective_from", "-pk").first()
    if latest is not None:
        commitment.params = latest.params
        commitment.area = latest.area
        commitment.save()


def _check(commitment: Commitment, params: dict, area: Area | None) -> dict:
    """The kind checks the terms (ValidationError keyed by parameter) and normalises them."""
    probe = Commitment(
        project=commitment.project, key=commitment.key, kind=commitment.kind, params=params
    )
    probe.area = area
    probe.clean()
    return probe.params


def terms_baseline(commitment: Commitment, *, user=None, label: str = "") -> CommitmentVersion:
    """The commitment's first version, recorded from its current terms when it has none
    (a commitment set up before terms had versions), so its history starts somewhere."""
    first = commitment.versions.order_by("effective_from", "pk").first()
    if first is not None:
        return first
    return CommitmentVersion.objects.create(
        commitment=commitment,
        effective_from=first_effective_date(commitment),
        params=commitment.params,
        area=commitment.area,
        note="The terms as first recorded.",
        created_by=user,
        created_by_label=label,
    )


@transaction.atomic
def commitment_amend(
    *,
    commitment: Commitment,
    effective_from: datetime.date,
    changes: dict,
    area=_UNCHANGED,
    note: str,
    user=None,
    label: str = "",
    replace: bool = False,
) -> CommitmentVersion:
    """Record new terms for a commitment from `effective_from` (SPEC §3.6).

    `changes` are parameters that change (the others are those of the version in force on
    that date), or with `replace` the whole new terms (the admin's form); `area`, when
    given, replaces the area. Raises ValidationError keyed by
    parameter when the new terms are wrong, or when they change nothing. The previous
    versions stay as they were: an evaluation as of an earlier date still applies them.
    """
    if not note.strip():
        raise ValidationError({"note": "Say why the terms change: the amendment, the phase."})
    baseline = terms_baseline(commitment, user=user, label=label)
    in_force = commitment.terms_on(effective_from) or baseline
    new_area = in_force.area if area is _UNCHANGED else area
    params = _check(commitment, changes if replace else {**in_force.params, **changes}, new_area)
    if params == in_force.params and new_area == in_force.area:
        raise ValidationError({"params": "These are the terms already in force on that date."})
    version = CommitmentVersion.objects.create(
        commitment=commitment,
        effective_from=effective_from,
        params=params,
        area=new_area,
        note=note.strip(),
        created_by=user,
        created_by_label=label,
    )
    _mirror_latest(commitment)
    audit_record(
        verb="setup.commitment.amend",
        actor=user,
        actor_label=label,
        obj=commitment,
        project=commitment.project,
        data={
            "commitment": commitment.key,
            "effective_from": effective_from.isoformat(),
            "changed": version_changes(in_force.params, params),
            "note": version.note,
        },
    )
    return version


def version_changes(old: dict, new: dict) -> dict:
    """{parameter: [old, new]} for every parameter two versions' terms differ in."""
    names = sorted(set(old) | set(new))
    return {n: [old.get(n), new.get(n)] for n in names if old.get(n) != new.get(n)}


def history(commitment: Commitment) -> list[dict]:
    """The versions of a commitment's terms, oldest first, each with what it changed (the
    parameters, old and new values), who recorded it, when and why."""
    rows, previous = [], None
    for version in commitment.versions.select_related("area", "created_by").order_by(
        "effective_from", "pk"
    ):
        changes = version_changes(previous.params if previous else {}, version.params)
        if previous is not None and previous.area_id != version.area_id:
            changes["area"] = [str(previous.area or ""), str(version.area or "")]
        rows.append({"version": version, "changes": changes, "first": previous is None})
        previous = version
    return rows


# --- policies ---------------------------------------------------------------------------


def template_terms(template: PolicyCommitment, override: dict) -> tuple[dict, str | None]:
    """A template's parameters with an adoption's override applied; returns (params, area
    slug) with `area`, `key` and `start_date` taken out of the parameters."""
    params = {**template.params, **override}
    for name in ("key", "start_date", "title", "clause"):
        params.pop(name, None)
    area = params.pop("area", template.area.slug if template.area_id else None)
    return params, area


@transaction.atomic
def policy_adopt(
    *,
    agreement: Agreement,
    policy: Policy,
    overrides: dict | None = None,
    user=None,
    label: str = "",
) -> list[Commitment]:
    """Adopt a policy into one agreement of a project: one commitment per template, made
    from its terms with that template's override (`{"local": {"area": "sf-city",
    "start_date": "2026-01-01", "key": "sf-local"}}`); `start_date` is when its first
    terms apply (default: the agreement's effective date), `key` renames it where the
    project already has that key. Adopting again updates the commitments it made: a
    change of terms becomes a new version effective on the adoption's start date.
    Raises ValidationError keyed "template.parameter" on a bad override."""
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(policy.templates.values_list("key", flat=True)))
    if unknown:
        raise ValidationError({k: f"{policy.name} has no commitment {k!r}." for k in unknown})
    project = agreement.project
    adoption, _ = Adoption.objects.update_or_create(
        agreement=agreement, policy=policy, defaults={"overrides": overrides}
    )
    made = []
    for template in policy.templates.select_related("area").order_by("position", "key"):
        override = overrides.get(template.key, {})
        params, area_slug = template_terms(template, override)
        area = Area.objects.filter(slug=area_slug).first() if area_slug else None
        if area_slug and area is None:
            raise ValidationError({f"{template.key}.area": f"Unknown area {area_slug!r}."})
        start = override.get("start_date")
        start = datetime.date.fromisoformat(start) if start else agreement.effective_date
        key = override.get("key", template.key)
        commitment = Commitment.objects.filter(project=project, key=key).first()
        if commitment is not None and commitment.template_id != template.pk:
            raise ValidationError(
                {
                    f"{template.key}.key": f"The project already has a commitment {key!r}: "
                    'rename this one with an override {"key": ...}.'
                }
            )
        if commitment is None:
            commitment = Commitment(project=project, key=key, template=template)
        commitment.agreement = agreement
        commitment.clause = override.get("clause", template.clause)
        commitment.title = override.get("title", template.title)
        commitment.text = template.text
        commitment.kind = template.kind
        new = commitment.pk is None
        if new:
            commitment.params, commitment.area = params, area
            commitment.position = project.commitments.count()
        try:
            commitment.save()
        except ValidationError as exc:
            raise ValidationError(
                {f"{template.key}.{k}": v for k, v in exc.message_dict.items()}
            ) from exc
        if new:
            CommitmentVersion.objects.create(
                commitment=commitment,
                effective_from=start,
                params=commitment.params,
                area=area,
                note=f"Adopted from {policy.name}.",
                created_by=user,
                created_by_label=label,
            )
        else:
            latest = commitment.terms_on(datetime.date.max)
            checked = _check(commitment, params, area)
            if (
                latest is None
                or latest.params != checked
                or latest.area_id != (area.pk if area else None)
            ):
                commitment_amend(
                    commitment=commitment,
                    effective_from=start,
                    changes=checked,
                    area=area,
                    note=f"Adoption of {policy.name} updated.",
                    user=user,
                    label=label,
                )
        made.append(commitment)
    audit_record(
        verb="setup.policy.adopt",
        actor=user,
        actor_label=label,
        obj=adoption,
        project=project,
        data={
            "policy": policy.slug,
            "agreement": agreement.key,
            "commitments": [c.key for c in made],
        },
    )
    return made


def adopters_of(template: PolicyCommitment) -> list[Commitment]:
    """The commitments made from a template, each with its project and agreement: the list
    an amendment of the template is offered to."""
    return list(
        template.commitments.select_related("project", "agreement", "area").order_by(
            "project__name", "key"
        )
    )


@transaction.atomic
def template_amend(
    *,
    template: PolicyCommitment,
    changes: dict,
    effective_from: datetime.date,
    note: str,
    apply_to: list[Commitment] | None = None,
    user=None,
    label: str = "",
) -> list[CommitmentVersion]:
    """Amend a policy's template and apply the amendment to the chosen commitments made
    from it (`apply_to`, default: none; `adopters_of` lists them), each as a new version of
    its terms effective from `effective_from` (see `template_apply`)."""
    template.params = {**template.params, **changes}
    template.save()
    return template_apply(
        template=template,
        changes=changes,
        effective_from=effective_from,
        note=note,
        apply_to=apply_to or [],
        user=user,
        label=label,
    )


@transaction.atomic
def template_apply(
    *,
    template: PolicyCommitment,
    changes: dict,
    effective_from: datetime.date,
    note: str,
    apply_to: list[Commitment],
    user=None,
    label: str = "",
) -> list[CommitmentVersion]:
    """Apply an amendment of a template (the parameters it changed) to commitments made
    from it, each as a new version effective from `effective_from`. A project's own
    overrides of other parameters stay; a commitment whose terms on that date already say
    the same is left alone."""
    versions = []
    for commitment in apply_to:
        if commitment.template_id != template.pk:
            raise ValidationError(
                {"apply_to": f"{commitment.key} of {commitment.project} is not made from it."}
            )
        in_force = commitment.terms_on(effective_from)
        if in_force is not None and all(in_force.params.get(k) == v for k, v in changes.items()):
            continue
        versions.append(
            commitment_amend(
                commitment=commitment,
                effective_from=effective_from,
                changes=changes,
                note=note,
                user=user,
                label=label,
            )
        )
    audit_record(
        verb="setup.policy.template_amend",
        actor=user,
        actor_label=label,
        obj=template,
        data={
            "policy": template.policy.slug,
            "template": template.key,
            "changes": changes,
            "effective_from": effective_from.isoformat(),
            "applied_to": [f"{c.project.slug}/{c.key}" for c in apply_to],
        },
    )
    return versions
