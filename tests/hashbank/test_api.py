"""The bank's partner API: match by hashes or by file, and incremental hash lists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ImageOps

from haven.accounts.actions import create_api_key
from haven.accounts.models import Organisation, User
from haven.hashbank.actions import add_records, get_or_create_list, give_verdict, set_status
from haven.hashbank.hashing import hash_file
from haven.hashbank.importing import RecordInput
from haven.hashbank.matcher import matcher
from haven.hashbank.models import BankRecord
from tests.conftest import Orgs
from tests.hashbank.conftest import SAMPLES, load, save


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def match_key(orgs: Orgs) -> str:
    return create_api_key(orgs.platform, ["hashes:match"]).secret


@pytest.fixture
def read_key(orgs: Orgs) -> str:
    return create_api_key(orgs.platform, ["hashes:read"]).secret


def verify(record: BankRecord, *graders: User) -> BankRecord:
    for user in graders:
        record = give_verdict(record, grader=user, category=record.category)
    return record


@pytest.fixture
def coffee(db: None, grader: User, supervisor: User) -> Iterator[BankRecord]:
    """A verified category B record in the national list, so partners may see it."""
    matcher().reset()
    h = hash_file(SAMPLES / "coffee.png")
    national = get_or_create_list("national")
    add_records(
        [RecordInput(sha256=h.sha256, pdq=h.pdq, pdq_quality=h.quality, category="B", series="S-7")], national
    )
    yield verify(BankRecord.objects.get(sha256=h.sha256), grader, supervisor)
    matcher().reset()


def test_match_by_hashes(client: Client, match_key: str, coffee: BankRecord) -> None:
    body = {
        "hashes": [
            {"sha256": coffee.sha256},
            {"pdq": coffee.pdq},
            {"md5": "0" * 32},
            {"pdq": coffee.pdq, "quality": 10},
        ]
    }
    response = client.post("/api/v1/match", body, content_type="application/json", **bearer(match_key))  # type: ignore[arg-type]
    assert response.status_code == 200
    results = response.json()
    assert [r["status"] for r in results] == ["known", "known", "unknown", "low_quality"]
    assert results[0]["matches"] == [
        {
            "record": coffee.pk,
            "category": "B",
            "series": "S-7",
            "distance": 0,
            "variant": "sha256",
            "list": "national",
            "evidence": None,  # a robust match's alone
        }
    ]
    assert results[1]["matches"][0]["variant"] == "original"
    # Two of the four queries found the record: two sightings, and last_seen moved on.
    before = coffee.last_seen
    coffee.refresh_from_db()
    assert coffee.hit_count == 2
    assert coffee.last_seen > before


def test_match_validation_names_the_field(client: Client, match_key: str, db: None) -> None:
    body = {"hashes": [{"sha256": "a" * 64}, {"pdq": "xyz"}, {}]}
    response = client.post("/api/v1/match", body, content_type="application/json", **bearer(match_key))  # type: ignore[arg-type]
    assert response.status_code == 422
    paths = [e["path"] for e in response.json()["errors"]]
    assert "hashes[1].pdq" in paths
    assert "hashes[2]" in paths


def test_match_by_file_finds_a_mirrored_copy(
    client: Client, match_key: str, coffee: BankRecord, tmp_path: Path
) -> None:
    path = save(ImageOps.mirror(load("coffee.png")), tmp_path / "m.jpg", "JPEG", quality=80)
    upload = SimpleUploadedFile("m.jpg", path.read_bytes(), content_type="image/jpeg")
    response = client.post("/api/v1/match/file", {"file": upload}, **bearer(match_key))  # type: ignore[arg-type]
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "known"
    assert body["matches"][0]["record"] == coffee.pk
    assert body["matches"][0]["variant"] != "original"


def test_match_needs_the_scope(client: Client, read_key: str, db: None) -> None:
    body = {"hashes": [{"md5": "0" * 32}]}
    response = client.post("/api/v1/match", body, content_type="application/json", **bearer(read_key))  # type: ignore[arg-type]
    assert response.status_code == 403
    assert client.post("/api/v1/match", body, content_type="application/json").status_code == 401


# On PostgreSQL a hash list sends only changes whose transaction has ended: not the test's own.
@pytest.mark.django_db(transaction=True)
def test_hash_lists_are_incremental(
    client: Client, read_key: str, coffee: BankRecord, grader: User, supervisor: User
) -> None:
    def _verified(record: BankRecord) -> None:
        for user in (grader, supervisor):
            give_verdict(record, grader=user, category=record.category)

    national = get_or_create_list("national")
    others = []
    for i in range(3):
        add_records([RecordInput(sha256=f"{i:064x}", category="A")], national)
        others.append(BankRecord.objects.get(sha256=f"{i:064x}"))
    add_records([RecordInput(sha256="f" * 64, category="not_indecent")], national)
    for rec in [coffee, *others]:
        _verified(rec)
    _verified(BankRecord.objects.get(sha256="f" * 64))

    first = client.get("/api/v1/hashlists/national?limit=3", **bearer(read_key)).json()  # type: ignore[arg-type]
    assert first["more"] is True
    second = client.get(f"/api/v1/hashlists/national?since={first['next']}", **bearer(read_key)).json()  # type: ignore[arg-type]
    items = first["items"] + second["items"]
    added = [i["sha256"] for i in items if i["action"] == "add"]
    expected = [str(r.sha256) for r in (coffee, *others)]
    assert sorted(added) == sorted(expected)  # never the not-indecent one
    # An incremental page also says "remove" for a record changed in the list that no partner should hold.
    assert [i["sha256"] for i in items if i["action"] == "remove"] in ([], ["f" * 64])

    nothing = client.get(f"/api/v1/hashlists/national?since={second['next']}", **bearer(read_key)).json()  # type: ignore[arg-type]
    assert nothing["items"] == []
    set_status(others[0], "disabled")
    removed = client.get(f"/api/v1/hashlists/national?since={second['next']}", **bearer(read_key)).json()  # type: ignore[arg-type]
    assert [(i["sha256"], i["action"]) for i in removed["items"]] == [(others[0].sha256, "remove")]


def test_hash_list_access(client: Client, read_key: str, orgs: Orgs, db: None) -> None:
    get_or_create_list("partner:other-platform")
    get_or_create_list("partner:platform")
    assert client.get("/api/v1/hashlists/partner:other-platform", **bearer(read_key)).status_code == 404  # type: ignore[arg-type]
    assert client.get("/api/v1/hashlists/partner:platform", **bearer(read_key)).status_code == 200  # type: ignore[arg-type]
    assert client.get("/api/v1/hashlists/national?since=garbage", **bearer(read_key)).status_code == 422  # type: ignore[arg-type]
    assert client.get("/api/v1/hashlists/national").status_code == 401
    assert Organisation.objects.filter(slug="platform").exists()


def test_an_oversized_upload_gets_413(client: Client, match_key: str, settings: object, db: None) -> None:
    settings.MATCH_MAX_UPLOAD_BYTES = 100  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("big.png", (SAMPLES / "coffee.png").read_bytes(), content_type="image/png")
    response = client.post("/api/v1/match/file", {"file": upload}, **bearer(match_key))  # type: ignore[arg-type]
    assert response.status_code == 413
    assert response.json()["detail"] == "file: larger than the 100-byte limit"
