from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def national(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("hashbank", "BankList").objects.get_or_create(
        name="national", defaults={"description": "The national database", "pdq_threshold": 31}
    )


class Migration(migrations.Migration):
    dependencies = [("hashbank", "0001_initial")]

    operations = [migrations.RunPython(national, migrations.RunPython.noop)]
