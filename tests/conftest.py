"""Personas for every role, as STYLE.md asks: named people in invented organisations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.actions import create_api_key, create_organisation, create_user
from haven.accounts.models import Organisation, OrganisationKind, Role, User
from haven.hashbank.matcher import matcher

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


# persona fixture name: (username, role, attribute of Orgs)
PERSONAS: dict[str, tuple[str, str, str]] = {
    "analyst": ("alice", Role.ANALYST, "centre"),
    "grader": ("gita", Role.GRADER, "centre"),
    "supervisor": ("sam", Role.SUPERVISOR, "centre"),
    "admin_user": ("ada", Role.ADMIN, "centre"),
    "liaison_a": ("lee", Role.FORCE_LIAISON, "force_a"),
    "liaison_b": ("lou", Role.FORCE_LIAISON, "force_b"),
    "partner": ("pat", Role.PARTNER, "platform"),
    # A partner at a different platform: signed in, but nobody whose data this is.
    "outsider": ("olly", Role.PARTNER, "other_platform"),
}


def _persona(name: str) -> Callable[[Orgs], User]:
    username, role, org = PERSONAS[name]

    @pytest.fixture(name=name)
    def make(orgs: Orgs) -> User:
        return create_user(
            username,
            role=role,
            organisation=getattr(orgs, org),
            password=PASSWORD,
            email=f"{username}@example.org",
        )

    return make


analyst = _persona("analyst")
grader = _persona("grader")
supervisor = _persona("supervisor")
admin_user = _persona("admin_user")
liaison_a = _persona("liaison_a")
liaison_b = _persona("liaison_b")
partner = _persona("partner")
outsider = _persona("outsider")


@pytest.fixture
def personas(request: pytest.FixtureRequest) -> dict[str, User]:
    """Every persona, keyed as the permission tests name them."""
    return {name.removesuffix("_user"): request.getfixturevalue(name) for name in PERSONAS}


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


@pytest.fixture(autouse=True)
def _fresh_matcher() -> Iterator[None]:
    """The matcher caches the index and the enabled lists per process; each test's database is new."""
    matcher().reset()
    yield
    matcher().reset()
