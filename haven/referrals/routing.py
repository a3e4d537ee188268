"""Which force should have a case: a UK postcode to its police force, through tables shipped as data.

``data/postcode_areas.csv`` gives each of the 124 postcode areas (``M``, ``SW``, ``BT`` ...) the force that
polices most of it; ``data/postcode_districts.csv`` gives the districts that differ (``CV1-CV6``: West
Midlands, where the rest of ``CV`` is Warwickshire), and for a district that straddles a boundary, every
force it reaches, for the analyst to choose. A sub-district (``EC2A``, ``SW1A``) is looked up as itself,
then as its district (``EC2``), then as its area.

The tables were written for Haven from public knowledge of force areas, not derived from the ONS
Postcode Directory: check them against the directory (its police force area field) before relying on
them, and correct them there. The Crown dependencies (Guernsey, Jersey, the Isle of Man) have their own
police, and route, with places abroad, to the international route.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
INTERNATIONAL = "nca-international"
_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")
_RANGE = re.compile(r"^([A-Z]{1,2})([0-9]{1,2})-\1([0-9]{1,2})$")


class RouteError(ValueError):
    """A postcode that cannot be routed; the message says why."""


@dataclass(frozen=True)
class Route:
    forces: tuple[str, ...]  # one force, or the candidates where a district crosses a boundary
    reason: str

    @property
    def settled(self) -> bool:
        return len(self.forces) == 1


@cache
def areas() -> dict[str, str]:
    with (DATA / "postcode_areas.csv").open(encoding="utf-8", newline="") as stream:
        return {row["area"]: row["force"] for row in csv.DictReader(stream)}


@cache
def districts() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    with (DATA / "postcode_districts.csv").open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            forces = tuple(row["forces"].split(";"))
            spec = row["districts"]
            ranged = _RANGE.match(spec)
            names = (
                [f"{ranged[1]}{n}" for n in range(int(ranged[2]), int(ranged[3]) + 1)] if ranged else [spec]
            )
            for name in names:
                table[name] = forces
    return table


def outward_code(postcode: str) -> str:
    """The outward code (district) of a full postcode or of an outward code alone, in capitals;
    RouteError says what is wrong with anything else."""
    text = re.sub(r"\s+", "", postcode.upper())
    if not text:
        raise RouteError("no postcode given")
    if not text.isalnum() or not text.isascii():
        raise RouteError(f"{postcode.strip()!r} is not a postcode: only letters and digits, as in M1 1AE")
    outward, inward = (text[:-3], text[-3:]) if len(text) >= 5 else (text, "")
    if inward and not _INWARD.match(inward):
        outward, inward = text, ""
    if not _OUTWARD.match(outward):
        raise RouteError(
            f"{postcode.strip()!r} is not a UK postcode: expected one or two letters, then a district "
            "number, then the inward part, as in M1 1AE or SW1A 1AA"
        )
    return outward


def route_postcode(postcode: str) -> Route:
    outward = outward_code(postcode)
    match = _OUTWARD.match(outward)
    assert match is not None  # outward_code checked it
    area, district = match[1], match[2]
    number = re.match(r"[0-9]+", district)
    plain = f"{area}{number[0]}" if number else outward
    for key in (outward, plain):
        if key in districts():
            forces = districts()[key]
            if len(forces) > 1:
                return Route(forces, f"postcode district {key} crosses a force boundary: choose one")
            return Route(forces, f"postcode district {key}")
    if area not in areas():
        raise RouteError(f"{outward}: there is no UK postcode area {area}")
    force = areas()[area]
    if force == INTERNATIONAL:
        return Route((force,), f"postcode area {area} is a Crown dependency, with its own police")
    return Route((force,), f"postcode area {area}")


def route_location(country: str | None, postcode: str | None) -> Route | None:
    """A report's location to its route: a UK postcode to its force, a place abroad to the international
    route, and nothing (None) when the report gives no location, which the analyst is asked for."""
    country = (country or "").strip().upper()
    if country and country not in ("GB", "UK"):
        return Route((INTERNATIONAL,), f"the location is abroad ({country})")
    if postcode and postcode.strip():
        return route_postcode(postcode)
    return None


def route_report(payload: dict[str, Any]) -> tuple[Route | None, str]:
    """The route a report's locations give: a reported person's first (the police act on the offender),
    else a victim's. Returns the route, or None with the reason the analyst must choose."""
    people = [*(payload.get("reported_persons") or []), *(payload.get("victims") or [])]
    for person in people:
        location = person.get("location") or {}
        try:
            route = route_location(location.get("country"), location.get("postcode"))
        except RouteError as exc:
            return None, f"{exc}: choose the force"
        if route is not None:
            return route, route.reason
    return None, "the report gives no location: choose the force"


@dataclass
class Check:
    """How a list of postcodes with their known forces routes: settled on the right force, offered it
    among a boundary's candidates, or wrong (with what was given instead)."""

    settled: int = 0
    offered: int = 0
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # postcode, expected, routed

    @property
    def total(self) -> int:
        return self.settled + self.offered + len(self.wrong)

    @property
    def accuracy(self) -> float:
        """The share routed to the right force, alone or among a boundary's candidates."""
        return (self.settled + self.offered) / self.total if self.total else 0.0


def check_routes(rows: list[tuple[str, str]]) -> Check:
    """Route each (postcode, force) pair and count how often the force is the one routed to."""
    check = Check()
    for postcode, expected in rows:
        try:
            route = route_postcode(postcode)
        except RouteError as exc:
            check.wrong.append((postcode, expected, f"not routed: {exc}"))
            continue
        if route.forces == (expected,):
            check.settled += 1
        elif expected in route.forces:
            check.offered += 1
        else:
            check.wrong.append((postcode, expected, ";".join(route.forces)))
    return check
