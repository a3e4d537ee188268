"""The report pipeline's step for conversations: each one read from the evidence store and analysed, the
reading stored without the text, and the identifiers the groomer gives (a phone number, a handle on
another app) added to the report's reported person, before linking, so that linking sees them."""

from __future__ import annotations

import json
from typing import Any

from haven.chats.analysis import analyse
from haven.chats.models import Analysis
from haven.chats.readers import Conversation as Chat
from haven.chats.readers import conversation_from_json
from haven.evidence import store
from haven.intake.models import Conversation, Identifier, IdentifierKind, Report

MENTIONED = "conversation"  # the event of an identifier a participant gave in a conversation


def load(conversation: Conversation) -> Chat:
    """The conversation's messages, decrypted in memory."""
    data = json.loads(store.read(conversation.blob.sha256))
    data["id"] = data.get("id") or f"{conversation.report_id}-{conversation.position}"
    return conversation_from_json(data)


def analyse_conversations(report: Report) -> None:
    """Run inside ``process_report``'s transaction; running it again gives the same rows."""
    conversations = list(report.conversations.select_related("blob").order_by("position"))
    if not conversations:
        return
    payload: dict[str, Any] = report.payload
    Identifier.objects.filter(report=report, event=MENTIONED).delete()
    victim_age = report.youngest_victim_age
    for conversation in conversations:
        chat = load(conversation)
        reading = analyse(chat, victim_age=victim_age)
        lines = [{k: v for k, v in line.items() if k != "text"} for line in reading["lines"]]
        Analysis.objects.update_or_create(
            conversation=conversation,
            defaults={
                "grooming": reading["grooming"],
                "score": reading["score"],
                "groomer": reading["groomer"] or "",
                "urgent": reading["urgent"],
                "urgent_any": bool(reading["urgent"]),
                "stages": reading["stages"],
                "reading": {**reading, "lines": lines},
            },
        )
        if reading["groomer"]:
            _add_mentions(report, payload, chat, reading)


def _values(person: dict[str, Any]) -> set[str]:
    return {x.get("value") for x in person.get("identifiers") or []}


def _add_mentions(report: Report, payload: dict[str, Any], chat: Chat, reading: dict[str, Any]) -> None:
    """The groomer's own numbers and handles become identifiers of the reported person they are: the one
    whose identifiers include the groomer's account, or else the first."""
    people = payload.get("reported_persons") or []
    if not people:
        return
    account = next((p.identifier for p in chat.participants if p.id == reading["groomer"]), None)
    person = next((i for i, p in enumerate(people) if account and account in _values(p)), 0)
    rows = []
    for mention in reading["mentions"]:
        if mention["from"] != reading["groomer"]:
            continue
        kind = IdentifierKind.PHONE if mention["kind"] == "phone" else IdentifierKind.USERNAME
        rows.append(Identifier(report=report, on_victim=False, person=person, kind=kind,
                               value=mention["value"][:500], platform=mention.get("platform", "")[:100],
                               event=MENTIONED))  # fmt: skip
    Identifier.objects.bulk_create(rows)
