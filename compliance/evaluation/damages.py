"""Whether liquidated damages are owed yet, or only an exposure (SPEC §6).

The agreement's `damages_basis` says when a shortfall's damages fall due:

- `at_completion` (the default): a shortfall mid-project can still be made up, so damages
  are owed only once the project is complete (marked complete, measured on or after its end
  date) or, for a count with a due date, once that due date has passed. Before then they
  are an *exposure*: what would be owed if the shortfall stood at completion, never stated
  as owed.
- `to_date`: damages accrue as the shortfall does; they are owed as measured.

`damages_standing` decides it once, when the engine measures a commitment; the evaluation
keeps the answer in its details (`damages_standing`, `damages_stands_at`), and every surface
(project card, flag page, memo, export) words it through `damages_label`.
"""

import datetime

from compliance import formatting
from projects.models import Agreement, Project, governing_agreement

OWED = "owed"
EXPOSURE = "exposure"


def damages_basis(project: Project, commitment=None) -> str:
    """The basis of the agreement the commitment belongs to (`governing_agreement`), or
    the default when the project has no agreement yet."""
    agreement = governing_agreement(project, commitment=commitment)
    return agreement.damages_basis if agreement else Agreement.DamagesBasis.AT_COMPLETION


def damages_standing(
    *,
    basis: str,
    project: Project,
    as_of: datetime.date,
    due_date: datetime.date | None = None,
) -> str:
    """`owed` or `exposure` for damages measured as of a date; the rule is the module's."""
    if basis == Agreement.DamagesBasis.TO_DATE:
        return OWED
    if due_date is not None and due_date < as_of:
        return OWED
    if project.status == Project.Status.COMPLETE and as_of >= project.end_date:
        return OWED
    return EXPOSURE


def standing_details(
    *,
    project: Project,
    as_of: datetime.date | None,
    due_date: datetime.date | None = None,
    commitment=None,
) -> dict:
    """The details an evaluation keeps about its damages' standing (see `damages_label`)."""
    if as_of is None:
        return {}
    return {
        "damages_standing": damages_standing(
            basis=damages_basis(project, commitment),
            project=project,
            as_of=as_of,
            due_date=due_date,
        ),
        "damages_stands_at": stands_at(due_date),
    }


def stands_at(due_date: datetime.date | None) -> str:
    """When an exposure would fall due: "completion", or a count's due date (ISO)."""
    return due_date.isoformat() if due_date is not None else "completion"


def damages_label(details: dict) -> str:
    """The label of a damages figure: "Liquidated damages owed", or "Exposure if the
    shortfall stands at completion". Results measured before the basis existed read as an
    exposure: an amount is never called owed without the rule saying so."""
    if details.get("damages_standing") == OWED:
        return "Liquidated damages owed"
    return f"Exposure if the shortfall stands at {_at_words(details.get('damages_stands_at'))}"


def damages_owed(details: dict) -> bool:
    return details.get("damages_standing") == OWED


def _at_words(value: str | None) -> str:
    if not value or value == "completion":
        return "completion"
    return f"the due date ({formatting.long_date(datetime.date.fromisoformat(value))})"
