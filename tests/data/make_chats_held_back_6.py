"""Writes haven/chats/data/held_back_6.jsonl (spent, now training data for the learned model): the sixth held-back set for the grooming analysis.

Written on 2026-12-01, before the learned model was added beside the indicators, and committed before
either was measured on it; measured once, with no change after it. It differs from the earlier sets in its
shape and its words:
- long conversations: the grooming steps are spread over weeks between runs of ordinary chat (school, music,
  games, football), as slow grooming is, instead of following one another;
- a child's age is often only implied (a school year, a bedtime, a parent who takes the phone) rather than
  stated as a number;
- new guises (a football coach, a modelling scout, an older "teen" whose age slips) and new words for every
  step, meeting places and payment routes;
- new hard negatives: a grandparent's secret birthday money, a coach's group chat with parents, a teacher
  asking for a photo of homework, two fifteen-year-olds going out, a parent collecting their child, an older
  brother collecting his sister, a debt collector's threat to an adult, and a tattoo artist booking an adult.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_6
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, close, everyday, pick, play_steps, write_set

OUT = DATA / "held_back_6.jsonl"
SEED = 6_12_2026

ADULTS = ["coach_daz", "scout_models_uk", "jj_17_honest", "liam_from_fifa", "kev.d", "mr_beats_prod", "tommo_88",
          "deanwinters", "big_al_gaming", "stu_p"]  # fmt: skip
KIDS = ["poppy_rose", "alfie_w", "maisie.k", "harvey_b", "tilly_m", "reggie_j", "willow.s", "frankie_p", "isla_b",
        "noah_r"]  # fmt: skip
ORDINARY = [
    ("c", "got loads of homework tonight"), ("g", "what subject"), ("c", "maths ugh"), ("g", "you'll smash it"),
    ("c", "listening to the new album on repeat"), ("g", "which song is your fave"), ("c", "track 3 obviously"),
    ("g", "did you see the match"), ("c", "yeah we lost again"), ("g", "unlucky, next week"),
    ("c", "so tired"), ("g", "early night then"), ("c", "lol no chance"), ("g", "what you up to this weekend"),
    ("c", "nothing much probs just gaming"), ("g", "same tbh"), ("c", "brb dinner"), ("g", "enjoy"),
]  # fmt: skip
OPENERS = {
    "coach": ["saw your highlights on the club page, you've got real talent", "I coach a development squad, could get you a trial"],
    "scout": ["hi! I scout for a modelling agency and your look is exactly what brands want",
              "your profile came up in our search, you'd be perfect for a kids clothing shoot"],
    "teen": ["hey im 16 too, you seem really chill", "we were in the same lobby last night, ur actually good"],
    "producer": ["your singing video is amazing, I produce music, want to collab?", "I can get your covers heard by thousands"],
}  # fmt: skip
AGE_HINTS = ["my mum takes my phone at 9", "year 7 is so much harder than primary", "cant, got year 8 mocks next week",
             "my dad says im too young for insta", "we do sats in may", "im the youngest in my year lol",
             "just started secondary", "my nan picks me up from school"]  # fmt: skip
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["ur proper gorgeous, I bet everyone says that", "honestly you're the only one who gets me",
                       "you're so grown up for your age, I forget sometimes", "you're going to be a star, trust me"])],
    "trust": [("g", ["feels like I've known you for years", "you can tell me anything, I'd never judge you",
                     "I tell you stuff I don't tell anyone"])],
    "risk": [("g", ["who else uses your ipad?", "does your mum go through your phone?", "what time do your parents go to bed",
                    "do you have your own room?"]),
             ("c", ["just me", "no she never looks", "like 11", "yeah"])],
    "secret": [("g", ["this stays between us two ok", "our little thing, nobody else would understand it",
                      "wipe the messages before bed yeah", "if your mum finds out she'll ban you from everything"])],
    "gift": [("g", ["I can top up your phone if you want", "sending you some vbucks now", "want new trainers? I'll order them to yours",
                    "I'll pay for your kit, don't worry about it"])],
    "move": [("g", ["message me on discord instead, this app is dodgy", "my insta is private, add me there",
                    "go on signal, it's safer for us", "give me your number and I'll text you"])],
    "image": [("g", ["send me a photo of just you", "put your camera on for me", "send one from today, want to see you properly",
                     "take a pic now and send it"]),
              ("c", ["why", "idk", "maybe later"])],
}  # fmt: skip
MEETINGS = ["I'm passing through your town on friday, we could grab a milkshake, just us",
            "meet me by the leisure centre at 4, don't bring anyone", "I'll wait in the car park behind the big tesco after school",
            "come to the skate park tomorrow night on your own"]  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 3, 2, 16, 0), spread_days=200,  # noqa: DTZ001
                max_minutes=90)  # fmt: skip


def ordinary(t: Chat, rng: random.Random, g: str, c: str, n: int) -> None:
    everyday(t, rng, g, c, ORDINARY, n, gap_days=6)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    guise = rng.choice(list(OPENERS))
    t = chat(rng, cid, pick(rng, ["sportsapp", "modelhub", "gamechat", "musicshare"]), [g, c])
    t.say(g, pick(rng, OPENERS[guise]))
    t.say(c, pick(rng, ["omg thank you", "really??", "who are you", "thanks x"]))
    if rng.random() < 0.5:
        t.say(g, pick(rng, ["how old are you anyway", "what year are you in"]))
        t.say(c, pick(rng, ["12", "year 8", "13 in june", "11"]))
    else:
        ordinary(t, rng, g, c, 2)
        t.say(c, pick(rng, AGE_HINTS))
    if guise == "teen":
        t.say(
            g,
            pick(
                rng,
                [
                    "well im 19 actually but age is just a number",
                    "ok im a bit older than I said, does it matter",
                ],
            ),
        )
    urgent = play_steps(t, rng, g, c, STEPS, lambda: ordinary(t, rng, g, c, rng.randrange(2, 6)))
    urgent += close(
        t,
        rng,
        g,
        c,
        meetings=MEETINGS,
        replies=["ok", "idk", "maybe"],
        before_meeting=lambda: ordinary(t, rng, g, c, 2),
    )
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["photoapp", "socialnet", "gamechat"]), [g, c])
    t.say(g, pick(rng, ["I have your video", "screenshotted everything you sent", "I saved the call"]))
    t.say(c, pick(rng, ["no please", "delete it", "what do you want from me"]))
    t.say(g, pick(rng, ["£500 in bitcoin or it goes to your whole school",
                        "everyone in your class sees it unless you pay me tonight",
                        "transfer 250 to this account by midnight or I share it with your followers",
                        "buy me 200 in gift cards or your parents get the link"]))  # fmt: skip
    t.say(c, pick(rng, ["im in year 9 i don't have money", "i'm 13 please", "i only get pocket money"]))
    t.say(g, pick(rng, ["tick tock", "I have your friends list, I'm not joking", "last chance"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(c, pick(rng, ["i'd rather be dead", "i've got tablets in my room i'm going to take them",
                            "there's no point being here anymore"]))  # fmt: skip
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=rng.choice(KIDS))


def grandparent(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("grandad_ted", "happy 10th birthday sweetheart! I've put £20 in your card"),
                    ("kid", "thank you grandad!!"), ("grandad_ted", "don't tell your brother how much, it's our secret"),
                    ("kid", "haha ok"), ("grandad_ted", "send me a photo of you blowing out the candles")])  # fmt: skip


def coach_group(rng: random.Random, cid: str) -> dict[str, Any]:
    kid = rng.choice(KIDS)
    t = chat(rng, cid, "teamapp", ["coach_helen", "parent_raj", "parent_amy", kid])
    for who, text in [("coach_helen", "U12s: training moved to the leisure centre at 4 on friday"),
                      ("parent_raj", "thanks, I'll drop both boys off"), (kid, "can i bring my new boots"),
                      ("coach_helen", "of course! parents, the kit money is £15, pay at the desk"),
                      ("parent_amy", "I'll pick up the kids after, anyone need a lift?")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def homework(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "schoolhub", [("ms_patel", "year 7, remember your science project is due monday"),
                    ("kid", "miss can i hand it in late i was ill"), ("ms_patel", "yes, send me a photo of what you've done so far"),
                    ("kid", "ok"), ("ms_patel", "well done, tell your parents it's fine")])  # fmt: skip


def going_out(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "socialnet", [a, b])
    for who, text in [(a, "happy 1 month lol"), (b, "cant believe were both 15 and my mum still doesnt know"),
                      (a, "keep it secret from your parents for now then"), (b, "meet at the park after school?"),
                      (a, "yeah see you at 4")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def collecting(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("mum", "where are you? I'll pick you up outside the library"),
                    ("kid", "at jess's house, can i stay till 7"), ("mum", "ok, send me a pic so I know you're ok"),
                    ("kid", "fine"), ("mum", "don't tell dad about his present when you get home")])  # fmt: skip


def brother(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("bro_josh", "mum asked me to get you from school, I'll be at the gate at 3"),
                    ("kid", "can we get chips"), ("bro_josh", "only if you don't tell mum lol"), ("kid", "deal")])  # fmt: skip


def debt(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "email", ["collections_dept", "gary_m"])
    for who, text in [("collections_dept", "Your account is in arrears. Pay £300 by friday or we pass it to the court"),
                      ("gary_m", "I paid that last month, check your records"),
                      ("collections_dept", "send a photo of the receipt to this address")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def tattoo(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "bookingapp", ["ink_by_rosa", "dan_32"])
    for who, text in [("dan_32", "hi, can I book for saturday?"), ("ink_by_rosa", "sure, how old are you? need ID on the day"),
                      ("dan_32", "32"), ("ink_by_rosa", "send me a photo of where you want it and meet me at the studio at 11")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


BENIGN = [grandparent, coach_group, homework, going_out, collecting, brother, debt, tattoo]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb6", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
