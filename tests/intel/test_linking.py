"""Linking reports into subjects: the tiers, the warninglists, the correlation cap, and provenance."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from haven.accounts.models import User
from haven.core.bulk import BULK_ROWS
from haven.intel.linking import Outcome, link_report, rebuild, tidy_after
from haven.intel.models import Link, Member, Sighting, Subject, Value
from tests.conftest import Orgs
from tests.intel.conftest import groups, ident, person, report_of, subject_of, submit, together

pytestmark = pytest.mark.django_db


def test_strong_identifiers_link_and_weak_ones_do_not(orgs: Orgs) -> None:
    submit(
        orgs,
        report_of("A", person(ident("email", "Someone.Else@Example.com"))),
        report_of("B", person(ident("email", "someone.else@example.com"), ident("phone", "07700 900001"))),
        report_of("C", person(ident("phone", "+44 7700 900001"))),
        report_of("D", person(ident("ip", "192.0.2.7"), ident("url", "https://example.com/x"))),
        report_of("E", person(ident("ip", "192.0.2.7"), ident("url", "https://EXAMPLE.com/x#frag"))),
    )
    assert groups() == {together("A", "B", "C"), together("D"), together("E")}
    link = Link.objects.get(value__kind="email")
    assert (link.value.canonical, link.members) == ("someone.else@example.com", 2)
    assert Link.objects.get(value__kind="phone").value.canonical == "+447700900001"
    assert not Link.objects.filter(value__kind__in=["ip", "url"]).exists()
    assert Value.objects.get(kind="ip").holders == 2


def test_traps_do_not_link_and_variations_do(orgs: Orgs) -> None:
    submit(
        orgs,
        # Gmail: dots, +tags, googlemail and case are one mailbox
        report_of("G1", person(ident("email", "first.last@gmail.com"))),
        report_of("G2", person(ident("email", "FirstLast+pics@googlemail.com"))),
        # another provider: a dot is part of the address
        report_of("D1", person(ident("email", "first.last@example.com"))),
        report_of("D2", person(ident("email", "firstlast@example.com"))),
        # one handle on two platforms is two people; the same handle in another case is one
        report_of("H1", person(ident("username", "quietfox", "examplechat"))),
        report_of("H2", person(ident("username", "quietfox", "examplegram"))),
        report_of("H3", person(ident("username", "@QuietFox", "ExampleChat"))),
        # a no-reply address pasted into unrelated reports, and a shared carrier-grade NAT address
        report_of("N1", person(ident("email", "no-reply@example.com"), ident("ip", "100.64.0.1"))),
        report_of("N2", person(ident("email", "No-Reply@example.com"), ident("ip", "100.64.0.1"))),
        # one number, three spellings, one given in its region
        report_of("P1", person(ident("phone", "07700 900456"))),
        report_of("P2", person(ident("phone", "+44 (0)7700-900456"))),
        report_of("P3", person(ident("phone", "7700900456", region="GB"))),
    )
    assert groups() == {
        together("G1", "G2"),
        together("D1"),
        together("D2"),
        together("H1", "H3"),
        together("H2"),
        together("N1"),
        together("N2"),
        together("P1", "P2", "P3"),
    }
    assert (
        Value.objects.get(kind="email", canonical="no-reply@example.com").excluded
        == "shared or no-reply mailbox"
    )
    assert Value.objects.get(kind="ip").excluded == "carrier-grade NAT"


def test_a_value_held_by_more_subjects_than_the_cap_is_noisy(orgs: Orgs, settings: object) -> None:
    settings.INTEL_CORRELATION_CAP = 3  # type: ignore[attr-defined]
    shared = ident("email", "helpdesk@example.net")
    # Three people who each have their own phone share one address: under the cap, so it links...
    submit(orgs, *[report_of(f"S{i}", person(shared, ident("phone", f"07700 90010{i}"))) for i in range(3)])
    assert together("S0", "S1", "S2") in groups()
    # ...a fourth puts it over: it is noisy, and the people come apart again.
    submit(orgs, report_of("S3", person(shared, ident("phone", "07700 900103"))))
    assert groups() == {together(f"S{i}") for i in range(4)}
    value = Value.objects.get(canonical="helpdesk@example.net")
    assert value.noisy and value.holders == 4
    assert not Link.objects.exists()


def test_a_prolific_address_under_the_cap_is_not_noisy(orgs: Orgs, settings: object) -> None:
    """What counts is distinct subjects, not reports: one person in many reports is one subject."""
    settings.INTEL_CORRELATION_CAP = 3  # type: ignore[attr-defined]
    phone = ident("phone", "07700 900200")
    reports = [report_of(f"R{i}", person(ident("email", "prolific@example.org"), phone)) for i in range(6)]
    submit(orgs, *reports)
    assert groups() == {together(*[f"R{i}" for i in range(6)])}
    assert not Value.objects.filter(noisy=True).exists()


def test_strangers_who_take_up_a_prolific_address_make_it_noisy(orgs: Orgs, settings: object) -> None:
    """Over the cap, each new holder is counted as it comes. One more report by the same person (sharing
    the phone) adds no subject; each stranger adds one, and the third puts the address over the cap. The
    person's phone and handle still vouch for each other, so their reports stay one subject."""
    settings.INTEL_CORRELATION_CAP = 3  # type: ignore[attr-defined]
    email, phone = ident("email", "prolific@example.org"), ident("phone", "07700 900200")
    handle = ident("username", "prolific_one", "examplechat")
    submit(orgs, *[report_of(f"R{i}", person(email, phone, handle)) for i in range(5)])
    address = Value.objects.get(canonical="prolific@example.org")
    assert (address.holders, address.subjects, address.noisy) == (5, 1, False)
    submit(orgs, report_of("R5", person(email, phone, handle)))
    address.refresh_from_db()
    assert (address.holders, address.subjects) == (6, 1)
    for i in range(3):
        submit(orgs, report_of(f"X{i}", person(email, ident("phone", f"07700 90030{i}"))))
    address.refresh_from_db()
    assert address.noisy
    people = together(*[f"R{i}" for i in range(6)])
    assert groups() == {people, together("X0"), together("X1"), together("X2")}
    rebuild()
    assert groups() == {people, together("X0"), together("X1"), together("X2")}


