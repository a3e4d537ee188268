"""Subjects for partners: JSON lines (one subject a line) and STIX 2.1 (``haven.intel.stix``).

Reports graded with handling code C are left out, with everything they alone say, unless the caller asks
for them (``with_conditions``); then each carries its grading and conditions, so that the recipient sees
them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from haven.intel.models import Grading, HandlingCode, Member, Sighting, Subject

CHUNK = 2000


@dataclass
class Exported:
    uid: str
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    identifiers: dict[tuple[str, str, str], None] = field(default_factory=dict)
    received: dict[str, datetime] = field(default_factory=dict)  # report id -> received at
    # Triage's ``Priority.as_json()``, read through the relation (triage builds on intel: not imported).
    priority: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.uid,
            "reports": list(self.reports.values()),
            "identifiers": [{"kind": k, "value": c, "platform": p or None} for k, p, c in self.identifiers],
            "priority": self.priority,
        }


def subjects(*, with_conditions: bool = False) -> Iterator[Exported]:
    """Every subject with what may be shared of it, in id order; one with nothing to share is skipped."""
    ids = list(Subject.objects.order_by("id").values_list("id", "uid"))
    for start in range(0, len(ids), CHUNK):
        chunk = dict(ids[start : start + CHUNK])
        out = {s: Exported(str(uid)) for s, uid in chunk.items()}
        scored = Subject.objects.filter(id__in=chunk, priority__isnull=False).select_related("priority")
        for one in scored:
            out[one.pk].priority = getattr(one, "priority", None).as_json()  # type: ignore[union-attr]
        members = Member.objects.filter(subject_id__in=chunk)
        if not with_conditions:
            members = members.exclude(report__grading__handling=HandlingCode.C)
        gradings = {
            g.report_id: g.as_json() for g in Grading.objects.filter(report__members__subject_id__in=chunk)
        }
        shared: list[int] = []
        for pk, subject, report_id, uid, external_id, organisation, received in members.order_by(
            "report_id", "person"
        ).values_list(
            "id",
            "subject_id",
            "report_id",
            "report__uid",
            "report__external_id",
            "report__organisation__slug",
            "report__received_at",
        ):
            shared.append(pk)
            out[subject].received[str(uid)] = received
            out[subject].reports.setdefault(
                str(uid),
                {
                    "id": str(uid),
                    "external_id": external_id,
                    "organisation": organisation,
                    "grading": gradings.get(report_id),
                },
            )
        sightings = Sighting.objects.filter(member_id__in=shared, value__isnull=False).order_by("value_id")
        for subject, kind, platform, canonical in sightings.values_list(
            "member__subject_id", "value__kind", "value__platform", "value__canonical"
        ):
            out[subject].identifiers[(kind, platform, canonical)] = None
        yield from (e for e in out.values() if e.reports)


def subject_rows(*, with_conditions: bool = False) -> Iterator[dict[str, Any]]:
    """``{"id", "reports": [{"id", "external_id", "organisation", "grading"}], "identifiers": [{"kind",
    "value", "platform"}], "priority"}`` for every subject."""
    return (e.as_json() for e in subjects(with_conditions=with_conditions))
