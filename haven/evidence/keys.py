"""Master keys for the evidence store, from HAVEN_EVIDENCE_KEY (or _FILE) and HAVEN_EVIDENCE_OLD_KEYS.

A key is 32 random bytes in base64 (``haven evidence new-key`` prints one). Its id is the first 16 hex
characters of its SHA-256, so a blob records which key wrapped it without storing the key."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class MasterKey:
    id: str
    secret: bytes


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def parse(value: str, name: str) -> MasterKey:
    try:
        secret = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name}: not base64 (use `haven evidence new-key`)") from None
    if len(secret) != 32:
        raise ImproperlyConfigured(f"{name}: must be 32 bytes of base64, got {len(secret)} bytes")
    return MasterKey(hashlib.sha256(secret).hexdigest()[:16], secret)


def current() -> MasterKey:
    if not settings.EVIDENCE_KEY:
        raise ImproperlyConfigured("HAVEN_EVIDENCE_KEY: not set (or set HAVEN_EVIDENCE_KEY_FILE)")
    return parse(settings.EVIDENCE_KEY, "HAVEN_EVIDENCE_KEY")


def by_id(key_id: str) -> MasterKey:
    """The current key or a retired one, by id."""
    candidates = [current()] + [
        parse(value, "HAVEN_EVIDENCE_OLD_KEYS") for value in settings.EVIDENCE_OLD_KEYS
    ]
    for key in candidates:
        if key.id == key_id:
            return key
    raise ImproperlyConfigured(
        f"evidence key {key_id} is neither HAVEN_EVIDENCE_KEY nor in HAVEN_EVIDENCE_OLD_KEYS"
    )
