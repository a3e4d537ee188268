"""The national register of police forces, shipped as data (``data/forces.csv``): the 43 territorial forces
of England and Wales, Police Scotland, the Police Service of Northern Ireland, British Transport Police,
and the route for cases abroad through the National Crime Agency. Each is an organisation of kind
``police_force`` whose slug is the register's code; its liaison officers are its users.

The codes are Haven's own, stable and readable (``greater-manchester``); the register does not carry the
ONS police force area codes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import IO

from django.utils.text import slugify

REGISTER = Path(__file__).parent / "data" / "forces.csv"
COLUMNS = ("code", "name", "kind", "nation")
KINDS = ("territorial", "special", "international")


@dataclass(frozen=True)
class Force:
    code: str
    name: str
    kind: str
    nation: str


class RegisterError(ValueError):
    """A register row that cannot be used; the message names the line and the problem."""


def code_and_name(row: dict[str, str | None], line: int, seen: set[str]) -> tuple[str, str]:
    """A register row's code and name, checked (a slug, not seen before; 1 to 200 characters), and the code
    added to ``seen``; RegisterError names the line and the problem."""
    code, name = ((row.get(c) or "").strip() for c in ("code", "name"))
    if not code or slugify(code) != code or len(code) > 100:
        raise RegisterError(
            f"line {line}: code: expected lowercase letters, digits and hyphens, not {code!r}"
        )
    if code in seen:
        raise RegisterError(f"line {line}: code {code!r} appears twice")
    if not name or len(name) > 200:
        raise RegisterError(f"line {line}: name: expected 1 to 200 characters")
    seen.add(code)
    return code, name


def read(stream: IO[str]) -> Iterator[Force]:
    """The forces of a register file, in order; RegisterError on the first bad line (a register is all
    or nothing: half a register would route cases to nowhere)."""
    reader = csv.DictReader(stream)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise RegisterError(f"line 1: the header must be {','.join(COLUMNS)}")
    seen: set[str] = set()
    for row in reader:
        code, name = code_and_name(row, reader.line_num, seen)
        kind = (row.get("kind") or "").strip()
        if kind not in KINDS:
            raise RegisterError(
                f"line {reader.line_num}: kind: expected one of {', '.join(KINDS)}, got {kind!r}"
            )
        yield Force(code, name, kind, (row.get("nation") or "").strip())


def shipped() -> list[Force]:
    with REGISTER.open(encoding="utf-8", newline="") as stream:
        return list(read(stream))


@cache
def names() -> Mapping[str, str]:
    """Each shipped force's full name by its code, read once a process (the pipeline asks per report)."""
    return MappingProxyType({f.code: f.name for f in shipped()})
