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
