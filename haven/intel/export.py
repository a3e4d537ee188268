"""Subjects as JSON lines: one subject a line, with its reports and its identifiers' canonical values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from haven.intel.models import Member, Sighting, Subject

CHUNK = 2000


def subject_rows() -> Iterator[dict[str, Any]]:
    """``{"id", "reports": [{"id", "external_id", "organisation"}], "identifiers": [{"kind", "value",
    "platform"}], "priority"}`` for every subject, in id order. Priority comes with triage (issue 6)."""
    ids = list(Subject.objects.order_by("id").values_list("id", "uid"))
    for start in range(0, len(ids), CHUNK):
        chunk = dict(ids[start : start + CHUNK])
        reports: dict[int, dict[str, dict[str, Any]]] = {s: {} for s in chunk}
        members = Member.objects.filter(subject_id__in=chunk).order_by("report_id", "person")
        for subject, uid, external_id, organisation in members.values_list(
            "subject_id", "report__uid", "report__external_id", "report__organisation__slug"
        ):
            reports[subject].setdefault(str(uid), {"id": str(uid), "external_id": external_id,
                                                   "organisation": organisation})  # fmt: skip
        values: dict[int, dict[tuple[str, str, str], None]] = {s: {} for s in chunk}
        sightings = Sighting.objects.filter(member__subject_id__in=chunk, value__isnull=False).order_by("value_id")
        for subject, kind, platform, canonical in sightings.values_list(
            "member__subject_id", "value__kind", "value__platform", "value__canonical"
        ):
            values[subject][(kind, platform, canonical)] = None
        for subject, uid in chunk.items():
            yield {
                "id": str(uid),
                "reports": list(reports[subject].values()),
                "identifiers": [{"kind": k, "value": c, "platform": p or None} for k, p, c in values[subject]],
                "priority": None,
            }
