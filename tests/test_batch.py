"""Statements sent together (psycopg's pipeline mode on PostgreSQL): in order, each seeing the writes of those
before it, each with its own rows, and an error raised as Django's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from haven.core.batch import run_together
from haven.intel.models import Value

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
INSERT = (
    "INSERT INTO intel_value (kind, platform, canonical, tier, excluded, noisy, holders, subjects, "
    "first_seen, last_seen) VALUES (%s, '', %s, 0, '', %s, 1, 0, %s, %s) RETURNING id, canonical"
)


def _insert(canonical: str) -> tuple[str, list[object]]:
    stamp = connection.ops.adapt_datetimefield_value(WHEN)
    return INSERT, ["email", canonical, False, stamp, stamp]


def test_each_statement_sees_the_ones_before_and_keeps_its_own_rows() -> None:
    rows = run_together(
        [
            _insert("a@example.com"),
            ("UPDATE intel_value SET holders = holders + 4 WHERE canonical = %s", ["a@example.com"]),
            _insert("b@example.com"),
            ("SELECT canonical, holders FROM intel_value ORDER BY canonical", []),
        ]
    )
    a, b = Value.objects.get(canonical="a@example.com"), Value.objects.get(canonical="b@example.com")
    assert rows == [
        [(a.pk, "a@example.com")],
        [],  # an UPDATE returns no rows
        [(b.pk, "b@example.com")],
        [("a@example.com", 5), ("b@example.com", 1)],  # the update ran before the read, after the insert
    ]


def test_a_failing_statement_raises_djangos_error_and_breaks_the_transaction() -> None:
    run_together([_insert("taken@example.com")])
    with pytest.raises(IntegrityError), transaction.atomic():
        run_together(
            [
                _insert("new@example.com"),
                _insert("taken@example.com"),  # the unique key
                ("SELECT 1", []),
            ]
        )
    # The whole transaction was rolled back, the write before the failure with it.
    assert sorted(Value.objects.values_list("canonical", flat=True)) == ["taken@example.com"]
