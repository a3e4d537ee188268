"""Staff pages for the bank: search, a record with its history, and list settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.hashbank.actions import add_records, get_or_create_list, give_verdict
from haven.hashbank.importing import RecordInput
from haven.hashbank.models import BankList, BankRecord

SHA = "ab" * 32
PDQ = "cd" * 32


@pytest.fixture
def records(db: None) -> list[BankRecord]:
    national = BankList.objects.get(name="national")
    add_records([RecordInput(sha256=SHA, pdq=PDQ, category="B", series="S-1", source="iwf")], national)
    add_records([RecordInput(md5=f"{i:032x}", category="C", series="S-2") for i in range(30)], national)
    return list(BankRecord.objects.order_by("id"))


def test_search_by_hash_series_and_category(
    sign_in: Callable[..., Client], grader: User, records: list[BankRecord]
) -> None:
    client = sign_in(grader)
    by_sha = client.get("/staff/hashbank/", {"hash": SHA.upper()}).content.decode()
    assert f'href="/staff/hashbank/records/{records[0].pk}/"' in by_sha
    assert "1 record matching" in by_sha
    assert "1 record matching" in client.get("/staff/hashbank/", {"hash": PDQ}).content.decode()
    assert "30 records matching" in client.get("/staff/hashbank/", {"series": "S-2"}).content.decode()
    assert (
        "0 records matching"
        in client.get("/staff/hashbank/", {"series": "S-2", "category": "A"}).content.decode()
    )
    bad = client.get("/staff/hashbank/", {"hash": "xyz"}).content.decode()
    assert "Enter a hash of 32, 40 or 64 hexadecimal characters" in bad
    assert AuditEntry.objects.filter(action="hashbank.search", actor="gita").count() == 5


def test_search_queries_do_not_grow_with_rows(
    sign_in: Callable[..., Client], grader: User, records: list[BankRecord]
) -> None:
    client = sign_in(grader)

    def count(series: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get("/staff/hashbank/", {"series": series})
        return len(ctx.captured_queries)

    assert count("S-1") == count("S-2")


def test_record_page_shows_history_and_is_audited(
    sign_in: Callable[..., Client], analyst: User, grader: User, records: list[BankRecord]
) -> None:
    give_verdict(records[0], grader=grader, category="A")
    page = sign_in(analyst).get(f"/staff/hashbank/records/{records[0].pk}/").content.decode()
    assert SHA in page
    assert "verdict" in page
    assert "Save my verdict" not in page  # analysts read verdicts but do not grade
    assert "added to national" in page
    assert "iwf" in page
    assert AuditEntry.objects.filter(action="hashbank.record_view", object_id=str(records[0].pk)).exists()


def test_record_page_boundaries(
    client: Client, sign_in: Callable[..., Client], liaison_a: User, records: list[BankRecord], grader: User
) -> None:
    url = f"/staff/hashbank/records/{records[0].pk}/"
    assert client.get(url).status_code == 302
    assert sign_in(liaison_a).get(url).status_code == 403
    assert sign_in(grader).get("/staff/hashbank/records/999999/").status_code == 404


def test_supervisors_change_list_settings(
    sign_in: Callable[..., Client], supervisor: User, grader: User, db: None
) -> None:
    partner = get_or_create_list("partner:example")
    url = f"/staff/hashbank/lists/{partner.pk}/"
    assert sign_in(grader).post(url, {"pdq_threshold": "20", "enabled": "on"}).status_code == 403
    client = sign_in(supervisor)
    assert client.get(url).status_code == 405
    response = client.post(url, {"pdq_threshold": "20"})
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.pdq_threshold, partner.enabled) == (20, False)
    bad = client.post(url, {"pdq_threshold": "99", "enabled": "on"})
    assert bad.status_code == 400
    assert "The threshold must be 47 or less" in bad.content.decode()
    partner.refresh_from_db()
    assert partner.pdq_threshold == 20
    entry = AuditEntry.objects.get(action="hashbank.list_update")
    assert entry.details["to"] == {"pdq_threshold": 20, "enabled": False}


def test_graders_verdicts_verify_or_dispute_a_record(
    sign_in: Callable[..., Client], grader: User, supervisor: User, analyst: User, records: list[BankRecord]
) -> None:
    rec = records[0]  # category B from its source
    url = f"/staff/hashbank/records/{rec.pk}/verdict/"
    assert sign_in(analyst).post(url, {"category": "A"}).status_code == 403
    gita, sam = sign_in(grader), sign_in(supervisor)
    assert gita.get(url).status_code == 405

    assert gita.post(url, {"category": "A"}).status_code == 302
    rec.refresh_from_db()
    assert (rec.category, rec.graders, rec.graders_agree, rec.status) == ("A", 1, True, "active")
    assert not rec.verified  # one grader is not enough

    sam.post(url, {"category": "C"})
    rec.refresh_from_db()
    assert (rec.category, rec.graders, rec.graders_agree, rec.status) == ("A", 2, False, "disputed")

    gita.post(url, {"category": "C"})  # a grader may change their verdict; the latest one stands
    rec.refresh_from_db()
    assert (rec.category, rec.graders, rec.graders_agree, rec.status) == ("C", 2, True, "active")
    assert rec.verified
    page = gita.get(f"/staff/hashbank/records/{rec.pk}/").content.decode()
    assert page.count("Category C</td>") == 2
    assert AuditEntry.objects.filter(action="hashbank.record_verdict").count() == 3

    bad = gita.post(url, {"category": "D"})
    assert bad.status_code == 400
    assert "Select a category" in bad.content.decode()
    assert 'href="#id_category"' in bad.content.decode()
    rec.refresh_from_db()
    assert rec.graders == 2


def test_supervisors_disable_a_record(
    sign_in: Callable[..., Client], supervisor: User, grader: User, records: list[BankRecord]
) -> None:
    rec = records[0]
    url = f"/staff/hashbank/records/{rec.pk}/status/"
    assert sign_in(grader).post(url, {"status": "disabled"}).status_code == 403
    client = sign_in(supervisor)
    assert client.post(url, {"status": "disabled"}).status_code == 302
    rec.refresh_from_db()
    assert rec.status == "disabled"
    assert client.post(url, {"status": "gone"}).status_code == 400
    rec.refresh_from_db()
    assert rec.status == "disabled"
    assert AuditEntry.objects.get(action="hashbank.record_status").details == {
        "from": "active",
        "to": "disabled",
    }
