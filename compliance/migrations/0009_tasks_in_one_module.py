"""Every background task now lives in `compliance.tasks`: the stalled-memo schedule follows."""

from django.db import migrations

OLD = "compliance.memos.tasks.fail_stalled_memos"
NEW = "compliance.tasks.fail_stalled_memos"


def forwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=OLD).update(func=NEW)


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=NEW).update(func=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0008_random_file_names"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
