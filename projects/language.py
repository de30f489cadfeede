"""English or Spanish: which one a person reads, and how they choose it.

The order, most specific first: the language a signed-in person chose (saved on their
membership, so it follows them to any browser and into their e-mails), then the language
cookie the switch in the page footer sets, then the browser's Accept-Language, then
English. Django's LocaleMiddleware handles the last three; `UserLanguage` puts the first
ahead of them.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from projects import access
from projects.models import Membership

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def recipient_language(user) -> str:
    """The language to write to this person in: their choice, else the site's default."""
    return access.language_of(user) or settings.LANGUAGE_CODE


def language_choose(*, user, language: str) -> None:
    """Save a signed-in person's language; a person with no membership (a program admin)
    keeps the cookie only."""
    if language not in LANGUAGE_CODES or not user.is_authenticated:
        return
    Membership.objects.filter(user=user).update(language=language)
    user._cba_language = language


class UserLanguage:
    """Reads pages in the language the signed-in person chose (after LocaleMiddleware,
    which chose from the cookie or the browser, and after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            language = access.language_of(user)
            if language and language != getattr(request, "LANGUAGE_CODE", None):
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


@access.public
@require_POST
def language_switch(request: HttpRequest):
    """The language switch in the footer: Django's set_language (the cookie, then back to
    the page), and for a signed-in person their saved choice too. Works without script."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if language in LANGUAGE_CODES:
        language_choose(user=request.user, language=language)
    return response
