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


def grooming(rng: random.Random, cid: str, *, meeting: bool, self_harm: bool = False) -> dict[str, Any]:
    adult, child = rng.choice(ADULT_NAMES), rng.choice(CHILD_NAMES)
    chat = Chat(rng, cid, rng.choice(["examplechat", "gamehub", "picshare"]), [adult, child], days=30)
    age = rng.randrange(10, 16)
    chat.say(adult, rng.choice(["hi, love your videos", "hey, saw your post, you are really talented",
                                "hiya, you play really well"]))  # fmt: skip
    chat.say(child, "thanks!")
    chat.say(adult, rng.choice(["how old are you btw?", "what age are you?", "asl?"]))
    chat.say(child, rng.choice([str(age), f"i'm {age}", f"{age}, in year {age - 5}"]))
    chat.say(adult, rng.choice(["you seem so mature for your age", "you are really mature",
                                "you are so pretty, you know that?"]))  # fmt: skip
    _small_talk(chat, adult, child, rng.randrange(2, 6))
    chat.say(child, rng.choice(["my mum won't let me stay up late tho", "i have homework lol",
                                "my parents are so strict"]))  # fmt: skip
    chat.say(adult, rng.choice(["i'm the only one who really understands you", "your parents don't understand you",
                                "i really care about you"]))  # fmt: skip
    chat.say(adult, rng.choice(["are your parents home?", "are you alone right now?",
                                "does your mum check your phone?"]))  # fmt: skip
    chat.say(child, rng.choice(["no they're out", "yeah im on my own", "sometimes"]))
    chat.say(adult, rng.choice(["this is our secret ok? don't tell anyone", "keep this between us",
                                "nobody needs to know about us"]))  # fmt: skip
    if rng.random() < 0.7:
        chat.say(adult, rng.choice(["i could buy you that new phone", "i'll send you some robux",
                                    "i can get you a gift card"]))  # fmt: skip
    if rng.random() < 0.7:
        chat.say(adult, rng.choice(["add me on snapchat", "what's your number?", "let's talk on whatsapp"]))
    if rng.random() < 0.8:
        chat.say(adult, rng.choice(["send me a photo of you", "send me a selfie please",
                                    "turn your camera on"]))  # fmt: skip
        chat.say(child, rng.choice(["idk", "maybe", "ok"]))
    if rng.random() < 0.5:
        chat.say(adult, EXPLICIT)
    if self_harm:
        chat.say(child, rng.choice(["sometimes i want to die", "i feel like hurting myself"]))
    urgent = ["image_request"] if any("photo" in m["text"] or "camera" in m["text"] or "pic" in m["text"]
                                      or "selfie" in m["text"] for m in chat.messages if m["from"] == adult) else []  # fmt: skip
    if meeting:
        chat.say(adult, f"we should meet up, i can pick you up {rng.choice(TIMES)} at {rng.choice(PLACES)}")
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


BENIGN: list[Callable[[random.Random, str], dict[str, Any]]] = [
    friends,
    parent_pickup,
    class_chat,
    gamers,
    adults_flirting,
    teens,
    surprise,
]


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
