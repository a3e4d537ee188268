"""Organisations, people, roles and partner API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from haven.audit.actions import Identity


class OrganisationKind(models.TextChoices):
    CENTRE = "centre", "Centre"
    POLICE_FORCE = "police_force", "Police force"
    INDUSTRY = "industry", "Industry partner"
    HOTLINE = "hotline", "Hotline"
    CHILDREN_SERVICES = "children_services", "Children's services"


class Organisation(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ANALYST = "analyst", "Analyst"
    GRADER = "grader", "Grader"
    SUPERVISOR = "supervisor", "Supervisor"
    FORCE_LIAISON = "force_liaison", "Force liaison"
    SAFEGUARDING_LIAISON = "safeguarding_liaison", "Safeguarding liaison"
    PARTNER = "partner", "Partner"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    role = models.CharField(max_length=20, choices=Role.choices)
    # Set by `haven createuser` when it makes the password up: the person must choose their own at their
    # first sign-in, and only a session signed in with a one-time password may set up a first authenticator.
    password_is_one_time = models.BooleanField(default=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users")

    REQUIRED_FIELDS = ["email"]

    def audit_identity(self) -> Identity:
        return Identity(self.pk, self.username, self.organisation.slug)


class ApiKey(models.Model):
    """A partner organisation's API key. Only a SHA-256 digest of the secret is stored.

    The key is 256 bits from the OS's CSPRNG, so a fast hash is enough: unlike a person's password, there is
    nothing to brute-force.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.organisation.slug})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def audit_identity(self) -> Identity:
        return Identity(None, f"apikey:{self.prefix}", self.organisation.slug)
