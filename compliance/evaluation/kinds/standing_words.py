"""What a contractor reads on its standing page under a workforce share: the catch-up rule
(`engine.catch_up`) in words, in the reader's language. Kept apart from the kind, which
measures; these only say."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from compliance import formatting
from compliance.evaluation.engine import catch_up

QUALIFIER_HOURS = {
    "reported_resident": gettext_noop("hours by residents (as reported)"),
    "disadvantaged": gettext_noop("hours by disadvantaged workers"),
    "apprentice": gettext_noop("apprentice hours"),
    "woman": gettext_noop("hours by women"),
    "person_of_color": gettext_noop("hours by people of color"),
    "veteran": gettext_noop("hours by veterans"),
    "new_hire": gettext_noop("hours by new hires"),
}


def qualifying_hours(qualifier: str, area_name: str | None) -> str:
    """ "apprentice hours", "hours by residents of Crenshaw": the hours that count."""
    if qualifier == "area_resident":
        if area_name:
            return _("hours by residents of {area}").format(area=area_name)
        return _("hours by area residents")
    return _(QUALIFIER_HOURS[qualifier])


def your_hours(population: str) -> str:
    return {
        "journey": _("your journeyworker hours"),
        "apprentice": _("your apprentice hours"),
    }.get(population) or _("your hours")


def catch_up_advice(found, *, target: str, qualifying: str, yours: str, above: bool) -> str:
    """The catch-up state in one sentence; "" when there is no projection to speak of."""
    needed = formatting.percent(found.needed_percent)
    if found.state == catch_up.MET:
        return _(
            "Already met: your {qualifying} so far keep you at {target} or more through "
            "completion at your current pace."
        ).format(qualifying=qualifying, target=target)
    if found.state == catch_up.NEEDED:
        if above:
            text = _(
                "To stay at {target} or more by completion at your current pace, {needed} of "
                "{yours} from now on must be {qualifying}."
            )
        else:
            text = _(
                "To reach {target} by completion at your current pace, {needed} of {yours} "
                "from now on must be {qualifying}."
            )
        return text.format(target=target, needed=needed, yours=yours, qualifying=qualifying)
    if found.state == catch_up.OUT_OF_REACH:
        return _(
            "Out of reach at your current pace: even if all of {yours} from now on were "
            "{qualifying}, you would reach {best} by completion ({needed} would be needed)."
        ).format(
            yours=yours,
            qualifying=qualifying,
            best=formatting.percent(found.best_percent),
            needed=needed,
        )
    return ""


def without_projection(*, shortfall: str | None, target: str) -> str:
    if not shortfall:
        return _("At or above {target} today.").format(target=target)
    return _(
        "{shortfall} short of {target} today; a projection needs three months with hours and "
        "months to come."
    ).format(shortfall=shortfall, target=target)
