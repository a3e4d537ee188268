"""Signing in: password, then TOTP; first-time authenticator setup; throttling; idle expiry; Argon2."""

from __future__ import annotations

import re
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


def test_first_sign_in_sets_up_an_authenticator(client: Client, analyst: User) -> None:
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
    assert client.get(reverse("home")).status_code == 200
    actions = list(AuditEntry.objects.filter(actor="alice").values_list("action", flat=True))
    assert actions == ["auth.login", "auth.2fa_setup", "auth.2fa_verified"]


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
