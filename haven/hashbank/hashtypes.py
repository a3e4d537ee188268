"""The bank's hash types in one place: their names, hex lengths, strength order and spelling.

The schemas at the boundary accept either case; everything stored or compared is lowercase.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64}
STRENGTH = ("sha256", "sha1", "md5")  # strongest first: a record is known by its strongest hash
EXACT = frozenset(STRENGTH)


def pattern(length: int) -> str:
    """The regular expression a schema checks a hash against: ``length`` hex digits, either case."""
    return rf"^[0-9a-fA-F]{{{length}}}$"


Md5Hex = Annotated[str, StringConstraints(pattern=pattern(32))]
Sha1Hex = Annotated[str, StringConstraints(pattern=pattern(40))]
Sha256Hex = Annotated[str, StringConstraints(pattern=pattern(64))]
PdqHex = Annotated[str, StringConstraints(pattern=pattern(64))]


def lower_hex(value: str | None) -> str | None:
    """A hash as it is stored: lowercase, without surrounding space; None for nothing."""
    value = (value or "").strip().lower()
    return value or None


def stored_pattern(length: int) -> str:
    """The regular expression a stored hash matches: ``length`` lowercase hex digits."""
    return rf"^[0-9a-f]{{{length}}}$"


_STORED = {name: re.compile(stored_pattern(length)) for name, length in LENGTHS.items()}


def clean(name: str, value: str | None) -> str | None:
    """``value`` as a stored hash of kind ``name``; ValueError names the kind and what was wrong."""
    if not value:
        return None
    if not _STORED[name].fullmatch(value):  # the common case, already stored form, checked once
        value = value.strip().lower()
        if not value:
            return None
        if not _STORED[name].fullmatch(value):
            length = LENGTHS[name]
            raise ValueError(f"{name}: expected {length} hexadecimal characters, got {value[:80]!r}")
    return value


def kind_of(value: str) -> tuple[str, ...]:
    """The hash kinds a lowercase hex string of this length can be (a 64-digit one is sha256 or PDQ)."""
    return tuple(name for name, length in LENGTHS.items() if len(value) == length)
