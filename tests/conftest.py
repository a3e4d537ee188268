"""Personas for every role, as STYLE.md asks: named people in invented organisations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.actions import create_api_key, create_organisation, create_user
from haven.accounts.models import Organisation, OrganisationKind, Role, User

PASSWORD = "correct-horse-battery-staple-42"


@dataclass
class Orgs:
    centre: Organisation
    force_a: Organisation
    force_b: Organisation
    platform: Organisation
    other_platform: Organisation
    hotline: Organisation


@pytest.fixture
def orgs(db: None) -> Orgs:
    return Orgs(
        centre=create_organisation("centre", "Test Centre", OrganisationKind.CENTRE),
        force_a=create_organisation("force-a", "Northshire Police", OrganisationKind.POLICE_FORCE),
        force_b=create_organisation("force-b", "Westmoor Constabulary", OrganisationKind.POLICE_FORCE),
        platform=create_organisation("platform", "Example Platform Ltd", OrganisationKind.INDUSTRY),
        other_platform=create_organisation("other-platform", "Other Platform Ltd", OrganisationKind.INDUSTRY),
        hotline=create_organisation("hotline", "Example Hotline", OrganisationKind.HOTLINE),
    )


def _make(username: str, role: str, org: Organisation) -> User:
    return create_user(
        username, role=role, organisation=org, password=PASSWORD, email=f"{username}@example.org"
    )


@pytest.fixture
def analyst(orgs: Orgs) -> User:
    return _make("alice", Role.ANALYST, orgs.centre)


@pytest.fixture
def grader(orgs: Orgs) -> User:
    return _make("gita", Role.GRADER, orgs.centre)


@pytest.fixture
def supervisor(orgs: Orgs) -> User:
    return _make("sam", Role.SUPERVISOR, orgs.centre)


@pytest.fixture
def admin_user(orgs: Orgs) -> User:
    return _make("ada", Role.ADMIN, orgs.centre)


@pytest.fixture
def liaison_a(orgs: Orgs) -> User:
    return _make("lee", Role.FORCE_LIAISON, orgs.force_a)


@pytest.fixture
def liaison_b(orgs: Orgs) -> User:
    return _make("lou", Role.FORCE_LIAISON, orgs.force_b)


@pytest.fixture
def partner(orgs: Orgs) -> User:
    return _make("pat", Role.PARTNER, orgs.platform)


@pytest.fixture
def outsider(orgs: Orgs) -> User:
    """A partner at a different platform: signed in, but nobody whose data this is."""
    return _make("olly", Role.PARTNER, orgs.other_platform)


@pytest.fixture
def personas(
    analyst: User,
    grader: User,
    supervisor: User,
    admin_user: User,
    liaison_a: User,
    liaison_b: User,
    partner: User,
    outsider: User,
) -> dict[str, User]:
    return {
        "analyst": analyst,
        "grader": grader,
        "supervisor": supervisor,
        "admin": admin_user,
        "liaison_a": liaison_a,
        "liaison_b": liaison_b,
        "partner": partner,
        "outsider": outsider,
    }


def verified_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


@pytest.fixture
def sign_in() -> Callable[..., Client]:
    """A client signed in as ``user``, past the second factor unless ``verified=False``."""

    def make(user: User, *, verified: bool = True) -> Client:
        client = Client()
        client.force_login(user)
        if verified:
            device = verified_device(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return make


@dataclass
class Keys:
    platform: str
    other_platform: str
    hashes_only: str


@pytest.fixture
def keys(orgs: Orgs) -> Keys:
    return Keys(
        platform=create_api_key(orgs.platform, ["reports:write", "reports:read"]).secret,
        other_platform=create_api_key(orgs.other_platform, ["reports:write"]).secret,
        hashes_only=create_api_key(orgs.platform, ["hashes:read"]).secret,
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: object) -> None:
    """Argon2 costs about 0.15 s a password; tests that don't check hashing itself use a fast hasher."""
    if "real_hashers" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
