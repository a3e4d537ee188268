"""Writes haven/chats/data/held_back_5.jsonl (spent, now training data for the learned model): the fifth held-back set for the grooming analysis.

Written on 2026-12-01 after the analysis was last changed (the fourth set is spent), and measured once, with
no change after it. It differs from the earlier sets: every message then passes through a typing-noise
step drawn at random (a letter dropped, doubled, swapped with its neighbour or hit on the key beside it, in
about one word in eight, and random text speak), so the misspellings are not chosen by the writer; the
phrasing is new (demands with "unless", meetings at the end of a road, a groomer who met the child
through a friend, a photographer, a streamer); and the hard negatives are new: a helpline where a child
speaks of self-harm, cousins, a youth worker, an online tutor booking, adults planning a surprise, adults
flirting with a withheld explicit line, and children trash-talking over a game.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_5
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, write_set

OUT = DATA / "held_back_5.jsonl"
SEED = 5_12_2026
HIDDEN = "[explicit message withheld]"
NOISE = 0.12  # the share of longer words given a typing slip

ADULTS = ["photo_guy_lens", "streamer_vik", "friend_of_jay", "wes_28", "ross.k", "deano_b", "andy_cam", "nathan.p",
          "the_real_ryan", "chaz_m"]  # fmt: skip
KIDS = [
    "bella_m",
    "finn_r",
    "chloe.x",
    "kai_plays",
    "lexi_d",
    "oscar.b",
    "ivy_j",
    "rafe_t",
    "esme.k",
    "luca_v",
]
FILLER = [
    "lool",
    "yeah",
    "same",
    "hmm",
    "idk",
    "nice",
    "ok",
    "haha yeah",
    "what u doing",
    "just chilling",
    "ugh",
]
KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def slip(rng: random.Random, word: str) -> str:
    """One typing slip in a word: a letter dropped, doubled, swapped or hit on the key beside it."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    row = next((r for r in KEYS.split() if word[i] in r), None)
    if row is None:
        return word
    j = row.index(word[i])
    near = row[j - 1] if j and (j == len(row) - 1 or rng.random() < 0.5) else row[min(j + 1, len(row) - 1)]
    return word[:i] + near + word[i + 1 :]


def typed(rng: random.Random, text: str) -> str:
    if text.startswith("["):
        return text
    words = [
        slip(rng, w) if len(w) >= 4 and w.isalpha() and rng.random() < NOISE else w for w in text.split(" ")
    ]
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace(" you ", " u ").replace(" your ", " ur ")
    return text.lower() if rng.random() < 0.6 else text


class Typed(Chat):
    def say(self, sender: str, text: str, *, days: int = 0) -> None:
        super().say(sender, typed(self.rng, text), days=days)


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Typed:
    return Typed(rng, cid, platform, people, start=datetime(2026, 5, 11, 17, 0), spread_days=180,  # noqa: DTZ001
                 max_minutes=120)  # fmt: skip


