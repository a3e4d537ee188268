"""The public reporting form, as a person fills it in: one question a page, in a real session."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haven.audit.models import AuditEntry
from haven.intake.models import Conversation, Identifier, PublicLimitKey, PublicSubmission, Report

# Pasted as a parent might: a WhatsApp export's dates, a message over two lines, a line with no name first.
PASTED = """copied from my son's tablet
12/11/2026, 19:02 - gamer_0001: how old are you?
12/11/2026, 19:03 - Sam: 12
12/11/2026, 19:04 - gamer_0001: don't tell your mum we talk
it's our secret
"""


@pytest.fixture(autouse=True)
def evidence(settings: Any, tmp_path: Any) -> None:
    settings.EVIDENCE_DIR = tmp_path / "evidence"


ANSWERS: dict[str, dict[str, str]] = {
    "who": {"who": "parent_carer"},
    "what": {"what": "talking", "details": "An adult keeps messaging my child on a game."},
    "when": {"day": "3", "month": "11", "year": "2026"},
    "who-did-it": {"username": "gamer_0001", "platform": "examplegame", "link": "https://example.com/u/1"},
    "messages": {"messages": PASTED},
    "outcome": {"outcome": "I want it to stop."},
    "contact": {"name": "A Parent", "email": "parent@example.com", "phone": ""},
}


def fill_in(client: Client, answers: dict[str, dict[str, str]] = ANSWERS) -> Any:
    assert client.post("/report/").status_code == 302
    for slug, data in answers.items():
        response = client.post(f"/report/{slug}/", data)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    return client.get("/report/check/")


def test_a_parent_reports_and_gets_a_reference(client: Client, db: None) -> None:
    check = fill_in(client)
    page = check.content.decode()
    for text in ("A parent or carer", "An adult keeps messaging my child", "2026-11-03", "gamer_0001",
                 "parent@example.com", "I want it to stop."):  # fmt: skip
        assert text in page, text
    done = client.post("/report/check/", follow=True)
    report = Report.objects.get()
    assert report.reference in done.content.decode()
    assert (report.source, report.status, report.incident_type) == ("public", "received", "online_enticement")
    assert report.payload["reporter"]["contact_email"] == "parent@example.com"
    assert "Reported by: A parent or carer." in report.payload["incident"]["summary"]
    assert report.occurred_at is not None and report.occurred_at.date().isoformat() == "2026-11-03"
    kinds = sorted(Identifier.objects.values_list("kind", "value"))
    assert kinds == [("url", "https://example.com/u/1"), ("username", "gamer_0001")]
    # The pasted messages, as a conversation kept encrypted: four messages, the first from "unknown".
    (chat,) = Conversation.objects.filter(report=report)
    assert (chat.messages, chat.participants) == (4, 0)
    assert "our secret" not in json.dumps(report.payload)
    assert "4 messages" in page
    # Sending again (a double click, or the back button) adds nothing.
    client.post("/report/check/")
    assert Report.objects.count() == 1


def test_every_page_is_safe_to_leave_and_never_cached(client: Client, db: None) -> None:
    client.post("/report/")
    urls = ["/report/", *[f"/report/{slug}/" for slug in ANSWERS]]
    for url in urls:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "Exit this page" in page, url
        assert "If you are in immediate danger call 999" in page, url
        assert "https://" not in page.replace("https://www.bbc.co.uk/weather", ""), url  # nothing third-party
    assert "0800 1111" in client.get("/report/what/").content.decode()


def test_answers_survive_errors(client: Client, db: None) -> None:
    client.post("/report/")
    response = client.post("/report/what/", {"details": "Kept text"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select what has happened" in page
    assert "Kept text" in page
    bad_date = client.post("/report/when/", {"day": "31", "month": "2", "year": "2026"})
    assert "Enter a real date" in bad_date.content.decode()
    partial = client.post("/report/when/", {"day": "3", "year": "2026"})
    assert "Enter a day, month and year" in partial.content.decode()
    future = client.post("/report/when/", {"day": "1", "month": "1", "year": "2099"})
    assert "today or in the past" in future.content.decode()
    username_only = client.post("/report/who-did-it/", {"username": "x"})
    assert "Enter the app, game or website" in username_only.content.decode()


def test_contact_details_are_needed_unless_reporting_images_seen_online(client: Client, db: None) -> None:
    answers = {**ANSWERS, "contact": {"name": "", "email": "", "phone": ""}}
    client.post("/report/")
    for slug in ("who", "what", "when", "who-did-it", "outcome"):
        client.post(f"/report/{slug}/", answers[slug])
    refused = client.post("/report/contact/", answers["contact"])
    assert refused.status_code == 400
    assert "Enter an email address or a phone number" in refused.content.decode()
    anonymous = {**answers, "what": {"what": "images_online", "details": "A link to images of a child."}}
    fill_in(client, anonymous)
    client.post("/report/check/")
    report = Report.objects.get()
    assert report.incident_type == "csam_distribution"
    assert report.payload["reporter"]["contact_email"] is None


def test_one_connection_is_limited_per_hour(client: Client, db: None, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 1
    fill_in(client)
    client.post("/report/check/")
    fill_in(client, {**ANSWERS, "what": {"what": "other", "details": "Second report."}})
    limited = client.post("/report/check/")
    assert limited.status_code == 429
    assert Report.objects.count() == 1


def test_the_steps_need_a_started_form(client: Client, db: None) -> None:
    for url in ("/report/who/", "/report/check/", "/report/done/", "/report/no-such-step/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/report/"), url


def test_a_reporters_address_and_browser_are_not_kept(client: Client, db: None) -> None:
    sender = Client(REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="ExampleBrowser/9.9 (a child's tablet)")
    fill_in(sender)
    assert sender.post("/report/check/").status_code == 302
    report = Report.objects.get()
    entries = AuditEntry.objects.all()
    assert entries.filter(object_id=str(report.pk)).exists()
    assert not entries.filter(ip="192.0.2.44").exists()
    assert not entries.exclude(user_agent="").exists()
    # What the rate limit keeps is a digest under a key of the day, not the address.
    (counted,) = PublicSubmission.objects.all()
    assert "192.0.2.44" not in counted.digest and len(counted.digest) == 64
    assert counted.digest != hashlib.sha256(b"192.0.2.44").hexdigest()


def test_the_limit_counts_each_address_and_forgets_old_days(client: Client, db: None, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 1
    yesterday = timezone.localdate() - timedelta(days=1)
    PublicLimitKey.objects.create(day=yesterday, key=b"k" * 32)
    first, second = Client(REMOTE_ADDR="192.0.2.10"), Client(REMOTE_ADDR="192.0.2.11")
    fill_in(first)
    assert first.post("/report/check/").status_code == 302
    fill_in(second)
    assert second.post("/report/check/").status_code == 302  # another address: its own count
    fill_in(first, {**ANSWERS, "what": {"what": "other", "details": "Again."}})
    assert first.post("/report/check/").status_code == 429
    assert Report.objects.count() == 2
    # Yesterday's key is gone, so yesterday's digests can no longer be tied to an address.
    assert list(PublicLimitKey.objects.values_list("day", flat=True)) == [timezone.localdate()]


def test_the_check_page_checks_every_step_again(client: Client, db: None) -> None:
    anonymous = {**ANSWERS, "what": {"what": "images_online", "details": "I saw images on a forum."},
                 "contact": {"name": "", "email": "", "phone": ""}}  # fmt: skip
    fill_in(client, anonymous)
    # Then the person goes back and changes what happened to a threat, which needs contact details.
    assert client.post("/report/what/", {"what": "threats", "details": "Someone is threatening my child."})
    sent = client.post("/report/check/")
    assert (sent.status_code, sent["Location"]) == (302, "/report/contact/?review=1")
    assert Report.objects.count() == 0
    review = client.get(sent["Location"])
    assert review.status_code == 400
    assert "Enter an email address or a phone number" in review.content.decode()
    client.post("/report/contact/", {"email": "carer@example.com"})
    assert client.post("/report/check/").status_code == 302
    assert Report.objects.get().payload["reporter"]["contact_email"] == "carer@example.com"


def test_a_step_cannot_be_skipped_by_going_to_the_check_page(client: Client, db: None) -> None:
    assert client.post("/report/").status_code == 302
    client.post("/report/who/", ANSWERS["who"])
    client.post("/report/what/", ANSWERS["what"])
    for attempt in (client.get("/report/check/"), client.post("/report/check/")):
        assert (attempt.status_code, attempt["Location"]) == (302, "/report/contact/?review=1")
    assert Report.objects.count() == 0
