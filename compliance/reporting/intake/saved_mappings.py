"""Saving and deleting a contractor's export mappings (SPEC §5.4), each change audited."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cba.errors import InvalidInput
from compliance.audit import audit_record
from compliance.models import ExportMapping
from compliance.reporting.intake.fields import COLUMN_BY_FIELD, FIELDS, REQUIRED_FIELDS
from compliance.reporting.intake.table import problem
from projects.models import Organization

APPRENTICE_VALUES = {"J", "RA"}


def clean_mapping(*, name: str, columns: dict[str, str], codes: dict[str, dict]) -> tuple:
    """The name, columns and codes as stored, or InvalidInput listing every problem."""
    errors = []
    name = " ".join(name.split())
    if not name or len(name) > 100:
        errors.append(
            problem(
                row=None,
                column="name",
                value=name,
                message=_("Name the mapping (at most 100 characters), e.g. “Payroll export”."),
            )
        )
    columns = {f: " ".join(str(h).split()) for f, h in columns.items() if f in FIELDS and h}
    for field in REQUIRED_FIELDS:
        if field not in columns:
            header = COLUMN_BY_FIELD[field].header
            errors.append(
                problem(
                    row=None,
                    column=header,
                    value="",
                    message=_("Choose the column that holds “%(header)s”: every report needs it.")
                    % {"header": header},
                )
            )
    apprentice = codes.get("apprentice") or {}
    for code, ours in apprentice.items():
        if ours not in APPRENTICE_VALUES:
            errors.append(
                problem(
                    row=None,
                    column="Apprentice",
                    value=code,
                    message=_("Map each code to J (journeyworker) or RA (registered apprentice)."),
                )
            )
    if errors:
        raise InvalidInput(_("The mapping needs fixing; it was not saved."), errors=errors)
    kept_codes = {
        field: {str(k).strip(): str(v).strip() for k, v in (codes.get(field) or {}).items() if v}
        for field in ("craft", "apprentice")
    }
    return name, columns, {f: c for f, c in kept_codes.items() if c}


@transaction.atomic
def mapping_save(
    *,
    contractor: Organization,
    name: str,
    columns: dict[str, str],
    codes: dict[str, dict],
    user,
    mapping: ExportMapping | None = None,
) -> ExportMapping:
    """Create a contractor's mapping, or change `mapping`; names are unique per contractor."""
    name, columns, codes = clean_mapping(name=name, columns=columns, codes=codes)
    if mapping is None:
        mapping = ExportMapping(contractor=contractor, created_by=user)
    created = mapping.pk is None
    mapping.name, mapping.columns, mapping.codes = name, columns, codes
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        message = _(
            "%(contractor)s already has a mapping named “%(name)s”. Choose another name."
        ) % {
            "contractor": contractor.name,
            "name": name,
        }
        raise InvalidInput(
            message, errors=[problem(row=None, column="name", value=name, message=message)]
        ) from None
    audit_record(
        verb="mapping.created" if created else "mapping.changed",
        actor=user,
        obj=mapping,
        data={"contractor": contractor.slug, "name": name, "columns": columns},
    )
    return mapping


@transaction.atomic
def mapping_delete(*, mapping: ExportMapping, user) -> None:
    audit_record(
        verb="mapping.deleted",
        actor=user,
        obj=mapping,
        data={"contractor": mapping.contractor.slug, "name": mapping.name},
    )
    mapping.delete()
