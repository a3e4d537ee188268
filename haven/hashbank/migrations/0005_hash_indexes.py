"""On PostgreSQL, the bank's hashes are looked up through hash indexes, not B-trees.

A hash is looked up only by equality, and its values are random: a B-tree of 10M random 64-character keys
is 1.5 GB, and every lookup and insert walks four levels of string comparisons on pages scattered through
it. A hash index keeps a 4-byte code a row and finds a value in one bucket (a third of the size, and a
bank import at 10M records takes a third less time; docs/PERFORMANCE.md). A hash index cannot be unique,
so each hash's "once" rule becomes an exclusion constraint through one (``EXCLUDE USING hash (md5 WITH
=)``), which refuses a second row with the same value exactly as the unique index did (SQLSTATE 23P01, an
IntegrityError to Django).

The models' Meta still declares the unique constraints under the same names: they state the rule, Django
checks it in ``validate_constraints``, and SQLite keeps them as unique indexes.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from haven.hashbank.changes import WATCHED_BEFORE_VIDEO, install_triggers

TABLE = "hashbank_bankrecord"
EXACT = ("md5", "sha1", "sha256")


def to_hash(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in EXACT:
        schema_editor.execute(f"DROP INDEX IF EXISTS hashbank_record_{name}_once")
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT hashbank_record_{name}_once "
            f"EXCLUDE USING hash ({name} WITH =) WHERE ({name} IS NOT NULL)"
        )
    schema_editor.execute("DROP INDEX IF EXISTS hashbank_record_pdq")
    schema_editor.execute(
        f"CREATE INDEX hashbank_record_pdq ON {TABLE} USING hash (pdq) WHERE pdq IS NOT NULL"
    )


def to_btree(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in EXACT:
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS hashbank_record_{name}_once")
        schema_editor.execute(
            f"CREATE UNIQUE INDEX hashbank_record_{name}_once ON {TABLE} ({name}) WHERE {name} IS NOT NULL"
        )
    schema_editor.execute("DROP INDEX IF EXISTS hashbank_record_pdq")
    schema_editor.execute(f"CREATE INDEX hashbank_record_pdq ON {TABLE} (pdq) WHERE pdq IS NOT NULL")


def triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install_triggers(schema_editor, watched=WATCHED_BEFORE_VIDEO)


class Migration(migrations.Migration):
    dependencies = [
        ("hashbank", "0004_change_stamps_and_leaner_indexes"),
    ]

    operations = [
        migrations.RunPython(to_hash, to_btree),
        # The change triggers again: the stamp for records joining a list learnt to skip the records a bulk
        # import has just created (``changes.JOINED_STAMPED``).
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
