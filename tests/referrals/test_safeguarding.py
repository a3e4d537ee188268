"""Safeguarding referrals: the agencies register, routing a child's postcode to children's services, the
working-day clock, the referral's life (sent, acknowledged, decided, outcome), who may see it, reminders,
and joint working with a police referral of the same report."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.accounts.actions import create_organisation, create_user
from haven.accounts.models import Organisation, OrganisationKind, Role, User
from haven.audit.models import AuditEntry
from haven.intake.models import Report
from haven.intel.actions import grade_report
from haven.intel.models import Subject
from haven.referrals import agencies
from haven.referrals.actions import ReferralError, propose_route, send_referral
from haven.referrals.forces import RegisterError
from haven.referrals.models import Decision, SafeguardingOutcome, SafeguardingReferral, SafeguardingState
from haven.referrals.routing import _OUTWARD, AGENCIES, POLICE, areas, districts, route_postcode
from haven.referrals.safeguarding import (
    acknowledge,
    calendar_of,
    decide,
    record_outcome,
    remind_overdue,
    send_safeguarding_referral,
)
from haven.referrals.workdays import DIVISIONS, LONDON, bank_holidays, last_year, working_days_after
from tests.conftest import Orgs
from tests.intake.conftest import a_report
from tests.intel.conftest import ident, subject_of, submit
from tests.referrals.test_package import pdf_text

pytestmark = pytest.mark.django_db

HELD_BACK = Path(__file__).parent.parent / "data" / "agency_postcodes_held_back.csv"
# Suburbs and towns near council boundaries, by postcode district, each labelled from the place.
SUBURBS = Path(__file__).parent.parent / "data" / "agency_districts_suburbs.csv"
SUMMARY = "Northshire summary for the agency: an adult asked the child to keep their chats secret."
POLICE_SUMMARY = "Police summary: the adult's accounts and the addresses they log in from."


# The register and the routing tables


def test_the_register_holds_every_childrens_services_authority_and_trust() -> None:
    shipped = agencies.shipped()
    assert Counter(a.nation for a in shipped) == {
        "England": 153, "Wales": 22, "Scotland": 32, "Northern Ireland": 5,
    }  # fmt: skip
    assert len({a.gss for a in shipped if a.gss}) == 207  # every council's ONS code, once
    assert agencies.by_code()["cs-manchester"].gss == "E08000003"
    assert agencies.by_code()["cs-glasgow-city"].gss == "S12000049"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("cs-x,X,local_authority,Wales,E08000003", "gss: expected the ONS code of a council in Wales"),
        ("cs-x,X,hsc_trust,Northern Ireland,N09000001", "a trust is in Northern Ireland and has no ONS code"),
        ("cs-x,X,county,England,E10000016", "kind: expected one of local_authority, hsc_trust"),
        ("CS X,X,local_authority,England,E10000016", "code: expected lowercase letters"),
    ],
)
def test_a_bad_register_line_is_named(line: str, problem: str) -> None:
    text = ",".join(agencies.COLUMNS) + "\ncs-kent,Kent,local_authority,England,E10000016\n" + line + "\n"
    with pytest.raises(RegisterError, match=f"line 3: {problem}"):
        list(agencies.read(io.StringIO(text)))


def test_the_tables_name_only_registered_agencies_and_reach_every_one() -> None:
    registered = set(agencies.by_code())
    named = set(areas(AGENCIES).values()) | {c for cs in districts(AGENCIES).values() for c in cs}
    assert named - {"crown-dependency"} == registered
    assert set(areas(AGENCIES)) == set(areas(POLICE))  # the same 124 postcode areas
    for district in districts(AGENCIES):
        match = _OUTWARD.match(district)
        assert match is not None and match[1] in areas(AGENCIES), district


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        # Districts that differ from their area: the rest of M is Manchester, of B Birmingham.
        ("M33 7ZZ", ("cs-trafford",)),  # Sale
        ("B70 8DY", ("cs-sandwell",)),  # West Bromwich
        ("L20 3NJ", ("cs-sefton",)),  # Bootle
        ("CV1 5RR", ("cs-coventry",)),  # the rest of CV is Warwickshire
        ("BT48 6DQ", ("hsct-western",)),
        ("KW15 1AA", ("cs-orkney-islands",)),  # the rest of KW is Highland
        ("EC1N 8AA", ("cs-camden",)),  # a sub-district before its district
    ],
)
def test_a_childs_postcode_routes_to_its_agency(postcode: str, expected: tuple[str, ...]) -> None:
    assert route_postcode(postcode, AGENCIES).codes == expected


def test_haven_route_agency_prints_the_agency_or_the_candidates() -> None:
    out = io.StringIO()
    call_command("route", "M2", "5DB", "--agency", stdout=out)
    assert out.getvalue() == "cs-manchester\tManchester (E08000003)\n"
    out, err = io.StringIO(), io.StringIO()
    call_command("route", "N1 2UD", "--agency", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == [
        "cs-islington\tIslington (E09000019)",
        "cs-hackney\tHackney (E09000012)",
    ]
    assert "crosses a council boundary" in err.getvalue()
    # Without --agency, the same postcode goes to its police force.
    out = io.StringIO()
    call_command("route", "M2 5DB", stdout=out)
    assert out.getvalue().startswith("greater-manchester\t")


@pytest.mark.parametrize(
    ("postcode", "reason"),
    [
        ("M1 1A!", "is not a postcode"),
        ("ZZ1 1AA", "there is no UK postcode area ZZ"),
        ("JE2 3QA", "Crown dependency, whose children's services are its own"),
    ],
)
def test_a_postcode_with_no_agency_fails_with_the_reason(postcode: str, reason: str) -> None:
    with pytest.raises(CommandError, match=reason):
        call_command("route", postcode, "--agency", stdout=io.StringIO())


def test_the_held_back_postcodes_route_to_their_agency_at_least_90_percent_of_the_time() -> None:
    out = io.StringIO()
    call_command("route", "--agency", "--check", str(HELD_BACK), "--min", "90", stdout=out)
    assert "276 postcodes" in out.getvalue()
    with HELD_BACK.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {r["agency"] for r in rows} <= set(agencies.by_code())


def test_suburbs_and_boundary_towns_route_to_their_agency_or_offer_it() -> None:
    out = io.StringIO()
    call_command("route", "--agency", "--check", str(SUBURBS), "--min", "99", stdout=out)
    assert "467 postcodes" in out.getvalue()


def test_a_check_file_without_the_agency_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forces.csv"
    path.write_text("postcode,force\nM1 1AE,greater-manchester\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no column agency"):
        call_command("route", "--agency", "--check", str(path), stdout=io.StringIO())


def test_loading_the_register_twice_changes_nothing() -> None:
    out = io.StringIO()
    call_command("agencies", "load", stdout=out)
    call_command("agencies", "load", stdout=out)
    assert out.getvalue().splitlines()[1].endswith("212 agencies: 0 added, 0 renamed, 212 unchanged")
    assert Organisation.objects.filter(kind=OrganisationKind.CHILDREN_SERVICES).count() == 212
    assert AuditEntry.objects.filter(action="referrals.agencies_loaded").count() == 1


# The working-day clock


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-11-26T15:00", "2026-11-27T15:00"),  # Thursday to Friday
        ("2026-11-27T15:00", "2026-11-30T15:00"),  # Friday to Monday, over the weekend
        ("2026-04-02T09:30", "2026-04-07T09:30"),  # Thursday to Tuesday, over Good Friday and Easter Monday
        ("2026-11-28T10:00", "2026-12-01T00:00"),  # Saturday: the end of Monday
        ("2026-12-24T15:00", "2026-12-29T15:00"),  # Christmas Eve, over Christmas and Boxing Day's substitute
        ("2026-12-25T10:00", "2026-12-30T00:00"),  # Christmas Day: the end of the next working day
        ("2026-03-27T16:00", "2026-03-30T16:00"),  # over the clocks going forward, the same wall-clock time
    ],
)
def test_one_working_day_skips_weekends_and_bank_holidays(start: str, due: str) -> None:
    assert working_days_after(_at(start)) == _at(due)


@pytest.mark.parametrize(
    ("division", "start", "due"),
    [
        # Easter Monday is a working day in Scotland, not in England and Wales or Northern Ireland.
        ("scotland", "2026-04-02T09:30", "2026-04-06T09:30"),
        ("northern-ireland", "2026-04-02T09:30", "2026-04-07T09:30"),
        # St Patrick's Day (a Tuesday in 2026) in Northern Ireland only.
        ("northern-ireland", "2026-03-16T10:00", "2026-03-18T10:00"),
        ("england-and-wales", "2026-03-16T10:00", "2026-03-17T10:00"),
        # St Andrew's Day (a Monday in 2026), and the first Monday of August, in Scotland only.
        ("scotland", "2026-11-27T15:00", "2026-12-01T15:00"),
        ("scotland", "2026-07-31T12:00", "2026-08-04T12:00"),
        ("england-and-wales", "2026-07-31T12:00", "2026-08-03T12:00"),
        # The Twelfth falls on a Sunday in 2026: Monday the 13th is the substitute.
        ("northern-ireland", "2026-07-10T11:00", "2026-07-14T11:00"),
    ],
)
def test_each_nations_agencies_keep_their_own_bank_holidays(division: str, start: str, due: str) -> None:
    assert working_days_after(_at(start), 1, division) == _at(due)


def test_the_bank_holiday_table_is_sound_and_covers_next_year() -> None:
    for division in DIVISIONS:
        assert all(day.weekday() < 5 for day in bank_holidays(division)), division
        assert last_year(division) >= timezone.now().year + 1, division
        assert _at("2023-05-08").date() in bank_holidays(division)  # the coronation, UK-wide


@pytest.mark.parametrize(
    ("code", "division"),
    [("cs-glasgow-city", "scotland"), ("hsct-belfast", "northern-ireland"),
     ("cs-cardiff", "england-and-wales"), ("cs-kent", "england-and-wales"),
     ("cs-not-in-the-register", "england-and-wales")],
)  # fmt: skip
def test_an_agency_keeps_its_nations_calendar(code: str, division: str) -> None:
    assert calendar_of(Organisation(slug=code, kind=OrganisationKind.CHILDREN_SERVICES)) == division


# The referral


@pytest.fixture
def agency_orgs(db: None) -> tuple[Organisation, Organisation]:
    return (
        create_organisation("cs-manchester", "Manchester", OrganisationKind.CHILDREN_SERVICES),
        create_organisation("cs-leeds", "Leeds", OrganisationKind.CHILDREN_SERVICES),
    )


def _staff(username: str, org: Organisation) -> User:
    return create_user(
        username, role=Role.SAFEGUARDING_LIAISON, organisation=org, email=f"{username}@example.org",
        password="a long enough test password", check_password_strength=False,
    )  # fmt: skip


@pytest.fixture
def sue(agency_orgs: tuple[Organisation, Organisation]) -> User:
    return _staff("sue", agency_orgs[0])


@pytest.fixture
def lena(agency_orgs: tuple[Organisation, Organisation]) -> User:
    return _staff("lena", agency_orgs[1])


def _child_report(orgs: Orgs, analyst: User, *, grade: bool = True, **changes: Any) -> Report:
    payload = a_report(
        "SG-1",
        reported_persons=[{"name": "Demo Adult", "age_estimate": 40,
                           "identifiers": [ident("email", "quiet.fox@example.com")],
                           "location": {"country": "GB", "postcode": "LS1 1UR"}}],
        victims=[{"age_estimate": 13, "identifiers": [ident("username", "child_account", "examplechat")],
                  "location": {"country": "GB", "postcode": "M2 5DB"}}],
        media=[],
        **changes,
    )  # fmt: skip
    (report,) = submit(orgs, payload)
    if grade:
        grade_report(report, source="B", assessment="2", handling="C", conditions="Centre's consent first.",
                     actor=analyst)  # fmt: skip
    return report


@pytest.fixture
def referred(
    orgs: Orgs,
    analyst: User,
    agency_orgs: tuple[Organisation, Organisation],
    sue: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> SafeguardingReferral:
    report = _child_report(orgs, analyst)
    with django_capture_on_commit_callbacks(execute=True):  # the email goes once the referral is committed
        return send_safeguarding_referral(report, agency_orgs[0], summary=SUMMARY, actor=analyst)


def test_a_referral_carries_the_child_and_tells_the_agency_by_email(
    referred: SafeguardingReferral, sue: User
) -> None:
    assert referred.children == [{"report": referred.reports.get().reference, "age_estimate": 13,
                                  "postcode": "M2 5DB", "country": "GB"}]  # fmt: skip
    assert "child_account" not in str(referred.children)  # the child's accounts stay with the centre
    assert referred.subject_reference  # the report's subject, for joint working
    assert referred.acknowledge_by <= referred.decide_by == working_days_after(referred.sent_at)
    (message,) = mail.outbox
    assert message.to == ["sue@example.org"] and referred.reference in message.subject
    assert SUMMARY not in message.body  # the content stays behind sign-in
    entry = AuditEntry.objects.get(action="referrals.safeguarding_sent")
    assert entry.details["agency"] == "cs-manchester" and entry.details["emailed"] == 1


def test_an_ungraded_report_or_a_police_force_cannot_be_referred(
    orgs: Orgs, analyst: User, agency_orgs: tuple[Organisation, Organisation]
) -> None:
    report = _child_report(orgs, analyst, grade=False)
    with pytest.raises(ReferralError, match=r"grade \S+ before referring it"):
        send_safeguarding_referral(report, agency_orgs[0], summary=SUMMARY, actor=analyst)
    grade_report(report, source="B", assessment="2", handling="P", conditions="", actor=analyst)
    with pytest.raises(ReferralError, match="not a children's services agency"):
        send_safeguarding_referral(report, orgs.force_a, summary=SUMMARY, actor=analyst)
    with pytest.raises(ReferralError, match="say what is known of the harm"):
        send_safeguarding_referral(report, agency_orgs[0], summary="  ", actor=analyst)
    assert not SafeguardingReferral.objects.exists()


def test_the_agency_acknowledges_decides_and_records_the_outcome(
    referred: SafeguardingReferral, sue: User, lena: User
) -> None:
    with pytest.raises(ReferralError, match="only the agency it was sent to"):
        acknowledge(referred, actor=lena)
    with pytest.raises(ReferralError, match="already sent"):
        decide(referred, decision=Decision.ASSESSMENT, notes="", actor=sue)
    acknowledge(referred, actor=sue)
    with pytest.raises(ReferralError, match="say which force and officer"):
        decide(referred, decision=Decision.STRATEGY_DISCUSSION, notes=" ", actor=sue)
    decide(referred, decision=Decision.STRATEGY_DISCUSSION, notes="With DC Demo, Northshire", actor=sue)
    with pytest.raises(ReferralError, match="already decided"):
        acknowledge(referred, actor=sue)
    record_outcome(referred, outcome=SafeguardingOutcome.PROTECTION_PLAN, notes="", actor=sue)
    referred.refresh_from_db()
    assert referred.state == SafeguardingState.OUTCOME and referred.liaison == sue
    assert referred.decision == Decision.STRATEGY_DISCUSSION and not referred.open
    decided = AuditEntry.objects.get(action="referrals.safeguarding_decided")
    assert decided.details == {"decision": "strategy_discussion", "late": False}


def test_not_this_agency_may_close_at_once_with_a_reason(referred: SafeguardingReferral, sue: User) -> None:
    with pytest.raises(ReferralError, match="say whose area"):
        record_outcome(referred, outcome=SafeguardingOutcome.NOT_THIS_AGENCY, notes="", actor=sue)
    with pytest.raises(ReferralError, match="already sent"):
        record_outcome(referred, outcome=SafeguardingOutcome.EARLY_HELP, notes="", actor=sue)
    record_outcome(referred, outcome=SafeguardingOutcome.NOT_THIS_AGENCY, notes="Salford's area", actor=sue)
    referred.refresh_from_db()
    assert referred.state == SafeguardingState.OUTCOME


def test_the_agency_works_through_the_pages(
    sign_in: Callable[..., Client], referred: SafeguardingReferral, sue: User
) -> None:
    client = sign_in(sue)
    page = client.get(reverse("referrals:safeguarding_detail", args=[referred.uid])).content.decode()
    assert SUMMARY in page and "Aged about 13" in page and "postcode M2 5DB" in page
    assert "Centre&#x27;s consent first." in page  # the handling conditions travel
    assert "Demo Adult" in page and "postcode district LS1" in page and "quiet.fox" not in page
    client.post(reverse("referrals:safeguarding_acknowledge", args=[referred.uid]))
    bad = client.post(reverse("referrals:safeguarding_decision", args=[referred.uid]),
                      {"decision-decision": "section_47", "decision-notes": ""})  # fmt: skip
    assert bad.status_code == 400 and "Say which force and officer" in bad.content.decode()
    client.post(reverse("referrals:safeguarding_decision", args=[referred.uid]),
                {"decision-decision": "assessment", "decision-notes": ""})  # fmt: skip
    referred.refresh_from_db()
    assert referred.state == SafeguardingState.DECIDED and referred.decision == Decision.ASSESSMENT
    pdf = client.get(reverse("referrals:safeguarding_package_pdf", args=[referred.uid]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "no-store"
    formats = AuditEntry.objects.filter(action="referrals.safeguarding_package").values_list(
        "details", flat=True
    )
    assert [d["format"] for d in formats] == ["pdf"]


def test_an_agency_sees_only_its_own_referrals_and_no_police_referral(
    sign_in: Callable[..., Client],
    orgs: Orgs,
    analyst: User,
    liaison_a: User,
    referred: SafeguardingReferral,
    sue: User,
    lena: User,
) -> None:
    police = send_referral(subject_of("SG-1"), orgs.force_a, summary=POLICE_SUMMARY, actor=analyst)
    other = sign_in(lena)
    for name in ("safeguarding_detail", "safeguarding_package", "safeguarding_package_pdf"):
        assert other.get(reverse(f"referrals:{name}", args=[referred.uid])).status_code == 404, name
    assert other.post(reverse("referrals:safeguarding_acknowledge", args=[referred.uid])).status_code == 404
    assert referred.reference not in other.get(reverse("referrals:safeguarding_list")).content.decode()
    own = sign_in(sue)
    for name in ("detail", "package", "package_pdf"):
        assert own.get(reverse(f"referrals:{name}", args=[police.uid])).status_code == 404, name
    assert own.post(reverse("referrals:acknowledge", args=[police.uid])).status_code == 404
    assert own.get(reverse("referrals:list"))["Location"] == reverse("referrals:safeguarding_list")
    assert (
        own.get(reverse("referrals:safeguarding_new", args=[referred.reports.get().uid])).status_code == 403
    )
    force = sign_in(liaison_a)
    assert force.get(reverse("referrals:safeguarding_detail", args=[referred.uid])).status_code == 404
    assert force.get(reverse("referrals:safeguarding_list"))["Location"] == reverse("referrals:list")


def test_each_side_sees_the_others_existence_and_contact_and_nothing_more(
    sign_in: Callable[..., Client],
    orgs: Orgs,
    analyst: User,
    liaison_a: User,
    referred: SafeguardingReferral,
    sue: User,
) -> None:
    police = send_referral(subject_of("SG-1"), orgs.force_a, summary=POLICE_SUMMARY, actor=analyst)
    acknowledge(referred, actor=sue)
    decide(referred, decision=Decision.SECTION_47, notes="Strategy discussion held with lee", actor=sue)
    force_page = sign_in(liaison_a).get(reverse("referrals:detail", args=[police.uid])).content.decode()
    assert (
        f"<strong>Manchester</strong> holds {referred.reference}: contact sue, sue@example.org" in force_page
    )
    for secret in (SUMMARY, "Strategy discussion held", "Section 47"):
        assert secret not in force_page
    agency_page = (
        sign_in(sue).get(reverse("referrals:safeguarding_detail", args=[referred.uid])).content.decode()
    )
    assert (
        f"<strong>Northshire Police</strong> holds {police.reference}: contact lee, lee@example.org"
        in agency_page
    )
    assert POLICE_SUMMARY not in agency_page and "quiet.fox" not in agency_page
    # A report that neither referral names shows no joint working.
    lone = send_referral(_other_subject(orgs, analyst), orgs.force_a, summary="x", actor=analyst)
    lone_page = sign_in(liaison_a).get(reverse("referrals:detail", args=[lone.uid])).content.decode()
    assert "Joint working" not in lone_page


def _other_subject(orgs: Orgs, analyst: User) -> Subject:
    person = {"identifiers": [ident("email", "b@example.com")]}
    (report,) = submit(orgs, a_report("SG-2", reported_persons=[person], victims=[], media=[]))
    grade_report(report, source="B", assessment="2", handling="P", conditions="", actor=analyst)
    return subject_of("SG-2")


def test_reminders_go_once_for_acknowledgement_and_once_for_the_decision(
    referred: SafeguardingReferral, sue: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    def remind() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return remind_overdue()

    mail.outbox.clear()
    assert remind() == 0
    past = timezone.now() - timedelta(minutes=1)
    SafeguardingReferral.objects.filter(pk=referred.pk).update(acknowledge_by=past)
    assert remind() == 1 and remind() == 0
    assert "waits to be acknowledged" in mail.outbox[0].subject
    acknowledge(referred, actor=sue)
    SafeguardingReferral.objects.filter(pk=referred.pk).update(decide_by=past)
    assert remind() == 1 and remind() == 0
    assert len(mail.outbox) == 2
    assert "waits to be decided" in mail.outbox[1].subject and mail.outbox[1].to == ["sue@example.org"]


def test_supervisors_see_overdue_referrals_on_their_home_page(
    sign_in: Callable[..., Client], supervisor: User, referred: SafeguardingReferral
) -> None:
    SafeguardingReferral.objects.filter(pk=referred.pk).update(
        acknowledge_by=timezone.now() - timedelta(hours=1)
    )
    page = sign_in(supervisor).get(reverse("home")).content.decode()
    assert referred.reference in page and "Acknowledgement overdue" in page


def test_the_report_page_shows_both_routes_and_the_form_proposes_the_childs_agency(
    sign_in: Callable[..., Client],
    orgs: Orgs,
    analyst: User,
    agency_orgs: tuple[Organisation, Organisation],
) -> None:
    call_command("forces", "load", stdout=io.StringIO())
    report = _child_report(orgs, analyst)
    propose_route(report)
    client = sign_in(analyst)
    page = client.get(reverse("intake:report", args=[report.uid])).content.decode()
    assert "West Yorkshire Police" in page  # the offender is in Leeds
    assert "Manchester (E08000003) (the child&#x27;s postcode area M)" in page  # the child in Manchester
    form = client.get(reverse("referrals:safeguarding_new", args=[report.uid])).content.decode()
    assert "Proposed from the child's location: <strong>Manchester</strong>" in form
    sent = client.post(reverse("referrals:safeguarding_new", args=[report.uid]),
                       {"agency": agency_orgs[1].pk, "summary": SUMMARY})  # fmt: skip
    referral = SafeguardingReferral.objects.get()
    assert sent["Location"] == reverse("referrals:safeguarding_detail", args=[referral.uid])
    assert referral.agency == agency_orgs[1]  # the analyst's choice stands


def test_the_agency_asks_the_centre_and_only_the_two_sides_read_or_write(
    sign_in: Callable[..., Client],
    orgs: Orgs,
    analyst: User,
    liaison_a: User,
    grader: User,
    referred: SafeguardingReferral,
    sue: User,
    lena: User,
) -> None:
    url = reverse("referrals:safeguarding_message", args=[referred.uid])
    page = reverse("referrals:safeguarding_detail", args=[referred.uid])
    question, answer = "Does the centre know the child's school?", "The platform gave no school; it is asked."
    agency = sign_in(sue)
    assert agency.post(url, {"message-text": question}).status_code == 302
    assert sign_in(analyst).post(url, {"message-text": answer}).status_code == 302
    html = agency.get(page).content.decode()
    assert html.index("Manchester, sue") < html.index("The centre, alice")
    assert [(m.from_recipient, m.author, m.referral) for m in referred.messages.order_by("at")] == [
        (True, sue, None), (False, analyst, None)]  # fmt: skip
    assert agency.post(url, {"message-text": " "}).status_code == 400
    assert sign_in(lena).post(url, {"message-text": question}).status_code == 404
    assert sign_in(liaison_a).post(url, {"message-text": question}).status_code == 404
    assert sign_in(grader).post(url, {"message-text": question}).status_code == 403
    # Joint working shows the police nothing of the thread.
    police = send_referral(subject_of("SG-1"), orgs.force_a, summary=POLICE_SUMMARY, actor=analyst)
    force_page = sign_in(liaison_a).get(reverse("referrals:detail", args=[police.uid])).content.decode()
    assert question not in force_page and answer not in force_page
    assert referred.messages.count() == 2
    entries = AuditEntry.objects.filter(action="referrals.message").order_by("seq")
    assert [e.details["from_recipient"] for e in entries] == [True, False]


def test_the_command_lists_both_kinds_and_writes_the_safeguarding_pdf(
    orgs: Orgs, analyst: User, referred: SafeguardingReferral, tmp_path: Path
) -> None:
    police = send_referral(subject_of("SG-1"), orgs.force_a, summary=POLICE_SUMMARY, actor=analyst)
    out = io.StringIO()
    call_command("referrals", "list", stdout=out)
    lines = [line.split("\t")[:3] for line in out.getvalue().splitlines()]
    assert lines == [[referred.reference, "sent", "cs-manchester"], [police.reference, "sent", "force-a"]]
    pdf = tmp_path / "sg.pdf"
    call_command(
        "referrals", "package", referred.reference.lower(), "--output", str(pdf), stdout=io.StringIO()
    )
    text, _ = pdf_text(pdf.read_bytes(), tmp_path)
    assert (
        referred.reference in text and "What is known of the harm" in text and pdf.stat().st_mode & 0o077 == 0
    )
    entry = AuditEntry.objects.get(action="referrals.safeguarding_package")
    assert entry.details["file"] == str(pdf)
    with pytest.raises(CommandError, match="SGR-0000000000: no such referral"):
        call_command("referrals", "package", "SGR-0000000000", "--output", str(pdf))
