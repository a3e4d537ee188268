"""Subjects as a STIX 2.1 bundle, for partners who run MISP or OpenCTI.

Each subject is a ``threat-actor`` (an individual), its identifiers are observables (``email-addr``,
``ipv4-addr``/``ipv6-addr``, ``url``, ``user-account``) related to it, and each of its reports is a STIX
``report`` carrying Haven's 3x5x2 grading. Every object is marked TLP:AMBER; a report with handling code C
(exported only on request) also carries its conditions as a statement marking. Ids are derived from Haven's
own, so exporting again gives the same ids and a partner's platform updates rather than duplicates; those
that are not Haven's own uuid4s are made from a hash in the shape of a UUIDv4, as STIX asks of SDOs and SROs.

What STIX has no property for travels in Haven's property extension (``EXTENSION``, defined in the bundle):
identifiers with no observable (phone, device and payment ids) on the threat actor; the grading, external id
and organisation on a report; and on a user account, its platform, when the platform is not one of STIX's
account types. The bundle passes OASIS's stix2-validator with no warnings (tests/intel/test_export.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import stix2
from stix2.v21 import vocab

from haven.intel.export import Exported, subjects

NAMESPACE = uuid.UUID("6b1f4d1e-2b8e-4f43-9a44-6f0d3c1f8a10")  # Haven's namespace for derived STIX ids
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def derived(kind: str, name: str) -> str:
    """A STIX id for ``kind``, the same at every export: UUIDv5's hash of ``name``, marked as version 4."""
    return f"{kind}--{uuid.UUID(bytes=uuid.uuid5(NAMESPACE, name).bytes, version=4)}"


CENTRE = stix2.Identity(
    id=derived("identity", "haven-centre"),
    name="Haven national centre",
    identity_class="organization",
    created=SINCE,
    modified=SINCE,
)
COMMON: dict[str, Any] = {"created_by_ref": CENTRE.id, "object_marking_refs": [stix2.TLP_AMBER.id]}
EXTENSION_ID = derived("extension-definition", "haven-properties-1")
EXTENSION = stix2.ExtensionDefinition(
    id=EXTENSION_ID,
    created_by_ref=CENTRE.id,
    created=SINCE,
    modified=SINCE,
    name="Haven properties",
    description="What a Haven export carries that STIX has no property for.",
    schema=(
        "threat-actor: identifiers, a list of {kind, value} for phone numbers, device ids and payment ids. "
        "report: grading (Haven's 3x5x2 grading: source, assessment, handling, conditions), external_id "
        "(the reporting organisation's own reference), organisation. user-account: platform, when it is "
        "not one of STIX's account types."
    ),
    version="1.0",
    extension_types=["property-extension"],
    object_marking_refs=[stix2.TLP_AMBER.id],
)
ACCOUNT_TYPES = frozenset(vocab.ACCOUNT_TYPE)


def _present(value: Any) -> Any:
    """``value`` without the nulls and empty lists that STIX forbids, or None if nothing is left."""
    if isinstance(value, dict):
        value = {k: v for k, v in ((k, _present(v)) for k, v in value.items()) if v is not None}
    return None if value is None or value in ({}, []) else value


def _haven(**properties: Any) -> dict[str, Any]:
    """The ``extensions`` argument of an object that carries Haven's properties: none, if it has none."""
    present = _present(properties)
    if not present:
        return {}
    return {"extensions": {EXTENSION_ID: {"extension_type": "property-extension", **present}}}


def _observable(kind: str, value: str, platform: str | None) -> Any | None:
    if kind == "email":
        return stix2.EmailAddress(value=value, object_marking_refs=[stix2.TLP_AMBER.id])
    if kind == "ip":
        kind_of = stix2.IPv6Address if ":" in value else stix2.IPv4Address
        return kind_of(value=value, object_marking_refs=[stix2.TLP_AMBER.id])
    if kind == "url":
        return stix2.URL(value=value, object_marking_refs=[stix2.TLP_AMBER.id])
    if kind in {"username", "account_id"}:
        field = "account_login" if kind == "username" else "user_id"
        known = (platform or "").lower()
        if known in ACCOUNT_TYPES:
            return stix2.UserAccount(
                account_type=known, object_marking_refs=[stix2.TLP_AMBER.id], **{field: value}
            )
        # The platform is not a STIX account type: it goes in Haven's extension, and into the id (which STIX
        # derives from the account type and login alone), so that the same name on two platforms stays two
        # accounts.
        return stix2.UserAccount(
            id=f"user-account--{uuid.uuid5(NAMESPACE, f'{platform}/{kind}/{value}')}",
            object_marking_refs=[stix2.TLP_AMBER.id],
            **_haven(platform=platform or ""),
            allow_custom=True,
            **{field: value},
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
        **_haven(identifiers=others),
        **COMMON,
    )
    objects: list[Any] = [actor, *observables]
    objects += [
        stix2.Relationship(
            id=derived("relationship", actor_id + sco.id),
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
                id=derived("marking-definition", "conditions-" + uid),
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
                **_haven(
                    grading=grading, external_id=report["external_id"], organisation=report["organisation"]
                ),
            )
        )
    return objects


def bundle(*, with_conditions: bool = False) -> str:
    """Every shareable subject as one STIX 2.1 bundle, serialised."""
    objects: list[Any] = [CENTRE, stix2.TLP_AMBER, EXTENSION]
    for subject in subjects(with_conditions=with_conditions):
        objects += _subject_objects(subject)
    unique = list({o.id: o for o in objects}.values())  # one observable may be held by several subjects
    return str(
        stix2.Bundle(id=f"bundle--{uuid.uuid4()}", objects=unique, allow_custom=True).serialize(pretty=False)
    )
