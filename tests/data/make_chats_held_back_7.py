"""Writes haven/chats/data/held_back_7.jsonl (spent, now training data for the learned model): the seventh held-back set for the grooming analysis.

Written on 2026-12-01 after the learned model was added and held-back 6 was spent, and committed before it
was measured; measured once, with no change after it. It differs from the earlier sets again:
- the groomer pretends to be a child first (a "15 year old girl" or a boy "in year 10") and the truth comes
  out later, or never; sextortion often starts from such a fake friendship;
- a third person sometimes speaks (a friend added to the chat, a moderator, a sibling), so some grooming
  happens in a group of three;
- emoji and voice-note transcripts ("[voice note] …") carry some of the steps, and the words are new again:
  northern and Scottish turns of phrase, new app names, new places, new ways to threaten and to ask;
- new hard negatives: a driving instructor booking an adult, a netball team's group chat, a foster carer
  checking in, an aunt sending a parcel, two brothers arguing about a secret, a school trip reminder with a
  meeting point, adults swapping holiday photos, and a tutor agency confirming a child's lessons with a
  parent.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_7
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, close, everyday, pick, play_steps, write_set

OUT = DATA / "held_back_7.jsonl"
SEED = 7_12_2026

ADULTS = ["sk8r_girl_amy", "jayden_yr10", "mazza_92", "frosty_mike", "lewis.t", "gav_the_gamer", "callum_r",
          "mr_fun_dj", "ryan_g", "the_big_bob"]  # fmt: skip
KIDS = [
    "evie_h",
    "archie_l",
    "rosie_b",
    "jack_t",
    "sophia.m",
    "ollie_k",
    "grace_w",
    "leo.d",
    "ava_j",
    "ted_b",
]
THIRD = ["friend_meg", "mod_bot_kay", "sis_lucy", "mate_dylan"]
CHAT = [
    ("c", "wbu"), ("g", "same old"), ("c", "bored out my head"), ("g", "tell me about it"), ("c", "🙄🙄"),
    ("g", "what you watching"), ("c", "some anime"), ("g", "which one"), ("c", "the one with the dragons lol"),
    ("g", "ha class"), ("c", "ffs my wifi is so slow"), ("g", "mine too"), ("c", "gonna get tea"), ("g", "👍"),
]  # fmt: skip
FAKE_AGE = ["im 15 btw, same as u nearly", "im in year 10 at st marks", "im only 14 dont worry"]
REVEAL = ["ok truth is im 24, hope thats ok 🙈", "im actually older than i said but we get on so it dont matter",
          "dont freak out but im 21"]  # fmt: skip
KID_AGE = ["im 12", "13", "year 8", "i'm in first year at high school", "12 nearly 13", "p7"]
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["ur dead bonny you know", "you're honestly stunning 😍", "nobody your age is as clever as you",
                       "youre wasted on them lot at school"])],
    "isolate": [("c", ["my mam doesnt get me", "everyone at school is fake", "my dad shouted at me again"]),
                ("g", ["they dont deserve you", "im the only one who actually listens to you", "forget them, youve got me now"])],
    "risk": [("g", ["is anyone about at yours?", "can your mam see your messages?", "does your phone have parental stuff on it",
                    "whens everyone out at yours"]),
             ("c", ["no theyre out", "nah she cant", "dont think so", "saturday mornings"])],
    "secret": [("g", ["dont be telling anyone about us yeah 🤫", "this is just between me and you",
                      "clear the chat after, i mean it", "if anyone finds out theyll take your phone"])],
    "gift": [("g", ["ill send you a steam card", "want me to top up your fortnite", "ill get you the new airpods",
                    "i can send you a tenner for your bus"])],
    "move": [("g", ["come on whatsapp its easier", "add my snap, its frosty_m", "download wickr and find me on it",
                    "lets talk on telegram instead"])],
    "image": [("g", ["[voice note] go on send us a pic", "what do you look like now? send one", "show us your face then 📸",
                     "stick your cam on"]),
              ("c", ["hmm", "why", "nah"])],
}  # fmt: skip
MEETINGS = ["ill be at the bus station saturday at 2, come on your own", "lets meet at the arcade after school, dont tell your mam",
            "i can get you from the corner shop at 7", "[voice note] we should meet, ill come up to yours on sunday"]  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 1, 12, 15, 0), spread_days=300,  # noqa: DTZ001
                max_minutes=60)  # fmt: skip


def small_talk(t: Chat, rng: random.Random, g: str, c: str, n: int) -> None:
    everyday(t, rng, g, c, CHAT, n, gap_days=4)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    third = rng.choice(THIRD) if rng.random() < 0.25 else None
    people = [g, c] + ([third] if third else [])
    t = chat(rng, cid, pick(rng, ["discordia", "snapface", "gamehub", "yubo"]), people)
    t.say(g, pick(rng, ["heyy 👋 saw u on the server", "hiya, u add me?", "ur in my recommended lol hi"]))
    t.say(c, pick(rng, ["hi", "hiya", "who r u"]))
    if third:
        t.say(third, pick(rng, ["whos this", "hi all", "added u both from the group"]))
    faked = rng.random() < 0.5
    if faked:
        t.say(g, pick(rng, FAKE_AGE))
    t.say(g, pick(rng, ["hbu how old", "what age r u", "u in high school?"]))
    t.say(c, pick(rng, KID_AGE))
    if faked and rng.random() < 0.6:
        small_talk(t, rng, g, c, 2)
        t.say(g, pick(rng, REVEAL))
    urgent = play_steps(t, rng, g, c, STEPS, lambda: small_talk(t, rng, g, c, rng.randrange(1, 4)))
    urgent += close(t, rng, g, c, meetings=MEETINGS, replies=["k", "maybe", "idk"])
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["snapface", "instapic", "yubo"]), [g, c])
    t.say(g, pick(rng, FAKE_AGE))
    t.say(c, pick(rng, ["cool", "ok", "nice"]))
    t.say(g, pick(rng, ["got a copy of everything u sent 😈", "i recorded u on cam", "got ur pics saved"]))
    t.say(c, pick(rng, ["wtf", "please dont", "why would u do that"]))
    t.say(g, pick(rng, ["£400 on a steam card or ur mam gets them", "u got an hour to send 300 quid or they go on ur story",
                        "pay up or every follower u got sees what u did", "send the cash by tonight or its all over your school"]))  # fmt: skip
    t.say(
        c,
        pick(
            rng,
            ["im 13 i havent got that", "i'm in year 8 how am i meant to get money", "i'm just a kid please"],
        ),
    )
    t.say(g, pick(rng, ["clocks ticking", "not my problem", "ill do it dont test me"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(
            c,
            pick(
                rng,
                [
                    "i just want to disappear forever",
                    "everyone would be better without me",
                    "im gonna end it",
                ],
            ),
        )
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=rng.choice(KIDS))


def driving(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "sms", ["instructor_pete", "hannah_27"])
    for who, text in [("hannah_27", "can we do thursday at 5?"), ("instructor_pete", "yes, ill pick you up from home"),
                      ("hannah_27", "great, ive paid £35 online"), ("instructor_pete", "bring your provisional licence")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def netball(rng: random.Random, cid: str) -> dict[str, Any]:
    kid = rng.choice(KIDS)
    t = chat(rng, cid, "teamapp", ["coach_jen", "parent_sue", kid])
    for who, text in [("coach_jen", "U11s match on saturday, meet at the sports hall at 9"), (kid, "can my sister come watch"),
                      ("coach_jen", "of course! parents, £3 for the minibus"), ("parent_sue", "I'll bring the oranges")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def foster(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("carer_lynn", "how was school love? are you on the bus?"), ("kid", "yeah nearly home"),
                    ("carer_lynn", "your social worker is coming at 5, dont worry its just a chat"), ("kid", "ok")])  # fmt: skip


def aunt(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("auntie_mo", "ive sent you a parcel for your 11th, keep it hid from your brother till sunday"),
                    ("kid", "what is it"), ("auntie_mo", "its a surprise! send me a photo when you open it x")])  # fmt: skip


def brothers(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "sms", [a, b])
    for who, text in [(a, "dont tell mum i broke the telly"), (b, "pay me a fiver or i will lol"), (a, "ur so annoying im 10 not rich"),
                      (b, "fine its our secret")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def trip(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "schoolhub", [("mr_okafor", "year 6: meet at the school gates at 8 on friday for the museum trip"),
                    ("kid", "do we need money"), ("mr_okafor", "£5 for the gift shop if you want, bring a packed lunch")])  # fmt: skip


def holiday(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "whatsapp", ["kerry_40", "sam_38"])
    for who, text in [("kerry_40", "send us a pic of the beach!"), ("sam_38", "here you go, 30 degrees"), ("kerry_40", "jealous! dont tell my boss im looking at this at work"),
                      ("sam_38", "haha your secret is safe, meet for a drink when im back")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def tutor_agency(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "email", ["agency_bright", "parent_dev"])
    for who, text in [("agency_bright", "your daughter's maths lessons start monday, she's 12 so a parent must be home"),
                      ("parent_dev", "thanks, i'll be there"), ("agency_bright", "please pay the £60 deposit by friday")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


BENIGN = [driving, netball, foster, aunt, brothers, trip, holiday, tutor_agency]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb7", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
