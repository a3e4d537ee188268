"""The register of child protection agencies, shipped as data (``data/agencies.csv``): the children's
services authority of every local authority in England (153), Wales (22) and Scotland (32), and the five
Health and Social Care Trusts of Northern Ireland. Each is an organisation of kind ``children_services``
whose slug is the register's code; its safeguarding liaisons are its users.

The codes are Haven's own and readable (``cs-manchester``, ``hsct-belfast``), so that they never collide
with a force's code. Each local authority also carries its ONS (GSS) code (``E08000003``); the trusts have
none in the ONS series, and carry none.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import IO

from haven.referrals.forces import RegisterError, code_and_name

REGISTER = Path(__file__).parent / "data" / "agencies.csv"
COLUMNS = ("code", "name", "kind", "nation", "gss")
KINDS = ("local_authority", "hsc_trust")
NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
# The ONS code's first letter and entity: E06 unitary, E08 metropolitan district, E09 London borough,
# E10 county; W06 Welsh and S12 Scottish council areas.
_GSS = re.compile(r"^(E0[689]|E10|W06|S12)[0-9]{6}$")
_GSS_NATION = {"E": "England", "W": "Wales", "S": "Scotland"}


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str
    nation: str
    gss: str  # the ONS code, or "" for a trust


def read(stream: IO[str]) -> Iterator[Agency]:
    """The agencies of a register file, in order; RegisterError on the first bad line (all or nothing, as
    for the forces: half a register would route children to nowhere)."""
    reader = csv.DictReader(stream)
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise RegisterError(f"line 1: the header must be {','.join(COLUMNS)}")
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        code, name = code_and_name(row, line, seen)
        kind, nation, gss = ((row.get(c) or "").strip() for c in ("kind", "nation", "gss"))
        if kind not in KINDS:
            raise RegisterError(f"line {line}: kind: expected one of {', '.join(KINDS)}, got {kind!r}")
        if nation not in NATIONS:
            raise RegisterError(f"line {line}: nation: expected one of {', '.join(NATIONS)}, got {nation!r}")
        if kind == "local_authority" and not (_GSS.match(gss) and _GSS_NATION[gss[0]] == nation):
            raise RegisterError(
                f"line {line}: gss: expected the ONS code of a council in {nation} "
                f"(as E08000003), not {gss!r}"
            )
        if kind == "hsc_trust" and (gss or nation != "Northern Ireland"):
            raise RegisterError(f"line {line}: a trust is in Northern Ireland and has no ONS code")
        yield Agency(code, name, kind, nation, gss)


def shipped() -> list[Agency]:
    with REGISTER.open(encoding="utf-8", newline="") as stream:
        return list(read(stream))


@cache
def by_code() -> Mapping[str, Agency]:
    """Each shipped agency by its code, read once a process."""
    return MappingProxyType({a.code: a for a in shipped()})


def label(code: str) -> str:
    """An agency's name with its ONS code, for one line of output: ``Manchester (E08000003)``."""
    agency = by_code().get(code)
    if agency is None:
        return code
    return f"{agency.name} ({agency.gss})" if agency.gss else agency.name
