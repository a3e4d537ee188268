"""Writes haven/chats/data/held_back_3.jsonl (spent, now training data for the learned model): the third held-back set for the grooming analysis.

Written after the second set had been seen and the development set broadened (so both earlier sets are
spent), and measured once, with no change to the analysis after it: its figures in docs/PERFORMANCE.md
are the honest ones. Longer, looser messages, several sentences at a time, misspellings, other apps, and
hard negatives not used before: a grandparent's video call, a babysitter, a school counsellor checking on
a pupil who mentions self-harm, a football team's group chat, two teenagers of the same age flirting, a
mentor arranging an outing with the parent's knowledge.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_3
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, write_set

OUT = DATA / "held_back_3.jsonl"
SEED = 3_3_2026
HIDDEN = "[sexual message withheld]"

MEN = ["lonewolf_84", "skater_dad", "j.mitchell", "uncle_fun", "pete_from_work", "marcus_r", "dj_blaze",
       "sunny_side", "rich.t", "kieran_m"]  # fmt: skip
YOUNG = ["ava_sparkle", "milo_b", "ruby.j", "eli_games", "nia_k", "freddie_x", "hana_m", "louie_p", "tilly_r",
         "arlo_w"]  # fmt: skip
SMALL = ["haha", "yh", "nothing much", "same tbh", "wbu", "lmao", "k", "wait what", "ahh ok", "cool cool"]


def new_chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 1, 5, 19, 0), spread_days=250,  # noqa: DTZ001
                max_minutes=45)  # fmt: skip


def any_of(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(MEN), rng.choice(YOUNG)
    t = new_chat(rng, cid, any_of(rng, ["roblox-like", "artfeed", "voicechat"]), [g, c])
    age = rng.randrange(10, 15)
    t.say(g, any_of(rng, ["hey!! saw ur stream, ur so funny", "ur art is honestly better than mine and ive been drawing for years",
                          "hiii, u were in my lobby earlier. gg"]))  # fmt: skip
    t.say(c, any_of(rng, ["omg thank u", "haha thanks!!", "aw ty x"]))
    t.chatter(g, c, rng.randrange(2, 7), SMALL)
    t.say(
        g,
        any_of(rng, ["btw how old are u? u seem older", "u in secondary yet?", "wat year r u in at school"]),
    )
    t.say(c, any_of(rng, [f"{age}", f"im {age} and a half", f"year {age - 5}", f"gonna be {age + 1} soon"]))
    t.say(g, any_of(rng, ["no way, u talk like someone way older", "ur so mature honestly, way more than ppl my age",
                          "thats cool, ur really smart for ur age"]))  # fmt: skip
    t.chatter(g, c, rng.randrange(2, 8), SMALL)
    t.say(c, any_of(rng, ["my mum says i cant go out on weekdays", "got a detention today ugh",
                          "my dad took my ipad away lol"]), days=rng.randrange(1, 5))  # fmt: skip
    t.say(g, any_of(rng, ["u can tell me anything, im not like other adults", "ur parents wouldnt get it, but i do",
                          "ur mates sound like they dont really care about u"]))  # fmt: skip
    t.say(g, any_of(rng, ["hows ur mum, is she in tonight?", "anyone else home rn?", "r u alone?",
                          "does ur dad check ur phone?"]))  # fmt: skip
    t.say(c, any_of(rng, ["nah shes out", "just me", "no"]))
    t.say(g, any_of(rng, ["wipe ur chat after we talk ok", "dont tell anyone about me yeah, they'll get the wrong idea",
                          "keep this between us, its our thing", "its our secret ok"]))  # fmt: skip
    urgent: list[str] = []
    if rng.random() < 0.5:
        t.say(
            g,
            any_of(
                rng,
                [
                    "i'll sort u some credit",
                    "i can buy u robux if u want",
                    "want me to get u a new phone case",
                ],
            ),
        )
    if rng.random() < 0.5:
        t.say(g, any_of(rng, ["hop on snap", "add me on snapchat its easier", "whats ur number, ill text u"]))
    if rng.random() < 0.7:
        t.say(g, any_of(rng, ["pop me a pic of u", "send me a selfie", "lets facetime, turn ur camera on",
                              "can u send a photo of urself"]))  # fmt: skip
        t.say(c, any_of(rng, ["idk", "maybe", "why lol"]))
        urgent.append("image_request")
    if rng.random() < 0.3:
        t.say(g, HIDDEN)
    if rng.random() < 0.45:
        t.say(g, any_of(rng, ["we should meet up, ill come to the park near ur school on saturday",
                              "meet me at the train station after school tomorrow", "lets meet up this weekend at the shops",
                              "i can pick u up from the bus stop on friday"]))  # fmt: skip
        urgent.append("meeting")
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(MEN), rng.choice(YOUNG)
    t = new_chat(rng, cid, "artfeed", [g, c])
    t.say(g, any_of(rng, ["i have ur pics", "i saved everything u sent"]))
    t.say(c, any_of(rng, ["please delete them im 13", "im only 14 pls", "pls im in year 9"]))
    t.say(g, any_of(rng, ["send me £100 or i will share them with everyone", "pay £60 now or ur family will see",
                          "give me a £50 gift card or i post them"]))  # fmt: skip
    t.say(g, any_of(rng, ["u have 1 hour", "i'm not joking"]))
    urgent = ["sextortion"]
    if rng.random() < 0.3:
        t.say(c, any_of(rng, ["i just want to die", "i'm going to kill myself"]))
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def script(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    kid = rng.choice(YOUNG)
    return chatsets.scripted(lambda people: new_chat(rng, cid, app, people), lines, kid=kid)


def grandparent(rng: random.Random, cid: str) -> dict[str, Any]:
    return script(rng, cid, "video", [("kid", "hi grandad can you video call me later"), ("grandad_bill", "course, after tea"),
                  ("kid", "thanks grandad"), ("grandad_bill", "tell your mum i'll pick you up from school on friday")])  # fmt: skip


def babysitter(rng: random.Random, cid: str) -> dict[str, Any]:
    return script(rng, cid, "sms", [("sitter_chloe", "hi, your mum asked me to sit tonight, i'll be there at 7"),
                  ("kid", "yay can we watch a film"), ("sitter_chloe", "yes but bed by 9, you're 8 not 18 lol"),
                  ("kid", "ok")])  # fmt: skip


def counsellor(rng: random.Random, cid: str) -> dict[str, Any]:
    return script(rng, cid, "schoolapp", [("counsellor_amy", "hi, just checking in after our chat today"),
                  ("kid", "sometimes i feel like hurting myself"),
                  ("counsellor_amy", "thank you for telling me. i'll call your mum and we'll meet in my office tomorrow"),
                  ("kid", "ok")])  # fmt: skip


def team(rng: random.Random, cid: str) -> dict[str, Any]:
    kids = rng.sample(YOUNG, 3)
    t = new_chat(rng, cid, "teamchat", ["manager_steve", *kids])
    for who, text in [("manager_steve", "match on sunday, meet at the ground at 9"), (kids[0], "do we need shin pads"),
                      ("manager_steve", "yes, and parents please bring oranges"), (kids[1], "my mum cant drive me"),
                      ("manager_steve", "no problem, ask another parent"), (kids[2], "send pics of the new kit")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def teen_flirt(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(YOUNG, 2)
    t = new_chat(rng, cid, "snapchat", [a, b])
    for who, text in [(a, "ur cute btw"), (b, "haha so r u"), (a, "how old r u"), (b, "15 u?"), (a, "15 too"),
                      (b, "send a selfie"), (a, "lol ok"), (b, "wanna go cinema saturday? meet outside at 2")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def mentor(rng: random.Random, cid: str) -> dict[str, Any]:
    return script(rng, cid, "mentorapp", [("mentor_dev", "hi, your mum said you'd like to come to the climbing wall"),
                  ("kid", "yes please"), ("mentor_dev", "great, i'll pick you up from home at 10 on saturday, your mum knows"),
                  ("kid", "cool")])  # fmt: skip


BENIGN = [grandparent, babysitter, counsellor, team, teen_flirt, mentor]


def main() -> None:
    write_set(
        OUT,
        seed=SEED,
        count=300,
        prefix="hb3",
        grooming=groomer_thread,
        extortion=extortion_thread,
        benign=BENIGN,
    )


if __name__ == "__main__":
    main()
