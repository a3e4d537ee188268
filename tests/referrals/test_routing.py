"""Routing a UK postcode to its police force: the shipped tables, districts that differ from their area,
districts on a boundary, places abroad, and postcodes that are not postcodes.

The postcodes below were chosen for this test from public knowledge of where they are; they are not the
issue's held-back list, and pass or fail with the tables, not with the code alone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from haven.accounts.models import Organisation, User
from haven.audit.models import AuditEntry
from haven.intel.models import Member
from haven.referrals import forces
from haven.referrals.actions import propose_route, proposed_force
from haven.referrals.models import ProposedRoute
from haven.referrals.routing import (
    _OUTWARD,
    areas,
    check_routes,
    districts,
    route_location,
    route_postcode,
)
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

KNOWN = {
    "M1 1AE": "greater-manchester", "SW1A 1AA": "metropolitan", "EC2V 7HH": "city-of-london",
    "EC1A 1BB": "metropolitan", "EH1 1YZ": "police-scotland", "BT1 5GS": "psni", "CF10 1EP": "south-wales",
    "B1 1BB": "west-midlands", "B60 1AA": "west-mercia", "B79 7AA": "staffordshire",
    "CV1 2GT": "west-midlands", "CV32 4AA": "warwickshire", "CV37 6AA": "warwickshire",
    "KT1 1EU": "metropolitan", "KT22 7AA": "surrey", "CH1 1AA": "cheshire", "CH41 6AA": "merseyside",
    "CH5 1AA": "north-wales", "SY23 1AA": "dyfed-powys", "SY1 1AA": "west-mercia",
    "TN34 1AA": "sussex", "TN1 1AA": "kent", "RH10 1AA": "sussex", "RH1 1AA": "surrey",
    "SK10 1AA": "cheshire", "SK1 1AA": "greater-manchester", "S40 1AA": "derbyshire",
    "S1 2HE": "south-yorkshire",
    "DN31 1AA": "humberside", "YO1 7HH": "north-yorkshire", "NR32 1AA": "suffolk", "PE30 1AA": "norfolk",
    "MK40 1AA": "bedfordshire", "MK9 1AA": "thames-valley", "HP20 1AA": "thames-valley",
    "HP1 1AA": "hertfordshire",
    "TW18 1AA": "surrey", "TW1 1AA": "metropolitan", "JE2 3AA": "nca-international",
    "ab10 1aa": "police-scotland",
}  # fmt: skip


@pytest.mark.parametrize(("postcode", "force"), sorted(KNOWN.items()))
def test_known_postcodes_route_to_their_force(postcode: str, force: str) -> None:
    route = route_postcode(postcode)
    assert route.codes == (force,), route.reason


@pytest.mark.parametrize(
    ("postcode", "candidates"),
    [("EC2A 4NE", {"city-of-london", "metropolitan"}), ("KT19 8AA", {"surrey", "metropolitan"}),
     ("B78 1AA", {"staffordshire", "warwickshire"}), ("CV7 7AA", {"west-midlands", "warwickshire"})],
)  # fmt: skip
def test_a_district_on_a_boundary_offers_its_forces(postcode: str, candidates: set[str]) -> None:
    route = route_postcode(postcode)
    assert set(route.codes) == candidates and not route.settled
    assert "crosses a force boundary" in route.reason


def test_the_command_prints_code_and_name_or_the_candidates() -> None:
    out = io.StringIO()
    call_command("route", "M1 1AE", stdout=out)
    assert out.getvalue() == "greater-manchester\tGreater Manchester Police\n"
    out, err = io.StringIO(), io.StringIO()
    call_command("route", "EC2A", "4NE", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == ["city-of-london\tCity of London Police",
                                           "metropolitan\tMetropolitan Police Service"]  # fmt: skip
    assert "choose one" in err.getvalue()


@pytest.mark.parametrize(
    ("postcode", "why"),
    [("12345", "is not a UK postcode"), ("QQ1 1AA", "there is no UK postcode area QQ"),
     ("M1 1AE; DROP", "only letters and digits"), ("   ", "no postcode given"),
     ("M", "is not a UK postcode")],
)  # fmt: skip
def test_a_malformed_postcode_exits_non_zero_saying_why(postcode: str, why: str) -> None:
    with pytest.raises(CommandError, match=why):
        call_command("route", postcode, stdout=io.StringIO())


def test_abroad_goes_to_the_international_route_and_nowhere_asks_the_analyst() -> None:
    abroad = route_location("FR", "75001")
    assert abroad is not None and abroad.codes == ("nca-international",)
    home = route_location("GB", "M1 1AE")
    assert home is not None and home.codes == ("greater-manchester",)
    assert route_location(None, None) is None and route_location("", "  ") is None


def test_the_tables_name_only_registered_forces_and_real_areas() -> None:
    registered = {f.code for f in forces.shipped()}
    assert set(areas().values()) <= registered
    assert {code for fs in districts().values() for code in fs} <= registered
    assert len(areas()) == 124
    for district in districts():
        match = _OUTWARD.match(district)
        assert match is not None and match[1] in areas(), district
    # Every force of England, Wales, Scotland and Northern Ireland is reached by some postcode.
    reached = set(areas().values()) | {code for fs in districts().values() for code in fs}
    territorial = {f.code for f in forces.shipped() if f.kind == "territorial"}
    assert territorial <= reached, territorial - reached


def routed(orgs: Orgs, external_id: str, **changes: Any) -> ProposedRoute:
    (one,) = processed(orgs, report(external_id, **changes))
    return ProposedRoute.objects.get(report=one)


def test_the_pipeline_proposes_a_route_from_the_reports_location(orgs: Orgs) -> None:
    home = routed(orgs, "R-HOME")  # the reported person is at M1 1AE
    assert home.forces == [{"code": "greater-manchester", "name": "Greater Manchester Police"}]
    assert home.reason == "postcode area M"
    abroad = routed(orgs, "R-ABROAD", reported_persons=[{"identifiers": [], "location": {"country": "FR"}}])
    assert [f["code"] for f in abroad.forces] == ["nca-international"]
    victim = routed(orgs, "R-VICTIM", reported_persons=[],
                    victims=[{"location": {"country": "GB", "postcode": "CV32 4AA"}}])  # fmt: skip
    assert [f["code"] for f in victim.forces] == ["warwickshire"]
    nowhere = routed(orgs, "R-NOWHERE", reported_persons=[], victims=[])
    assert nowhere.forces == [] and nowhere.reason == "the report gives no location: choose the force"
    bad = routed(orgs, "R-BAD", reported_persons=[{"location": {"country": "GB", "postcode": "ZZ9 9ZZ"}}])
    assert bad.forces == [] and "there is no UK postcode area ZZ" in bad.reason


def test_the_report_page_shows_it_and_the_referral_form_starts_from_it(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client]
) -> None:
    call_command("forces", "load", stdout=io.StringIO())
    (one,) = processed(orgs, report("R-FORM"))
    client = sign_in(analyst)
    page = client.get(f"/staff/reports/{one.uid}/").content.decode()
    assert "Greater Manchester Police (postcode area M)" in page
    subject = Member.objects.get(report=one).subject
    assert subject is not None
    form = client.get(f"/staff/referrals/new/{subject.uid}/").content.decode()
    manchester = Organisation.objects.get(slug="greater-manchester")
    assert f'<option value="{manchester.pk}" selected>Greater Manchester Police</option>' in form
    assert "Proposed from the reports' locations: <strong>Greater Manchester Police</strong>" in form


def test_the_analyst_confirms_a_candidate_on_a_boundary_and_it_sticks(
    orgs: Orgs, analyst: User, liaison_a: User, sign_in: Callable[..., Client]
) -> None:
    call_command("forces", "load", stdout=io.StringIO())
    boundary = {"identifiers": [], "location": {"country": "GB", "postcode": "KT19 8AA"}}
    route = routed(orgs, "R-KT19", reported_persons=[boundary])
    assert {f["code"] for f in route.forces} == {"surrey", "metropolitan"} and route.force == ""
    url = reverse("referrals:route", args=[route.report.uid])
    client = sign_in(analyst)
    assert "crosses a force boundary" in client.get(url).content.decode()
    bad = client.post(url, {"force": "atlantis"})
    assert bad.status_code == 400 and "Choose one of the forces listed" in bad.content.decode()
    assert sign_in(liaison_a).post(url, {"force": "surrey"}).status_code == 403
    assert client.post(url, {"force": "surrey"}).status_code == 302
    route.refresh_from_db()
    assert (route.force, route.confirmed_force, route.confirmed_by) == ("surrey", "surrey", analyst)
    entry = AuditEntry.objects.get(action="referrals.route_confirmed")
    assert entry.details["as_proposed"] is False and set(entry.details["proposed"]) == {
        "surrey",
        "metropolitan",
    }
    # Processing the report again keeps the analyst's choice; the queue's force filter and the referral
    # form follow it, and the subject page lists it.
    propose_route(route.report)
    route.refresh_from_db()
    assert route.force == "surrey" and len(route.forces) == 2
    assert proposed_force([route.report]) == Organisation.objects.get(slug="surrey")
    queue = client.get("/staff/queue/", {"force": "surrey"}).content.decode()
    assert route.report.reference in queue
    subject = Member.objects.get(report=route.report).subject
    assert subject is not None
    page = client.get(reverse("intel:subject", args=[subject.uid])).content.decode()
    assert "surrey (confirmed)" in page


HELD_BACK = Path(__file__).parent.parent / "data" / "postcodes_held_back.csv"


def test_the_held_back_list_routes_to_its_force_at_least_95_percent_of_the_time() -> None:
    out = io.StringIO()
    call_command("route", "--check", str(HELD_BACK), stdout=out)
    summary = out.getvalue().splitlines()[-1]
    assert "279 postcodes" in summary and "% right" in summary
    with HELD_BACK.open(encoding="utf-8", newline="") as stream:
        rows = [(r["postcode"], r["force"]) for r in csv.DictReader(stream)]
    check = check_routes(rows)
    assert check.accuracy >= 0.95, check.wrong
    # Every force is in the list, and some of it lies on boundaries, where the analyst chooses.
    assert {force for _, force in rows} == {f.code for f in forces.shipped()} - {"british-transport"}
    assert check.offered >= 3


def test_a_check_below_the_minimum_or_of_a_bad_file_exits_non_zero(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("postcode,force\nM1 1AE,kent\nLS1 1UR,west-yorkshire\nZZ1 1ZZ,kent\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"wrong\.csv: 33\.3% right, below the 95% required"):
        call_command("route", "--check", str(wrong), stdout=out)
    assert "wrong\tM1 1AE\texpected kent\trouted greater-manchester" in out.getvalue()
    assert "ZZ1 1ZZ\texpected kent\trouted not routed: ZZ1: there is no UK postcode area ZZ" in out.getvalue()
    headless = tmp_path / "headless.csv"
    headless.write_text("M1 1AE,greater-manchester\n")
    with pytest.raises(CommandError, match=r"headless\.csv: no column force, postcode in the header"):
        call_command("route", "--check", str(headless), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"missing\.csv: No such file"):
        call_command("route", "--check", str(tmp_path / "missing.csv"), stdout=io.StringIO())
