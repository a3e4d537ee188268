"""Self-referral on the server: what it takes, what it refuses, what it keeps, and what the person sees."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from django.test import Client

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list, give_verdict
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import SELF_REFERRAL_LIST, BankRecord, Category
from haven.intake.models import SelfReferral, clean_self_referral_reference
from tests.conftest import Keys

pytestmark = pytest.mark.django_db

TOKEN = "0123456789abcdef0123456789abcdef"
REFERENCE = re.compile(r"SR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def sha(n: int) -> str:
    return hashlib.sha256(f"file {n}".encode()).hexdigest()


def pdq_of(n: int) -> str:
    return hashlib.sha256(f"pdq {n}".encode()).hexdigest()


def a_file(n: int, **changes: Any) -> dict[str, Any]:
    return {"sha256": sha(n), "pdq": pdq_of(n), "quality": 90} | changes


def send(client: Client, files: Any, *, token: str = TOKEN, under_18: str | None = "yes") -> Any:
    data = {"files": files if isinstance(files, str) else json.dumps(files), "token": token}
    if under_18 is not None:
        data["under_18"] = under_18
    return client.post("/remove/send/", data)


def reference_in(response: Any) -> str:
    found = REFERENCE.search(response.content.decode())
    assert found, response.content.decode()
    return found.group(0)


def test_the_hashes_join_the_self_referral_list_and_the_person_gets_a_reference(client: Client) -> None:
    response = send(client, [a_file(1), a_file(2, pdq=None, quality=None)])
    assert response.status_code == 200
    reference = reference_in(response)
    referral = SelfReferral.objects.get()
    assert referral.digest == hashlib.sha256(reference.encode()).hexdigest()
    assert reference not in json.dumps(list(SelfReferral.objects.values()), default=str)
    records = {r.sha256: r for r in referral.records.all()}
    assert set(records) == {sha(1), sha(2)}
    assert (records[sha(1)].pdq, records[sha(1)].pdq_quality) == (pdq_of(1), 90)
    assert records[sha(2)].pdq is None
    for rec in records.values():
        assert list(rec.lists.values_list("name", flat=True)) == [SELF_REFERRAL_LIST]
        assert rec.category == Category.UNCATEGORISED and not rec.shareable
    entry = AuditEntry.objects.get(action="intake.self_referral")
    assert (entry.ip, entry.details) == ("", {"files": 2})


def test_the_pages_set_no_cookie_and_are_never_stored(client: Client) -> None:
    responses = [client.get(url) for url in ("/remove/", "/remove/send/", "/remove/status/")]
    responses += [
        send(client, [a_file(1)]),
        client.post("/remove/status/", {"reference": "SR-0000-0000-0000"}),
    ]
    for response in responses:
        assert response.cookies == {}, response.request["PATH_INFO"]
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ("", "Choose at least one photo or video"),
        ("[{not json", "could not be read"),
        ([a_file(1), a_file(2, sha256="abc")], "files[1].sha256"),
        ([a_file(1, quality=None)], "give pdq and quality together"),
        ([a_file(1, quality=101)], "files[0].quality"),
        ([a_file(1, name="me.jpg")], "files[0].name"),
        ([a_file(n) for n in range(51)], "50 files or fewer"),
        ({"sha256": sha(1)}, "Input should be a valid list"),
    ],
)
def test_bad_hashes_are_refused_and_nothing_is_kept(client: Client, files: Any, problem: str) -> None:
    response = send(client, files)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not SelfReferral.objects.exists() and not BankRecord.objects.exists()


def test_without_the_age_confirmation_the_hashes_are_sent_back_to_the_page(client: Client) -> None:
    files = json.dumps([a_file(1), a_file(2)])
    response = send(client, files, under_18=None)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Confirm that you were under 18" in page
    assert "2 fingerprints ready to send" in page
    # The page carries the hashes and the token back, so that ticking the box is all that is left to do.
    assert f'value="{TOKEN}"' in page and sha(2) in page
    assert not SelfReferral.objects.exists()
    assert send(client, files).status_code == 200


@pytest.mark.parametrize("token", ["", "short", "g" * 32, TOKEN + "0"])
def test_a_page_without_its_token_is_refused(client: Client, token: str) -> None:
    response = send(client, [a_file(1)], token=token)
    assert response.status_code == 400
    assert "open it again" in response.content.decode()
    assert not SelfReferral.objects.exists()


def test_the_same_page_sent_twice_makes_one_self_referral(client: Client) -> None:
    first = reference_in(send(client, [a_file(1)]))
    again = reference_in(send(client, [a_file(1), a_file(2)]))
    other = reference_in(send(client, [a_file(1)], token="f" * 32))
    assert first == again != other
    assert SelfReferral.objects.count() == 2
    # Two young people with the same image share its record; each has their own self-referral.
    assert BankRecord.objects.count() == 1
    assert all(r.records.count() == 1 for r in SelfReferral.objects.all())


def test_a_hash_the_bank_already_holds_joins_that_record(client: Client) -> None:
    national = get_or_create_list("national")
    add_records([RecordInput(sha256=sha(1), source="hotline")], national)
    send(client, [a_file(1)])
    rec = BankRecord.objects.get()
    assert sorted(rec.lists.values_list("name", flat=True)) == ["national", SELF_REFERRAL_LIST]
    assert rec.pdq == pdq_of(1)  # the self-referral's PDQ filled the record's gap


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("SR-7K2M-9QXD-4HBT", "SR-7K2M-9QXD-4HBT"),
        ("sr 7k2m 9qxd 4hbt", "SR-7K2M-9QXD-4HBT"),
        ("7K2M9QXD4HBT", "SR-7K2M-9QXD-4HBT"),
        ("SR-7K2M-9QXD-4HBO", "SR-7K2M-9QXD-4HB0"),  # O for 0
        ("SR-7K2M-9QXD-4HBl", "SR-7K2M-9QXD-4HB1"),  # l for 1
        ("SRSR-7K2M-9QXD", "SR-SRSR-7K2M-9QXD"),  # a code may begin with S and R
        ("SR-7K2M-9QXD-4HB", None),
        ("SR-7K2M-9QXD-4HBU", None),  # U is not in the alphabet
        ("", None),
    ],
)
def test_a_reference_is_read_as_people_type_it(typed: str, clean: str | None) -> None:
    assert clean_self_referral_reference(typed) == clean


def check(client: Client, reference: str) -> Any:
    return client.post("/remove/status/", {"reference": reference})


def counts(response: Any) -> dict[str, int]:
    page = response.content.decode()
    return {
        name: int(re.search(rf'data-testid="{name}">(\d+)<', page).group(1))  # type: ignore[union-attr]
        for name in ("listed", "checking", "waiting", "not-listed")
    }


# The hash list sends only changes that every transaction before them has committed: on PostgreSQL that
# needs these tests' writes committed, not held in the test's own transaction.
@pytest.mark.django_db(transaction=True)
def test_the_status_follows_the_graders_and_a_verified_record_joins_the_national_list(
    client: Client, grader: User, supervisor: User, keys: Keys
) -> None:
    reference = reference_in(send(client, [a_file(n) for n in range(1, 5)]))
    assert counts(check(client, reference)) == {"listed": 0, "checking": 0, "waiting": 4, "not-listed": 0}
    one, two, three, _ = BankRecord.objects.order_by("id")
    give_verdict(one, grader=grader, category=Category.B)
    give_verdict(two, grader=grader, category=Category.A)
    give_verdict(two, grader=supervisor, category=Category.A)
    give_verdict(three, grader=grader, category=Category.NOT_INDECENT)
    give_verdict(three, grader=supervisor, category=Category.NOT_INDECENT)
    typed = reference.lower().replace("-", "").replace("0", "o")
    assert counts(check(client, typed)) == {"listed": 1, "checking": 1, "waiting": 1, "not-listed": 1}

    # Only the verified indecent one joined the national list, marked as self-referred.
    assert list(BankRecord.objects.filter(lists__name="national")) == [two]
    page = client.get("/api/v1/hashlists/national", HTTP_AUTHORIZATION=f"Bearer {keys.hashes_only}").json()
    assert [(i["sha256"], i["self_referred"], i["action"]) for i in page["items"]] == [(sha(2), True, "add")]


@pytest.mark.django_db(transaction=True)
def test_a_record_that_was_not_self_referred_is_not_marked(client: Client, grader: User, supervisor: User,
                                                           keys: Keys) -> None:  # fmt: skip
    national = get_or_create_list("national")
    add_records([RecordInput(sha256=sha(9), source="hotline")], national)
    rec = BankRecord.objects.get()
    give_verdict(rec, grader=grader, category=Category.C)
    give_verdict(rec, grader=supervisor, category=Category.C)
    page = client.get("/api/v1/hashlists/national", HTTP_AUTHORIZATION=f"Bearer {keys.hashes_only}").json()
    assert [(i["sha256"], i["self_referred"]) for i in page["items"]] == [(sha(9), False)]
    assert list(rec.lists.values_list("name", flat=True)) == ["national"]


@pytest.mark.parametrize("typed", ["", "not a reference", "SR-0000-0000-0000"])
def test_an_unknown_reference_says_what_to_enter(client: Client, typed: str) -> None:
    send(client, [a_file(1)])
    response = check(client, typed)
    assert response.status_code == 400
    assert "Enter the reference number you were given" in response.content.decode()


def test_too_many_from_one_address_are_turned_away_and_nothing_is_kept(client: Client, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 1
    assert send(client, [a_file(1)]).status_code == 200
    assert send(client, [a_file(2)], token="e" * 32).status_code == 429
    assert SelfReferral.objects.count() == 1 and BankRecord.objects.count() == 1
    settings.PUBLIC_STATUS_CHECKS_PER_HOUR = 2
    assert [check(client, "SR-0000-0000-0000").status_code for _ in range(3)] == [400, 400, 429]
