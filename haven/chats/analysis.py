"""One conversation read for grooming: who shows which stage, who is a child, who is grooming whom, and
what makes it urgent. Transparent throughout: every number comes from the indicators' hits and the weights
below, and every flagged line says which words fired.

The decision, in two steps as the best PAN-2012 systems did (first the conversation, then the people):
- each participant's groomer score adds, for each stage they show, its weight (``STAGE_WEIGHTS``), a little
  more for a stage shown again, and a demand backed by a threat counts as sextortion;
- a participant is taken for family when another calls them mum or dad, and a chat of three or more is a
  group: both weigh less;
- the conversation is grooming when some participant other than the one with the highest score is a child
  (by what they say, a stated age, or the report's victim age), and that participant shows sextortion, or
  scores at least ``THRESHOLD`` with at least two distinct strong stages.
Urgent flags are raised only on a conversation flagged as grooming: a meeting the groomer proposes (with
the time and place when stated), a sextortion demand, a child speaking of self-harm, a request for images.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from haven.chats import indicators as ind
from haven.chats import model as learned_model
from haven.chats.normalise import normalise
from haven.chats.readers import Conversation

THRESHOLD = 6.0
FAMILY_FACTOR = 0.25
GROUP_FACTOR = 0.6
PEER_FACTOR = 0.6  # a participant who says they are a child too
PEER_GAP = 3  # years between two children's ages beyond which they are not peers
ADULT_BONUS = 1.5
MAX_LINES = 50
AGE_QUESTIONS = {"age", "age_short", "school"}  # a bare number answering one of these is an age
URGENT = ("meeting", "sextortion", "self_harm", "image_request")
# How telling a line is, for ordering the flagged lines: its strongest hit.
# A line that makes the case urgent comes before one that only shows a stage.
_LINE_WEIGHT = {**ind.STAGE_WEIGHTS, "meeting": 4.5, "image_request": 3.5, "sextortion_demand": 5.0,
                "sextortion_threat": 6.0, "self_harm": 6.0}  # fmt: skip


@dataclass
class Person:
    id: str
    stages: Counter[str] = field(default_factory=Counter)
    child: list[str] = field(default_factory=list)  # why they read as a child
    adult: list[str] = field(default_factory=list)
    age: int | None = None
    family: bool = False
    messages: int = 0
    score: float = 0.0
    said: list[str] = field(default_factory=list)  # their messages, normalised, for the learned model


@dataclass
class Line:
    index: int
    sender: str
    text: str
    at: str | None
    hits: list[ind.Hit]

    @property
    def weight(self) -> float:
        return max((_LINE_WEIGHT.get(h.stage, 0.0) for h in self.hits), default=0.0)

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "at": self.at, "from": self.sender, "text": self.text,
                "why": [f"{h.stage}: {h.indicator} ({h.words!r})" for h in self.hits]}  # fmt: skip


def _stage_points(count: int, weight: float) -> float:
    return weight * (1 + 0.5 * (min(count, 3) - 1)) if count else 0.0


@dataclass
class Reading:
    people: dict[str, Person]
    lines: list[Line] = field(default_factory=list)
    order: list[tuple[int, str, str]] = field(default_factory=list)  # (index, sender, stage), first showings
    mentions: list[dict[str, str]] = field(default_factory=list)


def _read(conversation: Conversation) -> Reading:
    """Every message through the indicators, and what each participant says of themselves."""
    reading = Reading({pid: Person(pid) for pid in conversation.participant_ids()})
    people = reading.people
    for p in conversation.participants:
        if p.stated_age is not None:
            people[p.id].age = p.stated_age
            (people[p.id].child if p.stated_age < 18 else people[p.id].adult).append(
                f"stated age {p.stated_age}"
            )
    asked_age_by: str | None = None
    pair = len(people) == 2
    for index, message in enumerate(conversation.messages):
        text = normalise(message.text)
        person = people[message.sender]
        person.messages += 1
        person.said.append(text)
        found = ind.hits(text)
        _about_self(person, text, answering=asked_age_by not in (None, message.sender))
        if ind.KIN_ADDRESS.search(text):
            for other in people.values():
                other.family = other.family or other.id != message.sender
        person.family = person.family or bool(ind.SIGNED_AS_KIN.search(text))
        if pair and (cue := ind.ADDRESSED_AS_CHILD.search(text)):
            for other in people.values():
                if other.id != message.sender:
                    other.child.append(f"{message.sender} says {cue[0]!r}")
        if any(h.indicator in AGE_QUESTIONS for h in found) or ind.AGE_ASKED.search(text):
            asked_age_by = message.sender
        shown_before = {stage for _, who, stage in reading.order if who == message.sender}
        for stage in dict.fromkeys(h.stage for h in found):  # a stage once a message
            person.stages[stage] += 1
            if stage in ind.STAGE_WEIGHTS and stage not in shown_before:
                reading.order.append((index, message.sender, stage))
        reading.mentions.extend(_mentions(message.text, text, message.sender))
        if found:
            at = message.at.isoformat() if message.at else None
            reading.lines.append(Line(index, message.sender, message.text, at, found))
    return reading


def _about_self(person: Person, text: str, *, answering: bool) -> None:
    age = ind.stated_age(text, answering=answering)
    if age is not None:
        person.age = age if person.age is None else min(person.age, age)
        (person.child if age < 18 else person.adult).append(f"says {age}: {text[:60]!r}")
    if cue := ind.CHILD_CUES.search(text):
        person.child.append(repr(cue[0]))
    if cue := ind.ADULT_CUES.search(text):
        person.adult.append(repr(cue[0]))


def _mentions(raw: str, text: str, sender: str) -> list[dict[str, str]]:
    """Identifiers a participant gives: a phone number, a handle on another app."""
    found = [{"kind": "phone", "value": m[0], "from": sender} for m in ind.PHONE.finditer(raw)]
    found += [{"kind": "username", "platform": m[1], "value": m["handle"], "from": sender}
              for m in ind.HANDLE.finditer(text)]  # fmt: skip
    return found


def _score(people: dict[str, Person]) -> None:
    group = len([p for p in people.values() if p.messages]) >= 3
    for person in people.values():
        stages = Counter(person.stages)
        if stages["sextortion_demand"] and stages["sextortion_threat"]:
            stages["sextortion"] = stages["sextortion_demand"] + stages["sextortion_threat"]
        score = sum(_stage_points(stages[s], w) for s, w in ind.STAGE_WEIGHTS.items())
        if person.adult and score:
            score += ADULT_BONUS
        if person.family:
            score *= FAMILY_FACTOR
        if group:
            score *= GROUP_FACTOR
        if person.child and not person.adult and not _much_younger_than(person, people):
            score *= PEER_FACTOR
        person.score, person.stages = round(score, 2), stages


def _much_younger_than(person: Person, people: dict[str, Person]) -> bool:
    """Whether another participant gives an age at least ``PEER_GAP`` years below this one's: a "16" who
    talks to an "11" is not talking to a peer."""
    return person.age is not None and any(
        other.age is not None and other.age <= person.age - PEER_GAP for other in people.values()
    )


def _urgent(lines: list[Line], groomer: Person) -> dict[str, Any]:
    def of(stages: tuple[str, ...], *, by_groomer: bool = True) -> list[int]:
        return [line.index for line in lines if (line.sender == groomer.id) == by_groomer
                and any(h.stage in stages for h in line.hits)]  # fmt: skip

    urgent: dict[str, Any] = {}
    if meeting := of(("meeting",)):
        urgent["meeting"] = {"lines": meeting, **_when_where([ln for ln in lines if ln.index in meeting])}
    if groomer.stages["sextortion"]:  # a demand and a threat, both theirs (``_score``)
        urgent["sextortion"] = {"lines": of(("sextortion_demand", "sextortion_threat"))}
    if images := of(("image_request",)):
        urgent["image_request"] = {"lines": images}
    if harm := of(("self_harm",), by_groomer=False):
        urgent["self_harm"] = {"lines": harm}
    return urgent


def analyse(
    conversation: Conversation,
    *,
    victim_age: int | None = None,
    learned: bool = True,
    model: learned_model.Model | None = None,
) -> dict[str, Any]:
    """The conversation's reading, as the JSON line ``haven chats analyse`` writes. With ``learned``, the
    learned model (``model``, or the process's own) is asked too when the indicators find no grooming
    (``_second_opinion``)."""
    reading = _read(conversation)
    people = reading.people
    _score(people)
    ranked = sorted(people.values(), key=lambda p: (-p.score, p.id))
    top = ranked[0] if ranked else None
    child_victim = victim_age is not None and victim_age < 18
    children = [p for p in people.values() if p.child and not p.adult and (top is None or p.id != top.id)]
    grooming = False
    if top is not None and (children or child_victim):
        strong = {s for s in top.stages if s in ind.STRONG and top.stages[s]}
        grooming = bool(top.stages["sextortion"]) or (top.score >= THRESHOLD and len(strong) >= 2)
    opinion = None
    if learned and not grooming:
        opinion = _second_opinion(people, model or learned_model.model(), child_victim=child_victim)
    if opinion is not None:
        grooming, top = True, people[opinion["participant"]]
    groomer = top.id if grooming and top is not None else None
    urgent = _urgent(reading.lines, top) if grooming and top is not None else {}
    shown = [ln for ln in reading.lines if _shown(ln, groomer)]
    shown.sort(key=lambda line: (-line.weight, -len(line.hits), line.index))
    total = sum(p.score for p in people.values()) or 1.0
    return {
        "id": conversation.id,
        "platform": conversation.platform,
        "grooming": grooming,
        "score": round(min(100.0, 100 * (1 - math.exp(-(top.score if top else 0.0) / 10))), 1),
        "groomer": groomer,
        "urgent": [name for name in URGENT if name in urgent],
        "urgent_details": urgent,
        "stages": [stage for _, who, stage in reading.order if groomer is None or who == groomer],
        "lines": [line.as_json() for line in shown[:MAX_LINES]],
        "learned": opinion,
        "roles": [_role(p, total) for p in ranked],
        "mentions": reading.mentions[:50],
        "messages": len(conversation.messages),
    }


def _second_opinion(
    people: dict[str, Person], model: learned_model.Model, *, child_victim: bool
) -> dict[str, Any] | None:
    """The learned model's view, asked only where the indicators found no grooming: the participant it
    most takes for a groomer, if they are not family, their probability reaches the model's threshold, and
    either another participant reads as a child (or the report gives a child victim) or, in a chat of two,
    the other gives no sign of being an adult. The second way is for a child who never says their age in
    words the indicators know. It may add a flag, never remove one."""
    candidates = [p for p in people.values() if p.messages and not p.family]
    if not candidates:
        return None
    texts = [learned_model.participant_text(p.said) for p in candidates]
    probabilities = model.probabilities(texts)
    chosen = max(range(len(candidates)), key=probabilities.__getitem__)
    probability, best = probabilities[chosen], candidates[chosen]
    others = [p for p in people.values() if p.id != best.id]
    if probability < model.threshold:
        return None
    if child_victim or any(p.child and not p.adult for p in others):
        basis = "a child is present"
    elif len([p for p in people.values() if p.messages]) == 2 and not any(p.adult for p in others):
        basis = "a chat of two, and no adult is present"
    else:
        return None
    reasons = model.reasons(texts[chosen])
    return {"participant": best.id, "probability": round(probability, 3), "basis": basis, "reasons": reasons}


def _shown(line: Line, groomer: str | None) -> bool:
    """The lines worth an analyst's eye: all flagged lines, or once there is a groomer, theirs and the
    child's words of self-harm."""
    return not groomer or line.sender == groomer or any(h.stage == "self_harm" for h in line.hits)


def _role(person: Person, total: float) -> dict[str, Any]:
    return {
        "id": person.id,
        "groomer_likelihood": round(person.score / total, 2) if person.score else 0.0,
        "score": person.score,
        "child": bool(person.child and not person.adult),
        "age": person.age,
        "family": person.family,
        "stages": {s: n for s, n in sorted(person.stages.items()) if n},
        "evidence": (person.child + person.adult)[:5],
    }


def _when_where(lines: list[Line]) -> dict[str, str | None]:
    when = where = None
    for line in lines:
        text = normalise(line.text)
        when = when or (m[0] if (m := ind.WHEN.search(text)) else None)
        where = where or (m[0] if (m := ind.WHERE.search(text)) else None)
    return {"when": when, "where": where}
