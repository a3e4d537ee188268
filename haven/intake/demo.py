"""Demo reports: invented people and identifiers from reserved ranges (example.com, 192.0.2.0/24,
07700 900xxx)."""

from __future__ import annotations

from typing import Any

from haven.accounts.models import Organisation
from haven.hashbank.demo import picture
from haven.hashbank.hashing import hash_bytes
from haven.intake.actions import SelfReferredFile, submit_reports, submit_self_referral
from haven.intake.models import Report, Source
from haven.intake.schemas import ReportIn

TYPES = ["online_enticement", "sextortion", "csam_distribution", "obscene_material_to_child", "other"]


# Who is behind each of the twelve reports: five invented people, so that the subject pages have something
# to show (people in several reports, linked by different identifiers in different spellings).
PERSON_OF_REPORT = [0, 1, 0, 2, 1, 3, 0, 4, 2, 1, 3, 0]


def _identifiers(i: int) -> list[dict[str, Any]]:
    p = PERSON_OF_REPORT[i]
    email = f"demo.person{p}@example.com"
    handle = f"@demo_person_{p}" if i % 3 else f"Demo_Person_{p}"
    found: list[dict[str, Any]] = [
        {"kind": "email", "value": email.upper() if i % 2 else email},
        {"kind": "username", "platform": "examplechat", "value": handle},
        {"kind": "ip", "value": f"192.0.2.{10 + i}", "port": 50000 + i, "event": "login",
         "seen_at": f"2026-11-{10 + i:02d}T13:00:00Z"},
    ]  # fmt: skip
    if i % 3 == 0:  # one number, spelt two ways
        found[0] = {
            "kind": "phone",
            "value": f"07700 900{100 + p:03d}" if i % 2 else f"+44 7700 900{100 + p:03d}",
        }
    if i in {1, 5, 8}:  # a no-reply address pasted into unrelated reports: on the warninglist, never links
        found.append({"kind": "email", "value": "no-reply@notifications.example.com"})
    if i in {4, 10}:  # two people behind one shared address: an association, not a link
        found.append({"kind": "ip", "value": "192.0.2.200"})
    return found


# A synthetic chat for one demo report: grooming shown only by its behavioural signs (safety rule).
DEMO_CHAT = [
    ("demo_adult", "hey, you play really well"),
    ("demo_child", "thanks"),
    ("demo_adult", "how old are you?"),
    ("demo_child", "13"),
    ("demo_adult", "you seem so mature for your age"),
    ("demo_child", "my mum says i'm not"),
    ("demo_adult", "are your parents home right now?"),
    ("demo_child", "no, at work"),
    ("demo_adult", "keep this between us ok, don't tell anyone"),
    ("demo_adult", "add me on snapchat"),
    ("demo_adult", "text me on 07700 900999 instead"),
    ("demo_adult", "we should meet up, i can pick you up after school at the library"),
    ("demo_child", "maybe"),
]


def _conversation() -> dict[str, Any]:
    return {
        "id": "demo-thread-1", "platform": "examplechat",
        "participants": [{"id": "demo_adult", "identifier": "@demo_person_3"}, {"id": "demo_child"}],
        "messages": [{"at": f"2026-11-15T16:{m:02d}:00Z", "from": who, "text": text}
                     for m, (who, text) in enumerate(DEMO_CHAT)],
    }  # fmt: skip


def _demo(i: int) -> ReportIn:
    incident = {
        "type": TYPES[i % len(TYPES)],
        "occurred_at": f"2026-11-{10 + i:02d}T13:05:00Z",
        "summary": "A synthetic demo report: an adult account messaged a child account.",
        "imminent_danger": i == 0,
    }
    return ReportIn.model_validate(
        {
            "external_id": f"DEMO-{i:04d}",
            "incident": incident,
            "reported_persons": [{"identifiers": _identifiers(i)}],
            # Public places' postcodes (Manchester town hall, Leeds civic hall), not anyone's home.
            "victims": [
                {
                    "age_estimate": 12 + i % 4,
                    "location": {"country": "GB", "postcode": "LS1 1UR" if i % 6 == 4 else "M2 5DB"},
                }
            ],
            "media": [{"sha256": f"{i + 1:064x}", "file_name": f"demo-{i}.jpg", "viewed_by_reporter": True}],
            "reporter": {
                "organisation": "Example Platform Ltd (demo)",
                "contact_email": "safety@example.com",
            },
            "conversations": [_conversation()] if i == 5 else [],
        }
    )


def seed() -> int:
    """Add the demo reports once; returns how many exist."""
    platform = Organisation.objects.filter(slug="example-platform").first()
    if platform is None:
        return 0
    items = [_demo(i) for i in range(12)]
    submit_reports(items, organisation=platform, source=Source.INDUSTRY, finished=True, origin="haven demo")
    return Report.objects.filter(organisation=platform, external_id__startswith="DEMO-").count()


# The demo self-referral: two generated pictures, hashed here as a young person's browser would hash them.
DEMO_SELF_REFERRAL_TOKEN = "de" * 16


def seed_self_referral() -> str:
    """Add the demo self-referral once; returns its reference number, for trying the status page."""
    files = []
    for seed_value in (900, 901):
        hashes = hash_bytes(picture(seed_value), f"demo-self-{seed_value}.png")
        assert hashes.sha256 is not None  # for mypy: every file has one
        files.append(SelfReferredFile(hashes.sha256, hashes.pdq, hashes.quality))
    return submit_self_referral(DEMO_SELF_REFERRAL_TOKEN, files).reference
