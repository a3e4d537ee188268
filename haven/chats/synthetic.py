"""Synthetic labelled conversations, for the demo, the tests and the evaluation.

Grooming appears only through its behavioural signs (age questions, flattery, secrecy, isolation, gifts,
moving to another app, risk checks, plain requests for photos, meeting plans, threats and demands); the
sexual stage is only ever the placeholder line ``[explicit message withheld]``. Every name and number is
invented. The hard negatives are the conversations a careless detector flags: friends, a parent arranging
a pick-up, a teacher's class chat, gamers trash-talking, adults flirting with adults, teenagers of the
same age, and adults keeping a surprise party secret.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

START = datetime(2026, 9, 1, 18, 0)  # noqa: DTZ001  (a chat's own clock)
EXPLICIT = "[explicit message withheld]"

ADULT_NAMES = ["dan_r", "mark1982", "coolguy_77", "steve.k", "jay_online", "tom_h", "rob_the_builder",
               "kev_uk", "gary_m", "lee_p", "chris_j", "paul.w"]  # fmt: skip
CHILD_NAMES = ["ellie_x", "sammy123", "katie.b", "josh_w", "lily_rose", "ben10fan", "amy_j", "noah_k",
               "maisie", "ollie_g", "zara_m", "leo_p"]  # fmt: skip
PLACES = ["the park", "the bus station", "the shopping centre", "the library", "the leisure centre",
          "the skate park", "mcdonalds"]  # fmt: skip
TIMES = ["after school", "on saturday", "tomorrow at 4pm", "friday at 5", "this weekend", "tonight at 7"]


def _speak(rng: random.Random, text: str) -> str:
    """Text speak, now and then: u for you, repeated letters, leetspeak, dropped capitals."""
    if rng.random() < 0.3:
        text = text.replace("you", "u").replace("your", "ur").replace("are ", "r ")
    if rng.random() < 0.15:
        text = text.replace("secret", "s3cr3t").replace("photo", "pic")
    if rng.random() < 0.15:
        text = text.replace("so ", "sooo ").replace("please", "pleeease")
    if rng.random() < 0.5:
        text = text.lower()
    return text


class Chat:
    def __init__(self, rng: random.Random, cid: str, platform: str, names: list[str], *, days: int = 1):
        self.rng, self.cid, self.platform, self.names = rng, cid, platform, names
        self.at, self.days = START + timedelta(days=rng.randrange(60)), days
        self.messages: list[dict[str, Any]] = []

    def say(self, who: str, text: str) -> None:
        step = timedelta(minutes=self.rng.randrange(1, 8))
        if self.days > 1 and self.rng.random() < 0.15:
            step += timedelta(days=self.rng.randrange(1, 4))
        self.at += step
        self.messages.append({"at": self.at.isoformat(), "from": who, "text": _speak(self.rng, text)})

    def done(self, label: dict[str, Any], ages: dict[str, int] | None = None) -> dict[str, Any]:
        participants = [{"id": n, "stated_age": (ages or {}).get(n)} for n in self.names]
        return {"id": self.cid, "platform": self.platform, "participants": participants,
                "messages": self.messages, "label": label}  # fmt: skip


def _small_talk(chat: Chat, a: str, b: str, n: int) -> None:
    lines = [
        (a, "hey how was your day"), (b, "ok i guess, bit boring"), (a, "what have you been up to"),
        (b, "just watching videos"), (a, "nice, what music are you into"), (b, "mostly pop tbh"),
        (a, "same here haha"), (b, "did you see that new film"), (a, "not yet, is it good"), (b, "yeah really good"),
    ]  # fmt: skip
    start = chat.rng.randrange(len(lines))
    for i in range(n):
        who, text = lines[(start + i) % len(lines)]
        chat.say(a if who == a else b, text)


# Phrase banks for grooming, a stage a bank, in many people's words: written to be varied, so that the
# indicators are built against more than one way of saying a thing.
OPENERS = [
    "hi, love your videos",
    "hey, saw your post, you are really talented",
    "hiya, you play really well",
    "ur drawings are class",
    "nice skin, where did u get it",
    "hey stranger :)",
    "that song cover was amazing",
    "u were really good in that match",
    "hey, we were on the same team earlier",
    "cute profile pic",
]
AGE_PROBES = [
    "how old are you btw?",
    "what age are you?",
    "asl?",
    "how old r u",
    "ur age?",
    "age?",
    "what year are you in at school?",
    "what grade r u in",
    "are you still at school?",
    "you look young, how old?",
    "how old will you be on your birthday",
    "which year are u in",
]
CHILD_AGES = [
    "{a}",
    "i'm {a}",
    "{a}, in year {y}",
    "im {a}",
    "{a} nearly {b}",
    "year {y}",
    "yeah year {y}",
    "in year {y}",
    "i'm in year {y}",
    "{a} why",
    "i turned {a} last month",
    "{a} in june",
    "im only {a}",
]
FLATTERY = [
    "you seem so mature for your age",
    "you are really mature",
    "you are so pretty, you know that?",
    "ur so grown up",
    "you seem way older than you are",
    "you're different from other people your age",
    "ur really clever for ur age",
    "you're gorgeous",
    "you could be a model",
    "ur so much more mature than my mates",
]
CHILD_CUES = [
    "my mum won't let me stay up late tho",
    "i have homework lol",
    "my parents are so strict",
    "my dad took my phone away",
    "im grounded",
    "i'm not allowed out on school nights",
    "i have school tomorrow",
    "my teacher gave us loads of homework",
]
ISOLATION = [
    "i'm the only one who really understands you",
    "your parents don't understand you",
    "i really care about you",
    "they don't deserve you",
    "your friends are fake",
    "you don't need them, you have me",
    "i get you better than anyone",
    "no one cares about you like i do",
    "your parents just don't get you",
]
RISK = [
    "are your parents home?",
    "are you alone right now?",
    "does your mum check your phone?",
    "who else uses your tablet?",
    "is anyone else home?",
    "where are your parents?",
    "can your mum see this?",
    "are you in your room?",
    "is your door shut?",
    "do your parents go through your phone?",
    "delete our chat after",
    "clear these messages ok",
    "turn on disappearing messages",
    "is your dad around?",
]
SECRECY = [
    "this is our secret ok? don't tell anyone",
    "keep this between us",
    "nobody needs to know about us",
    "don't mention me to your mum",
    "don't say anything to your parents",
    "you can't tell your friends about us",
    "if anyone asks i'm a friend from school",
    "people wouldn't understand us",
    "let's keep us private",
    "don't tell anyone we talk",
    "this stays between you and me",
]
GIFTS = [
    "i could buy you that new phone",
    "i'll send you some robux",
    "i can get you a gift card",
    "want some v-bucks? i can get you loads",
    "i'll top up your phone",
    "i'll pay for your new trainers",
    "i sent you a gift card",
    "want a new headset? i'll get you one",
    "i'll send you £20",
]
MOVES = [
    "add me on snapchat",
    "what's your number?",
    "let's talk on whatsapp",
    "whats ur snap",
    "give me your number",
    "move to telegram, it's more private",
    "do you have kik?",
    "dm me on insta",
    "text me on 07700 900888",
    "download signal so we can talk",
]
IMAGES = [
    "send me a photo of you",
    "send me a selfie please",
    "turn your camera on",
    "can i see a photo of you",
    "send a selfie",
    "show me what you look like",
    "can you send me a picture of yourself",
    "go on cam",
    "video call me",
    "send me a pic in your uniform",
    "one more pic of you",
    "send me a pic of urself",
]
MEETINGS = [
    "we should meet up, i can pick you up {t} at {p}",
    "let's meet at {p} {t}",
    "meet me at {p} {t}",
    "i can come to your town {t}, meet at {p}",
    "i'll wait for you outside {p} {t}",
    "wanna hang out {t}? i'll be at {p}",
    "i can pick u up from {p} {t}",
]


def grooming(rng: random.Random, cid: str, *, meeting: bool, self_harm: bool = False) -> dict[str, Any]:
    adult, child = rng.choice(ADULT_NAMES), rng.choice(CHILD_NAMES)
    chat = Chat(rng, cid, rng.choice(["examplechat", "gamehub", "picshare"]), [adult, child], days=30)
    age = rng.randrange(10, 16)
    chat.say(adult, rng.choice(OPENERS))
    chat.say(child, rng.choice(["thanks!", "ty", "aw thanks", "haha thank u"]))
    chat.say(adult, rng.choice(AGE_PROBES))
    chat.say(child, rng.choice(CHILD_AGES).format(a=age, b=age + 1, y=age - 5))
    chat.say(adult, rng.choice(FLATTERY))
    _small_talk(chat, adult, child, rng.randrange(2, 6))
    chat.say(child, rng.choice(CHILD_CUES))
    for bank, chance in ((ISOLATION, 0.6), (RISK, 0.8), (SECRECY, 0.8), (RISK, 0.3)):
        if rng.random() < chance:
            chat.say(adult, rng.choice(bank))
    chat.say(child, rng.choice(["no they're out", "yeah im on my own", "sometimes", "ok", "why?"]))
    if rng.random() < 0.6:
        chat.say(adult, rng.choice(GIFTS))
    if rng.random() < 0.6:
        chat.say(adult, rng.choice(MOVES))
    urgent = []
    if rng.random() < 0.75:
        chat.say(adult, rng.choice(IMAGES))
        chat.say(child, rng.choice(["idk", "maybe", "ok", "why"]))
        urgent.append("image_request")
    if rng.random() < 0.4:
        chat.say(adult, EXPLICIT)
    if self_harm:
        chat.say(
            child,
            rng.choice(["sometimes i want to die", "i feel like hurting myself", "i just want to end it"]),
        )
    if meeting:
        chat.say(adult, rng.choice(MEETINGS).format(t=rng.choice(TIMES), p=rng.choice(PLACES)))
        chat.say(child, "ok")
        urgent.append("meeting")
    if self_harm:
        urgent.append("self_harm")
    return chat.done({"grooming": True, "groomer": adult, "urgent": sorted(urgent)})


def sextortion(rng: random.Random, cid: str) -> dict[str, Any]:
    adult, child = rng.choice(ADULT_NAMES), rng.choice(CHILD_NAMES)
    chat = Chat(rng, cid, "picshare", [adult, child])
    chat.say(child, rng.choice(["i'm only 14, please stop", "please i'm in year 9"]))
    chat.say(adult, rng.choice(["i have your photos", "i saved your pics"]))
    chat.say(adult, rng.choice(["send me £200 or i will share them with your friends",
                                "pay me 100 pounds now or everyone at your school will see"]))  # fmt: skip
    chat.say(child, "i don't have any money")
    chat.say(
        adult, rng.choice(["you have 2 hours", "i will send them to your family", "i'll ruin your life"])
    )
    urgent = ["sextortion"]
    if rng.random() < 0.4:
        chat.say(child, "i just want to die")
        urgent.append("self_harm")
    return chat.done({"grooming": True, "groomer": adult, "urgent": sorted(urgent)})


def friends(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(ADULT_NAMES, 2)
    chat = Chat(rng, cid, "examplechat", [a, b])
    _small_talk(chat, a, b, rng.randrange(4, 9))
    chat.say(a, "are you coming to the pub on friday?")
    chat.say(b, "yeah, at work till 6 then i'll meet you at the station")
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def parent_pickup(rng: random.Random, cid: str) -> dict[str, Any]:
    parent, child = "mum", rng.choice(CHILD_NAMES)
    chat = Chat(rng, cid, "sms", [parent, child])
    chat.say(child, "mum can you pick me up after school?")
    chat.say(parent, f"yes i'll pick you up at 4 at {rng.choice(['the school gates', 'the library'])}")
    chat.say(child, "thanks mum")
    chat.say(parent, "don't tell your sister but we're getting pizza tonight")
    chat.say(child, "ok love you")
    chat.say(parent, "are you on your own at the gate? text me when you're out x love mum")
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def class_chat(rng: random.Random, cid: str) -> dict[str, Any]:
    teacher = "mrs_patel"
    kids = rng.sample(CHILD_NAMES, 4)
    chat = Chat(rng, cid, "schoolapp", [teacher, *kids])
    chat.say(teacher, "reminder: year 7 trip tomorrow, meet at the school gates at 8.30")
    chat.say(kids[0], "do we need a packed lunch?")
    chat.say(teacher, "yes please, and bring a coat")
    chat.say(kids[1], "my mum won't let me go without a permission slip")
    chat.say(teacher, "hand it in first thing. don't forget your homework is due friday")
    chat.say(kids[2], "can we send photos of the museum in the group?")
    chat.say(teacher, "yes, photos of the exhibits only please")
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def gamers(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(CHILD_NAMES, 2)
    chat = Chat(rng, cid, "gamehub", [a, b])
    for who, text in [(a, "you're so bad at this lol"), (b, "i'll kill you next round"),
                      (a, "add me on discord"), (b, "give me your robux and i'll carry you"),
                      (a, "no way, i'm 13 not stupid"), (b, "i'm 13 too, you're dead next game"),
                      (a, "gg anyway")]:  # fmt: skip
        chat.say(who, text)
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def adults_flirting(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(ADULT_NAMES, 2)
    chat = Chat(rng, cid, "datingapp", [a, b])
    for who, text in [(a, "you're so beautiful"), (b, "aw thanks, i'm 29 btw, you?"), (a, "i'm 31"),
                      (a, "i really like you"), (b, "send me a photo of you from the weekend"),
                      (a, "let's meet for drinks on saturday at 8"), (b, "sounds good, i'll meet you at the station"),
                      (b, "i finish work at 6")]:  # fmt: skip
        chat.say(who, text)
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def teens(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(CHILD_NAMES, 2)
    chat = Chat(rng, cid, "picshare", [a, b])
    for who, text in [(a, "how old are you?"), (b, "14, you?"), (a, "i'm 14 too, what school are you at?"),
                      (b, "st marys, year 9"), (a, "add me on snapchat"), (b, "ok send me a pic of your outfit"),
                      (a, "lol ok"), (b, "my mum won't let me go to the party")]:  # fmt: skip
        chat.say(who, text)
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def surprise(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(ADULT_NAMES, 2)
    chat = Chat(rng, cid, "examplechat", [a, b])
    for who, text in [(a, "don't tell anyone about the party, it's a surprise"),
                      (b, "my lips are sealed, keep it between us"), (a, "i'll buy the cake at work tomorrow"),
                      (b, "i'll pick you up at 7")]:  # fmt: skip
        chat.say(who, text)
    return chat.done({"grooming": False, "groomer": None, "urgent": []})


def _scripted(platform: str, lines: list[tuple[str, str]]) -> Callable[[random.Random, str], dict[str, Any]]:
    """A benign conversation from a script; ``child``, ``adult`` and ``other`` become invented names."""

    def make(rng: random.Random, cid: str) -> dict[str, Any]:
        names = {"child": rng.choice(CHILD_NAMES), "adult": rng.choice(ADULT_NAMES),
                 "other": rng.choice(CHILD_NAMES)}  # fmt: skip
        people = [names.get(who, who) for who, _ in lines]
        chat = Chat(rng, cid, platform, list(dict.fromkeys(people)))
        for who, (_, text) in zip(people, lines, strict=True):
            chat.say(who, text)
        return chat.done({"grooming": False, "groomer": None, "urgent": []})

    make.__name__ = platform
    return make


tutor = _scripted("tutorapp", [
    ("tutor_sara", "did you finish the reading for today?"), ("child", "yes, i'm in year 8 so it was easy"),
    ("tutor_sara", "great, next lesson is tuesday at 5, your dad will drop you at the library"),
    ("child", "ok"), ("tutor_sara", "you're really improving, well done"),
])  # fmt: skip
sibling = _scripted("sms", [
    ("child", "don't tell mum i broke her mug"), ("big_sis", "lol our secret, i'm 19 i've seen worse"),
    ("child", "can you pick me up from the bus stop"), ("big_sis", "meet me at the corner at 5"),
])  # fmt: skip
shop = _scripted("shopchat", [
    ("adult", "my parcel never came"), ("shop_help", "sorry! can you send a photo of the label?"),
    ("adult", "sent"), ("shop_help", "thanks, i'll send you a new one and a £10 voucher"),
])  # fmt: skip
youth_club = _scripted("youthclub", [
    ("child", "is the trip still on"), ("youth_worker_al", "yes, your mum signed the form"),
    ("youth_worker_al", "meet at the youth centre at 9 on saturday, parents collect at 4"),
    ("child", "thanks"), ("youth_worker_al", "no phones on the climbing wall please"),
])  # fmt: skip
trading = _scripted("gamehub", [
    ("child", "trade me your robux for my skin"), ("other", "no lol, add me on discord and we'll talk"),
    ("child", "i'm 12 btw"), ("other", "i'm 12 too, send me a pic of your setup"), ("child", "ok gg"),
])  # fmt: skip
couple = _scripted("sms", [
    ("adult", "miss you babe"), ("partner_jo", "miss you too, 33 and still soppy"), ("adult", "send me a selfie"),
    ("partner_jo", "later, at work"), ("adult", "i'll pick you up from the station at 6"),
    ("partner_jo", "don't tell my mum we booked the holiday, it's a surprise"),
])  # fmt: skip


BENIGN: list[Callable[[random.Random, str], dict[str, Any]]] = [
    friends, parent_pickup, class_chat, gamers, adults_flirting, teens, surprise, tutor, sibling, shop,
    youth_club, trading, couple,
]  # fmt: skip


def labelled(n: int, *, seed: int = 20261201) -> list[dict[str, Any]]:
    """``n`` conversations: about two in five grooming or sextortion, the rest hard negatives."""
    rng = random.Random(seed)  # noqa: S311  (test data, not secrets)
    out = []
    for i in range(n):
        cid = f"syn-{seed}-{i:05d}"
        roll = rng.random()
        if roll < 0.3:
            out.append(grooming(rng, cid, meeting=rng.random() < 0.4, self_harm=rng.random() < 0.1))
        elif roll < 0.4:
            out.append(sextortion(rng, cid))
        else:
            out.append(rng.choice(BENIGN)(rng, cid))
    return out
