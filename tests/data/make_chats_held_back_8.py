"""Writes haven/chats/data/held_back_8.jsonl (spent, now training data for the learned model): the eighth held-back set for the grooming analysis.

Written on 2026-12-01 after held-back 7 was spent, and committed before it was measured; measured once,
with no change after it. Its conversations are in American English, as many a platform's reports are:
"mom", "6th grade" and "middle school", Venmo and Cash App, the mall and the Walmart parking lot, and US
apps. The grooming is written in new words for every step, sometimes starting as a friendly "older
sibling" figure or a fellow gamer who sends gifts first; the sextortion starts from a fake profile. The
hard negatives are new too: a mom texting her son, a basketball coach's team chat, a babysitter arranging a
night with a parent, two 8th graders making plans, an adult selling a phone on a marketplace (photos, a
price, a parking lot), a youth group announcement, a camp counselor's reminder, and a grandma's birthday
money.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_8
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, close, everyday, pick, play_steps, write_set

OUT = DATA / "held_back_8.jsonl"
SEED = 8_12_2026

ADULTS = ["tyler_b_23", "coach_mike_aau", "xXshadowXx", "brandon.k", "dj_marcus", "hunter_w", "jake_the_snake",
          "kyle_m", "derek.s", "travis_plays"]  # fmt: skip
KIDS = ["madison_r", "ethan_p", "chloe_g", "mason_t", "abby_l", "logan_c", "emma_j", "aiden_w", "hailey_b",
        "caleb_m"]  # fmt: skip
HANGOUT = [
    ("c", "lol same"), ("g", "what r u up to"), ("c", "nm just chillin"), ("g", "u watch the game?"),
    ("c", "nah my mom made me do chores"), ("g", "rip"), ("c", "ikr"), ("g", "u play later?"),
    ("c", "maybe after dinner"), ("g", "bet"), ("c", "this song is fire"), ("g", "fr"), ("c", "gtg"),
]  # fmt: skip
OPENERS = ["yo ur actually cracked at fortnite", "hey! u go to lincoln middle right? think my cousin knows u",
           "love ur tiktoks, ur so talented", "gg that was a crazy game"]  # fmt: skip
AGE_Q = ["wait how old r u", "what grade r u in", "u in middle school?", "ur like 13 right?"]
AGE_A = ["12", "6th grade", "im in 7th", "13", "11 lol", "middle school yeah 8th grade"]
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["ur so mature for ur age fr", "ur honestly prettier than girls my age", "u get me better than anyone",
                       "ur lowkey the coolest person i talk to"])],
    "isolate": [("c", ["my mom never lets me do anything", "my friends are being weird", "my parents are fighting again"]),
                ("g", ["ur mom is so controlling smh", "u dont need those fake friends", "i'll always be here for u tho"])],
    "risk": [("g", ["r ur parents home rn", "does ur mom check ur phone", "do u have screen time on ur phone",
                    "who else is home"]),
             ("c", ["nope", "not really", "just my little brother", "they get home at 6"])],
    "secret": [("g", ["delete our dms ok", "dont tell ur mom about me she wouldnt get it", "this is our thing nobody else needs to know",
                      "if anyone asks say im ur friend from school"])],
    "gift": [("g", ["i just sent u 2000 vbucks", "want me to venmo u some money", "ill get u the new jordans",
                    "sent u an xbox gift card, check ur dms"])],
    "move": [("g", ["add my snap its tyler_b", "lets talk on discord instead", "text me instead, this app is trash",
                    "u got kik?"])],
    "image": [("g", ["send me a pic of u rn", "lemme see what u look like", "can u facetime me real quick",
                     "send a selfie i wanna see ur outfit"]),
              ("c", ["why", "lol no", "idk"])],
}  # fmt: skip
MEETINGS = ["we should hang at the mall saturday, just u and me", "i can swing by and pick u up after practice",
            "meet me at the park by ur house at 8, dont tell anyone", "lets link up this weekend, ill drive"]  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 4, 6, 19, 0), spread_days=200,  # noqa: DTZ001
                max_minutes=75)  # fmt: skip


def hang(t: Chat, rng: random.Random, g: str, c: str, n: int) -> None:
    everyday(t, rng, g, c, HANGOUT, n, gap_days=5)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["gamelobby", "tiktalk", "snapit", "discordia"]), [g, c])
    t.say(g, pick(rng, OPENERS))
    t.say(c, pick(rng, ["lol thx", "who is this", "haha ty", "wait do i know u"]))
    t.say(g, pick(rng, AGE_Q))
    t.say(c, pick(rng, AGE_A))
    if rng.random() < 0.4:
        t.say(
            g,
            pick(
                rng,
                [
                    "im 19 but i act like a kid lol",
                    "im in college but whatever",
                    "im older but age is just a number",
                ],
            ),
        )
    urgent = play_steps(t, rng, g, c, STEPS, lambda: hang(t, rng, g, c, rng.randrange(1, 4)))
    urgent += close(t, rng, g, c, meetings=MEETINGS, replies=["ok", "idk", "maybe"])
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["instapic", "snapit"]), [g, c])
    t.say(g, pick(rng, ["hey cutie, im 16 from texas", "hiii u seem nice, im new here"]))
    t.say(c, pick(rng, ["hey", "hi"]))
    t.say(
        g,
        pick(
            rng,
            [
                "i screen recorded everything",
                "i have ur pics and ur followers list",
                "ur video is saved on my phone",
            ],
        ),
    )
    t.say(c, pick(rng, ["what", "please delete it", "omg no"]))
    t.say(g, pick(rng, ["send $500 on cash app or i send it to everyone u follow",
                        "venmo me $300 in 20 mins or ur school sees it", "pay me or its getting posted everywhere",
                        "$200 in apple gift cards or i dm it to ur mom"]))  # fmt: skip
    t.say(c, pick(rng, ["im only 13 i dont have money", "im 12 please", "im in 7th grade i cant"]))
    t.say(g, pick(rng, ["20 minutes", "u think im playing?", "do it now"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(
            c,
            pick(
                rng,
                ["i want to kms", "i dont want to be alive anymore", "maybe i should just end everything"],
            ),
        )
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=rng.choice(KIDS))


def mom(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "imessage", [("mom", "where are u? i'll pick u up from practice at 6"),
                    ("kid", "can i go to jakes after"), ("mom", "send me a pic when u get there so i know ur safe"),
                    ("kid", "ok"), ("mom", "dont tell ur sister about the surprise")])  # fmt: skip


def team(rng: random.Random, cid: str) -> dict[str, Any]:
    kid = rng.choice(KIDS)
    t = chat(rng, cid, "teamsnap", ["coach_dana", "parent_rob", kid])
    for who, text in [("coach_dana", "12U: practice moved to the rec center at 5 thursday"), (kid, "can i bring my new shoes"),
                      ("coach_dana", "yes! parents, tournament fee is $40, venmo me by friday"), ("parent_rob", "sent, thanks coach")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def babysitter(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "sms", ["sitter_kayla", "parent_jen"])
    for who, text in [("parent_jen", "can you watch the kids friday 6-10?"), ("sitter_kayla", "yes! $15 an hour ok?"),
                      ("parent_jen", "perfect, I'll venmo you after. bedtime for the little one is 8"),
                      ("sitter_kayla", "sounds good, send me a pic of the wifi password")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def eighth_graders(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "snapit", [a, b])
    for who, text in [(a, "r u going to the 8th grade dance"), (b, "yeah my mom is driving, wanna come w us"),
                      (a, "dont tell anyone but i like someone"), (b, "omg who. meet at the mall before?"), (a, "ok 2pm")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def marketplace(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "marketplace", ["seller_greg", "buyer_tina"])
    for who, text in [("buyer_tina", "is the phone still available? can you send more pics"), ("seller_greg", "yes, $200, sending pics now"),
                      ("buyer_tina", "can we meet at the walmart parking lot at 5"), ("seller_greg", "sure, cash or venmo")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def youth_group(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "groupme", [("pastor_dave", "middle school youth group: meet at the church at 6 wednesday"),
                    ("kid", "can my friend come"), ("pastor_dave", "of course! parents please sign the form, $10 for pizza")])  # fmt: skip


def camp(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "campapp", [("counselor_sam", "hey cabin 4! bus leaves the school at 8am monday"),
                    ("kid", "do we need money"), ("counselor_sam", "a little for the canteen, ask your parents")])  # fmt: skip


def grandma(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("grandma_jo", "happy 12th birthday sweetie! i sent $25, dont tell grandpa i sent more than last year"),
                    ("kid", "thank u grandma!!"), ("grandma_jo", "send me a picture of your cake")])  # fmt: skip


BENIGN = [mom, team, babysitter, eighth_graders, marketplace, youth_group, camp, grandma]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb8", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
