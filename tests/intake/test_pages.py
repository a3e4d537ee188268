"""Analysts' report pages: inbox and filters, every section of a report, assignment, notes, boundaries."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.intake.actions import submit_reports
from haven.intake.models import Report, ReportNote
from haven.intake.schemas import ReportIn
from tests.conftest import Orgs
from tests.intake.conftest import a_report


def store(orgs: Orgs, *reports: dict[str, object], finished: bool = True) -> list[Report]:
    items = [ReportIn.model_validate(r) for r in reports]
    results = submit_reports(items, organisation=orgs.platform, source="industry", finished=finished)
    return [Report.objects.get(pk=r.report.pk) for r in results if not isinstance(r, Exception)]


def test_the_inbox_filters_and_puts_danger_first(
    sign_in: Callable[..., Client], analyst: User, orgs: Orgs
) -> None:
    store(orgs, a_report("A-1"), a_report("A-2", incident__type="sextortion"))
    store(orgs, a_report("A-3", incident__imminent_danger=True), finished=False)
    client = sign_in(analyst)
    page = client.get("/staff/reports/").content.decode()
    assert "3 reports" in page
    rows = page.split("<tbody", 1)[1]
    assert rows.index("Imminent danger") < rows.index("Sextortion")
    assert "1 report matching" in client.get("/staff/reports/", {"type": "sextortion"}).content.decode()
    assert "1 report matching" in client.get("/staff/reports/", {"status": "open"}).content.decode()
    assert "0 reports matching" in client.get("/staff/reports/", {"date_to": "2000-01-01"}).content.decode()
    bad = client.get("/staff/reports/", {"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert bad.status_code == 400
    assert "The to date must be the same as or after the from date" in bad.content.decode()
    assert AuditEntry.objects.filter(action="intake.inbox", actor="alice").count() == 5


def test_the_inbox_queries_do_not_grow_with_rows(
    sign_in: Callable[..., Client], analyst: User, orgs: Orgs
) -> None:
    client = sign_in(analyst)
    store(orgs, a_report("Q-1"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/staff/reports/")
        return len(ctx.captured_queries)

    one = count()
    store(orgs, *[a_report(f"Q-{i}") for i in range(2, 30)])
    assert count() == one


def test_a_report_page_shows_every_section_and_is_audited(
    sign_in: Callable[..., Client], analyst: User, orgs: Orgs
) -> None:
    (report,) = store(orgs, a_report("S-1"))
    page = sign_in(analyst).get(f"/staff/reports/{report.uid}/").content.decode()
    for text in ("Online enticement", "S-1", "An adult asked a child for pictures.", "someone@example.com",
                 "07700 900123", "name_on_platform", "on examplechat", "192.0.2.10", "port 51234",
                 "About 13 years old", "img1.jpg", "safety@example.com"):  # fmt: skip
        assert text in page, text
    assert AuditEntry.objects.filter(action="report.view", object_id=str(report.pk), actor="alice").exists()


def test_assignment_and_notes_are_audited(
    sign_in: Callable[..., Client], analyst: User, supervisor: User, grader: User, orgs: Orgs
) -> None:
    (report,) = store(orgs, a_report("W-1"))
    client = sign_in(supervisor)
    base = f"/staff/reports/{report.uid}"
    assert client.post(f"{base}/assign/", {"assignee": analyst.pk}).status_code == 302
    report.refresh_from_db()
    assert report.assignee == analyst
    bad = client.post(f"{base}/assign/", {"assignee": grader.pk})  # graders do not work reports
    assert bad.status_code == 400
    assert "Choose someone from the list" in bad.content.decode()
    assert client.post(f"{base}/notes/", {"text": "Called the platform."}).status_code == 302
    empty = client.post(f"{base}/notes/", {"text": "  "})
    assert empty.status_code == 400
    assert "Enter the note" in empty.content.decode()
    assert list(ReportNote.objects.values_list("text", flat=True)) == ["Called the platform."]
    assert "Called the platform." in sign_in(analyst).get(f"{base}/").content.decode()
    actions = list(AuditEntry.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert "intake.report_assigned" in actions
    assert "intake.report_note" in actions


def test_report_pages_boundaries(
    client: Client, sign_in: Callable[..., Client], liaison_a: User, grader: User, partner: User, orgs: Orgs
) -> None:
    (report,) = store(orgs, a_report("B-1"))
    base = f"/staff/reports/{report.uid}"
    assert client.get(f"{base}/").status_code == 302
    for user in (liaison_a, grader, partner):
        signed_in = sign_in(user)
        assert signed_in.get(f"{base}/").status_code == 403
        assert signed_in.post(f"{base}/notes/", {"text": "x"}).status_code == 403
        assert signed_in.post(f"{base}/assign/", {"assignee": ""}).status_code == 403
    assert sign_in(grader).get("/staff/reports/00000000-0000-0000-0000-000000000000/").status_code == 403
    assert ReportNote.objects.count() == 0


def test_a_force_refers_a_case(sign_in: Callable[..., Client], liaison_a: User, analyst: User) -> None:
    client = sign_in(liaison_a)
    form = {
        "type": "sextortion", "summary": "A pupil is being threatened.", "occurred_on": "2026-11-20",
        "imminent_danger": "on", "external_id": "FORCE-A-001",
        "identifiers": "email someone@example.com\n\nusername examplechat name_on_platform\n"
                       "phone 07700 900123",
    }  # fmt: skip
    response = client.post("/staff/reports/refer/", form)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.source, report.organisation, report.imminent_danger) == (
        "police",
        liaison_a.organisation,
        True,
    )
    assert report.status == "received"
    kinds = sorted(report.identifiers.values_list("kind", "platform"))
    assert kinds == [("email", ""), ("phone", ""), ("username", "examplechat")]
    assert report.reference in client.get("/staff/reports/refer/").content.decode()
    # The force's own reference is idempotent: the same form again is the same report, another is refused.
    client.post("/staff/reports/refer/", form)
    assert Report.objects.count() == 1
    clash = client.post("/staff/reports/refer/", {**form, "summary": "Something else."})
    assert clash.status_code == 400
    assert "already sent a different report with this reference" in clash.content.decode()
    # Liaison officers send reports; they do not read the centre's inbox.
    assert client.get(f"/staff/reports/{report.uid}/").status_code == 403
    assert sign_in(analyst).post("/staff/reports/refer/", form).status_code == 403


def test_a_bad_identifier_line_is_named_and_the_answers_kept(
    sign_in: Callable[..., Client], liaison_a: User
) -> None:
    form = {
        "type": "other",
        "summary": "Kept summary.",
        "identifiers": "email a@example.com\nfax 123\nusername onlyone",
    }
    response = sign_in(liaison_a).post("/staff/reports/refer/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 2: Input should be 'email'" in page.replace("&#x27;", "'")
    assert "Line 3: give the platform, then the username" in page
    assert "Kept summary." in page
    assert Report.objects.count() == 0