def pick(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


OPENERS = ["Hey, a friend of yours from school said you were cool to talk to", "your photos have a really good eye, do you want tips",
           "thanks for the follow! you're one of my best viewers", "Hi, I think we're in the same server? saw you in the voice chat",
           "you were so good in the stream tonight, honestly carried the team"]  # fmt: skip
REPLIES = ["aww thank you", "haha really", "who is this?", "oh hi", "thanks :)"]
AGE_Q = ["how old are you btw", "you at secondary school or uni?", "what year you in", "how old r you, you seem older",
         "bet youre not even a teenager yet lol"]  # fmt: skip


def age_answer(rng: random.Random, age: int) -> str:
    return pick(rng, [f"{age}", f"I'm {age}", f"{age} lol", f"im {age}, nearly {age + 1}", f"year {age - 4}",
                      f"{age} in august", f"just {age}"])  # fmt: skip


STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["you're honestly so pretty, you could be on tv", "you're way smarter than people my age",
                       "I love talking to you, you're different to everyone else", "you're really mature, I forget how young you are"])],
    "isolate": [("c", ["my sister is so annoying, nobody in my family listens", "fell out with my best friend today",
                       "my teacher hates me"]),
                ("g", ["you don't need them, you've always got me", "your friends sound jealous of you tbh",
                       "I get you more than they ever will"])],
    "risk": [("g", ["is your mum home?", "where are your parents right now", "does anyone else see your phone?",
                    "are you by yourself tonight?", "when does your dad get home"]),
             ("c", ["no she's at work", "downstairs watching tv", "nobody checks it", "yeah just me"])],
    "secret": [("g", ["don't tell your mum about me, she'll stop us talking", "keep our chats secret yeah",
                      "make sure you delete our chat after", "if anyone asks I'm just a friend from school"])],
    "gift": [("g", ["I'll buy you that game you wanted", "want me to send you some robux?", "I'll get you a new phone if you want",
                    "I sent you a gift card, check your email"])],
    "move": [("g", ["add me on snapchat, it's better", "what's your number? I'll whatsapp you", "can we move to telegram",
                    "download kik and message me there"])],
    "image": [("g", ["send me a picture of you", "got any pics of you? I want to see you", "can you go on video call with your camera on",
                     "send me a selfie now"]),
              ("c", ["why?", "idk", "um ok"])],
}  # fmt: skip
MEETINGS = ["Let's meet up, I can get the train to yours on Saturday", "I'll come meet you at the end of your road after school",
            "fancy meeting up? the retail park on sunday at 3", "I'm going to pick you up from outside the library tomorrow"]  # fmt: skip


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["gamechat", "streamsite", "photoapp", "socialnet"]), [g, c])
    age = rng.randrange(9, 15)
    t.say(g, pick(rng, OPENERS))
    t.say(c, pick(rng, REPLIES))
    steps = list(STEPS)
    rng.shuffle(steps)
    steps = ["age", *steps[: rng.randrange(3, len(steps) + 1)]]
    urgent: list[str] = []
    for step in steps:
        if step == "age":
            t.say(g, pick(rng, AGE_Q))
            t.say(c, age_answer(rng, age))
        else:
            for who, options in STEPS[step]:
                t.say(g if who == "g" else c, pick(rng, options), days=rng.randrange(0, 4))
        if step == "image":
            urgent.append("image_request")
        for _ in range(rng.randrange(0, 4)):
            t.say(rng.choice([g, c]), pick(rng, FILLER))
    if rng.random() < 0.25:
        t.say(g, HIDDEN)
    if rng.random() < 0.4:
        t.say(g, pick(rng, MEETINGS))
        t.say(c, pick(rng, ["ok", "maybe", "idk if i can"]))
        urgent.append("meeting")
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["photoapp", "socialnet"]), [g, c])
    t.say(
        g,
        pick(rng, ["I've got the pictures you sent me", "I recorded our call", "remember what you sent me?"]),
    )
    t.say(c, pick(rng, ["please delete them", "what do you want", "i'm sorry please"]))
    t.say(g, pick(rng, ["Pay me £300 or I send them to everyone in your contacts",
                        "unless you send £150 your school and your family see all of it",
                        "send 200 on paypal in the next hour or I post them online"]))  # fmt: skip
    t.say(c, pick(rng, ["i'm only 12 i don't have that", "i'm 14 i can't get money", "please i'm a kid"]))
    t.say(g, pick(rng, ["you've got 30 minutes", "don't test me", "your life will be over"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(
            c,
            pick(
                rng,
                [
                    "i want to kill myself",
                    "i can't do this anymore i want to die",
                    "i'm going to hurt myself",
                ],
            ),
        )
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    kid = rng.choice(KIDS)
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=kid)


def helpline(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "helpline", [("kid", "i'm 13 and i keep thinking about hurting myself"),
                    ("counsellor_jo", "thank you for telling me. you're not alone. is there an adult at home you trust?"),
                    ("kid", "my mum is downstairs"), ("counsellor_jo", "could you tell her tonight? we can stay with you while you do")])  # fmt: skip


def cousins(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("cousin_ella", "are you coming to nan's on sunday"), ("kid", "yeah mum said we are"),
                    ("cousin_ella", "bring your switch, don't tell auntie i said lol"), ("kid", "haha ok see you there")])  # fmt: skip


def youth_worker(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "youthclub", [("youthworker_sam", "hi, how are you after last week? how old are you now, 14?"),
                    ("kid", "15 next month"), ("youthworker_sam", "the trip is on saturday, meet at the club at 10, your mum has the form"),
                    ("kid", "ok cool")])  # fmt: skip


def tutor_booking(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "tutorsite", [("parent_lisa", "hi, my son is in year 6, can you do tuesdays?"),
                    ("tutor_mark", "yes, 5pm works, I'll send the link to your email"),
                    ("parent_lisa", "great, send me your invoice please")])  # fmt: skip


def surprise(rng: random.Random, cid: str) -> dict[str, Any]:
    names = rng.sample(["kate_w", "dom_r", "suze", "phil_t"], 2)
    t = chat(rng, cid, "sms", names)
    for who, text in [(names[0], "keep it secret, it's Jen's surprise party"), (names[1], "my lips are sealed, don't tell her husband either"),
                      (names[0], "meet at the pub at 7 on friday"), (names[1], "i'll send pics of the cake")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def adults_flirting(rng: random.Random, cid: str) -> dict[str, Any]:
    names = rng.sample(["mike_40", "lou.b", "jas_k", "tina_r"], 2)
    t = chat(rng, cid, "datingapp", names)
    for who, text in [(names[0], "you looked amazing at dinner"), (names[1], "you're sweet. my place friday?"), (names[0], HIDDEN),
                      (names[1], "send me a selfie before then"), (names[0], "my wife and i split last year so no secrets here")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def trash_talk(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "gamechat", [a, b])
    for who, text in [(a, "ur so bad at this lmao"), (b, "send a pic of ur score then"), (a, "im 11 and still better than u"),
                      (b, "same age and i'd destroy u"), (a, "after school tomorrow 1v1")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


BENIGN = [helpline, cousins, youth_worker, tutor_booking, surprise, adults_flirting, trash_talk]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb5", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
