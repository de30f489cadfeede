"""`/public/compare/`: the comparison across projects, policies and cities (SPEC §7.4).

No login: anyone compares the public projects; a signed-in monitor or admin also its own
(`access.compared_projects_for`). The filters are a GET form, so the page works without
script and every filtered view has its own address. A filter value the page does not know
(an old link, a typed address: `?jurisdiction=Nowhere`) is dropped, the other filters kept,
and the page says which value and what it shows instead."""

import re

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from compliance.evaluation.public import compare as selectors
from compliance.evaluation.public.compare_chart import dot_chart
from compliance.evaluation.public.suppression import min_workers
from compliance.evaluation.public.views import public_language
from projects import access

# A typed value is named in the message as typed, less the characters that would reorder
# the sentence around it (bidi controls), and cut short where it is long.
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SHOWN_CHARS = 60


def shown_value(value: str) -> str:
    """A filter value as the unknown-value message names it: bidi controls dropped, at most
    `SHOWN_CHARS` characters (the last one an ellipsis when cut)."""
    value = BIDI_CONTROLS.sub("", value)
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


class CompareFilters(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    vintage = forms.TypedChoiceField(
        label=_("Policy adopted in"), required=False, coerce=int, empty_value=None
    )
    size = forms.ChoiceField(label=_("Project size (total cost)"), required=False)

    def __init__(self, *args, options: selectors.Options, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", pgettext_lazy("filter", "All"))]
        self.fields["jurisdiction"].choices = every + [(j, j) for j in options.jurisdictions]
        self.fields["sector"].choices = every + list(selectors.SECTORS.items())
        self.fields["vintage"].choices = every + [(str(y), str(y)) for y in options.vintages]
        self.fields["size"].choices = every + [
            (key, label) for key, (label, _low, _below) in selectors.SIZES.items()
        ]

    def filters(self) -> selectors.Filters:
        """The valid filters; an unknown value leaves its filter out (`unknown_values`)."""
        if not self.is_bound:
            return selectors.Filters()
        self.is_valid()
        kept = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return selectors.Filters(**kept)

    def unknown_values(self) -> list[str]:
        """One sentence per filter given a value it does not offer: the value, and that the
        comparison shows every one instead."""
        if not self.is_bound or self.is_valid():
            return []
        words = {
            "jurisdiction": gettext(
                "No jurisdiction called “%(value)s”; showing all jurisdictions."
            ),
            "sector": gettext("No sector called “%(value)s”; showing all sectors."),
            "vintage": gettext(
                "No policy adopted in “%(value)s” among the compared projects; showing every "
                "year of adoption."
            ),
            "size": gettext("No project size called “%(value)s”; showing projects of every size."),
        }
        return [
            words[name] % {"value": shown_value(self.data.get(name, ""))}
            for name in self.fields
            if name in self.errors and name in words
        ]


@access.public
def compare(request: HttpRequest) -> HttpResponse:
    """The comparison, in the language asked for (`?language=es`, as on every public page)."""
    language = public_language(request)
    with translation.override(language):
        form = CompareFilters(request.GET or None, options=selectors.compare_options(request.user))
        comparison = selectors.comparison(user=request.user, filters=form.filters())
        tables = comparison.metric_tables()
        for table in tables:
            table["chart"] = dot_chart(title=str(table["metric"].label), projects=table["projects"])
        response = render(
            request,
            "public/compare.html",
            {
                "form": form,
                "unknown_values": form.unknown_values(),
                "comparison": comparison,
                "tables": tables,
                "money_tables": [
                    (_("By policy"), _("Policy"), comparison.by_policy, "policy"),
                    (
                        _("By jurisdiction"),
                        _("Jurisdiction"),
                        comparison.by_jurisdiction,
                        "place",
                    ),
                ],
                "min_workers": min_workers(),
                "signed_in_monitor": access.is_monitor(request.user)
                or access.role_of(request.user) == access.ADMIN,
                "language": language,
            },
        )
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
