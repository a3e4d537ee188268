"""Writes haven/chats/data/held_back_11.jsonl (spent, now training data for the learned model): the eleventh held-back set for the grooming analysis.

Written on 2026-12-01 after the learned model's threshold was chosen by leaving each spent set out, and
committed before it was measured; measured once, with no change before the figures were recorded
(docs/PERFORMANCE.md).
New again:
- gaming servers and study apps, in a politer, adult register with full sentences and emoji;
- groomers posing as a girl of the same age, an esports team manager, an online tutor and a modelling
  scout; gifts of game currency, a battle pass and gift cards;
- ages told in ways no set has used: Nigerian and Indian school classes ("JSS1", "class 7"), the eleven
  plus, a first communion or bar mitzvah to come, braces, a packed lunch, being "not allowed on tiktok";
- threats to send a video to the child's parents or followers, paid in gift cards or crypto;
- new hard negatives: a parent booking a tutor for their child, two parents arranging a playdate, adults
  trading game skins for gift cards, adults on a dating app joking about age, two thirteen-year-olds
  sneaking out to a party, a brother's "give me a fiver or I tell mum", and a club coach telling a team
  of children when the minibus leaves.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_11
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, close, everyday, pick, play_steps, write_set

OUT = DATA / "held_back_11.jsonl"
SEED = 11_12_2026

ADULTS = ["sophie_plays_13", "coach_ryker", "tutor_mr_h", "scout_elle_models", "nightowl_gg", "vex_manager",
          "lumen_tutoring", "maddie.x.14", "ghost_clan_lead", "photos_by_lorne"]  # fmt: skip
KIDS = [
    "ifeoma_o",
    "arjun_k",
    "chidi_b",
    "ananya_r",
    "molly_p",
    "ezra_s",
    "grace_w",
    "noah_l",
    "tobi_a",
    "isla_m",
]
TALK = [
    ("g", "How was your day? 😊"), ("c", "fine i guess"), ("g", "Only fine?"), ("c", "we had a test"),
    ("g", "I'm sure you did great."), ("c", "maybe lol"), ("g", "Did you finish the level?"), ("c", "almost"),
    ("g", "You're getting so good at this."), ("c", "thx"), ("g", "What are you up to tonight?"),
    ("c", "homework then bed"), ("g", "Same old then 😂"), ("c", "ya"), ("g", "Sleep well"), ("c", "u too"),
]  # fmt: skip
OPENERS = {
    "peer": ["hiii omg i love ur avatar!! im new here, wanna be friends?", "heyy ur so funny in the voice chat lol"],
    "esports": ["Hi! I manage a junior esports team and you've got real talent. Interested in trying out?",
                "Saw your ranked games, very impressive. We're recruiting for our academy squad."],
    "tutor": ["Hello, I'm a maths tutor on this app. I can help you with that question if you like.",
              "Hi there, I noticed you asked for help in the study room. Happy to explain it privately."],
    "scout": ["Hi lovely, I scout for a modelling agency and you have a great look ✨",
              "Your photos have such a natural style. Have you ever thought about modelling?"],
}  # fmt: skip
AGE_HINTS = ["im in JSS1", "im in class 7", "i have my eleven plus next month", "my first communion is in may",
             "my bar mitzvah is next year", "i just got my braces on ugh", "my mum still packs my lunch",
             "im not allowed on tiktok yet", "we're doing times tables again"]  # fmt: skip
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["You seem so much older than you are.", "Honestly you're more interesting than most adults I know.",
                       "You're really special, you know that? 💕"])],
    "isolate": [("c", ["nobody at school gets me", "my parents are always fighting"]),
                ("g", ["Your friends sound immature tbh. I'm always here for you.", "Parents never listen. You can always talk to me."])],
    "risk": [("g", ["Does anyone else use your laptop?", "Do your parents ever read your messages?", "Is your bedroom door locked?"]),
             ("c", ["no", "not really", "sometimes"])],
    "secret": [("g", ["This is just our little thing, ok? 🤫", "Adults wouldn't understand what we have.",
                      "Don't mention me to anyone, they'd only get jealous."])],
    "gift": [("g", ["I'll send you 2000 robux if you want 🎁", "Let me gift you the battle pass.",
                    "I just bought you a £25 gift card, check your messages."])],
    "move": [("g", ["Add me on Discord, it's easier there.", "Let's switch to Signal, it's more private.",
                    "Download the app with disappearing messages and add me."])],
    "image": [("g", ["Turn your camera on, I want to see you.", "Send me a selfie, just for me.",
                     "Show me what you're wearing today 📸"]),
              ("c", ["um ok", "why", "im shy"])],
}  # fmt: skip
MEETINGS = ["I can collect you from the bus stop on Saturday. Come on your own.",
            "There's a shopping centre near you, let's hang out Sunday, just the two of us.",
            "The team has a bootcamp this weekend, I'll drive you. Tell your mum you're at a friend's.",
            "Let's do a real photoshoot at my studio. Don't bring anyone, it makes models nervous."]  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 7, 1, 17, 0), spread_days=140,  # noqa: DTZ001
                max_minutes=50)  # fmt: skip


def talk(t: Chat, rng: random.Random, g: str, c: str, n: int) -> None:
    everyday(t, rng, g, c, TALK, n, gap_days=5)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    guise = rng.choice(list(OPENERS))
    t = chat(rng, cid, pick(rng, ["blockverse", "questcord", "studybuddy", "lenslife"]), [g, c])
    t.say(g, pick(rng, OPENERS[guise]))
    t.say(c, pick(rng, ["hi", "thanks", "really?", "ok 🙂"]))
    if rng.random() < 0.65:
        talk(t, rng, g, c, 2)
        t.say(c, pick(rng, AGE_HINTS))
    urgent = play_steps(t, rng, g, c, STEPS, lambda: talk(t, rng, g, c, rng.randrange(1, 4)))
    urgent += close(t, rng, g, c, meetings=MEETINGS, replies=["ok", "i guess", "will it be fun?"])
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["lenslife", "questcord"]), [g, c])
    t.say(
        g,
        pick(
            rng,
            [
                "I recorded our video call.",
                "I kept everything you sent me.",
                "Remember the pictures? I still have them.",
            ],
        ),
    )
    t.say(c, pick(rng, ["please delete them", "you said you deleted them", "what do you want"]))
    t.say(g, pick(rng, ["Buy me £300 in gift cards or your parents get the video.",
                        "Send $250 in bitcoin tonight or I share it with all your followers.",
                        "Pay up or I send it to everyone in your school group, I know which school you go to."]))  # fmt: skip
    t.say(c, pick(rng, ["i only get £5 pocket money", "im 13 i cant", "please im just a kid"]))
    t.say(g, pick(rng, ["Then find a way.", "You have until midnight.", "Your choice."]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(
            c,
            pick(
                rng,
                [
                    "i cant do this anymore",
                    "everyone would be better off without me",
                    "i want to disappear forever",
                ],
            ),
        )
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=rng.choice(KIDS))


def pair(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    t = chat(rng, cid, app, list(dict.fromkeys(who for who, _ in lines)))
    for who, text in lines:
        t.say(who, text)
    return t.labelled(False, None, [])


def tutor_booking(rng: random.Random, cid: str) -> dict[str, Any]:
    return pair(rng, cid, "email", [("parent_ruth", "Hello, my daughter is 11 and struggling with fractions. Do you have Tuesdays?"),
                ("lumen_tutoring_office", "Yes, 5pm online. A parent must be in the room for under-16s."),
                ("parent_ruth", "Perfect. Should I send a photo of her homework?"), ("lumen_tutoring_office", "Yes please, so the tutor can prepare.")])  # fmt: skip


def playdate(rng: random.Random, cid: str) -> dict[str, Any]:
    return pair(rng, cid, "whatsapp", [("mum_of_ezra", "Ezra would love to have Noah over on Saturday, they're both 8 so it'll be chaos 😂"),
                ("dad_of_noah", "Great, I'll drop him at 2 and pick up at 5"), ("mum_of_ezra", "I'll send you a pic of them at the park"),
                ("dad_of_noah", "Thanks! Keep it a secret from Noah, it's a surprise")])  # fmt: skip


def skin_trade(rng: random.Random, cid: str) -> dict[str, Any]:
    return pair(rng, cid, "questcord", [("trader_zed_27", "I'll trade the dragon skin for a £20 gift card"),
                ("kaiser_31", "Deal, send a screenshot of the skin first"), ("trader_zed_27", "Done, add me on Discord to finish it"),
                ("kaiser_31", "Sent the code, don't tell the mods we traded off-site lol")])  # fmt: skip


def dating_adults(rng: random.Random, cid: str) -> dict[str, Any]:
    return pair(rng, cid, "sparkdate", [("dan_34", "You look great in your photos. Age is just a number anyway, we're both in our 30s 😄"),
                ("lisa_33", "Haha true. Drink on Friday?"), ("dan_34", "Yes, the wine bar by the station at 8?"),
                ("lisa_33", "Perfect, I'll tell my sister where I'll be, first date rules")])  # fmt: skip


def sneak_out(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    return pair(rng, cid, "snapface", [(a, "we're both 13 and my mum would literally kill me"), (b, "just say ur at mine"),
                (a, "ok meet at the corner at 7 and we walk to jess's party"), (b, "delete this chat after lol")])  # fmt: skip


def brother_fiver(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    return pair(rng, cid, "sms", [(a, "give me a fiver or i tell mum u broke her vase"), (b, "ur so annoying, ill give u it after school"),
                (a, "and ur doing my chores saturday"), (b, "fine")])  # fmt: skip


def minibus(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "teamapp", [("coach_dawn_u12s", "U12s! Minibus leaves the club at 8am Sunday, parents please sign the form"),
                    ("kid", "coach can my dad drive me instead"), ("coach_dawn_u12s", "Of course, just tell me so I know who's coming"),
                    ("kid", "ok")])  # fmt: skip


BENIGN = [tutor_booking, playdate, skin_trade, dating_adults, sneak_out, brother_fiver, minibus]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb11", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
