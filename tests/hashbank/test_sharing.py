"""Need to know in the bank's partner API: a partner sees the national list's shareable records and its
own list, and a hash list sends ``remove`` only for what it once sent."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from haven.accounts.actions import create_api_key
from haven.accounts.models import User
from haven.hashbank.actions import add_records, get_or_create_list, give_verdict, set_status
from haven.hashbank.hashing import FileHashes
from haven.hashbank.importing import RecordInput
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankRecord
from tests.conftest import Orgs
from tests.test_api import key_headers

PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_B = "0" * 63 + "1"


def match(client: Client, key: str, **hashes: str) -> list[tuple[int, str]]:
    response = client.post(
        "/api/v1/match", {"hashes": [hashes]}, content_type="application/json", headers=key_headers(key)
    )
    assert response.status_code == 200, response.content
    return [(m["record"], m["list"]) for m in response.json()[0]["matches"]]


def verify(record: BankRecord, *graders: User) -> BankRecord:
    for user in graders:
        record = give_verdict(record, grader=user, category=record.category)
    return record


@pytest.fixture
def platform_key(orgs: Orgs) -> str:
    return create_api_key(orgs.platform, ["hashes:match", "hashes:read"]).secret


@pytest.fixture
def other_key(orgs: Orgs) -> str:
    return create_api_key(orgs.other_platform, ["hashes:match", "hashes:read"]).secret


def test_a_partner_never_sees_another_partners_list(
    client: Client, platform_key: str, other_key: str, db: None
) -> None:
    own = get_or_create_list("partner:platform")
    add_records([RecordInput(sha256="a" * 64, pdq=PDQ_A, category="B", series="P-1")], own)
    record = BankRecord.objects.get(sha256="a" * 64)

    assert match(client, platform_key, sha256="a" * 64) == [(record.pk, "partner:platform")]
    assert match(client, platform_key, pdq=PDQ_A) == [(record.pk, "partner:platform")]
    # The other platform learns nothing: not the record, not its series, not the list's name.
    response = client.post(
        "/api/v1/match",
        {"hashes": [{"sha256": "a" * 64}, {"pdq": PDQ_A}]},
        content_type="application/json",
        headers=key_headers(other_key),
    )
    assert [(r["status"], r["matches"]) for r in response.json()] == [("unknown", []), ("unknown", [])]
    assert b"partner:platform" not in response.content and b"P-1" not in response.content
    # The centre's own matching still sees it.
    assert [m.list for m in matcher().match(FileHashes.given(sha256="a" * 64))] == ["partner:platform"]


def test_a_partner_sees_only_shareable_national_records(
    client: Client, platform_key: str, grader: User, supervisor: User, db: None
) -> None:
    national = get_or_create_list("national")
    add_records(
        [
            RecordInput(sha256="1" * 64, category="A"),  # not yet verified
            RecordInput(sha256="2" * 64, category="not_indecent"),  # verified, but never shared
            RecordInput(sha256="3" * 64, category="C"),  # verified and shareable
        ],
        national,
    )
    unverified, benign, shared = (BankRecord.objects.get(sha256=c * 64) for c in "123")
    verify(benign, grader, supervisor)
    verify(shared, grader, supervisor)
    assert match(client, platform_key, sha256="1" * 64) == []
    assert match(client, platform_key, sha256="2" * 64) == []
    assert match(client, platform_key, sha256="3" * 64) == [(shared.pk, "national")]
    set_status(BankRecord.objects.get(pk=shared.pk), "disputed")
    assert match(client, platform_key, sha256="3" * 64) == []
    assert {m.record for m in matcher().match(FileHashes.given(sha256="1" * 64))} == {unverified.pk}


def test_a_partner_sees_its_own_unverified_records(client: Client, platform_key: str, db: None) -> None:
    own = get_or_create_list("partner:platform")
    national = get_or_create_list("national")
    add_records([RecordInput(sha256="4" * 64, category="uncategorised")], own)
    add_records([RecordInput(sha256="4" * 64, category="uncategorised")], national)
    record = BankRecord.objects.get(sha256="4" * 64)
    # In its own list, yes; the same unverified record in the national list, no.
    assert match(client, platform_key, sha256="4" * 64) == [(record.pk, "partner:platform")]


def _early_cursor() -> str:
    return base64.urlsafe_b64encode(b"c1|0|0").decode()


def changes(client: Client, key: str, since: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/hashlists/national?since={since}", headers=key_headers(key))
    assert response.status_code == 200, response.content
    return dict(response.json())


# On PostgreSQL a hash list sends only changes whose transaction has ended: not the test's own.
@pytest.mark.django_db(transaction=True)
def test_a_hash_list_never_sends_what_it_never_shared(
    client: Client, platform_key: str, grader: User, supervisor: User, db: None
) -> None:
    national = get_or_create_list("national")
    add_records(
        [RecordInput(sha256="5" * 64, category="not_indecent"), RecordInput(sha256="6" * 64, category="A"),
         RecordInput(sha256="7" * 64, category="B")],
        national,
    )  # fmt: skip
    benign, shared, unverified = (BankRecord.objects.get(sha256=c * 64) for c in "567")
    verify(benign, grader, supervisor)
    verify(shared, grader, supervisor)
    set_status(BankRecord.objects.get(pk=unverified.pk), "disabled")  # never shared, now disabled

    page = client.get(
        f"/api/v1/hashlists/national?since={_early_cursor()}", headers=key_headers(platform_key)
    ).json()
    assert [(i["sha256"], i["action"]) for i in page["items"]] == [("6" * 64, "add")]

    set_status(BankRecord.objects.get(pk=shared.pk), "disabled")
    again = client.get(
        f"/api/v1/hashlists/national?since={page['next']}", headers=key_headers(platform_key)
    ).json()
    assert [(i["sha256"], i["action"]) for i in again["items"]] == [("6" * 64, "remove")]
    # From the start, the disabled record that was once shared is a removal; the others are nothing.
    whole = client.get(
        f"/api/v1/hashlists/national?since={_early_cursor()}", headers=key_headers(platform_key)
    ).json()
    assert [(i["sha256"], i["action"]) for i in whole["items"]] == [("6" * 64, "remove")]


# On PostgreSQL a hash list sends only changes whose transaction has ended: not the test's own.
@pytest.mark.django_db(transaction=True)
def test_a_record_joining_a_list_reaches_that_lists_subscribers(
    client: Client, platform_key: str, grader: User, supervisor: User, db: None
) -> None:
    national = get_or_create_list("national")
    own = get_or_create_list("partner:platform")
    add_records([RecordInput(sha256="8" * 64, category="A")], national)
    verify(BankRecord.objects.get(sha256="8" * 64), grader, supervisor)
    first = client.get("/api/v1/hashlists/partner:platform", headers=key_headers(platform_key)).json()
    assert first["items"] == []
    add_records([RecordInput(sha256="8" * 64, category="A", source="platform")], own)
    url = f"/api/v1/hashlists/partner:platform?since={first['next']}"
    later = client.get(url, headers=key_headers(platform_key)).json()
    assert [(i["sha256"], i["action"]) for i in later["items"]] == [("8" * 64, "add")]
