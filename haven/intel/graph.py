"""The network around a subject, as cytoscape.js elements: the subject, its reports, the identifiers in
them, and (on request) whoever else holds an identifier. Noisy and warninglisted identifiers are marked,
and every expansion is capped, so that a shared address cannot pull the whole database into a browser."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from haven.intake.models import Report
from haven.intel.models import Member, Sighting, Subject, Tier, Value

EXPAND_LIMIT = 25
Element = dict[str, Any]


class UnknownNodeError(Exception):
    pass


def _subject(subject: Subject) -> Element:
    return {
        "data": {
            "id": f"subject:{subject.uid}",
            "label": subject.reference,
            "kind": "subject",
            "url": f"/staff/subjects/{subject.uid}/",
        }
    }


def _value(value: Value) -> Element:
    state = (
        "excluded"
        if value.excluded
        else "noisy"
        if value.noisy
        else "weak"
        if value.tier == Tier.WEAK
        else "links"
    )
    label = f"{value.kind}: {value.platform + '/' if value.platform else ''}{value.canonical}"
    return {
        "data": {
            "id": f"value:{value.pk}",
            "label": label,
            "kind": "value",
            "state": state,
            "holders": value.holders,
        }
    }


def _report(report: Report) -> Element:
    return {
        "data": {
            "id": f"report:{report.uid}",
            "label": report.reference,
            "kind": "report",
            "url": f"/staff/reports/{report.uid}/",
        }
    }


def _edge(a: str, b: str) -> Element:
    return {"data": {"id": f"{a}|{b}", "source": a, "target": b}}


def around(subject: Subject, limit: int = 200) -> list[Element]:
    """The subject, its reports and their identifiers (up to ``limit`` reports)."""
    elements = [_subject(subject)]
    members = list(
        Member.objects.filter(subject=subject).select_related("report").order_by("report_id")[:limit]
    )
    seen: set[str] = set()
    for member in members:
        node = f"report:{member.report.uid}"
        if node not in seen:
            seen.add(node)
            elements += [_report(member.report), _edge(f"subject:{subject.uid}", node)]
    sightings = Sighting.objects.filter(member__in=members, value__isnull=False).select_related(
        "value", "member__report"
    )
    for s in sightings:
        assert s.value is not None
        node = f"value:{s.value_id}"
        if node not in seen:
            seen.add(node)
            elements.append(_value(s.value))
        edge = _edge(f"report:{s.member.report.uid}", node)
        if edge["data"]["id"] not in seen:
            seen.add(edge["data"]["id"])
            elements.append(edge)
    return elements


@dataclass(frozen=True)
class Expansion:
    """A node's neighbours, and the record whose contents they show (what the audit trail must name)."""

    elements: list[Element]
    shown: Value | Subject | Report


def expand(node: str) -> Expansion:
    """One node's neighbours: a value's holders (as subjects), a report's identifiers, a subject's own."""
    kind, _, key = node.partition(":")
    try:
        if kind == "value":
            value = Value.objects.get(pk=int(key))
            subjects = (
                Subject.objects.filter(members__sightings__value=value)
                .distinct()
                .order_by("id")[:EXPAND_LIMIT]
            )
            elements = [_value(value)] + [
                e for s in subjects for e in (_subject(s), _edge(f"subject:{s.uid}", node))
            ]
            return Expansion(elements, value)
        if kind == "subject":
            subject = Subject.objects.get(uid=uuid.UUID(key))
            return Expansion(around(subject), subject)
        if kind == "report":
            report = Report.objects.get(uid=uuid.UUID(key))
            values = Value.objects.filter(sightings__member__report=report).distinct()
            elements = [_report(report)] + [
                e for v in values for e in (_value(v), _edge(node, f"value:{v.pk}"))
            ]
            return Expansion(elements, report)
    except (ValueError, Value.DoesNotExist, Subject.DoesNotExist, Report.DoesNotExist):
        pass
    raise UnknownNodeError(node)
