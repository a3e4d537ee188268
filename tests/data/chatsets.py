"""What the held-back chat sets' writers share: a conversation being written, with its clock, and the loop
that draws a set and writes it as labelled JSON lines. Each writer keeps its own names, phrasing and hard
negatives (``make_chats_held_back*.py``); only this scaffolding is common."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

Make = Callable[[random.Random, str], dict[str, Any]]
WITHHELD = "[explicit message withheld]"  # the sexual stage, only ever as this placeholder


class Chat:
    """A conversation as it is written: each message a few minutes (up to ``max_minutes``) after the
    last, the first on a day drawn within ``spread_days`` of ``start``."""

    def __init__(
        self, rng: random.Random, cid: str, platform: str, people: list[str], *, start: datetime,
        spread_days: int, max_minutes: int,
    ) -> None:  # fmt: skip
        self.rng, self.cid, self.platform, self.people = rng, cid, platform, people
        self.max_minutes = max_minutes
        self.clock = start + timedelta(days=rng.randrange(spread_days))
        self.messages: list[dict[str, Any]] = []

    def say(self, sender: str, text: str, *, days: int = 0) -> None:
        self.clock += timedelta(minutes=self.rng.randrange(1, self.max_minutes), days=days)
        self.messages.append({"at": self.clock.isoformat(), "from": sender, "text": text})

    def chatter(self, a: str, b: str, n: int, words: list[str]) -> None:
        for _ in range(n):
            self.say(self.rng.choice([a, b]), self.rng.choice(words))

    def labelled(self, grooming: bool, groomer: str | None, urgent: list[str]) -> dict[str, Any]:
        return {"id": self.cid, "platform": self.platform, "participants": [{"id": p} for p in self.people],
                "messages": self.messages,
                "label": {"grooming": grooming, "groomer": groomer, "urgent": sorted(urgent)}}  # fmt: skip


def scripted(
    new_chat: Callable[[list[str]], Chat], lines: list[tuple[str, str]], *, kid: str
) -> dict[str, Any]:
    """A benign conversation said line by line, ``"kid"`` in ``lines`` standing for ``kid``; ``new_chat``
    starts it with its participants in the order they first speak."""
    people = [kid if who == "kid" else who for who, _ in lines]
    t = new_chat(list(dict.fromkeys(people)))
    for who, (_, text) in zip(people, lines, strict=True):
        t.say(who, text)
    return t.labelled(False, None, [])


def write_set(
    out: Path, *, seed: int, count: int, prefix: str, grooming: Make, extortion: Make, benign: Sequence[Make]
) -> None:
    """Three in ten conversations grooming, one in ten sextortion, the rest a benign kind drawn at random."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        cid = f"{prefix}-{i:04d}"
        roll = rng.random()
        if roll < 0.3:
            rows.append(grooming(rng, cid))
        elif roll < 0.4:
            rows.append(extortion(rng, cid))
        else:
            rows.append(rng.choice(benign)(rng, cid))
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{out}: {len(rows)} conversations")


Lines = list[tuple[str, str]]  # (who, text): "g" the groomer, "c" the child
Steps = dict[str, list[tuple[str, list[str]]]]  # a step's name: who says which of these, in turn


def pick(rng: random.Random, options: Sequence[str]) -> str:
    return rng.choice(options)


def everyday(t: Chat, rng: random.Random, g: str, c: str, lines: Lines, n: int, *, gap_days: int) -> None:
    """A run of ``n`` everyday lines taken in order from ``lines``, the first a day or more after the last
    message (fewer than ``gap_days``)."""
    start = rng.randrange(0, len(lines) - n)
    for k, (who, text) in enumerate(lines[start : start + n]):
        t.say(g if who == "g" else c, text, days=rng.randrange(1, gap_days) if k == 0 else 0)


def play_steps(
    t: Chat, rng: random.Random, g: str, c: str, steps: Steps, between: Callable[[], None]
) -> list[str]:
    """Three or more of the grooming steps in a random order, each after ``between()``; returns the urgent
    flags they earn (a request for images)."""
    order = list(steps)
    rng.shuffle(order)
    urgent: list[str] = []
    for step in order[: rng.randrange(3, len(order) + 1)]:
        between()
        for who, options in steps[step]:
            t.say(g if who == "g" else c, pick(rng, options))
        if step == "image":
            urgent.append("image_request")
    return urgent


def close(
    t: Chat, rng: random.Random, g: str, c: str, *, meetings: Sequence[str], replies: Sequence[str],
    before_meeting: Callable[[], None] = lambda: None,
) -> list[str]:  # fmt: skip
    """The end of a grooming thread: sometimes the placeholder for the sexual stage, sometimes a plan to meet
    (after ``before_meeting()``); returns the urgent flags it earns."""
    if rng.random() < 0.2:
        t.say(g, WITHHELD)
    if rng.random() < 0.4:
        before_meeting()
        t.say(g, pick(rng, meetings))
        t.say(c, pick(rng, replies))
        return ["meeting"]
    return []