def test_two_people_in_one_report_are_two_members(orgs: Orgs) -> None:
    submit(
        orgs,
        report_of("T1", person(ident("email", "one@example.com")), person(ident("email", "two@example.com"))),
        report_of("T2", person(ident("email", "two@example.com"))),
    )
    assert groups() == {together("T1/0"), together("T1/1", "T2/0")}


def test_invalid_values_are_kept_and_flagged_and_linking_runs_twice_safely(orgs: Orgs) -> None:
    [report] = submit(orgs, report_of("I1", person(ident("email", "not an address"), ident("phone", "12"))))
    link_report(report)
    sightings = Sighting.objects.filter(member__report=report).order_by("identifier_id")
    assert [(s.value_id, s.invalid) for s in sightings] == [
        (None, "not an email address"),
        (None, sightings[1].invalid),
    ]
    assert sightings[1].invalid
    assert Member.objects.filter(report=report).count() == 1
    assert Sighting.objects.count() == 2


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_gives_what_incremental_linking_gave(orgs: Orgs, settings: object, seed: int) -> None:
    """Random reports over a small pool of identifiers (so that many collide), linked one at a time in
    the pipeline's way, then rebuilt from scratch: the same subjects, the same ids, the same noisy values."""
    settings.INTEL_CORRELATION_CAP = 4  # type: ignore[attr-defined]
    rng = random.Random(seed)
    pool = (
        [ident("email", f"p{i}@example.com") for i in range(60)]
        + [ident("phone", f"07700 900{i:03d}") for i in range(60)]
        + [ident("username", f"h{i}", rng.choice(["examplechat", "examplegram"])) for i in range(30)]
        + [ident("ip", f"192.0.2.{i}") for i in range(5)]
    )
    shared = [ident("email", "helpdesk@example.net"), ident("phone", "07700 900999")]

    def identifiers() -> list[dict[str, object]]:
        return rng.sample(pool, rng.randint(1, 2)) + [v for v in shared if rng.random() < 0.15]

    reports = [
        report_of(f"R{n}", *[person(*identifiers()) for _ in range(rng.randint(1, 2))]) for n in range(60)
    ]
    submit(orgs, *reports)
    before = groups()
    subject_of = dict(Member.objects.values_list("id", "subject_id"))
    noisy = set(Value.objects.filter(noisy=True).values_list("id", flat=True))
    links = set(Link.objects.values_list("subject_id", "value_id", "members"))
    assert len(before) > 1 and links and noisy  # the data exercises links and the cap
    outcome = rebuild()
    assert outcome.moved == 0 and outcome.created == 0 and outcome.removed == 0
    assert groups() == before
    assert dict(Member.objects.values_list("id", "subject_id")) == subject_of
    assert set(Value.objects.filter(noisy=True).values_list("id", flat=True)) == noisy
    assert set(Link.objects.values_list("subject_id", "value_id", "members")) == links
    # From nothing: every member without a subject gives the same partition.
    Member.objects.update(subject=None)
    Subject.objects.all().delete()
    rebuild()
    assert groups() == before


