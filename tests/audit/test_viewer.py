"""The supervisors' audit viewer: filters, CSV export, and a constant number of queries per page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.accounts.models import User
from haven.audit.actions import record
from haven.audit.models import AuditEntry


def _rows(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get("/staff/audit/export.csv" + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_filter_by_user_and_object(sign_in: Callable[..., Client], supervisor: User, analyst: User) -> None:
    client = sign_in(supervisor)
    record("report.view", actor=analyst, object_type="intake.report", object_id="R-1")
    record("report.view", actor=analyst, object_type="intake.report", object_id="R-2")
    record("report.view", actor=supervisor, object_type="intake.report", object_id="R-1")
    page = client.get("/staff/audit/?actor=alice&object_type=intake.report").content.decode()
    assert page.count("<code>report.view</code>") == 2
    rows = _rows(client, "?actor=alice&object_id=R-1")
    assert [(r["actor"], r["object_id"]) for r in rows] == [("alice", "R-1")]


def test_filter_by_date(sign_in: Callable[..., Client], supervisor: User) -> None:
    client = sign_in(supervisor)
    record("test.today")
    today = timezone.localdate()
    assert any(r["action"] == "test.today" for r in _rows(client, f"?date_from={today}&date_to={today}"))
    yesterday = today - timedelta(days=1)
    assert not any(r["action"] == "test.today" for r in _rows(client, f"?date_to={yesterday}"))


def test_bad_dates_get_a_clear_error(sign_in: Callable[..., Client], supervisor: User) -> None:
    client = sign_in(supervisor)
    page = client.get("/staff/audit/?date_from=31/12/2026")
    assert page.status_code == 400  # as the inbox answers a filter it cannot use
    assert b"Enter the from date as YYYY-MM-DD" in page.content
    backwards = client.get("/staff/audit/?date_from=2026-12-02&date_to=2026-12-01")
    assert b"The to date must be the same as or after the from date" in backwards.content
    assert client.get("/staff/audit/export.csv?date_from=nonsense").status_code == 400


def test_viewing_and_exporting_are_audited(sign_in: Callable[..., Client], supervisor: User) -> None:
    client = sign_in(supervisor)
    client.get("/staff/audit/?actor=alice")
    _rows(client)
    viewed = AuditEntry.objects.get(action="audit.view")
    assert viewed.details["filters"] == {"actor": "alice"}
    assert AuditEntry.objects.filter(action="audit.export", actor="sam").count() == 1


def test_csv_neutralises_spreadsheet_formulas(sign_in: Callable[..., Client], supervisor: User) -> None:
    client = sign_in(supervisor)
    record("test.formula", object_type="x", object_id='=HYPERLINK("http://evil.example")')
    rows = _rows(client, "?object_type=x")
    assert rows[0]["object_id"].startswith("'=")


def test_the_list_page_costs_the_same_queries_for_10_or_60_entries(
    sign_in: Callable[..., Client], supervisor: User
) -> None:
    client = sign_in(supervisor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/staff/audit/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(10):
        record("test.bulk", object_id=i)
    few = queries()
    for i in range(50):
        record("test.bulk", object_id=i)
    many = queries()
    assert many == few
    assert few <= 15
    page = client.get("/staff/audit/?actor=").content.decode()
    assert "Page 1 of 2" in page
    assert 'href="?actor=&amp;page=2" rel="next"' in page
