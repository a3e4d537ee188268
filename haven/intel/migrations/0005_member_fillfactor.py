"""Room on each page of intel_member for the new version of a row whose subject changes.

A rebuild sets the subject of every reported person it moves. With the subject index dropped for the bulk
write (``haven.core.bulk.checks_afterwards``), PostgreSQL can then keep each new version on its page and
skip the other indexes (a heap-only update): in the linking benchmark the UPDATE of 1.1M members took 6 s
instead of 14. New pages are filled to half; pages written before this migration stay full until
``VACUUM FULL intel_member`` rewrites them (docs/OPERATIONS.md). Nothing on SQLite.
"""

from typing import Any

from django.db import migrations


def _storage(setting: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE intel_member {setting}")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("intel", "0004_sighting_value_index"),
    ]

    operations = [
        migrations.RunPython(_storage("SET (fillfactor = 50)"), _storage("RESET (fillfactor)")),
    ]
