"""The background schedules (SPEC §7.3), created or brought up to date idempotently."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    # name, task, schedule type, local time of the first run (hour, minute); None: at once,
    # so the first worker to start evaluates the projects set up before it (the demo's too).
    ("Nightly evaluation of active projects", "compliance.tasks.evaluate_active_projects", "D", (2, 0)),
    ("Missing-report check", "compliance.tasks.check_missing_reports", "H", None),
    ("Daily digest of new flags", "compliance.tasks.send_daily_digests", "D", (17, 0)),
]


def next_local(at: tuple[int, int] | None) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = datetime.datetime.now(zone)
    if at is None:
        return now
    run = now.replace(hour=at[0], minute=at[1], second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, kind, at in SCHEDULES:
        existing = Schedule.objects.filter(name=name).order_by("pk")
        first = existing.first()
        if first is not None:
            existing.exclude(pk=first.pk).delete()
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": kind,
                "repeats": -1,
                "next_run": first.next_run if first else next_local(at),
            },
        )


def remove_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_engine_flags_anomalies_rates"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
