import pytest
from django.urls import reverse

from compliance.models import Notification, NotificationPreference
from tests.coalition_data import fast_passwords, fresh_cache, make_flag  # noqa: F401


@pytest.fixture
def alerts(project, reviewer, lawyer):
    flag = make_flag(project, "shortfall", "critical", title="Targeted hours short")
    url = reverse("flag_detail", kwargs={"flag_id": flag.id})
    mine = [
        Notification.objects.create(
            user=reviewer, flag=flag, event_key=f"k{i}", message=f"Alert number {i}", url=url
        )
        for i in range(3)
    ]
    theirs = Notification.objects.create(
        user=lawyer, flag=flag, event_key="k0", message="Escalated to you", url=url
    )
    return mine, theirs


def test_the_page_lists_my_alerts_with_the_unread_count(client, reviewer, alerts):
    client.force_login(reviewer)
    html = client.get(reverse("notifications")).content.decode()
    assert "Alert number 0" in html and "Alert number 2" in html
    assert "Escalated to you" not in html
    assert "3 unread" in html
    # The navigation shows the count too.
    assert 'aria-label="3 unread"' in html


def test_marking_one_read_leaves_the_others_unread(client, reviewer, alerts):
    mine, _ = alerts
    client.force_login(reviewer)
    response = client.post(reverse("notification_read", kwargs={"notification_id": mine[0].id}))
    assert response.status_code == 302
    mine[0].refresh_from_db()
    mine[1].refresh_from_db()
    assert mine[0].read_at is not None and mine[1].read_at is None
    html = client.get(reverse("notifications"), {"show": "unread"}).content.decode()
    assert "Alert number 0" not in html and "2 unread" in html


def test_opening_an_alert_marks_it_read_and_goes_to_the_flag(client, reviewer, alerts):
    mine, _ = alerts
    client.force_login(reviewer)
    response = client.post(
        reverse("notification_read", kwargs={"notification_id": mine[1].id}),
        {"next": mine[1].url},
    )
    assert response.url == mine[1].url
    mine[1].refresh_from_db()
    assert mine[1].read_at is not None


def test_an_alert_never_redirects_off_the_site(client, reviewer, alerts):
    mine, _ = alerts
    client.force_login(reviewer)
    response = client.post(
        reverse("notification_read", kwargs={"notification_id": mine[1].id}),
        {"next": "https://evil.example/"},
    )
    assert response.url == reverse("notifications")


def test_mark_all_read(client, reviewer, alerts):
    mine, theirs = alerts
    client.force_login(reviewer)
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(user=reviewer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_nobody_can_mark_anothers_alert(client, reviewer, alerts):
    _, theirs = alerts
    client.force_login(reviewer)
    response = client.post(reverse("notification_read", kwargs={"notification_id": theirs.id}))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(client, reviewer, alerts):
    mine, _ = alerts
    client.force_login(reviewer)
    url = reverse("notification_read", kwargs={"notification_id": mine[0].id})
    assert client.get(url).status_code == 405


def test_the_email_preference_defaults_to_each_alert_and_can_be_changed(client, contractor):
    client.force_login(contractor)
    url = reverse("notification_preferences")
    html = client.get(url).content.decode()
    assert 'value="each" checked' in html
    response = client.post(url, {"email": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=contractor).email == "digest"
    client.post(url, {"email": "none"})
    assert NotificationPreference.objects.get(user=contractor).email == "none"
    assert 'value="none" checked' in client.get(url).content.decode()


def test_an_unknown_email_choice_is_refused_with_what_to_do(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("notification_preferences"), {"email": "hourly"})
    assert response.status_code == 422
    assert "Pick one of the three choices" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_pages_need_a_login(client):
    for name in ("notifications", "notification_preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response.url
