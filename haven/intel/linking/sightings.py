"""Recording a report's identifiers: its reported persons become members, and each identifier a sighting of
its canonical value (created the first time it is seen), in two round trips for a new report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Case, F, When
from django.db.models import Value as Literal
from django.db.models.functions import Greatest, Least

from haven.core.batch import Statement, run_together
from haven.intake.models import Report
from haven.intel.linking.common import Holder, Key
from haven.intel.linking.decisions import DECISIONS_VERSION
from haven.intel.linking.holders import distinct_holders, holders_of_values_sql
from haven.intel.models import (
    TIER_OF_KIND,
    Member,
    Sighting,
    Tier,
    Value,
)
from haven.intel.normalise import normalise
from haven.intel.warninglists import EXCLUSIONS_VERSION, Warninglist, current


def _person_country(report: Report, person: int) -> str:
    people = report.payload.get("reported_persons") or []
    location = (people[person].get("location") or {}) if person < len(people) else {}
    return str(location.get("country") or "")


@dataclass
class Sighted:
    """What ``record_sightings`` leaves for linking: the report's members, each with its subject (None until
    it is linked), the version of the analysts' decisions read with the identifiers, and, for a report seen
    for the first time, every holder of the linking values its people hold (``holders_of_members``'s rows)."""

    members: dict[int, int | None]
    decisions: str | None = None
    neighbourhood: list[Holder] | None = None


@dataclass
class _Identifier:
    id: int
    person: int
    kind: str
    value: str
    platform: str
    region: str


def _read_identifiers(report: Report) -> tuple[str, str, bool, list[Any]]:
    """The versions of the exclusions and of the decisions, whether the report was linked before, and its
    identifiers of reported people: one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT x.exclusions, x.decisions, x.linked, "  # noqa: S608  (constant SQL)
            "i.id, i.person, i.kind, i.value, i.platform, i.region "
            f"FROM (SELECT ({EXCLUSIONS_VERSION}) AS exclusions, ({DECISIONS_VERSION}) AS decisions, "
            "EXISTS (SELECT 1 FROM intel_member WHERE report_id = %s) AS linked) x "
            "LEFT JOIN intake_identifier i ON i.report_id = %s AND NOT i.on_victim ORDER BY i.id",
            [report.pk, report.pk],
        )
        rows = cursor.fetchall()
    exclusions, decisions, linked_before = rows[0][:3]
    identifiers = [_Identifier(*row[3:]) for row in rows if row[3] is not None]
    return str(exclusions), str(decisions), bool(linked_before), identifiers


def record_sightings(report: Report) -> Sighted:
    """Make the report's reported persons members, and each of their identifiers a sighting of its
    canonical value (or an invalid sighting). Safe to run twice. A new report costs two round trips, since
    this runs for every report: one reads the identifiers, the other writes the members, the values and the
    sightings and reads what linking needs next (``run_together``)."""
    people = len(report.payload.get("reported_persons") or [])
    exclusions, decisions, linked_before, found = _read_identifiers(report)
    identifiers = [i for i in found if i.person < people]
    if linked_before:
        return Sighted(_sight_again(report, people, identifiers, current(exclusions)), decisions)
    if not people:
        return Sighted({}, decisions, [])
    read = _normalised(report, identifiers)
    # Each reported person is one more holder of each value it gives, however many times it gives it.
    held = {(i.person, (n.kind, n.platform, n.canonical)) for i in identifiers if (n := read[i.id]).valid}
    values = Counter(key for _, key in held)
    linking = [key for key in values if TIER_OF_KIND[key[0]] < Tier.WEAK]
    statements = [_members_sql(report.pk, people)]
    if values:
        statements.append(_upsert_values_sql(values, report.received_at, current(exclusions)))
    if identifiers:
        statements.append(_sightings_sql(report.pk, identifiers, read))
    if linking:
        statements.append(holders_of_values_sql(linking))
    results = run_together(statements)
    members: dict[int, int | None] = {pk: None for pk, _ in results[0]}
    if len(members) < people:  # cannot happen while the worker holds the report's row lock
        raise RuntimeError(f"report {report.pk}: its members were written by someone else meanwhile")
    return Sighted(members, decisions, distinct_holders(results[-1]) if linking else [])


def _normalised(report: Report, identifiers: list[Any]) -> dict[int, Any]:
    return {
        i.id: normalise(
            i.kind,
            i.value,
            platform=i.platform,
            region=i.region,
            fallback_region=_person_country(report, i.person),
        )
        for i in identifiers
    }


def _members_sql(report_id: int, people: int, *, again: bool = False) -> Statement:
    """Insert the report's reported persons as members (``again``: those not there yet), returning
    (id, person) of each inserted."""
    return (
        "INSERT INTO intel_member (report_id, person) VALUES "  # noqa: S608  (placeholders only)
        + ", ".join(["(%s, %s)"] * people)
        + (" ON CONFLICT (report_id, person) DO NOTHING" if again else "")
        + " RETURNING id, person",
        [x for person in range(people) for x in (report_id, person)],
    )


def _sightings_sql(report_id: int, identifiers: list[Any], read: dict[int, Any]) -> Statement:
    """Insert a sighting for each identifier, finding its member and its value by their keys, so that it can
    be sent with the statements that write them."""
    params: list[Any] = []
    for i in identifiers:
        n = read[i.id]
        params += [i.id, i.person, n.kind, n.platform, n.canonical if n.valid else None, n.reason]
    return (
        "WITH i (identifier, person, kind, platform, canonical, invalid) AS (VALUES "  # noqa: S608  (placeholders only)
        + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(identifiers))
        + ") INSERT INTO intel_sighting (identifier_id, member_id, value_id, invalid) "
        "SELECT i.identifier, m.id, v.id, i.invalid FROM i "
        "JOIN intel_member m ON m.report_id = %s AND m.person = i.person "
        "LEFT JOIN intel_value v "
        "ON v.canonical = i.canonical AND v.kind = i.kind AND v.platform = i.platform",
        [*params, report_id],
    )


def _sight_again(
    report: Report, people: int, identifiers: list[Any], listed: Warninglist
) -> dict[int, int | None]:
    """``record_sightings`` for a report linked before: add the members and sightings missing, counting
    only the holders that are new. Returns the members with their subjects."""
    if people:
        run_together([_members_sql(report.pk, people, again=True)])
    found = list(Member.objects.filter(report=report).values_list("id", "person", "subject_id"))
    members: dict[int, int | None] = {pk: subject for pk, _, subject in found}
    person_of = {person: pk for pk, person, _ in found}
    before = list(
        Sighting.objects.filter(member__report=report).values_list("identifier_id", "member_id", "value_id")
    )
    already = {identifier for identifier, _, _ in before}
    fresh = [i for i in identifiers if i.id not in already]
    if not fresh:
        return members
    read = _normalised(report, fresh)
    when = report.received_at
    held_before = {(m, v) for _, m, v in before if v is not None}
    keys = {
        (person_of[i.person], (n.kind, n.platform, n.canonical)) for i in fresh if (n := read[i.id]).valid
    }
    ids = _value_ids({key for _, key in keys}, when, listed)
    gained = Counter(ids[key] for member, key in keys if (member, ids[key]) not in held_before)
    if ids:
        Value.objects.filter(id__in=sorted(ids.values())).update(
            holders=F("holders")
            + Case(*[When(id=v, then=Literal(c)) for v, c in gained.items()], default=Literal(0)),
            first_seen=Least(F("first_seen"), when),
            last_seen=Greatest(F("last_seen"), when),
        )
    rows = [
        (
            i.id,
            person_of[i.person],
            ids[(n.kind, n.platform, n.canonical)] if n.valid else None,
            n.reason,
        )
        for i in fresh
        for n in [read[i.id]]
    ]
    sql = (
        "INSERT INTO intel_sighting (identifier_id, member_id, value_id, invalid) VALUES "  # noqa: S608  (placeholders only)
        + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        + " ON CONFLICT (identifier_id) DO NOTHING"
    )
    run_together([(sql, [x for row in rows for x in row])])
    return members


def _upsert_values_sql(holders: Counter[Key], when: datetime, listed: Warninglist) -> Statement:
    """Insert the values not seen before, and count the new holders and the sighting's time into those
    that were: one statement, in key order, so that two workers adding the same values take their locks in
    the same order."""
    keys = sorted(holders, key=lambda key: (key[2], key[0], key[1]))
    stamp = connection.ops.adapt_datetimefield_value(when)
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    params: list[Any] = []
    for kind, platform, canonical in keys:
        params += [
            kind,
            platform,
            canonical,
            TIER_OF_KIND[kind],
            listed.match(kind, canonical),
            False,
            holders[(kind, platform, canonical)],
            0,
            stamp,
            stamp,
        ]
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(keys))
    return (
        "INSERT INTO intel_value AS v (kind, platform, canonical, tier, excluded, noisy, holders, subjects, "  # noqa: S608  (placeholders only)
        f"first_seen, last_seen) VALUES {rows} ON CONFLICT (canonical, kind, platform) DO UPDATE SET "
        "holders = v.holders + EXCLUDED.holders, "
        f"first_seen = {least}(v.first_seen, EXCLUDED.first_seen), "
        f"last_seen = {greatest}(v.last_seen, EXCLUDED.last_seen)",
        params,
    )


def _value_ids(
    keys: set[tuple[str, str, str]], when: datetime, listed: Warninglist
) -> dict[tuple[str, str, str], int]:
    """The id of each canonical value, creating those not seen before: one upsert, in key order, so that two
    workers adding the same values take their locks in the same order."""
    if not keys:
        return {}
    rows = [
        Value(
            kind=k,
            platform=p,
            canonical=c,
            tier=TIER_OF_KIND[k],
            excluded=listed.match(k, c),
            first_seen=when,
            last_seen=when,
        )
        for k, p, c in sorted(keys, key=lambda key: (key[2], key[0], key[1]))
    ]
    Value.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["canonical", "kind", "platform"], update_fields=["tier"]
    )
    return {(v.kind, v.platform, v.canonical): v.pk for v in rows}
