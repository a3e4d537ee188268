"""Synthetic demo data: invented organisations and people, reserved-range identifiers only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from haven.accounts.actions import Scope, create_api_key, create_organisation, create_user
from haven.accounts.models import ApiKey, Organisation, OrganisationKind, Role, User

ORGANISATIONS = [
    ("centre", "Haven National Centre", OrganisationKind.CENTRE),
    ("greater-manchester", "Greater Manchester Police", OrganisationKind.POLICE_FORCE),
    ("west-yorkshire", "West Yorkshire Police", OrganisationKind.POLICE_FORCE),
    ("example-platform", "Example Platform Ltd (demo)", OrganisationKind.INDUSTRY),
    ("example-hotline", "Example Hotline (demo)", OrganisationKind.HOTLINE),
    # A real agency of the register (its name as the register has it), with an invented liaison.
    ("cs-manchester", "Manchester", OrganisationKind.CHILDREN_SERVICES),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str


LOGINS = [
    DemoLogin("analyst", "haven-demo-analyst", Role.ANALYST, "centre"),
    DemoLogin("grader", "haven-demo-grader", Role.GRADER, "centre"),
    DemoLogin("supervisor", "haven-demo-supervisor", Role.SUPERVISOR, "centre"),
    DemoLogin("admin", "haven-demo-admin", Role.ADMIN, "centre"),
    DemoLogin("manchester", "haven-demo-manchester", Role.FORCE_LIAISON, "greater-manchester"),
    DemoLogin("yorkshire", "haven-demo-yorkshire", Role.FORCE_LIAISON, "west-yorkshire"),
    DemoLogin("partner", "haven-demo-partner", Role.PARTNER, "example-platform"),
    DemoLogin("safeguarding", "haven-demo-safeguarding", Role.SAFEGUARDING_LIAISON, "cs-manchester"),
]

# Demo only: a fixed key so the README's curl examples work. It is stored hashed like any other key.
DEMO_API_KEY = "hvn_demo0001_not-a-secret-demo-key-for-example-platform"


@transaction.atomic
def seed() -> list[DemoLogin]:
    """Create whatever demo data is missing; running it again changes nothing."""
    orgs: dict[str, Organisation] = {}
    for slug, name, kind in ORGANISATIONS:
        existing = Organisation.objects.filter(slug=slug).first()
        orgs[slug] = existing or create_organisation(slug, name, kind)
    for login in LOGINS:
        if not User.objects.filter(username=login.username).exists():
            create_user(
                login.username,
                role=login.role,
                organisation=orgs[login.organisation],
                password=login.password,
                email=f"{login.username}@example.org",
                check_password_strength=False,
            )
    if not ApiKey.objects.filter(prefix=DEMO_API_KEY.split("_")[1]).exists():
        create_api_key(
            orgs["example-platform"],
            [Scope.REPORTS_WRITE, Scope.REPORTS_READ, Scope.HASHES_READ, Scope.HASHES_MATCH],
            name="demo key",
            secret=DEMO_API_KEY,
        )
    return LOGINS
