"""Who holds a report's linking values: the one query both the sightings step (sent with its writes) and
the joining path (on its own) use."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from haven.core.batch import Statement
from haven.intel.linking.common import Holder, Key, placeholders
from haven.intel.models import (
    Tier,
)

HOLDERS_SQL = (
    "SELECT s.value_id, s.member_id, m.subject_id, v.holders, v.subjects FROM {source} "
    "JOIN intel_sighting s ON s.value_id = v.id JOIN intel_member m ON m.id = s.member_id "
    "WHERE v.tier < {weak} AND v.excluded = '' AND NOT v.noisy"
)


def holders_of_members(members: list[int]) -> list[Holder]:
    """Every holder of every linking value these members hold, in one query. Noisy values are left out: they
    link nobody, and a new holder only makes them noisier."""
    sql = HOLDERS_SQL.format(
        source="intel_sighting own JOIN intel_value v ON v.id = own.value_id", weak=int(Tier.WEAK)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} AND own.member_id IN ({placeholders(members)})", members)
        return distinct_holders(cursor.fetchall())


def holders_of_values_sql(keys: list[Key]) -> Statement:
    """``holders_of_members`` from the values' keys rather than their holders, so that it can be sent with the
    statements that write them. The keys are spelt out one by one: PostgreSQL plans that in half the time of
    a join to a list of them."""
    one = "(v.canonical = %s AND v.kind = %s AND v.platform = %s)"
    return (
        HOLDERS_SQL.format(source="intel_value v", weak=int(Tier.WEAK))
        + f" AND ({' OR '.join([one] * len(keys))})",
        [x for kind, platform, canonical in keys for x in (canonical, kind, platform)],
    )


def distinct_holders(rows: Iterable[Sequence[Any]]) -> list[Holder]:
    """A holder of several of the values, or of one value twice (two spellings), is listed once."""
    return list(dict.fromkeys(Holder(*row) for row in rows))