def _checks_on(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "UNION ALL SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
            [table, table],
        )
        return sorted(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk path is PostgreSQL's")
def test_a_bulk_rebuild_puts_back_every_key_and_index(orgs: Orgs) -> None:
    """Forced onto the bulk path (keys and indexes dropped, made again after), a rebuild from nothing gives
    the same subjects and links, the same constraints and indexes, and the keys are enforced again."""
    submit(
        orgs,
        report_of("B1", person(ident("email", "quiet.fox@gmail.com"))),
        report_of("B2", person(ident("email", "QuietFox@gmail.com"), ident("phone", "07700 900561"))),
        report_of("B3", person(ident("phone", "+44 7700 900561"))),
        report_of("B4", person(ident("phone", "07700 900562"))),
    )
    before, links = groups(), set(Link.objects.values_list("value__canonical", "members"))
    checks = {table: _checks_on(table) for table in ("intel_member", "intel_link")}
    Member.objects.update(subject=None)
    Subject.objects.all().delete()
    outcome = rebuild(bulk_from=1)
    assert outcome.moved == 4
    assert groups() == before == {together("B1", "B2", "B3"), together("B4")}
    assert set(Link.objects.values_list("value__canonical", "members")) == links
    assert {table: _checks_on(table) for table in checks} == checks
    with transaction.atomic():
        Member.objects.filter(report__external_id="B4").update(subject_id=10**9)
        with pytest.raises(IntegrityError):
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's vacuum")
@pytest.mark.django_db(transaction=True)
def test_a_large_rebuild_is_tidied_after_outside_its_transaction() -> None:
    assert not tidy_after(Outcome(moved=BULK_ROWS - 1))
    with transaction.atomic():
        assert not tidy_after(Outcome(moved=BULK_ROWS))  # VACUUM cannot run in a transaction
    assert tidy_after(Outcome(moved=BULK_ROWS))


@pytest.mark.django_db
def test_identifiers_that_look_the_same_link(orgs: Orgs) -> None:
    submit(
        orgs,
        report_of("U1", person(ident("username", "bad\u200bguy", "examplechat"))),
        report_of("U2", person(ident("username", "\uff42\uff41\uff44\uff47\uff55\uff59", "ExampleChat"))),
        report_of("U3", person(ident("email", "someone@m\u00fcnchen.example"))),
        report_of("U4", person(ident("email", "someone@xn--mnchen-3ya.example"))),
    )
    assert groups() == {together("U1", "U2"), together("U3", "U4")}


@pytest.mark.django_db
def test_linking_a_report_runs_no_ddl(orgs: Orgs, analyst: User) -> None:
    """A worker job must not need the privilege to change the schema: only `haven link --rebuild` does."""
    from haven.intel.actions import split_subject  # noqa: PLC0415

    submit(orgs, *(report_of(f"P{i}", person(ident("email", "shared@example.org"))) for i in range(6)))
    # A decision in force sends the next reports down the careful path (partition and write).
    split_subject(
        subject_of("P0"), [Member.objects.get(report__external_id="P1").pk], reason="two", actor=analyst
    )
    seen: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        submit(orgs, *(report_of(f"Q{i}", person(ident("email", "shared@example.org"))) for i in range(5)))
    assert seen
    ddl = [s for s in seen if s.lstrip().split(" ", 1)[0].upper() in {"CREATE", "DROP", "ALTER", "VACUUM"}]
    assert ddl == []
