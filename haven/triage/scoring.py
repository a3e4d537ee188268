"""The risk score: facts in, a score, a band and the reasons out. Pure functions, no database.

Each factor adds the points its weight gives, and says which fact raised it. Then the band:
- a child in imminent danger is always P1;
- a report with nothing to act on (no identifier of a reported person and no location) is informational:
  P4, whatever its score, with a reason that says so (NCMEC calls such a report informational);
- otherwise the score against the band thresholds.
A subject's score is its highest report's, plus the weight of its other reports and of its spread across
platforms, and its band is never lower than its highest report's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Each weight, what it counts, and its built-in value. A supervisor changes them as a new policy version.
DEFAULT_WEIGHTS: dict[str, int] = {
    "contact_abuse": 40,  # production, live-streamed abuse or trafficking; or annotated contact_abuse
    "novel_media": 25,  # media unknown to the bank: possibly abuse still going on
    "category_a": 20,  # a match to a category A record
    "known_media_each": 1,  # each file the bank knows ...
    "known_media_max": 15,  # ... up to this many points
    "child_enticement": 25,  # enticement, sextortion or obscene material sent to a child
    "under_13": 20,  # ... and the youngest victim is under 13
    "access_to_children": 30,  # annotated access_to_children or position_of_trust, or an analyst's flag
    "recent": 10,  # it happened within recent_days
    "recent_days": 30,
    "subject_report_each": 5,  # a subject's each report beyond its first ...
    "subject_report_max": 25,  # ... up to this many points
    "subject_platforms": 10,  # a subject seen on two platforms or more
    "chat_grooming": 30,  # a conversation in the report reads as grooming (haven.chats)
    "band_p1": 80,  # the lowest score of each band
    "band_p2": 50,
    "band_p3": 20,
}
CONTACT_TYPES = frozenset({"csam_production", "live_streaming", "trafficking"})
ENTICEMENT_TYPES = frozenset({"online_enticement", "sextortion", "obscene_material_to_child"})
CONTACT_ANNOTATIONS = frozenset({"contact_abuse", "production"})
ENTICEMENT_ANNOTATIONS = frozenset({"sextortion", "enticement"})
ACCESS_ANNOTATIONS = frozenset({"access_to_children", "position_of_trust"})
MAX_WEIGHT = 1000


class WeightsError(ValueError):
    """Weights that cannot be used; the message names the weight."""


def check_weights(weights: dict[str, Any]) -> dict[str, int]:
    """Every known weight, as a whole number from 0 to 1000, bands in order; unknown names refused."""
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise WeightsError(f"{unknown[0]}: not a weight (the weights are {', '.join(DEFAULT_WEIGHTS)})")
    out = dict(DEFAULT_WEIGHTS)
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WEIGHT:
            raise WeightsError(f"{name}: expected a whole number from 0 to {MAX_WEIGHT}, got {value!r}")
        out[name] = value
    if not out["band_p1"] > out["band_p2"] > out["band_p3"] > 0:
        raise WeightsError("band_p1: the band thresholds must fall from P1 to P3, and P3's be above 0")
    return out


@dataclass(frozen=True)
class Reason:
    factor: str
    points: int
    fact: str  # where in the report the fact is, or what was counted
    text: str

    def as_json(self) -> dict[str, Any]:
        return {"factor": self.factor, "points": self.points, "fact": self.fact, "text": self.text}


@dataclass(frozen=True)
class Scored:
    score: int
    band: str
    reasons: tuple[Reason, ...]
    imminent: bool = False


@dataclass(frozen=True)
class ReportFacts:
    incident_type: str
    imminent_danger: bool
    annotations: frozenset[str]
    youngest_victim: int | None
    novel_media: int
    known_media: int
    category_a: int
    identifiers: int  # of reported persons
    located: bool
    when: datetime
    # Conversations read as grooming: (fact, what the reading says), and their urgent flags:
    # (flag, fact, what the reading says), from haven.chats.
    chat_grooming: tuple[tuple[str, str], ...] = ()
    chat_urgent: tuple[tuple[str, str, str], ...] = ()


def band_of(score: int, weights: dict[str, int]) -> str:
    if score >= weights["band_p1"]:
        return "P1"
    if score >= weights["band_p2"]:
        return "P2"
    return "P3" if score >= weights["band_p3"] else "P4"


def _media(facts: ReportFacts, weights: dict[str, int]) -> list[Reason]:
    reasons = []
    if facts.novel_media and weights["novel_media"]:
        text = f"{facts.novel_media} file(s) unknown to the bank: possibly abuse still going on"
        reasons.append(Reason("novel_media", weights["novel_media"], "media", text))
    if facts.category_a and weights["category_a"]:
        reasons.append(Reason("category_a", weights["category_a"], "media.matches",
                              f"{facts.category_a} file(s) match category A records"))  # fmt: skip
    points = min(facts.known_media * weights["known_media_each"], weights["known_media_max"])
    if facts.known_media and points:
        reasons.append(
            Reason("known_media", points, "media.matches", f"{facts.known_media} file(s) known to the bank")
        )
    return reasons


def score_report(facts: ReportFacts, weights: dict[str, int], now: datetime) -> Scored:
    reasons: list[Reason] = []

    def add(factor: str, points: int, fact: str, text: str) -> None:
        if points:
            reasons.append(Reason(factor, points, fact, text))

    if facts.incident_type in CONTACT_TYPES:
        kind = facts.incident_type.replace("_", " ")
        add("contact_abuse", weights["contact_abuse"], "incident.type",
            f"the incident is {kind}: contact abuse or production")  # fmt: skip
    elif facts.annotations & CONTACT_ANNOTATIONS:
        add("contact_abuse", weights["contact_abuse"], "incident.annotations",
            "annotated as contact abuse or production")  # fmt: skip
    reasons += _media(facts, weights)
    enticement = facts.incident_type in ENTICEMENT_TYPES or bool(facts.annotations & ENTICEMENT_ANNOTATIONS)
    if enticement:
        fact = "incident.type" if facts.incident_type in ENTICEMENT_TYPES else "incident.annotations"
        add("child_enticement", weights["child_enticement"], fact, "enticement or sextortion of a child")
        if facts.youngest_victim is not None and facts.youngest_victim < 13:
            add("under_13", weights["under_13"], "victims.age_estimate",
                f"the youngest victim is {facts.youngest_victim}, under 13")  # fmt: skip
    if facts.annotations & ACCESS_ANNOTATIONS:
        add("access_to_children", weights["access_to_children"], "incident.annotations",
            "access to children or a position of trust")  # fmt: skip
    if now - facts.when <= timedelta(days=weights["recent_days"]):
        add("recent", weights["recent"], "incident.occurred_at",
            f"it happened within the last {weights['recent_days']} days")  # fmt: skip
    for fact, text in facts.chat_grooming:
        add("chat_grooming", weights["chat_grooming"], fact, text)
    floor, urgent = _chat_floor(facts.chat_urgent)
    score = sum(r.points for r in reasons)
    if facts.imminent_danger:
        reasons.insert(0, Reason("imminent_danger", 0, "incident.imminent_danger",
                                 "the reporter says a child is in imminent danger: always P1"))  # fmt: skip
        return Scored(score, "P1", tuple(reasons[:1] + urgent + reasons[1:]), imminent=True)
    reasons[:0] = urgent
    if floor == "P1":
        return Scored(score, "P1", tuple(reasons))
    if floor is None and not facts.identifiers and not facts.located:
        reasons.insert(0, Reason("informational", 0, "reported_persons",
                                 "informational: no identifier of a reported person and no location "
                                 "to act on, so P4 whatever the score"))  # fmt: skip
        return Scored(score, "P4", tuple(reasons))
    return Scored(score, min(band_of(score, weights), floor or "P4"), tuple(reasons))


# What a conversation's urgent flags make of a report: a plan to meet a child, or a child speaking of
# self-harm in a sextortion, proposes P1 (for an analyst to confirm, or a supervisor to override); a
# sextortion demand or a request for images of a child, at least P2.
CHAT_P1 = {"meeting": "a plan to meet a child", "self_harm": "a child speaks of self-harm in a sextortion"}
CHAT_P2 = {"sextortion": "a sextortion demand", "image_request": "a request for images of a child"}


def _chat_floor(flags: tuple[tuple[str, str, str], ...]) -> tuple[str | None, list[Reason]]:
    names = {flag for flag, _, _ in flags}
    floor: str | None = None
    reasons = []
    for flag, fact, detail in flags:
        if flag == "meeting" or (flag == "self_harm" and "sextortion" in names):
            floor = "P1"
            reasons.append(Reason(f"chat_{flag}", 0, fact, f"{CHAT_P1[flag]}{detail}: P1, for an analyst to "
                                                           "confirm"))  # fmt: skip
        elif flag in CHAT_P2:
            floor = floor or "P2"
            reasons.append(Reason(f"chat_{flag}", 0, fact, f"{CHAT_P2[flag]}{detail}: at least P2"))
    return floor, reasons


@dataclass(frozen=True)
class SubjectFacts:
    reports: int  # scored reports about the subject
    top_reference: str  # the highest-scoring of them
    top_score: int
    top_band: str
    urgent_band: str  # the most urgent band of any of them
    imminent_reference: str | None  # one that says a child is in imminent danger
    platforms: frozenset[str]
    access_flag: str | None = None  # an analyst's reason for flagging access to children


def score_subject(facts: SubjectFacts, weights: dict[str, int]) -> Scored:
    if not facts.reports:
        return Scored(0, "P4", (Reason("informational", 0, "reports", "no scored reports yet"),))
    reasons = [Reason("highest_report", facts.top_score, f"report {facts.top_reference}",
                      f"its highest report, {facts.top_reference}, scores {facts.top_score} "
                      f"({facts.top_band})")]  # fmt: skip
    if facts.reports > 1:
        points = min((facts.reports - 1) * weights["subject_report_each"], weights["subject_report_max"])
        if points:
            reasons.append(Reason("repeat_reports", points, "reports",
                                  f"{facts.reports} reports about this subject"))  # fmt: skip
    if len(facts.platforms) >= 2 and weights["subject_platforms"]:
        platforms = ", ".join(sorted(facts.platforms))
        text = f"seen on {len(facts.platforms)} platforms: {platforms}"
        reasons.append(Reason("platforms", weights["subject_platforms"], "identifiers.platform", text))
    if facts.access_flag is not None and weights["access_to_children"]:
        reasons.append(Reason("access_to_children", weights["access_to_children"], "subject.access_flag",
                              f"an analyst flagged access to children or a position of trust: "
                              f"{facts.access_flag}"))  # fmt: skip
    score = sum(r.points for r in reasons)
    if facts.imminent_reference:
        ref = facts.imminent_reference
        reasons.insert(0, Reason("imminent_danger", 0, f"report {ref}",
                                 f"report {ref} says a child is in imminent danger: always P1"))  # fmt: skip
        return Scored(score, "P1", tuple(reasons), imminent=True)
    # Never below its most urgent report's band ("P1" sorts before "P2").
    return Scored(score, min(band_of(score, weights), facts.urgent_band), tuple(reasons))
