"""Writes tests/data/chats_held_back_2.jsonl: a second held-back set for the grooming analysis, written
after the first had been used (and so spent) to fix gaps in the indicators. It was measured once, and the
indicators were not changed after it; docs/PERFORMANCE.md has both sets' figures.

Its own names and phrasing again, more small talk, typos and emoji, grooming that takes days and speaks
indirectly, and other hard negatives: a tutor, a cousin, a coach one to one, a shop's customer chat, a
couple, teenagers planning a party.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python tests/data/make_chats_held_back_2.py
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("chats_held_back_2.jsonl")
SEED = 4_12_2026
PLACEHOLDER = "[explicit message withheld]"

OLDER = ["gaz_1975", "the_real_ray", "bigbear", "nico_v", "frank.h", "dean_s", "wayne_b", "ian_c", "mo_k",
         "russ_t"]  # fmt: skip
KIDS = ["bea_x", "kai_r", "luna.m", "oscar_z", "poppy_l", "reggie", "sienna_t", "toby_h", "willow_w", "zac_p"]
CHAT = ["lol", "same", "omg", "haha yeah", "idk", "fr", "nice one", "ok cool", "brb", "hmm"]


class Log:
    def __init__(self, rng: random.Random, cid: str, platform: str, who: list[str]) -> None:
        self.rng, self.cid, self.platform, self.who = rng, cid, platform, who
        self.t = datetime(2026, 3, 1, 17, 0) + timedelta(days=rng.randrange(200))  # noqa: DTZ001
        self.messages: list[dict[str, Any]] = []

    def add(self, sender: str, text: str, *, days: int = 0) -> None:
        self.t += timedelta(minutes=self.rng.randrange(1, 30), days=days)
        self.messages.append({"at": self.t.isoformat(), "from": sender, "text": text})

    def filler(self, a: str, b: str, n: int) -> None:
        for _ in range(n):
            self.add(self.rng.choice([a, b]), self.rng.choice(CHAT))

    def out(self, grooming: bool, groomer: str | None, urgent: list[str]) -> dict[str, Any]:
        return {"id": self.cid, "platform": self.platform, "participants": [{"id": w} for w in self.who],
                "messages": self.messages,
                "label": {"grooming": grooming, "groomer": groomer, "urgent": sorted(urgent)}}  # fmt: skip


def one(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


def grooming(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(OLDER), rng.choice(KIDS)
    log = Log(rng, cid, one(rng, ["squadup", "drawhub", "songshare"]), [g, c])
    log.add(g, one(rng, ["that drawing is amazing 😍", "ur voice is sooo good", "gg, ur a natural"]))
    log.add(c, one(rng, ["aww ty", "thank youuu", "ty 🙂"]))
    log.filler(g, c, rng.randrange(2, 6))
    log.add(g, one(rng, ["how old r u anyway?", "wat age are u", "r u still at school?"]))
    log.add(c, one(rng, ["11", "im 14", "yeah year 9", "12 lol"]))
    log.add(g, one(rng, ["wow u seem way older", "ur so mature tbh", "ur really grown up for ur age"]))
    log.filler(g, c, rng.randrange(2, 8))
    log.add(c, one(rng, ["my mum took my phone last night", "im not allowed out on school nights",
                         "my dad is so strict"]), days=rng.randrange(1, 6))  # fmt: skip
    log.add(g, one(rng, ["sounds like they dont understand u", "i get u more than they do",
                         "i'd never treat u like that"]))  # fmt: skip
    log.add(g, one(rng, ["r ur parents around rn?", "is any1 else home?", "does ur mum read ur messages?",
                         "who else uses ur tablet"]))  # fmt: skip
    log.add(c, one(rng, ["no", "nah just me", "sometimes"]))
    log.add(g, one(rng, ["lets keep this just between us 🤫", "dont mention me to ur mum ok",
                         "no one else needs to know we talk", "delete these msgs after k"]))  # fmt: skip
    urgent: list[str] = []
    if rng.random() < 0.5:
        log.add(g, one(rng, ["i'll buy u those trainers", "want some robux? i can get u loads",
                             "i could send u £20 for ur phone"]))  # fmt: skip
    if rng.random() < 0.5:
        log.add(g, one(rng, ["whats ur number", "add me on whatsapp", "lets move to telegram"]))
    if rng.random() < 0.7:
        log.add(g, one(rng, ["send me a selfie 😊", "can i see a pic of u", "go on cam for me",
                             "send a pic of urself"]))  # fmt: skip
        log.add(c, one(rng, ["um ok", "why tho", "maybe later"]))
        urgent.append("image_request")
    if rng.random() < 0.35:
        log.add(g, PLACEHOLDER)
    if rng.random() < 0.5:
        where = one(rng, ["the bus station", "the park near ur school", "the shopping centre", "the library"])
        when = one(rng, ["on friday after school", "saturday at 3", "tomorrow at 5pm", "sunday"])
        log.add(g, one(rng, [f"we should meet up at {where} {when}", f"meet me at {where} {when}",
                             f"i can pick u up at {where} {when}"]))  # fmt: skip
        urgent.append("meeting")
    return log.out(True, g, urgent)


def sextortion(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(OLDER), rng.choice(KIDS)
    log = Log(rng, cid, "songshare", [g, c])
    log.add(g, one(rng, ["i saved the pics u sent", "i have ur photos"]))
    log.add(c, one(rng, ["pls im 13", "stop im only 15", "please im in year 8"]))
    log.add(g, one(rng, ["pay me £80 or i send them to all ur followers", "send £200 now or ur parents will see them",
                         "give me a £50 steam card or i post them"]))  # fmt: skip
    log.add(g, one(rng, ["u have 30 minutes", "tick tock", "i mean it"]))
    urgent = ["sextortion"]
    if rng.random() < 0.3:
        log.add(c, one(rng, ["i want to end it", "i'm going to hurt myself"]))
        urgent.append("self_harm")
    return log.out(True, g, urgent)


def fixed(rng: random.Random, cid: str, platform: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    who = list(dict.fromkeys(w for w, _ in lines))
    log = Log(rng, cid, platform, who)
    for w, t in lines:
        log.add(w, t)
    return log.out(False, None, [])


def tutor(rng: random.Random, cid: str) -> dict[str, Any]:
    k = rng.choice(KIDS)
    return fixed(rng, cid, "tutorapp", [("ms_jones_tutor", "hi, did you finish the fractions sheet?"), (k, "yes"),
                 ("ms_jones_tutor", "great, see you thursday at 4 in the library, your mum will drop you off"),
                 (k, "ok thanks"), ("ms_jones_tutor", "well done, you're really improving")])  # fmt: skip


def cousin(rng: random.Random, cid: str) -> dict[str, Any]:
    k = rng.choice(KIDS)
    return fixed(rng, cid, "sms", [(k, "can u come to my party"), ("cousin_ella", "course! dont tell auntie but i got u a present"),
                 (k, "yay"), ("cousin_ella", "ill get the bus and meet u at urs at 2")])  # fmt: skip


def coach(rng: random.Random, cid: str) -> dict[str, Any]:
    k = rng.choice(KIDS)
    return fixed(rng, cid, "clubapp", [("coach_mike", "good session today, how's the ankle?"), (k, "bit sore"),
                 ("coach_mike", "rest it, and tell your dad training is at the leisure centre on saturday at 9"),
                 (k, "ok will do")])  # fmt: skip


def shop(rng: random.Random, cid: str) -> dict[str, Any]:
    a = rng.choice(OLDER)
    return fixed(rng, cid, "shopchat", [(a, "where is my order"), ("shop_help", "sorry! can you send a photo of the label?"),
                 (a, "sent"), ("shop_help", "thanks, we will send you a new one and a £10 voucher")])  # fmt: skip


def couple(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(OLDER, 2)
    return fixed(rng, cid, "sms", [(a, "miss you babe"), (b, "miss u too, 35 and still soppy lol"),
                 (a, "send me a selfie"), (b, "later, at work"), (a, "ill pick u up from the station at 6"),
                 (b, "dont tell my mum we booked the holiday, its a surprise")])  # fmt: skip


def party(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b, c = rng.sample(KIDS, 3)
    return fixed(rng, cid, "groupchat", [(a, "party at mine sat!!"), (b, "what time"), (a, "7, dont tell my brother"),
                 (c, "im 14 can i bring my cousin"), (a, "ye"), (b, "send pics of ur outfit"),
                 (c, "meet at the corner shop first?")])  # fmt: skip


BENIGN = [tutor, cousin, coach, shop, couple, party]


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for i in range(400):
        cid = f"hb2-{i:04d}"
        roll = rng.random()
        if roll < 0.3:
            rows.append(grooming(rng, cid))
        elif roll < 0.4:
            rows.append(sextortion(rng, cid))
        else:
            rows.append(rng.choice(BENIGN)(rng, cid))
    OUT.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{OUT}: {len(rows)} conversations")


if __name__ == "__main__":
    main()
