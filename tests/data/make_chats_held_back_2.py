"""Writes haven/chats/data/held_back_2.jsonl (spent, now training data for the learned model): a second held-back set for the grooming analysis, written
after the first had been used (and so spent) to fix gaps in the indicators. It was measured once, and the
indicators were not changed after it; docs/PERFORMANCE.md has both sets' figures.

Its own names and phrasing again, more small talk, typos and emoji, grooming that takes days and speaks
indirectly, and other hard negatives: a tutor, a cousin, a coach one to one, a shop's customer chat, a
couple, teenagers planning a party.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_2
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data.chatsets import Chat, write_set

OUT = DATA / "held_back_2.jsonl"
SEED = 4_12_2026
PLACEHOLDER = "[explicit message withheld]"

OLDER = ["gaz_1975", "the_real_ray", "bigbear", "nico_v", "frank.h", "dean_s", "wayne_b", "ian_c", "mo_k",
         "russ_t"]  # fmt: skip
KIDS = ["bea_x", "kai_r", "luna.m", "oscar_z", "poppy_l", "reggie", "sienna_t", "toby_h", "willow_w", "zac_p"]
CHAT = ["lol", "same", "omg", "haha yeah", "idk", "fr", "nice one", "ok cool", "brb", "hmm"]


def new_chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 3, 1, 17, 0), spread_days=200,  # noqa: DTZ001
                max_minutes=30)  # fmt: skip


def one(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


def grooming(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(OLDER), rng.choice(KIDS)
    log = new_chat(rng, cid, one(rng, ["squadup", "drawhub", "songshare"]), [g, c])
    log.say(g, one(rng, ["that drawing is amazing 😍", "ur voice is sooo good", "gg, ur a natural"]))
    log.say(c, one(rng, ["aww ty", "thank youuu", "ty 🙂"]))
    log.chatter(g, c, rng.randrange(2, 6), CHAT)
    log.say(g, one(rng, ["how old r u anyway?", "wat age are u", "r u still at school?"]))
    log.say(c, one(rng, ["11", "im 14", "yeah year 9", "12 lol"]))
    log.say(g, one(rng, ["wow u seem way older", "ur so mature tbh", "ur really grown up for ur age"]))
    log.chatter(g, c, rng.randrange(2, 8), CHAT)
    log.say(c, one(rng, ["my mum took my phone last night", "im not allowed out on school nights",
                         "my dad is so strict"]), days=rng.randrange(1, 6))  # fmt: skip
    log.say(g, one(rng, ["sounds like they dont understand u", "i get u more than they do",
                         "i'd never treat u like that"]))  # fmt: skip
    log.say(g, one(rng, ["r ur parents around rn?", "is any1 else home?", "does ur mum read ur messages?",
                         "who else uses ur tablet"]))  # fmt: skip
    log.say(c, one(rng, ["no", "nah just me", "sometimes"]))
    log.say(g, one(rng, ["lets keep this just between us 🤫", "dont mention me to ur mum ok",
                         "no one else needs to know we talk", "delete these msgs after k"]))  # fmt: skip
    urgent: list[str] = []
    if rng.random() < 0.5:
        log.say(g, one(rng, ["i'll buy u those trainers", "want some robux? i can get u loads",
                             "i could send u £20 for ur phone"]))  # fmt: skip
    if rng.random() < 0.5:
        log.say(g, one(rng, ["whats ur number", "add me on whatsapp", "lets move to telegram"]))
    if rng.random() < 0.7:
        log.say(g, one(rng, ["send me a selfie 😊", "can i see a pic of u", "go on cam for me",
                             "send a pic of urself"]))  # fmt: skip
        log.say(c, one(rng, ["um ok", "why tho", "maybe later"]))
        urgent.append("image_request")
    if rng.random() < 0.35:
        log.say(g, PLACEHOLDER)
    if rng.random() < 0.5:
        where = one(rng, ["the bus station", "the park near ur school", "the shopping centre", "the library"])
        when = one(rng, ["on friday after school", "saturday at 3", "tomorrow at 5pm", "sunday"])
        log.say(g, one(rng, [f"we should meet up at {where} {when}", f"meet me at {where} {when}",
                             f"i can pick u up at {where} {when}"]))  # fmt: skip
        urgent.append("meeting")
    return log.labelled(True, g, urgent)


def sextortion(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(OLDER), rng.choice(KIDS)
    log = new_chat(rng, cid, "songshare", [g, c])
    log.say(g, one(rng, ["i saved the pics u sent", "i have ur photos"]))
    log.say(c, one(rng, ["pls im 13", "stop im only 15", "please im in year 8"]))
    log.say(g, one(rng, ["pay me £80 or i send them to all ur followers", "send £200 now or ur parents will see them",
                         "give me a £50 steam card or i post them"]))  # fmt: skip
    log.say(g, one(rng, ["u have 30 minutes", "tick tock", "i mean it"]))
    urgent = ["sextortion"]
    if rng.random() < 0.3:
        log.say(c, one(rng, ["i want to end it", "i'm going to hurt myself"]))
        urgent.append("self_harm")
    return log.labelled(True, g, urgent)


def fixed(rng: random.Random, cid: str, platform: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    who = list(dict.fromkeys(w for w, _ in lines))
    log = new_chat(rng, cid, platform, who)
    for w, t in lines:
        log.say(w, t)
    return log.labelled(False, None, [])


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
    write_set(OUT, seed=SEED, count=400, prefix="hb2", grooming=grooming, extortion=sextortion, benign=BENIGN)


if __name__ == "__main__":
    main()
