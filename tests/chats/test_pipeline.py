"""Conversations carried by reports: kept encrypted, analysed by the pipeline before linking, and feeding
triage, so that a plan to meet a child exports as P1 with the planning lines as its reasons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from haven.accounts.actions import create_api_key
from haven.accounts.models import User
from haven.audit.models import AuditEntry
from haven.chats.models import Analysis
from haven.chats.pipeline import analyse_conversations
from haven.evidence.store import path_of
from haven.intake.models import Conversation, Identifier
from haven.intel.models import Member
from tests.chats.test_model import MISSPELT
from tests.conftest import Orgs
from tests.triage.conftest import processed, report

pytestmark = pytest.mark.django_db

PHONE = "07700 900321"


@pytest.fixture(autouse=True)
def evidence(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    settings.EVIDENCE_DIR = folder
    return folder


def meeting_chat() -> dict[str, Any]:
    messages = [
        ("m_adult", "hey you play really well"),
        ("kid", "thanks"),
        ("m_adult", "how old are you?"),
        ("kid", "12"),
        ("m_adult", "you are so mature for your age"),
        ("m_adult", "are your parents home?"),
        ("kid", "no"),
        ("m_adult", "this is our secret, don't tell anyone"),
        ("m_adult", f"text me on {PHONE} instead"),
        ("m_adult", "let's meet at the park on saturday at 2, i can pick you up"),
        ("kid", "ok"),
    ]
    return {
        "id": "thread-9",
        "platform": "examplechat",
        "participants": [
            {"id": "m_adult", "identifier": "name_on_platform"},
            {"id": "kid", "stated_age": 12},
        ],
        "messages": [
            {"at": f"2026-11-20T13:{i:02d}:00Z", "from": who, "text": text}
            for i, (who, text) in enumerate(messages)
        ],
    }


def reported(orgs: Orgs, external_id: str, **changes: Any) -> Any:
    # Nothing else raises the score: no media, an old incident, no enticement type or annotation.
    quiet = {
        "incident__type": "other",
        "incident__annotations": [],
        "incident__occurred_at": "2025-01-01T00:00:00Z",
    }
    (one,) = processed(orgs, report(external_id, **{**quiet, **changes}))
    return one


def test_a_plan_to_meet_a_child_exports_as_p1_with_the_planning_lines(
    orgs: Orgs, evidence: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = reported(orgs, "CHAT-1", conversations=[meeting_chat()])
    call_command("reports", "export")
    exported = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if "CHAT-1" in line)
    priority = exported["priority"]
    assert priority["band"] == "P1"
    meeting = next(r for r in priority["reasons"] if r["factor"] == "chat_meeting")
    assert meeting["fact"] == "conversations[0].messages[9]"
    assert "a plan to meet a child (when on saturday; where at the park)" in meeting["text"]
    assert any(r["factor"] == "chat_grooming" and r["points"] > 0 for r in priority["reasons"])
    # Kept encrypted: not in the payload, not in the evidence file, not in the stored reading.
    assert "conversations" not in one.payload and "messages" not in json.dumps(one.payload)
    conversation = Conversation.objects.get(report=one)
    assert (conversation.participants, conversation.messages) == (2, 11)
    stored = path_of(conversation.blob.sha256)
    assert b"our secret" not in stored.read_bytes() and b"m_adult" not in stored.read_bytes()
    analysis = Analysis.objects.get(conversation=conversation)
    assert analysis.groomer == "m_adult" and analysis.urgent == ["meeting"]
    assert all("text" not in line for line in analysis.reading["lines"])


def test_the_groomers_number_becomes_an_identifier_and_links(orgs: Orgs) -> None:
    first = reported(orgs, "CHAT-2", conversations=[meeting_chat()])
    (given,) = Identifier.objects.filter(report=first, event="conversation")
    assert (given.kind, given.value, given.person, given.on_victim) == ("phone", PHONE, 0, False)
    # A later report naming only that number joins the same subject.
    other = reported(orgs, "CHAT-3", reported_persons=[{"identifiers": [{"kind": "phone", "value": PHONE}]}])
    assert Member.objects.get(report=first).subject == Member.objects.get(report=other).subject
    # The step run again (a retried job) gives the same rows, not two.
    analyse_conversations(first)
    assert Identifier.objects.filter(report=first, event="conversation").count() == 1
    assert Analysis.objects.filter(conversation__report=first).count() == 1


def test_a_benign_chat_changes_nothing(orgs: Orgs) -> None:
    chat = {
        "participants": [{"id": "mum"}, {"id": "sam"}],
        "messages": [
            {"from": "sam", "text": "mum can you pick me up after school?"},
            {"from": "mum", "text": "yes, 4 at the gates"},
            {"from": "sam", "text": "thanks mum"},
        ],
    }
    one = reported(orgs, "CHAT-4", conversations=[chat])
    analysis = Analysis.objects.get(conversation__report=one)
    assert analysis.grooming is False and analysis.urgent == []
    assert not [r for r in one.priority.reasons if r["factor"].startswith("chat_")]


@pytest.mark.parametrize(
    ("change", "path", "says"),
    [
        ({"messages": []}, "conversations[0].messages", "at least 1"),
        (
            {"messages": [{"from": "kid", "text": "x" * 10_001}]},
            "conversations[0].messages[0].text",
            "at most",
        ),
        ({"messages": [{"from": "", "text": "hi"}]}, "conversations[0].messages[0].from", "at least 1"),
        (
            {"participants": [{"id": "kid", "stated_age": "twelve"}]},
            "conversations[0].participants[0].stated_age",
            "integer",
        ),
    ],
)
def test_the_api_names_a_bad_conversation_field(
    client: Client, orgs: Orgs, change: dict[str, Any], path: str, says: str
) -> None:
    key = create_api_key(orgs.platform, ["reports:write"]).secret
    body = report("CHAT-BAD", conversations=[{**meeting_chat(), **change}])
    response = client.post(
        "/api/v1/reports", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(e["path"] == path and says in e["message"] for e in errors), errors
    assert not Conversation.objects.exists()


def test_the_conversation_pages_show_the_reading_and_the_log_and_are_audited(
    orgs: Orgs, analyst: User, liaison_a: User, sign_in: Callable[..., Client]
) -> None:
    one = reported(orgs, "CHAT-5", conversations=[meeting_chat()])
    conversation = Conversation.objects.get(report=one)
    client = sign_in(analyst)
    report_page = client.get(f"/staff/reports/{one.uid}/").content.decode()
    assert f'href="/staff/conversations/{conversation.pk}/"' in report_page and "by m_adult" in report_page
    response = client.get(f"/staff/conversations/{conversation.pk}/")
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "A plan to meet a child (on saturday, at the park). Lines 9." in page
    assert "let&#x27;s meet at the park on saturday at 2, i can pick you up" in page
    assert "meeting: propose" in page and "Exclusivity, from line 7" in page
    log = client.get(f"/staff/conversations/{conversation.pk}/log/").content.decode()
    assert "hey you play really well" in log and log.count("Flagged</strong>") == len(
        Analysis.objects.get(conversation=conversation).reading["lines"]
    )
    actions = list(AuditEntry.objects.filter(actor=analyst.username).values_list("action", flat=True))
    assert {"chats.conversation_view", "chats.log_view"} <= set(actions)
    assert sign_in(liaison_a).get(f"/staff/conversations/{conversation.pk}/").status_code == 403
    # The queue's filter keeps only reports with an urgent conversation flag.
    quiet = reported(orgs, "CHAT-6")
    queue = client.get("/staff/queue/", {"chats": "on"}).content.decode()
    assert f"/staff/reports/{one.uid}/" in queue and f"/staff/reports/{quiet.uid}/" not in queue
    api = client.get("/api/v1/staff/queue", {"chats": "true"}).json()
    assert [item["reference"] for item in api["items"]] == [one.reference]


def test_a_conversation_found_by_the_learned_model_says_so(
    orgs: Orgs, analyst: User, sign_in: Callable[..., Client]
) -> None:
    # A sextortion with its demand misspelt ("sned 200 on paypal"): missed by the indicators, not the model.
    chat = {k: v for k, v in MISSPELT.items() if k != "id"}
    chat["messages"] = [{**m, "at": m["at"] + "Z"} for m in chat["messages"]]
    one = reported(orgs, "CHAT-7", conversations=[chat])
    conversation = Conversation.objects.get(report=one)
    reading = Analysis.objects.get(conversation=conversation).reading
    assert reading["grooming"] and reading["learned"]["participant"] == "nathan.p"
    page = sign_in(analyst).get(f"/staff/conversations/{conversation.pk}/").content.decode()
    assert "The learned model, not the indicators" in page and "nathan.p is grooming" in page
    assert f"“{reading['learned']['reasons'][0]}”" in page
