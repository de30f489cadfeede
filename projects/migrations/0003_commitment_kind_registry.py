from django.db import migrations, models


class Migration(migrations.Migration):
    """A commitment's kind is one of the registry's (compliance.evaluation.kinds), not a
    fixed list of choices here."""

    dependencies = [("projects", "0002_files_random_names")]

    operations = [
        migrations.AlterField(
            model_name="commitment",
            name="kind",
            field=models.CharField(max_length=20),
        ),
    ]
