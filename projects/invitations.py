"""Inviting a contractor's contact: one e-mail with a link to choose a password, whoever
named them (a prime adding a subcontractor, a program admin setting up a project)."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from projects.language import recipient_language
from projects.models import Assignment


def invitation_url(contact) -> str:
    """The set-password page for this person: Django's password-reset token, valid for
    PASSWORD_RESET_TIMEOUT and spent once the password is set."""
    path = reverse(
        "invitation_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(contact.pk)),
            "token": default_token_generator.make_token(contact),
        },
    )
    return f"{settings.SITE_URL}{path}"


def invitation_send(
    *, assignment: Assignment, contact, invited: bool, added_by: str | None = None
) -> None:
    """The contact's e-mail, in their language: an invitation with the set-password link for
    a new account, a note with the sign-in page for an existing one. `added_by` names the
    prime that added the company as its subcontractor, when one did."""
    context = {
        "assignment": assignment,
        "contact": contact,
        "invited": invited,
        "added_by": added_by,
        "link": invitation_url(contact) if invited else f"{settings.SITE_URL}{reverse('login')}",
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "site_url": settings.SITE_URL,
    }
    with translation.override(recipient_language(contact)):
        subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
        body = render_to_string("emails/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email])
