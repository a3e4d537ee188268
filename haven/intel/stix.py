"""Subjects as a STIX 2.1 bundle, for partners who run MISP or OpenCTI.

Each subject is a ``threat-actor`` (an individual), its identifiers are observables (``email-addr``,
``ipv4-addr``/``ipv6-addr``, ``url``, ``user-account``) related to it, and each of its reports is a STIX
``report`` carrying Haven's 3x5x2 grading. Every object is marked TLP:AMBER; a report with handling code C
(exported only on request) also carries its conditions as a statement marking. Ids are derived from Haven's
own, so exporting again gives the same ids and a partner's platform updates rather than duplicates.
Identifiers with no STIX observable (phone, device and payment ids) travel as ``x_haven_identifiers``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import stix2

from haven.intel.export import Exported, subjects

NAMESPACE = uuid.UUID("6b1f4d1e-2b8e-4f43-9a44-6f0d3c1f8a10")  # Haven's namespace for derived STIX ids
CENTRE = stix2.Identity(
    id=f"identity--{uuid.uuid5(NAMESPACE, 'haven-centre')}",
    name="Haven national centre",
    identity_class="organization",
    created=datetime(2026, 1, 1, tzinfo=UTC),
    modified=datetime(2026, 1, 1, tzinfo=UTC),
)
COMMON: dict[str, Any] = {"created_by_ref": CENTRE.id, "object_marking_refs": [stix2.TLP_AMBER.id]}


def _observable(kind: str, value: str, platform: str | None) -> Any | None:
    if kind == "email":
        return stix2.EmailAddress(value=value, object_marking_refs=[stix2.TLP_AMBER.id])
    if kind == "ip":
        kind_of = stix2.IPv6Address if ":" in value else stix2.IPv4Address
        return kind_of(value=value, object_marking_refs=[stix2.TLP_AMBER.id])
    if kind == "url":
        return stix2.URL(value=value, object_marking_refs=[stix2.TLP_AMBER.id])
    if kind == "username":
        return stix2.UserAccount(
            account_type=platform, account_login=value, object_marking_refs=[stix2.TLP_AMBER.id]
        )
    if kind == "account_id":
        return stix2.UserAccount(
            account_type=platform, user_id=value, object_marking_refs=[stix2.TLP_AMBER.id]
        )
    return None


def _subject_objects(subject: Exported) -> list[Any]:
    received = subject.received
    actor_id = f"threat-actor--{subject.uid}"
    observables, others = [], []
    for kind, platform, canonical in subject.identifiers:
        sco = _observable(kind, canonical, platform or None)
        if sco is None:
            others.append({"kind": kind, "value": canonical})
        else:
            observables.append(sco)
    first = min((received[r] for r in subject.reports), default=datetime.now(UTC))
    actor = stix2.ThreatActor(
        id=actor_id,
        name=f"Haven subject {subject.uid}",
        threat_actor_types=["criminal"],
        resource_level="individual",
        created=first,
        modified=first,
        allow_custom=True,
        x_haven_identifiers=others,
        **COMMON,
    )
    objects: list[Any] = [actor, *observables]
    objects += [
        stix2.Relationship(
            id=f"relationship--{uuid.uuid5(NAMESPACE, actor_id + sco.id)}",
            relationship_type="related-to",
            source_ref=actor_id,
            target_ref=sco.id,
            created=first,
            modified=first,
            **COMMON,
        )
        for sco in observables
    ]
    for uid, report in subject.reports.items():
        grading = report["grading"]
        markings = [stix2.TLP_AMBER.id]
        if grading and grading["handling"] == "C":
            statement = stix2.MarkingDefinition(
                id=f"marking-definition--{uuid.uuid5(NAMESPACE, 'conditions-' + uid)}",
                definition_type="statement",
                created=received[uid],
                definition=stix2.StatementMarking(
                    f"3x5x2 handling code C. Conditions: {grading['conditions']}"
                ),
            )
            objects.append(statement)
            markings.append(statement.id)
        objects.append(
            stix2.Report(
                id=f"report--{uid}",
                name=f"Haven report {uid}",
                published=received[uid],
                created=received[uid],
                modified=received[uid],
                report_types=["threat-actor"],
                object_refs=[actor_id, *(o.id for o in observables)],
                created_by_ref=CENTRE.id,
                object_marking_refs=markings,
                allow_custom=True,
                x_haven_grading=grading,
                x_haven_external_id=report["external_id"],
                x_haven_organisation=report["organisation"],
            )
        )
    return objects


def bundle(*, with_conditions: bool = False) -> str:
    """Every shareable subject as one STIX 2.1 bundle, serialised."""
    objects: list[Any] = [CENTRE, stix2.TLP_AMBER]
    for subject in subjects(with_conditions=with_conditions):
        objects += _subject_objects(subject)
    unique = list({o.id: o for o in objects}.values())  # one observable may be held by several subjects
    return str(
        stix2.Bundle(id=f"bundle--{uuid.uuid4()}", objects=unique, allow_custom=True).serialize(pretty=False)
    )
