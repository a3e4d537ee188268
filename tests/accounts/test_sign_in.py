"""Signing in: password, then TOTP; first-time authenticator setup; throttling; idle expiry; Argon2."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from tests.conftest import PASSWORD, verified_device


def _password_step(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():06d}"


def test_first_sign_in_sets_up_an_authenticator_then_a_password(client: Client, analyst: User) -> None:
    User.objects.filter(pk=analyst.pk).update(password_is_one_time=True)  # as `haven createuser` leaves it
    response = _password_step(client, "alice")
    assert response["Location"] == reverse("accounts:two_factor")  # type: ignore[index]
    page = client.get(reverse("accounts:two_factor"))
    assert b"Set up your authenticator app" in page.content
    secret = re.search(rb'data-testid="totp-secret">([A-Z2-7]+)<', page.content)
    assert secret is not None
    device = TOTPDevice.objects.get(user=analyst)
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302  # not yet past the second factor

    done = client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert done["Location"] == reverse("home")
    device.refresh_from_db()
    assert device.confirmed
    # Past both factors, but with a one-time password: every page sends the person to choose their own.
    for url in (reverse("home"), reverse("intake:inbox")):
        assert client.get(url)["Location"] == reverse("accounts:password")
    weak = client.post(reverse("accounts:password"), {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 400
    new = "a-long-password-of-her-own-2026"
    chosen = client.post(reverse("accounts:password"), {"new_password1": new, "new_password2": new})
    assert chosen["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # the session survives the change
    analyst.refresh_from_db()
    assert not analyst.password_is_one_time and analyst.check_password(new)
    actions = list(AuditEntry.objects.filter(actor="alice").values_list("action", flat=True))
    assert actions == [
        "auth.login", "auth.2fa_setup", "auth.2fa_verified", "auth.password_changed",
        "staff.home",  # the analyst's home page shows her work: an audited view
    ]  # fmt: skip


def test_a_first_authenticator_needs_the_one_time_password(client: Client, analyst: User) -> None:
    # Someone who knows Alice's own password, but Alice has no authenticator yet (or had it removed).
    assert _password_step(client, "alice")["Location"] == reverse("accounts:two_factor")  # type: ignore[index]
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 403
    assert b"one-time password" in page.content and b"totp-secret" not in page.content
    assert not TOTPDevice.objects.filter(user=analyst).exists()
    assert client.post(reverse("accounts:two_factor"), {"token": "123456"}).status_code == 403
    assert client.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.2fa_setup_refused", actor="alice").exists()


def test_wrong_code_is_refused_and_audited(client: Client, analyst: User) -> None:
    device = verified_device(analyst)
    _password_step(client, "alice")
    wrong = _code(device, offset_steps=40)  # a code from 20 minutes away
    response = client.post(reverse("accounts:two_factor"), {"token": wrong})
    assert response.status_code == 200
    assert b"The security code is not correct" in response.content
    assert client.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.2fa_failed", actor="alice").count() == 1


@pytest.mark.parametrize("token", ["", "12345", "abcdef", "1234567"])
def test_malformed_codes_get_a_clear_error(client: Client, analyst: User, token: str) -> None:
    verified_device(analyst)
    _password_step(client, "alice")
    response = client.post(reverse("accounts:two_factor"), {"token": token})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"6-digit" in response.content or b"6 digits" in response.content


def test_returning_user_enters_a_code(client: Client, analyst: User) -> None:
    device = verified_device(analyst)
    _password_step(client, "alice")
    page = client.get(reverse("accounts:two_factor"))
    assert b"Enter your security code" in page.content
    assert b"totp-secret" not in page.content  # the secret is never shown again
    response = client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert response["Location"] == reverse("home")


def test_a_used_code_cannot_be_replayed(client: Client, analyst: User) -> None:
    device = verified_device(analyst)
    code = _code(device)
    _password_step(client, "alice")
    assert client.post(reverse("accounts:two_factor"), {"token": code}).status_code == 302
    other = Client()
    _password_step(other, "alice")
    assert other.post(reverse("accounts:two_factor"), {"token": code}).status_code == 200


def test_repeated_bad_passwords_are_throttled(client: Client, analyst: User, settings: object) -> None:
    for _ in range(4):
        response = _password_step(client, "alice", "wrong-password")
        assert response.status_code == 200  # type: ignore[attr-defined]
    assert _password_step(client, "alice", "wrong-password").status_code == 429  # type: ignore[attr-defined]
    locked = _password_step(client, "alice", PASSWORD)  # even the right password is refused now
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert b"Too many sign-in attempts" in locked.content  # type: ignore[attr-defined]
    assert AuditEntry.objects.filter(action="auth.login_failed").count() >= 5
    # Another account from the same address is not locked out by alice's failures.
    User.objects.filter(pk=analyst.pk).update(username="alice2")
    assert _password_step(Client(), "alice2", PASSWORD).status_code == 302  # type: ignore[attr-defined]


def test_sessions_expire_after_thirty_idle_minutes(sign_in: object, analyst: User, settings: object) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # type: ignore[attr-defined]
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # type: ignore[attr-defined]
    client: Client = sign_in(analyst)  # type: ignore[operator]
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("home")).status_code == 302


def test_activity_pushes_expiry_forward(sign_in: object, analyst: User) -> None:
    client: Client = sign_in(analyst)  # type: ignore[operator]
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get(reverse("home"))
    remaining = Session.objects.get().expire_date - timezone.now()
    assert remaining > timedelta(minutes=29)


@pytest.mark.real_hashers
def test_passwords_are_hashed_with_argon2(analyst: User) -> None:
    analyst.refresh_from_db()
    assert analyst.password.startswith("argon2$argon2id$")
    assert analyst.check_password(PASSWORD)


def test_sign_out_needs_post_and_ends_the_session(sign_in: object, analyst: User) -> None:
    client: Client = sign_in(analyst)  # type: ignore[operator]
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.logout", actor="alice").exists()


def test_codes_are_throttled_after_a_wrong_one(client: Client, analyst: User) -> None:
    device = verified_device(analyst)
    _password_step(client, "alice")
    client.post(reverse("accounts:two_factor"), {"token": _code(device, offset_steps=40)})
    response = client.post(reverse("accounts:two_factor"), {"token": _code(device)})
    assert b"Too many wrong codes" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_a_busy_session_still_ends_at_its_absolute_limit(
    client: Client, analyst: User, settings: object
) -> None:
    verified = verified_device(analyst)
    _password_step(client, "alice")
    client.post(reverse("accounts:two_factor"), {"token": _code(verified)})
    assert client.get(reverse("intake:inbox")).status_code == 200
    session = client.session
    session["haven_signed_in_at"] = session["haven_signed_in_at"] - 13 * 3600  # signed in 13 hours ago
    session.save()
    response = client.get(reverse("intake:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("intake:inbox")).status_code == 302  # signed out, not just turned away
    assert AuditEntry.objects.filter(action="auth.session_expired", actor="alice").exists()


def test_expired_sessions_are_cleared_by_a_chore(client: Client, analyst: User) -> None:
    from haven.core.chores import chores  # noqa: PLC0415

    _password_step(client, "alice")
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    fresh = Client()
    fresh.get(reverse("report:start"))
    fresh.post(reverse("report:start"))
    assert Session.objects.count() == 2
    (chore,) = [c for c in chores() if c.name == "clear_expired_sessions"]
    assert chore.run() == 1
    assert Session.objects.count() == 1


def test_lockout_behind_the_proxy_is_per_client_not_per_proxy(analyst: User, settings: object) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # type: ignore[attr-defined]
    settings.AXES_FAILURE_LIMIT = 3  # type: ignore[attr-defined]
    attacker = Client(
        REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    for _ in range(4):
        attacker.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"}, secure=True)
    locked = attacker.post(
        reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, secure=True
    )
    assert locked.status_code == 429
    alice = Client(
        REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_FOR="203.0.113.20"
    )
    response = alice.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD}, secure=True)
    assert response.status_code == 302


def test_changing_ones_password_needs_both_factors(
    client: Client, sign_in: Callable[..., Client], liaison_a: User
) -> None:
    url = reverse("accounts:password")
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    assert sign_in(liaison_a, verified=False).get(url)["Location"] == reverse("accounts:two_factor")
    assert sign_in(liaison_a).get(url).status_code == 200  # any role may change its own password
