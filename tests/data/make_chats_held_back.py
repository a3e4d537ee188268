"""Writes haven/chats/data/held_back_1.jsonl (spent, now training data for the learned model): the held-back set for the grooming analysis.

Written apart from the analysis and from its synthetic generator (``haven/chats/synthetic.py``): its own
names, its own phrasing and text speak, other hard negatives, and no line copied from either. It is never
used to tune the indicators; the figures measured on it are in docs/PERFORMANCE.md.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented (phones from 07700 900xxx).

    .venv/bin/python -m tests.data.make_chats_held_back
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data.chatsets import Chat, write_set

OUT = DATA / "held_back_1.jsonl"
SEED = 77_2026
WITHHELD = "[explicit message withheld]"

GROWN = ["northern_dave", "mike_t_1979", "quietguy", "carl.b", "tony_fix", "smiley_pete", "jon_w", "andy88",
         "phil.r", "martin_k", "neil_g", "stu_d"]  # fmt: skip
YOUNG = ["pixie_x", "tia.m", "harry_p12", "evie_b", "finn_o", "grace.l", "jack_attack", "mollyy", "rosie_r",
         "alfie_d", "isla_k", "theo_w"]  # fmt: skip


def new_chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 6, 1, 16, 0), spread_days=100,  # noqa: DTZ001
                max_minutes=20)  # fmt: skip


def pick(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


def slow_grooming(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(GROWN), rng.choice(YOUNG)
    log = new_chat(rng, cid, pick(rng, ["blockworld", "chatterbox", "snapzone"]), [g, c])
    age = rng.randrange(9, 16)
    log.say(g, pick(rng, ["ur really good at this game", "cool avatar!", "heyy, nice build"]))
    log.say(c, pick(rng, ["ty", "thank u", "haha thx"]))
    log.say(g, pick(rng, ["wat age r u?", "how old r u", "u look young, how old?"]))
    log.say(c, pick(rng, [f"{age}", f"im {age}", f"{age} nearly {age + 1}"]))
    log.say(g, pick(rng, ["ur so grown up for ur age", "u seem way more mature than my mates",
                          "ur really clever u know"]))  # fmt: skip
    for _ in range(rng.randrange(1, 4)):
        log.say(
            c,
            pick(rng, ["gtg dinner", "back now", "school was rubbish today", "lol"]),
            days=rng.randrange(0, 5),
        )
        log.say(g, pick(rng, ["missed u", "how was ur day", "i always look forward to talking to u"]))
    log.say(c, pick(rng, ["my dad took my xbox away", "my mum wont let me go out", "im grounded again"]))
    log.say(g, pick(rng, ["ur parents dont get u like i do", "i understand u better than anyone",
                          "they dont deserve u tbh"]))  # fmt: skip
    log.say(g, pick(rng, ["is ur mum in?", "r u on ur own now?", "do ur parents go thru ur phone?",
                          "who else can see ur messages"]))  # fmt: skip
    log.say(c, pick(rng, ["no shes at work", "ye", "not really"]))
    log.say(g, pick(rng, ["dont tell ur mum about me ok", "this stays between u n me",
                          "can u keep a s e c r e t? dont tell anyone", "delete our chat after ok"]))  # fmt: skip
    urgent: list[str] = []
    if rng.random() < 0.6:
        log.say(g, pick(rng, ["i'll get u a new headset", "i can buy u vbucks if u want",
                              "want me to top up ur phone? i can send u money"]))  # fmt: skip
    if rng.random() < 0.6:
        log.say(g, pick(rng, ["add me on kik", "wats ur snap", "lets chat on telegram its more private"]))
    if rng.random() < 0.75:
        log.say(g, pick(rng, ["send a selfie", "can u send me a pic of urself", "put ur cam on",
                              "show me what u look like"]))  # fmt: skip
        log.say(c, pick(rng, ["why", "hmm", "ok"]))
        urgent.append("image_request")
    if rng.random() < 0.4:
        log.say(g, WITHHELD)
    if rng.random() < 0.45:
        place = pick(rng, ["the bus stop near ur school", "the park by ur house", "the train station",
                           "the shops"])  # fmt: skip
        when = pick(rng, ["on saturday", "after school tomorrow", "at 6 tonight", "on sunday at 2"])
        log.say(g, pick(rng, [f"lets meet at {place} {when}", f"i can come pick u up from {place} {when}",
                              f"meet me at {place} {when}, dont bring anyone"]))  # fmt: skip
        urgent.append("meeting")
    return log.labelled(True, g, urgent)


def extortion(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(GROWN), rng.choice(YOUNG)
    log = new_chat(rng, cid, "snapzone", [g, c])
    log.say(g, pick(rng, ["i got ur pics", "i have ur photos saved"]))
    log.say(c, pick(rng, ["please delete them im only 15", "pls stop im 13", "im in year 8 please"]))
    log.say(g, pick(rng, ["pay £150 or i post them everywhere", "send me 80 quid or ill send them to everyone on ur list",
                          "give me a £100 gift card or ur school will see them"]))  # fmt: skip
    log.say(g, pick(rng, ["u got 1 hour", "clock is ticking", "dont test me"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        log.say(c, pick(rng, ["i want to kill myself", "i dont want to be alive anymore"]))
        urgent.append("self_harm")
    return log.labelled(True, g, urgent)


def coach(rng: random.Random, cid: str) -> dict[str, Any]:
    kids = rng.sample(YOUNG, 3)
    log = new_chat(rng, cid, "teamapp", ["coach_sam", *kids])
    log.say("coach_sam", "training moved to saturday, meet at the pitch at 10")
    log.say(kids[0], "do we need our boots")
    log.say("coach_sam", "yes and bring water. parents pick up at 12 from the clubhouse")
    log.say(kids[1], "my mum wont let me come, im at my nans")
    log.say("coach_sam", "no worries, see you next week")
    return log.labelled(False, None, [])


def siblings(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(YOUNG, 2)
    log = new_chat(rng, cid, "sms", [a, b])
    for s, t in [(a, "dont tell mum i broke the vase"), (b, "lol ok its our secret"),
                 (a, "can u pick me up from the bus stop"), (b, "im 17 not a taxi"), (a, "pleeease"),
                 (b, "fine meet me at the corner at 5")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


def gran(rng: random.Random, cid: str) -> dict[str, Any]:
    c = rng.choice(YOUNG)
    log = new_chat(rng, cid, "sms", ["nan", c])
    for s, t in [(c, "hi nan can u pick me up after school"), ("nan", "course i can love, 3.30 at the gates"),
                 (c, "thanks nan"), ("nan", "ill bring you a treat, dont tell your brother x")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


def adult_friends(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(GROWN, 2)
    log = new_chat(rng, cid, "chatterbox", [a, b])
    for s, t in [(a, "keep this between us but im getting married"), (b, "no way!! congrats mate"),
                 (a, "my wife to be doesnt know ive told anyone"), (b, "my lips are sealed"),
                 (b, "drinks on me, meet at the pub at 8?"), (a, "deal, after work")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


def gamer_banter(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(YOUNG, 2)
    log = new_chat(rng, cid, "blockworld", [a, b])
    for s, t in [(a, "ur trash lol"), (b, "say that again and ur dead"), (a, "send me ur vbucks noob"),
                 (b, "in ur dreams"), (a, "add me on discord after"), (b, "k, im 12 btw wbu"), (a, "12 too")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


def dating(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(GROWN, 2)
    log = new_chat(rng, cid, "matchly", [a, b])
    for s, t in [(a, "ur gorgeous"), (b, "haha ur not bad urself. 34 and you?"), (a, "36, divorced, one kid"),
                 (b, "send me a pic of u from ur holiday"), (a, "only if we meet for dinner friday"),
                 (b, "deal, ill pick u up at 7")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


def teen_plans(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(YOUNG, 2)
    log = new_chat(rng, cid, "snapzone", [a, b])
    for s, t in [(a, "what year r u in"), (b, "year 10 u?"), (a, "same!! wanna go cinema sat"),
                 (b, "yes meet outside the cinema at 2"), (a, "send me a pic of the trainers u got"),
                 (b, "my dad wont let me stay out late tho")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


def youth_worker(rng: random.Random, cid: str) -> dict[str, Any]:
    c = rng.choice(YOUNG)
    log = new_chat(rng, cid, "youthclub", ["youthworker_jo", c])
    for s, t in [(c, "can i still come on the trip"), ("youthworker_jo", "yes, your mum signed the form"),
                 ("youthworker_jo", "meet at the youth centre at 9 on saturday, parents collect at 4"),
                 (c, "ok thanks"), ("youthworker_jo", "remember no phones on the climbing wall")]:  # fmt: skip
        log.say(s, t)
    return log.labelled(False, None, [])


BENIGN = [coach, siblings, gran, adult_friends, gamer_banter, dating, teen_plans, youth_worker]


def main() -> None:
    write_set(
        OUT, seed=SEED, count=300, prefix="hb", grooming=slow_grooming, extortion=extortion, benign=BENIGN
    )


if __name__ == "__main__":
    main()
