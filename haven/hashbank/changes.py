"""Which bank records changed since a process last looked, without missing a late commit.

A timestamp written with a row is no good for this: the row becomes visible only when its transaction
commits, and a long import commits long after its rows were stamped, so a reader that moved on past the
stamp misses them for good. Instead the database stamps every change itself (triggers, migration 0004):

- on PostgreSQL, ``change`` is the id of the writing transaction. A snapshot says which ids had begun
  (those below its ``xmax``) and which of those were still in flight (its ``xip`` list): ``horizon()``;
- on SQLite, writers take turns, so a counter (the table's largest ``change`` plus one) already increases
  in commit order, and nothing is ever in flight for a reader.

A reader that wants every change as soon as it is visible (the matcher) reads ``Horizon.since()`` of its
last horizon: ids begun since, and ids that were in flight then. It may read a row twice, never miss one.
A reader that pages through changes in order and must never go back (a partner's hash list) reads only
below ``Horizon.final``, the oldest id still in flight: a long writing transaction holds back the changes
after it until it ends. (Only transactions that have written hold it back; a read-only one such as
pg_dump does not.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Q

# The columns whose change matters to matching or to a hash list; hit counts and sightings do not. The
# migrations before videos (0004, 0005) install the triggers with the columns there were then.
WATCHED_BEFORE_VIDEO = (
    "md5", "sha1", "sha256", "pdq", "pdq_quality", "category", "series", "victim_identified",
    "offender_identified", "distributed", "status", "graders", "graders_agree",
)  # fmt: skip
WATCHED_BEFORE_FEATURES = (*WATCHED_BEFORE_VIDEO, "duration")  # a video banked again with new frames
WATCHED = (*WATCHED_BEFORE_FEATURES, "robust")  # an image banked again with new second-stage features


def _postgresql(watched: tuple[str, ...]) -> list[str]:
    return [
        """CREATE OR REPLACE FUNCTION hashbank_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.change := pg_current_xact_id()::text::bigint;
        RETURN NEW;
    END $$""",
        # Bulk loads stamp the rows themselves; the WHEN clause then skips the function call.
        """CREATE TRIGGER hashbank_record_insert BEFORE INSERT ON hashbank_bankrecord FOR EACH ROW
    WHEN (NEW.change IS DISTINCT FROM pg_current_xact_id()::text::bigint)
    EXECUTE FUNCTION hashbank_stamp_change()""",
        f"""CREATE TRIGGER hashbank_record_update BEFORE UPDATE OF {", ".join(watched)}
    ON hashbank_bankrecord FOR EACH ROW EXECUTE FUNCTION hashbank_stamp_change()""",
        # A record that joins a list is a change to that list's hash list. A bulk import that adds the sources
        # of records it has just created (stamped by this transaction already) says so with the setting
        # JOINED_STAMPED, and the join below, one index probe a row, is skipped.
        """CREATE OR REPLACE FUNCTION hashbank_stamp_joined() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('haven.joined_stamped', true) = 'on' THEN
            RETURN NULL;
        END IF;
        UPDATE hashbank_bankrecord r SET change = pg_current_xact_id()::text::bigint
        FROM (SELECT DISTINCT record_id FROM joined) j
        WHERE r.id = j.record_id AND r.change <> pg_current_xact_id()::text::bigint;
        RETURN NULL;
    END $$""",
        """CREATE TRIGGER hashbank_source_insert AFTER INSERT ON hashbank_recordsource
    REFERENCING NEW TABLE AS joined FOR EACH STATEMENT EXECUTE FUNCTION hashbank_stamp_joined()""",
    ]


# The PostgreSQL setting (``SET LOCAL``) by which a bulk import says the sources it adds are of records
# it created in this transaction; see ``importing.add_chunk``.
JOINED_STAMPED = "haven.joined_stamped"
_NEXT = "(SELECT coalesce(max(change), 0) + 1 FROM hashbank_bankrecord)"


# Built from the constants above only, never from input.
def _sqlite(watched: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE TRIGGER hashbank_record_insert AFTER INSERT ON hashbank_bankrecord BEGIN
    UPDATE hashbank_bankrecord SET change = {_NEXT} WHERE id = NEW.id; END""",  # noqa: S608
        f"""CREATE TRIGGER hashbank_record_update AFTER UPDATE OF {", ".join(watched)} ON hashbank_bankrecord
    BEGIN UPDATE hashbank_bankrecord SET change = {_NEXT} WHERE id = NEW.id; END""",  # noqa: S608
        f"""CREATE TRIGGER hashbank_source_insert AFTER INSERT ON hashbank_recordsource BEGIN
    UPDATE hashbank_bankrecord SET change = {_NEXT} WHERE id = NEW.record_id; END""",  # noqa: S608
    ]


_DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS hashbank_source_insert ON hashbank_recordsource",
        "DROP TRIGGER IF EXISTS hashbank_record_update ON hashbank_bankrecord",
        "DROP TRIGGER IF EXISTS hashbank_record_insert ON hashbank_bankrecord",
        "DROP FUNCTION IF EXISTS hashbank_stamp_joined()",
        "DROP FUNCTION IF EXISTS hashbank_stamp_change()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS hashbank_source_insert",
        "DROP TRIGGER IF EXISTS hashbank_record_update",
        "DROP TRIGGER IF EXISTS hashbank_record_insert",
    ],
}


def install_triggers(schema_editor: BaseDatabaseSchemaEditor, watched: tuple[str, ...] = WATCHED) -> None:
    """Make the triggers, replacing any there are: a later migration that makes SQLite rebuild the
    table must call this again, since the rebuild drops them."""
    remove_triggers(schema_editor)
    vendor = schema_editor.connection.vendor
    make = {"postgresql": _postgresql, "sqlite": _sqlite}.get(vendor)
    if make is None:
        raise NotImplementedError(
            f"the bank's change triggers are written for PostgreSQL and SQLite, not {vendor}"
        )
    for statement in make(watched):
        schema_editor.execute(statement)


def remove_triggers(schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


@dataclass(frozen=True)
class Horizon:
    """Where the database's changes stood at one moment: every change below ``upper`` was stamped by a
    transaction that had begun, and of those only the ones in ``in_flight`` could still commit."""

    upper: int
    in_flight: tuple[int, ...] = ()

    @property
    def final(self) -> int:
        """Every change below this is committed (or rolled back) and will not move."""
        return min(self.in_flight, default=self.upper)

    def since(self) -> Q:
        """The rows that may have changed after this moment: stamped at or above ``upper``, or by a
        transaction that was still in flight. A reader that read everything it could see then, and reads
        these next time, misses nothing (and reads a row twice at worst)."""
        later = Q(change__gte=self.upper)
        return later | Q(change__in=self.in_flight) if self.in_flight else later


def horizon() -> Horizon:
    """The database's changes as they stand now, taken before the rows are read."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_snapshot_xmax(s)::text::bigint, "
                "ARRAY(SELECT x::text::bigint FROM pg_snapshot_xip(s) AS x) "
                "FROM pg_current_snapshot() AS s"
            )
            upper, in_flight = cursor.fetchone()
            return Horizon(int(upper), tuple(sorted(int(x) for x in in_flight)))
        cursor.execute("SELECT coalesce(max(change), 0) + 1 FROM hashbank_bankrecord")
        (upper,) = cursor.fetchone()
        return Horizon(int(upper))


def current_change() -> int | None:
    """What this transaction's own writes are stamped with on PostgreSQL, for bulk loads that stamp rows
    themselves; None on SQLite, where the triggers count."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        row = cursor.fetchone()
    return int(row[0])
