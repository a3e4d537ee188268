"""API authentication, scopes and RFC 9457 errors."""

from __future__ import annotations

import pytest
from django.test import Client

from haven.accounts.actions import revoke_api_key
from haven.accounts.models import ApiKey
from haven.api import field_path
from haven.audit.models import AuditEntry
from tests.conftest import Keys

URL = "/api/v1/reports"


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def key_headers(key: str) -> dict[str, str]:
    """``bearer`` for the test client's typed ``headers=`` argument."""
    return {"Authorization": f"Bearer {key}"}


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/problem+json"  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["title"]
    assert "Traceback" not in str(body)
    return body  # type: ignore[no-any-return]


def test_a_good_key_lists_reports(client: Client, keys: Keys) -> None:
    response = client.get(URL, **bearer(keys.platform))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}
    entry = AuditEntry.objects.get(action="report.list")
    assert (entry.actor, entry.organisation) == (f"apikey:{keys.platform.split('_')[1]}", "platform")


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer hvn_00000000_wrong", "Bearer not-a-haven-key"],
)
def test_missing_or_bad_keys_get_401(client: Client, keys: Keys, header: str | None) -> None:
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    body = assert_problem(client.get(URL, **extra), 401)  # type: ignore[arg-type]
    assert body["instance"] == URL


def test_401_names_the_scheme(client: Client, db: None) -> None:
    assert client.get(URL)["WWW-Authenticate"] == 'Bearer realm="haven"'


def test_a_right_prefix_with_a_wrong_secret_gets_401(client: Client, keys: Keys) -> None:
    prefix = keys.platform.split("_")[1]
    assert_problem(client.get(URL, **bearer(f"hvn_{prefix}_guessed-secret")), 401)  # type: ignore[arg-type]


def test_a_revoked_key_gets_401(client: Client, keys: Keys) -> None:
    revoke_api_key(ApiKey.objects.get(prefix=keys.platform.split("_")[1]))
    assert_problem(client.get(URL, **bearer(keys.platform)), 401)  # type: ignore[arg-type]


def test_a_key_without_the_scope_gets_403(client: Client, keys: Keys) -> None:
    body = assert_problem(client.get(URL, **bearer(keys.hashes_only)), 403)  # type: ignore[arg-type]
    assert "reports:read or reports:write" in str(body["detail"])


def test_last_use_is_recorded(client: Client, keys: Keys) -> None:
    key = ApiKey.objects.get(prefix=keys.platform.split("_")[1])
    assert key.last_used_at is None
    client.get(URL, **bearer(keys.platform))  # type: ignore[arg-type]
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_secret_is_not_stored(keys: Keys) -> None:
    for key in ApiKey.objects.all():
        assert key.digest not in (keys.platform, keys.other_platform, keys.hashes_only)
        assert len(key.digest) == 64


def test_validation_errors_carry_the_field_path(client: Client, keys: Keys) -> None:
    body = assert_problem(client.get(URL + "?limit=5000&offset=x", **bearer(keys.platform)), 422)  # type: ignore[arg-type]
    paths = sorted(error["path"] for error in body["errors"])  # type: ignore[attr-defined]
    assert paths == ["limit", "offset"]


def test_unknown_api_paths_are_problems_too(client: Client, db: None) -> None:
    assert_problem(client.get("/api/v1/no-such-thing"), 404)


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (["body", "payload", "incident", "type"], "incident.type"),
        (
            ["body", "payload", "reported_persons", 0, "identifiers", 2, "kind"],
            "reported_persons[0].identifiers[2].kind",
        ),
        (["query", "limit"], "limit"),
        (["body", "payload"], "payload"),
    ],
)
def test_field_paths_read_like_the_json(loc: list[object], path: str) -> None:
    assert field_path(loc) == path


def test_openapi_describes_the_api_and_its_auth(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Haven API"
    assert "/api/v1/reports" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_docs_page_loads_its_assets_locally(client: Client, db: None) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in page
    assert "jsdelivr" not in page
