"""Every change to organisations, users and API keys goes through these functions, each one audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts.models import ApiKey, Organisation, OrganisationKind, Role, User
from haven.accounts.roles import ROLE_ORGANISATION_KINDS
from haven.audit.actions import AuditActor, name_of, record

KEY_PREFIX = "hvn"


class Scope(StrEnum):
    REPORTS_WRITE = "reports:write"
    REPORTS_READ = "reports:read"
    HASHES_READ = "hashes:read"
    HASHES_MATCH = "hashes:match"


SCOPES: tuple[str, ...] = tuple(scope.value for scope in Scope)


class AccountError(ValueError):
    """A request to change accounts that breaks a rule; the message says which."""


def create_organisation(
    slug: str, name: str, kind: str, *, actor: AuditActor | None = None, request: HttpRequest | None = None
) -> Organisation:
    if kind not in OrganisationKind.values:
        raise AccountError(
            f"unknown organisation kind {kind!r}; expected one of {', '.join(OrganisationKind.values)}"
        )
    with transaction.atomic():
        if Organisation.objects.filter(slug=slug).exists():
            raise AccountError(f"organisation {slug!r} already exists")
        org = Organisation(slug=slug, name=name, kind=kind)
        org.full_clean()
        org.save()
        record("organisation.create", actor=actor, request=request, obj=org, details={"kind": kind})
    return org


def create_user(
    username: str,
    *,
    role: str,
    organisation: Organisation,
    password: str,
    email: str = "",
    check_password_strength: bool = True,
    one_time: bool = False,
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
) -> User:
    """A member of staff. ``one_time`` marks the password as one to be changed at the first sign-in."""
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(Role.values)}")
    allowed = ROLE_ORGANISATION_KINDS[role]
    if organisation.kind not in allowed:
        kinds = " or ".join(OrganisationKind(k).label.lower() for k in sorted(allowed))
        raise AccountError(
            f"a {Role(role).label.lower()} must belong to a {kinds}, not {organisation.slug!r}"
        )
    user = User(
        username=username, email=email, role=role, organisation=organisation, password_is_one_time=one_time
    )
    if check_password_strength:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise AccountError("password rejected: " + " ".join(exc.messages)) from None
    user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise AccountError(f"user {username!r} already exists")
        user.full_clean(exclude=["password"])
        user.save()
        record(
            "user.create",
            actor=actor,
            request=request,
            obj=user,
            details={"role": role, "org": organisation.slug, "one_time_password": one_time},
        )
    return user


def change_own_password(user: User, new_password: str, *, request: HttpRequest | None = None) -> User:
    """A person sets their own password (their form has checked it against the validators)."""
    with transaction.atomic():
        was_one_time = user.password_is_one_time
        user.set_password(new_password)
        user.password_is_one_time = False
        user.save(update_fields=["password", "password_is_one_time"])
        record("auth.password_changed", actor=user, request=request, obj=user,
               details={"was_one_time": was_one_time})  # fmt: skip
    return user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str


def create_api_key(
    organisation: Organisation,
    scopes: list[str],
    *,
    name: str = "",
    actor: AuditActor | None = None,
    request: HttpRequest | None = None,
    secret: str | None = None,
) -> NewKey:
    """Make a key and return its secret, which is never stored and cannot be shown again.

    ``secret`` is for the demo seed only, so that its printed key stays the same from run to run.
    """
    if organisation.kind == OrganisationKind.CENTRE:
        raise AccountError("API keys are for partner organisations, not the centre")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise AccountError(
            f"unknown scope {', '.join(unknown)!r}; expected one or more of {', '.join(SCOPES)}"
            if unknown
            else "a key needs at least one scope"
        )
    prefix = secrets.token_hex(4) if secret is None else secret.split("_")[1]
    plaintext = secret or f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        key = ApiKey.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            digest=_digest(plaintext),
            scopes=sorted(set(scopes)),
            created_by=name_of(actor),
        )
        record("apikey.create", actor=actor, request=request, obj=key, details={"scopes": key.scopes})
    return NewKey(key, plaintext)


def revoke_api_key(
    key: ApiKey, *, actor: AuditActor | None = None, request: HttpRequest | None = None
) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            record("apikey.revoke", actor=actor, request=request, obj=key)
    return key


def find_api_key(presented: str) -> ApiKey | None:
    """The active key for a presented secret, or None. Records when the key was last used."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = (
        ApiKey.objects.select_related("organisation").filter(prefix=parts[1], revoked_at__isnull=True).first()
    )
    if key is None or not hmac.compare_digest(key.digest, _digest(presented)):
        return None
    now = timezone.now()
    # One write a minute at most per key keeps a busy partner from turning every request into an UPDATE.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def start_totp_setup(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, made on first use; confirmed devices are never replaced here."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_totp_device(device: TOTPDevice, *, request: HttpRequest) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("auth.2fa_setup", request=request, actor=device.user, obj=device)


def clear_expired_sessions() -> int:
    """Delete the sessions past their expiry (Django keeps them until something does)."""
    from django.contrib.sessions.models import Session  # noqa: PLC0415  (only the chore needs it)

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def reset_sign_in(user: User, one_time_password: str, *, actor: AuditActor | None = None) -> int:
    """For a person who lost their authenticator (or their password): a one-time password, and their
    authenticators removed, so that their next sign-in sets up a new one and then their own password.
    Returns how many authenticators were removed."""
    with transaction.atomic():
        user.set_password(one_time_password)
        user.password_is_one_time = True
        user.save(update_fields=["password", "password_is_one_time"])
        removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
        record("user.sign_in_reset", actor=actor, obj=user, details={"authenticators_removed": removed})
    return removed
