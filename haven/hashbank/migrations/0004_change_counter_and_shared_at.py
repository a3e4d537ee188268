from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from haven.hashbank.changes import install_triggers, remove_triggers


def triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install_triggers(schema_editor)


def no_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    remove_triggers(schema_editor)


def shared_so_far(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Records that are shareable now were sent to their lists' subscribers already."""
    record = apps.get_model("hashbank", "BankRecord")
    source = apps.get_model("hashbank", "RecordSource")
    shareable = record.objects.filter(
        status="active", category__in=("A", "B", "C"), graders__gte=2, graders_agree=True
    )
    source.objects.filter(record__in=shareable).update(shared_at=models.F("added_at"))


class Migration(migrations.Migration):
    dependencies = [("hashbank", "0003_grading_verdicts")]

    operations = [
        migrations.AddField(
            model_name="bankrecord",
            name="change",
            field=models.BigIntegerField(db_index=True, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="recordsource",
            name="shared_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(triggers, no_triggers),
        migrations.RunPython(shared_so_far, migrations.RunPython.noop),
    ]
