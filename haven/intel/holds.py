"""Deconfliction: which other force already holds a subject, or one of its identifiers.

A force holds what it was sent in an open case: the reported people, and the identifiers that link them.
Anyone looking at a subject or a case is told who else holds any of it, as "held by <force>, contact
<liaison>", and nothing more: never the other force's case content. Noisy and warninglisted identifiers
hold nothing, just as they link nothing. That is checked when asked, so an exclusion added later takes
effect at once.

This module reads holds; opening, updating and closing one are actions (``haven.intel.actions``), called by
the referral actions in their transactions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from haven.accounts.models import Organisation
from haven.intel.models import Hold, Member, Sighting, Subject, Tier, Value

Members = Iterable[int] | QuerySet[Member, int]
LINKING = ~Q(tier=Tier.WEAK) & Q(excluded="", noisy=False)


@dataclass
class HeldBy:
    """Another case's hold: its force and contact, and what it shares with the people asked about."""

    hold: Hold
    same_people: bool = False
    through: list[Value] = field(default_factory=list)

    @property
    def organisation(self) -> Organisation:
        return self.hold.organisation

    @property
    def contact(self) -> str:
        return self.hold.contact


def _ids(members: Members) -> QuerySet[Member, int] | list[int]:
    return members if isinstance(members, QuerySet) else list(members)


def linking_values(members: Members) -> list[int]:
    """The identifiers of these reported people that link, and so can be held."""
    members = _ids(members)
    sighted = Sighting.objects.filter(member_id__in=members).values("value_id")
    return list(Value.objects.filter(LINKING, id__in=sighted).order_by("id").values_list("id", flat=True))


def held_by(members: Members, *, besides: Hold | None = None) -> list[HeldBy]:
    """The open holds on any of these reported people or their linking identifiers, oldest first. With
    ``besides``, that hold's own force is left out: a force is not told that it holds its own case."""
    members = _ids(members)
    values = linking_values(members)
    holds = Hold.objects.filter(closed_at__isnull=True)
    if besides is not None:
        holds = holds.exclude(organisation_id=besides.organisation_id)
    on_people = set(holds.filter(members__in=members).values_list("id", flat=True))
    shared = list(
        Hold.values.through.objects.filter(hold__in=holds, value_id__in=values)
        .select_related("value")
        .order_by("value__kind", "value__canonical")
    )
    found = {
        hold.pk: HeldBy(hold, same_people=hold.pk in on_people)
        for hold in Hold.objects.filter(id__in=on_people | {row.hold_id for row in shared})
        .select_related("organisation")
        .order_by("opened_at", "id")
    }
    for row in shared:
        found[row.hold_id].through.append(row.value)
    return list(found.values())


def held_by_subject(subject: Subject) -> list[HeldBy]:
    return held_by(Member.objects.filter(subject=subject).values_list("id", flat=True))
