"""Writes haven/chats/data/held_back_10.jsonl (spent, now training data for the learned model): the tenth held-back set for the grooming analysis.

Written on 2026-12-01 after held-back 9 was spent, and committed before it was measured; measured once, with
no change after it. New again:
- London street English and slang ("wagwan", "you're peak", "allow it", "the gc"), and ages given by the
  year of birth ("born in 2013"), by GCSEs and sixth form, or by a curfew;
- groomers posing as an older "boyfriend" who gives money, a music producer, and an influencer who pays
  for content;
- the steps in new words, and threats to "expose" rather than to "send";
- new hard negatives: an older cousin planning a surprise party, a youth leader, a football academy scout
  talking with a parent, two sixteen-year-olds going out, adults organising five-a-side, a trainer seller
  meeting at a station, a teacher's revision session, and adults arguing over a debt ("pay me back or I'm
  telling everyone").

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_10
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, close, everyday, pick, play_steps, write_set

OUT = DATA / "held_back_10.jsonl"
SEED = 10_12_2026

ADULTS = ["kxng_beats", "dre_e14", "influencer_jaz", "tz_mandem", "rico_ldn", "big_sav", "jj_producer", "marcus.o",
          "dev_p_22", "kwame_b"]  # fmt: skip
KIDS = ["amira_k", "tayo_b", "zainab_h", "kai_j", "leila_m", "jayden_o", "priya_s", "mo_a", "tia_r", "ayo_d"]
TALK = [
    ("c", "wagwan"), ("g", "nm u"), ("c", "chillin"), ("g", "safe"), ("c", "this ting is long"), ("g", "what happened"),
    ("c", "school stuff innit"), ("g", "allow it"), ("c", "lool"), ("g", "u good tho"), ("c", "ye"), ("g", "bet"),
    ("c", "my phone on 2%"), ("g", "charge it then"),
]  # fmt: skip
OPENERS = {
    "boyfriend": ["ur actually peak, why havent i seen u before", "u go to the academy near the park innit"],
    "producer": ["ur voice is hard, u ever been in a studio?", "i make beats for real artists, ur bars are nice"],
    "influencer": ["love ur page!! we pay for content from new faces", "ur vibe is perfect for my brand"],
}  # fmt: skip
AGE_HINTS = ["i was born in 2013 lol", "doing my mocks for gcses next year", "my mum says im home by 8 no matter what",
             "sixth form is years away for me", "im the youngest in my form", "i get the school bus at 8"]  # fmt: skip
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["ur different from the other girls ur age", "ur mad mature still", "u could be a star fr"])],
    "isolate": [("c", ["my mum dont trust me", "my friends chat behind my back"]),
                ("g", ["ur mum dont get u like i do", "cut them off, u got me"])],
    "risk": [("g", ["ur mum go through ur phone?", "anyone at urs?", "what time ur mum finish work"]),
             ("c", ["nah", "just me", "like 7"])],
    "secret": [("g", ["keep me on the low yeah", "this stays with us, no one else", "bin the chat after"])],
    "gift": [("g", ["ill bank transfer u 50 for ur trainers", "ill cop u the new phone", "sent u bare money on cash app"])],
    "move": [("g", ["hit my snap instead", "lets go priv on telegram", "text my burner, easier"])],
    "image": [("g", ["send a pic of u in ur fit", "need to see u, send a snap", "bell me on facetime quick"]),
              ("c", ["nahh", "why", "idk"])],
}  # fmt: skip
MEETINGS = ["ill pull up outside ur school at 3, dont tell no one", "come studio saturday, ill send an uber, come solo",
            "meet me at the chicken shop after school", "ill link u at the station tonight, just u"]  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 6, 1, 18, 0), spread_days=150,  # noqa: DTZ001
                max_minutes=70)  # fmt: skip


def talk(t: Chat, rng: random.Random, g: str, c: str, n: int) -> None:
    everyday(t, rng, g, c, TALK, n, gap_days=4)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    guise = rng.choice(list(OPENERS))
    t = chat(rng, cid, pick(rng, ["snapface", "instapic", "tiktalk", "beatlab"]), [g, c])
    t.say(g, pick(rng, OPENERS[guise]))
    t.say(c, pick(rng, ["ty", "who dis", "fr?", "ayy"]))
    if rng.random() < 0.7:
        talk(t, rng, g, c, 2)
        t.say(c, pick(rng, AGE_HINTS))
    urgent = play_steps(t, rng, g, c, STEPS, lambda: talk(t, rng, g, c, rng.randrange(1, 4)))
    urgent += close(t, rng, g, c, meetings=MEETINGS, replies=["ok", "maybe", "say less"])
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["instapic", "snapface"]), [g, c])
    t.say(
        g,
        pick(
            rng,
            [
                "i got screenshots of everything",
                "i screen recorded the facetime",
                "u forgot i saved ur snaps",
            ],
        ),
    )
    t.say(c, pick(rng, ["wtf delete it", "pls", "why would u"]))
    t.say(g, pick(rng, ["£200 or im putting it on the gc", "pay me or ur finished, ill expose u to everyone",
                        "send 150 on cash app or the whole school sees", "u got till 10 to send the money or i expose u"]))  # fmt: skip
    t.say(c, pick(rng, ["im 14 i aint got that", "im in year 9 bro", "i'm a kid i dont have money"]))
    t.say(g, pick(rng, ["not my problem", "clock ticking", "try me"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(c, pick(rng, ["i dont wanna be here no more", "i'll just end it", "i wanna die fr"]))
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=rng.choice(KIDS))


def cousin_party(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "whatsapp", [("cousin_hana_19", "keep it secret, we're doing a surprise party for ur mum on sunday"),
                    ("kid", "omg ok"), ("cousin_hana_19", "ill pick u up from school friday to buy decorations, dont tell her")])  # fmt: skip


def youth_leader(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "groupme", [("youth_leader_ola", "youth club trip saturday, meet at the hall at 9, bring the signed form"),
                    ("kid", "can i bring my cousin"), ("youth_leader_ola", "yes if ur parents sign for her too")])  # fmt: skip


def academy_scout(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "email", ["scout_academy_fc", "parent_femi"])
    for who, text in [("scout_academy_fc", "your son played brilliantly, we'd like him at a trial, he must be with a parent"),
                      ("parent_femi", "thank you, which day?"), ("scout_academy_fc", "saturday at 10 at the training ground, bring his boots")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def sixteens(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "snapface", [a, b])
    for who, text in [(a, "happy 2 months"), (b, "we're both 16 and my dad still dont know lol"), (a, "keep it on the low then"),
                      (b, "meet at the park after college?"), (a, "say less")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def five_a_side(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "whatsapp", ["lanre_34", "gaz_29", "pete.m"])
    for who, text in [("lanre_34", "five a side thursday 8pm, £6 each, pay me on the night"), ("gaz_29", "in"),
                      ("pete.m", "in, meet at the car park after work"), ("lanre_34", "send me a pic of the booking confirmation gaz")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def trainers(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "marketplace", ["seller_dion", "buyer_kez"])
    for who, text in [("buyer_kez", "are the trainers legit? send more pics"), ("seller_dion", "100% legit, £80"),
                      ("buyer_kez", "meet at the station at 6?"), ("seller_dion", "bet, bring cash")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def revision(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "schoolhub", [("mr_adeyemi", "year 11 revision session thursday after school in room 4"),
                    ("kid", "sir can i come late i have football"), ("mr_adeyemi", "yes, send me a photo of your past paper answers")])  # fmt: skip


def debt_row(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "sms", ["dee_31", "shaz_33"])
    for who, text in [("dee_31", "pay me back the £200 or im telling everyone what u did"), ("shaz_33", "allow it, ill pay friday"),
                      ("dee_31", "u said that last month"), ("shaz_33", "promise, ill bank transfer it")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


BENIGN = [cousin_party, youth_leader, academy_scout, sixteens, five_a_side, trainers, revision, debt_row]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb10", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
