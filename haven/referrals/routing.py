"""Who should have a case: a UK postcode to its police force (the offender's side), or to the children's
services authority responsible for a child (the child's side), through tables shipped as data.

Each side has two tables. ``data/postcode_areas.csv`` gives each of the 124 postcode areas (``M``, ``SW``,
``BT`` ...) the force that polices most of it; ``data/postcode_districts.csv`` gives the districts that
differ (``CV1-CV6``: West Midlands, where the rest of ``CV`` is Warwickshire), and for a district that
straddles a boundary, every force it reaches, for the analyst to choose. ``data/agency_areas.csv`` and
``data/agency_districts.csv`` do the same for the agencies register (``agencies.py``): a local authority's
children's services in England, Wales and Scotland, a Health and Social Care Trust in Northern Ireland.
A sub-district (``EC2A``, ``SW1A``) is looked up as itself, then as its district (``EC2``), then as its
area.

The tables were written for Haven from public knowledge of force and council areas, not derived from the
ONS Postcode Directory: check them against the directory (its police force area and local authority
fields) before relying on them, and correct them there. The Crown dependencies (Guernsey, Jersey, the Isle
of Man) have their own police and children's services: a case there goes by the international route, and a
child there has no agency in the register.
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
CROWN_DEPENDENCY = "crown-dependency"
_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)$")
_INWARD = re.compile(r"^[0-9][A-Z]{2}$")
_RANGE = re.compile(r"^([A-Z]{1,2})([0-9]{1,2})-\1([0-9]{1,2})$")


@dataclass(frozen=True)
class Table:
    """One side's pair of tables: which files, which columns, and what the side calls what it routes to."""

    areas_file: str
    area_column: str
    districts_file: str
    districts_column: str
    noun: str  # "force" or "agency", in the reasons given

    @property
    def boundary(self) -> str:
        return "force" if self.noun == "force" else "council"


POLICE = Table("postcode_areas.csv", "force", "postcode_districts.csv", "forces", "force")
AGENCIES = Table("agency_areas.csv", "agency", "agency_districts.csv", "agencies", "agency")


class RouteError(ValueError):
    """A postcode that cannot be routed; the message says why."""


@dataclass(frozen=True)
class Route:
    codes: tuple[str, ...]  # one force or agency, or the candidates where a district crosses a boundary
    reason: str

    @property
    def settled(self) -> bool:
        return len(self.codes) == 1


@cache
def areas(table: Table = POLICE) -> dict[str, str]:
    with (DATA / table.areas_file).open(encoding="utf-8", newline="") as stream:
        return {row["area"]: row[table.area_column] for row in csv.DictReader(stream)}


@cache
def districts(table: Table = POLICE) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    with (DATA / table.districts_file).open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            codes = tuple(row[table.districts_column].split(";"))
            spec = row["districts"]
            ranged = _RANGE.match(spec)
            names = (
                [f"{ranged[1]}{n}" for n in range(int(ranged[2]), int(ranged[3]) + 1)] if ranged else [spec]
            )
            for name in names:
                found[name] = codes
    return found


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


def route_postcode(postcode: str, table: Table = POLICE) -> Route:
    """The force (or, with ``AGENCIES``, the children's services) for a postcode or an outward code alone;
    RouteError says why there is none."""
    outward = outward_code(postcode)
    match = _OUTWARD.match(outward)
    assert match is not None  # outward_code checked it
    area, district = match[1], match[2]
    number = re.match(r"[0-9]+", district)
    plain = f"{area}{number[0]}" if number else outward
    for key in (outward, plain):
        if key in districts(table):
            codes = districts(table)[key]
            if len(codes) > 1:
                reason = f"postcode district {key} crosses a {table.boundary} boundary: choose one"
                return Route(codes, reason)
            return Route(codes, f"postcode district {key}")
    if area not in areas(table):
        raise RouteError(f"{outward}: there is no UK postcode area {area}")
    code = areas(table)[area]
    if code == INTERNATIONAL:
        return Route((code,), f"postcode area {area} is a Crown dependency, with its own police")
    if code == CROWN_DEPENDENCY:
        raise RouteError(
            f"{outward}: postcode area {area} is a Crown dependency, whose children's services are its own "
            "and not in the register"
        )
    return Route((code,), f"postcode area {area}")


def route_location(country: str | None, postcode: str | None) -> Route | None:
    """A report's location to its route: a UK postcode to its force, a place abroad to the international
    route, and nothing (None) when the report gives no location, which the analyst is asked for."""
    country = (country or "").strip().upper()
    if country and country not in ("GB", "UK"):
        return Route((INTERNATIONAL,), f"the location is abroad ({country})")
    if postcode and postcode.strip():
        return route_postcode(postcode)
    return None


def route_child(payload: dict[str, Any]) -> tuple[Route | None, str]:
    """The children's services a report's victims' locations give: the first victim with a UK postcode.
    A child abroad, or with no location, has none here; the reason says so, for the analyst."""
    abroad = ""
    for victim in payload.get("victims") or []:
        location = victim.get("location") or {}
        country = (location.get("country") or "").strip().upper()
        postcode = (location.get("postcode") or "").strip()
        if country and country not in ("GB", "UK"):
            abroad = abroad or country
            continue
        if postcode:
            try:
                route = route_postcode(postcode, AGENCIES)
            except RouteError as exc:
                return None, f"{exc}: choose the agency"
            return route, f"the child's {route.reason}"
    if abroad:
        return None, f"the child is abroad ({abroad}): no agency in the register"
    return None, "the report gives no location for a child: choose the agency"


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
    """How a list of postcodes with their known forces (or agencies) routes: settled on the right one,
    offered it among a boundary's candidates, or wrong (with what was given instead)."""

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


def check_routes(rows: list[tuple[str, str]], table: Table = POLICE) -> Check:
    """Route each (postcode, code) pair and count how often the force (or agency) is the one routed to."""
    check = Check()
    for postcode, expected in rows:
        try:
            route = route_postcode(postcode, table)
        except RouteError as exc:
            check.wrong.append((postcode, expected, f"not routed: {exc}"))
            continue
        if route.codes == (expected,):
            check.settled += 1
        elif expected in route.codes:
            check.offered += 1
        else:
            check.wrong.append((postcode, expected, ";".join(route.codes)))
    return check
