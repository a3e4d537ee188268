"""Security headers, cookies, health checks and error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from haven.accounts.models import User
from haven.conf import env_bool, env_database, env_int, env_list, env_secret
from haven.views import server_error
from tests.conftest import PASSWORD


def test_production_defaults() -> None:
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.DEMO_SKIP_2FA is False


def test_security_headers_on_every_page(client: Client, db: None) -> None:
    response = client.get("/", secure=True)
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")


def test_session_cookie_is_secure_httponly_and_strict(client: Client, analyst: User) -> None:
    response = client.post("/staff/login/", {"username": "alice", "password": PASSWORD}, secure=True)
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"


def form_token(response: Any) -> str:
    """The CSRF token a page's form carries (it lives in the session; there is no CSRF cookie)."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert found is not None
    return found.group(1)


def test_a_form_post_with_a_null_origin_from_our_own_page_is_accepted(analyst: User) -> None:
    """Under Referrer-Policy: no-referrer, browsers send Origin: null on same-origin form posts."""
    client = Client(enforce_csrf_checks=True)
    token = form_token(client.get("/staff/login/"))
    data = {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    same = client.post("/staff/login/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin")
    assert same.status_code == 302
    cross = Client(enforce_csrf_checks=True)
    token = form_token(cross.get("/staff/login/"))
    data["csrfmiddlewaretoken"] = token
    assert (
        cross.post("/staff/login/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site").status_code
        == 403
    )
    assert cross.post("/staff/login/", data, HTTP_ORIGIN="null").status_code == 403
    assert cross.post("/staff/login/", data, HTTP_ORIGIN="https://evil.example").status_code == 403


def test_healthz(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_when_ready(client: Client, db: None) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_reports_unapplied_migrations(client: Client, db: None) -> None:
    MigrationRecorder.Migration.objects.filter(app="audit", name="0002_head_and_append_only_trigger").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 unapplied"


def test_not_found_page_is_friendly(client: Client, db: None) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Exit this page" in response.content


def test_server_error_page_shows_no_details(rf: pytest.FixtureRequest) -> None:
    response = server_error(rf.get("/"))  # type: ignore[attr-defined]
    assert response.status_code == 500
    assert b"Traceback" not in response.content
    assert b"Sorry, there is a problem with the service" in response.content


def test_every_public_page_has_exit_this_page(client: Client, db: None) -> None:
    for url in ("/", "/advice/young-people/", "/advice/parents-and-carers/", "/advice/professionals/"):
        page = client.get(url).content.decode()
        assert 'data-module="govuk-exit-this-page"' in page, url
        assert 'href="/exit/"' in page  # which ends the session, then goes to settings.EXIT_PAGE_URL


def test_staff_pages_load_moj_frontend(sign_in: Callable[..., Client], analyst: User) -> None:
    page = sign_in(analyst).get("/staff/").content.decode()
    assert "moj-frontend.min.css" in page
    assert "moj-primary-navigation" in page


class TestEnvParsers:
    def test_bool(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for raw, expected in [
            ("1", True),
            ("yes", True),
            ("ON", True),
            ("0", False),
            ("off", False),
            ("", False),
        ]:
            monkeypatch.setenv("X_FLAG", raw)
            assert env_bool("X_FLAG") is expected
        monkeypatch.delenv("X_FLAG")
        assert env_bool("X_FLAG", default=True) is True

    def test_int_bounds(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("X_INT", "5")
        assert env_int("X_INT", 1, minimum=1, maximum=10) == 5
        monkeypatch.setenv("X_INT", "0")
        with pytest.raises(Exception, match="X_INT: must be at least 1"):
            env_int("X_INT", 1, minimum=1)

    def test_list(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("X_LIST", " a.example , b.example,")
        assert env_list("X_LIST", []) == ["a.example", "b.example"]
        monkeypatch.setenv("X_LIST", " , ")
        with pytest.raises(Exception, match="X_LIST: expected a comma-separated list"):
            env_list("X_LIST", [])

    def test_secret_from_env_or_file_but_not_both(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: object
    ) -> None:
        key_file = Path(str(tmp_path)) / "s"
        key_file.write_text("from-file\n")
        monkeypatch.setenv("X_SECRET_FILE", str(key_file))
        assert env_secret("X_SECRET") == "from-file"
        monkeypatch.setenv("X_SECRET", "direct")
        with pytest.raises(Exception, match="both set"):
            env_secret("X_SECRET")

    def test_database_urls(self, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
        default = Path(str(tmp_path)) / "default.sqlite3"
        monkeypatch.delenv("X_DB", raising=False)
        sqlite = env_database("X_DB", default)
        assert sqlite["NAME"] == str(default)
        assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
        assert "busy_timeout" in sqlite["OPTIONS"]["init_command"]
        monkeypatch.setenv("X_DB", "postgresql://haven:pw@127.0.0.1:5432/haven")
        pg = env_database("X_DB", default)
        assert (pg["ENGINE"], pg["NAME"], pg["HOST"], pg["PORT"]) == (
            "django.db.backends.postgresql", "haven", "127.0.0.1", 5432,
        )  # fmt: skip
        monkeypatch.setenv("X_DB", "postgresql://127.0.0.1:5432/")
        with pytest.raises(Exception, match="X_DB: the URL names no database"):
            env_database("X_DB", default)


PUBLIC_PAGES = ["/", "/advice/young-people/", "/report/"]


@pytest.mark.parametrize("url", [*PUBLIC_PAGES, "/healthz", "/staff/login/"])
def test_no_response_is_kept_by_the_browser(client: Client, url: str, db: None) -> None:
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_no_public_cookie_outlives_the_browser_session(db: None) -> None:
    client = Client()
    for url in PUBLIC_PAGES:
        client.get(url)
    started = client.post("/report/")
    assert started.status_code == 302
    page = client.get(started["Location"])
    cookies = {**page.cookies, **started.cookies}
    assert "csrftoken" not in cookies  # the token is in the session
    for name, cookie in cookies.items():
        assert not cookie["max-age"] and not cookie["expires"], name
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
