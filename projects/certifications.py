"""A contractor entry's contract value and certifications in the project definition file
(SPEC §7.3): `"contract_value": "250000.00"`, `"certifications": [{"type": "small",
"from": "2025-01-01", "to": "2026-03-31"}]`, checked with every error by JSON path."""

from decimal import Decimal, InvalidOperation

from projects.json_checks import Errors, at, date_at, json_list, json_object
from projects.models import Assignment, Certification

CERTIFICATION_KEYS = ["type", "from", "to"]
LARGEST_CONTRACT = Decimal(10**12)


def check_contract_terms(errors: Errors, obj: dict, path: str) -> dict:
    """The entry's `contract_value` and `certifications`, checked; only the keys it gives."""
    terms: dict = {}
    if "contract_value" in obj:
        terms["contract_value"] = _contract_value(errors, obj["contract_value"], path)
    if "certifications" in obj:
        where = at(path, "certifications")
        listed = []
        items = json_list(errors, obj["certifications"], where, what="certifications")
        for i, item in enumerate(items):
            item_path = at(where, i)
            entry = json_object(
                errors, item, item_path, CERTIFICATION_KEYS, what='{"type", "from", "to"}'
            )
            if entry is None:
                continue
            kind = entry.get("type")
            if kind not in Certification.Type.values:
                errors.add(
                    at(item_path, "type"),
                    f"{kind!r} is not one of {', '.join(Certification.Type.values)}."
                    if kind is not None
                    else f"Required: one of {', '.join(Certification.Type.values)}.",
                )
            start = date_at(errors, entry, "from", item_path)
            end = date_at(errors, entry, "to", item_path)
            if start and end and end < start:
                errors.add(at(item_path, "to"), "The certification expires before it starts.")
            listed.append({"type": kind, "valid_from": start, "valid_to": end})
        terms["certifications"] = listed
    return terms


def _contract_value(errors: Errors, value, path: str) -> Decimal | None:
    where = at(path, "contract_value")
    if value is None:
        return None
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int | float) else None
    except InvalidOperation:
        amount = None
    if isinstance(value, bool) or amount is None or not amount.is_finite():
        errors.add(where, f'{value!r} is not an amount: give dollars such as "250000.00".')
        return None
    if amount < 0 or amount >= LARGEST_CONTRACT:
        errors.add(where, f"{value!r}: give the contract's value in dollars, 0 or more.")
        return None
    return amount.quantize(Decimal("0.01"))


def write_contract_terms(assignment: Assignment, terms: dict) -> None:
    """Store what the entry gave: its contract value; its certifications, in place of the
    assignment's (the file lists them all)."""
    if "contract_value" in terms and assignment.contract_value != terms["contract_value"]:
        assignment.contract_value = terms["contract_value"]
        assignment.save(update_fields=["contract_value"])
    if "certifications" in terms:
        assignment.certifications.all().delete()
        Certification.objects.bulk_create(
            Certification(assignment=assignment, **certification)
            for certification in terms["certifications"]
        )
