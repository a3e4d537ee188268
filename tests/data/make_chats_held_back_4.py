"""Writes haven/chats/data/held_back_4.jsonl (spent, now training data for the learned model): the fourth held-back set for the grooming analysis.

Written on 2026-12-01 before the analysis was changed after the third set's run (so the third set is spent
and this one is not), and measured once after that change. It differs from the earlier sets on purpose:
the stages come in a random order and a random subset (no fixed script), messages run to two or three
sentences, the groomers take other guises (a talent scout, a coach, a fan, an older gamer, an adult
posing as a teenager), the child's age shows in many ways (or only through school and parents), and the
sextortion demands use other payment routes. Hard negatives not used before: a tutor, an older sibling,
a shop's customer service, adults dating who swap photos, a scout leader's trip, friends talking about
a hard week, a gaming clan sharing set-up photos, a parent and child sorting a lift.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_4
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, write_set

OUT = DATA / "held_back_4.jsonl"
SEED = 4_12_2026
HIDDEN = "[explicit message withheld]"

ADULTS = ["scout_talent_k", "coachdan77", "big_fan_mo", "xXreaperXx", "harvey.l", "tom_the_builder", "mr_nice_guy",
          "gaz_1979", "leo.m", "ollie_pro"]  # fmt: skip
KIDS = ["poppy.w", "sami_plays", "isla_b", "noah_draws", "amira.k", "jake_t", "evie_rose", "zain_x", "maya.l",
        "theo_g"]  # fmt: skip
FILLER = ["lol", "ye", "idk tbh", "fair", "omg", "nm u", "sounds good", "nah", "ha ok", "true", "brb", "back"]

POSING = ["cool im 16", "nice, im 15 too basically", "ha im only 17"]
OLDER = [
    "age is just a number tbh",
    "ur very grown up for that",
    "i'm a bit older but we get on so it doesnt matter",
]
STEPS = {"age": ["how old r u anyway", "what age are you if u dont mind me asking", "u still at school?",
                 "what school year are u", "ur not old enough to drive yet are u haha"]}  # fmt: skip
# Each step: who speaks ("g" the groomer, "c" the child) and what they may say, in order.
SCRIPT: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["honestly ur the prettiest girl on here", "ur so much more grown up than the kids in ur class",
                       "u could be famous one day, i mean it", "ur really special u know that? not like anyone else"])],
    "isolate": [("c", ["my mates were horrible to me today", "mum shouted at me again", "nobody gets me at home"]),
                ("g", ["they dont deserve u. i'm the only one who really listens", "forget them, u've got me now",
                       "ur family dont appreciate u like i do"])],
    "risk": [("g", ["is ur mum or dad about?", "who else uses ur ipad", "do ur parents read ur messages",
                    "are u on ur own in ur room?", "what time do ur parents get back from work"]),
             ("c", ["no theyre at work", "only me", "they never check", "yeah on my own"])],
    "secret": [("g", ["don't mention me to ur mum ok? she wouldnt understand", "delete these messages when ur done",
                      "this stays between u and me", "nobody needs to know we talk, promise?"])],
    "gift": [("g", ["i'll send u some vbucks later", "want a new headset? i'll order u one", "i can put £20 on ur account",
                    "i got u a little present, just need ur address"])],
    "move": [("g", ["this app is rubbish, message me on telegram instead", "got whatsapp? send me ur number",
                    "my kik is gaz_k79, add me there", "lets talk on discord, its more private"])],
    "image": [("g", ["send me a pic of what ur wearing", "can i see a photo of u? just for me", "show me ur outfit on cam",
                     "take a pic in the mirror for me"]),
              ("c", ["why", "idk...", "maybe later"])],
}  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 3, 2, 16, 0), spread_days=200,  # noqa: DTZ001
                max_minutes=90)  # fmt: skip


def pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def child_age_line(rng: random.Random, age: int) -> str:
    return pick(rng, f"i'm {age}", f"{age} why", f"just turned {age}", f"{age} in may", f"im in year {age - 4}",
                f"year {age - 4} at st marys", f"im {age} lol", f"{age}! u?")  # fmt: skip


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, "gamechat", "photoapp", "musicapp", "discordish"), [g, c])
    age = rng.randrange(9, 15)
    poser = rng.random() < 0.15  # an adult who says he is a teenager
    t.say(g, pick(rng, "hi there, i came across ur profile. have u ever thought about modelling? u have a great look",
                  "ur gameplay is insane, do u want to join my squad", "love ur covers!! ur voice is amazing honestly",
                  "yo nice clutch in that last round", "hey, i coach a youth team, saw ur skills video, very impressive"))  # fmt: skip
    t.say(c, pick(rng, "really?? thanks", "ty!!", "omg thanks so much", "lol thanks"))
    for _ in range(rng.randrange(1, 6)):
        t.say(rng.choice([g, c]), rng.choice(FILLER))
    steps = ["age", "flatter", "isolate", "risk", "secret", "gift", "move", "image"]
    rng.shuffle(steps)
    steps = steps[: rng.randrange(4, 8)]
    if "age" not in steps:
        steps.insert(0, "age")
    urgent: list[str] = []
    for step in steps:
        if step == "age":
            t.say(g, pick(rng, *STEPS["age"]))
            t.say(c, child_age_line(rng, age))
            t.say(g, pick(rng, *(POSING if poser else OLDER)))
        else:
            for who, options in SCRIPT[step]:
                t.say(g if who == "g" else c, pick(rng, *options))
        if step == "image":
            urgent.append("image_request")
        for _ in range(rng.randrange(0, 3)):
            t.say(rng.choice([g, c]), rng.choice(FILLER))
    if rng.random() < 0.25:
        t.say(g, HIDDEN)
    if rng.random() < 0.4:
        t.say(g, pick(rng, "i'll be in ur town on saturday, come and see me at the cafe by the station at 2",
                      "lets meet, i can wait for u outside school on thursday", "come round mine after school, i'll get u a taxi",
                      "meet me in the car park behind the leisure centre at 6 tomorrow"))  # fmt: skip
        t.say(c, pick(rng, "ok", "i dunno", "maybe"))
        urgent.append("meeting")
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, "photoapp", "socialnet"), [g, c])
    t.say(g, pick(rng, "look what i've got", "i screenshotted our video call", "u made a big mistake"))
    t.say(c, pick(rng, "what do u want", "please no", "who is this"))
    t.say(g, pick(rng, "transfer £200 to this account tonight or every one of ur followers gets them",
                  "pay me 150 in bitcoin or i send the video to ur school", "send £80 on paypal or ur mum sees everything",
                  "i want 100 quid in steam cards or this goes everywhere"))  # fmt: skip
    t.say(c, pick(rng, "i'm 13 i dont have money", "i'm only a kid pls", "i'm in year 8 i can't"))
    t.say(
        g,
        pick(
            rng,
            "not my problem. clock is ticking",
            "then find it. u have till midnight",
            "ask ur parents then",
        ),
    )
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(c, pick(rng, "i dont want to be alive anymore", "i'll end it if u do", "i want to hurt myself"))
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    kid = rng.choice(KIDS)
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=kid)


def tutor(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "tutorapp", [("tutor_priya", "hi, how did the maths homework go? what year are you now, 8?"),
                    ("kid", "year 8 yeah, it was hard"), ("tutor_priya", "no worries, we'll go over it on zoom thursday at 5, your dad said that's fine"),
                    ("kid", "ok thanks"), ("tutor_priya", "send me a photo of question 4 so i can see where you got stuck")])  # fmt: skip


def sibling(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("big_sis_jo", "did u take my charger"), ("kid", "no"),
                    ("big_sis_jo", "dont tell mum i'm out late ok, i'll get u sweets"), ("kid", "deal lol"),
                    ("big_sis_jo", "pick u up from school tomorrow, mums working")])  # fmt: skip


def shop(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "shophelp", [("kid", "my order hasnt come"), ("agent_sam", "sorry about that! can you send a photo of the label?"),
                    ("kid", "here"), ("agent_sam", "thanks, we'll send a new one and a £5 voucher for the trouble")])  # fmt: skip


def dating(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(["claire_34", "rob.h", "dee_m", "ian_1988"], 2)
    t = chat(rng, cid, "datingapp", [a, b])
    for who, text in [(a, "had a lovely time last night"), (b, "me too, you looked great"), (a, "send me a pic of that dress again"),
                      (b, "haha maybe, keep this between us, my ex is nosy"), (a, "my flat on friday? i'll cook"),
                      (b, "perfect, see you at 8")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def scouts(rng: random.Random, cid: str) -> dict[str, Any]:
    kids = rng.sample(KIDS, 3)
    t = chat(rng, cid, "groupchat", ["leader_akela", *kids])
    for who, text in [("leader_akela", "camp is on saturday, meet at the hall at 9, parents please sign the form"),
                      (kids[0], "can we bring phones"), ("leader_akela", "yes but they stay in bags, how old are the new ones, 10?"),
                      (kids[1], "im 10"), (kids[2], "send pics from last year pls"), ("leader_akela", "will do")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def hard_week(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "sms", [a, b])
    for who, text in [(a, "worst week ever, my parents are splitting up"), (b, "omg im so sorry, ur always welcome at mine"),
                      (a, "sometimes i feel like i cant cope"), (b, "pls talk to mrs khan at school, she helped me"),
                      (a, "ok maybe, dont tell anyone yet"), (b, "i wont x")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def clan(rng: random.Random, cid: str) -> dict[str, Any]:
    names = rng.sample(["vortex99", "kaz_snipes", "noodle_g", "rex"], 3)
    t = chat(rng, cid, "clanchat", names)
    for who, text in [(names[0], "post ur setups lads"), (names[1], "sending a pic now, new monitor"),
                      (names[2], "trash, my rig destroys urs"), (names[0], "lan party at mine saturday, bring ur own pc"),
                      (names[1], "bet")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def lift(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("kid", "mum can u get me from drama"), ("mum_karen", "yes love, 6 outside the school gate"),
                    ("kid", "can lily come back to ours"), ("mum_karen", "if her mum says yes. text me when ur out")])  # fmt: skip


BENIGN = [tutor, sibling, shop, dating, scouts, hard_week, clan, lift]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb4", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
