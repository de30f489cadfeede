"""The morning report reminders (SPEC §3.4): a daily schedule, created idempotently."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations

NAME = "Morning report reminders"
FUNC = "compliance.tasks.send_daily_report_reminders"
AT = (7, 0)  # local time: before a clerk's day in the field


def next_run() -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = datetime.datetime.now(zone)
    run = now.replace(hour=AT[0], minute=AT[1], second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    existing = Schedule.objects.filter(name=NAME).order_by("pk")
    first = existing.first()
    if first is not None:
        existing.exclude(pk=first.pk).delete()
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": FUNC,
            "schedule_type": "D",
            "repeats": -1,
            "next_run": first.next_run if first else next_run(),
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0013_flag_event_attachment"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
