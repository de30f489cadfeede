"""In-app alerts (SPEC §4) and each person's choice of email: each alert, a digest, or none."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from compliance.models import NotificationPreference

PAGE_SIZE = 30


def _next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_safe
def notifications(request):
    """The user's alerts, newest first; unread ones stand out."""
    mine = request.user.notifications.all()
    show = request.GET.get("show", "")
    listed = mine.filter(read_at__isnull=True) if show == "unread" else mine
    page = Paginator(listed.select_related("flag"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/notifications/list.html",
        {"page": page, "show": show, "unread": mine.filter(read_at__isnull=True).count()},
    )


@login_required
@require_POST
def notification_read(request, notification_id: int):
    """Mark one alert read; with `next`, go on to what it is about."""
    notification = get_object_or_404(request.user.notifications, pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(_next(request, reverse("notifications")))


@login_required
@require_POST
def notifications_read_all(request):
    count = request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(
        request,
        ngettext("Marked {count} alert read.", "Marked {count} alerts read.", count).format(
            count=count
        ),
    )
    return redirect("notifications")


@login_required
def notification_preferences(request):
    """How this person wants alerts by email: each one, a daily digest, or none."""
    preference = NotificationPreference.objects.filter(user=request.user).first()
    current = preference.email if preference else NotificationPreference.Email.EACH
    error = ""
    if request.method == "POST":
        choice = request.POST.get("email", "")
        if choice in NotificationPreference.Email.values:
            NotificationPreference.objects.update_or_create(
                user=request.user, defaults={"email": choice}
            )
            messages.success(
                request,
                gettext("Saved: {choice}.").format(
                    choice=str(NotificationPreference.Email(choice).label).lower()
                ),
            )
            return redirect("notification_preferences")
        error = gettext("Pick one of the three choices, then press Save.")
    return render(
        request,
        "enforcement/notifications/preferences.html",
        {"current": current, "choices": NotificationPreference.Email.choices, "error": error},
        status=422 if error else 200,
    )


urlpatterns = [
    path("notifications/", notifications, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        notification_read,
        name="notification_read",
    ),
    path("notifications/read-all/", notifications_read_all, name="notifications_read_all"),
    path("account/notifications/", notification_preferences, name="notification_preferences"),
]
