"""Input at and past the limits gets a clear 4xx with problem+json, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from haven.accounts.actions import create_api_key
from haven.accounts.models import User
from haven.intake.models import Report
from tests.conftest import Keys, Orgs
from tests.intake.conftest import a_report
from tests.test_api import assert_problem, key_headers

pytestmark = pytest.mark.django_db


def big_report(i: int) -> dict[str, Any]:
    """About 20 KB, well inside the schema's limits: a long summary and a hundred identifiers."""
    report = a_report(f"BIG-{i}", incident__summary="An adult asked a child to keep a secret. " * 400)
    report["reported_persons"][0]["identifiers"] += [
        {"kind": "email", "value": f"user{i}.{n}@example.com"} for n in range(100)
    ]
    return report


def test_a_full_batch_within_the_schema_is_taken(client: Client, keys: Keys) -> None:
    body = json.dumps({"reports": [big_report(i) for i in range(200)]})
    assert 4_000_000 < len(body) < 32 * 1024 * 1024
    response = client.post(
        "/api/v1/reports:batch", body, content_type="application/json", headers=key_headers(keys.platform)
    )
    assert response.status_code == 200, response.content[:500]
    assert {r["outcome"] for r in response.json()} == {"created"}
    assert Report.objects.count() == 200


def test_a_body_past_the_limit_gets_413(client: Client, keys: Keys, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps({"reports": [big_report(i) for i in range(20)]})
    response = client.post(
        "/api/v1/reports:batch", body, content_type="application/json", headers=key_headers(keys.platform)
    )
    problem = assert_problem(response, 413)
    assert "100,000-byte limit" in str(problem["detail"])
    assert Report.objects.count() == 0


@pytest.fixture
def match_key(orgs: Orgs) -> str:
    return create_api_key(orgs.platform, ["hashes:match"]).secret


def test_a_file_past_the_match_limit_gets_413_not_422(client: Client, match_key: str, settings: Any) -> None:
    settings.MATCH_MAX_UPLOAD_BYTES = 1_000_000
    upload = SimpleUploadedFile("big.bin", b"\0" * 3_000_000)  # past Django's 2.5 MB in-memory size too
    problem = assert_problem(
        client.post("/api/v1/match/file", {"file": upload}, headers=key_headers(match_key)), 413
    )
    assert problem["detail"] == "file: larger than the 1,000,000-byte limit"


def test_a_match_upload_needs_exactly_one_file_part(client: Client, match_key: str) -> None:
    none = client.post("/api/v1/match/file", {"other": "x"}, headers=key_headers(match_key))
    assert "field `file`" in str(assert_problem(none, 400)["detail"])
    two = {"file": SimpleUploadedFile("a.png", b"a"), "more": SimpleUploadedFile("b.png", b"b")}
    assert "one file part" in str(
        assert_problem(client.post("/api/v1/match/file", two, headers=key_headers(match_key)), 400)["detail"]
    )


def test_a_multipart_body_without_a_boundary_gets_400(client: Client, match_key: str, keys: Keys) -> None:
    response = client.generic(
        "POST",
        "/api/v1/match/file",
        b"--x\r\n",
        content_type="multipart/form-data",
        headers=key_headers(match_key),
    )
    assert "multipart" in str(assert_problem(response, 400)["detail"])


def test_an_offset_of_twenty_digits_is_named(client: Client, keys: Keys) -> None:
    response = client.get("/api/v1/reports?offset=" + "9" * 20, headers=key_headers(keys.platform))
    problem = assert_problem(response, 422)
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert [e["path"] for e in errors] == ["offset"]


@pytest.mark.parametrize("url", ["/staff/reports/", "/staff/audit/", "/staff/audit/export.csv"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_end_of_the_calendar_is_refused_not_an_error(
    sign_in: Callable[..., Client], supervisor: User, url: str, day: str
) -> None:
    response = sign_in(supervisor).get(url, {"date_to": day})
    assert response.status_code == 400
    if not url.endswith(".csv"):
        assert "Enter a date between 1900 and 2999" in response.content.decode()


def test_a_nul_character_is_dropped_not_a_server_error(client: Client, keys: Keys) -> None:
    body = a_report("NUL-\x001", incident__summary="Said\x00 nothing")
    response = client.post(
        "/api/v1/reports", body, content_type="application/json", headers=key_headers(keys.platform)
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert (report.external_id, report.payload["incident"]["summary"]) == ("NUL-1", "Said nothing")
    only_nul = client.post(
        "/api/v1/reports",
        a_report("\x00"),
        content_type="application/json",
        headers=key_headers(keys.platform),
    )
    errors = assert_problem(only_nul, 422)["errors"]
    assert isinstance(errors, list)
    assert [e["path"] for e in errors] == ["external_id"]
