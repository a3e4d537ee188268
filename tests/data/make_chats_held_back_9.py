"""Writes haven/chats/data/held_back_9.jsonl (spent, now training data for the learned model): the ninth held-back set for the grooming analysis.

Written on 2026-12-01 after held-back 8 was spent and the learned model given its second way to act, and
committed before it was measured; measured once, with no change after it. New again:
- Irish, Australian and New Zealand school words for a child's age ("2nd year", "junior cert", "form 2",
  "grade 6"), ages given as birthdays or rules ("not allowed a phone till i'm 13"), and children who never
  give an age at all;
- groomers posing as a talent agent, a "rich" gamer who sends gifts first, a fake teenage girl (for the
  sextortion of boys), and a friend of an older brother;
- the steps in new words again, and replies that are mostly emoji or one word;
- new hard negatives, chosen to tempt the model's new way to act: adults flirting with no age said, adults
  gaming who swap photos of their set-ups and meet at an event, a landlord's threat to a tenant, and, with
  children, a swimming coach, a grandparent's video call, a neighbour returning a football, a school
  counsellor, and two twelve-year-olds keeping a secret from their parents.

Safety: grooming shows only through behaviour; the sexual stage is the placeholder line alone; every name
and number is invented.

    .venv/bin/python -m tests.data.make_chats_held_back_9
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from haven.chats.model import DATA
from tests.data import chatsets
from tests.data.chatsets import Chat, close, everyday, pick, play_steps, write_set

OUT = DATA / "held_back_9.jsonl"
SEED = 9_12_2026

ADULTS = ["talent_scout_rach", "rich_gamer_zed", "lily_xo_16", "connor_bros_mate", "mick.o", "shane_aus", "darragh_k",
          "bazza_77", "nz_kiwi_tom", "fergal_r"]  # fmt: skip
KIDS = ["ciara_m", "oisin_b", "matilda_k", "charlie_w", "aoife_d", "hamish_t", "niamh_f", "billie_r", "seamus_o",
        "ruby_l"]  # fmt: skip
CHATTER = [
    ("c", "👍"), ("g", "what u at"), ("c", "nothin"), ("g", "same"), ("c", "😂😂"), ("g", "whats so funny"),
    ("c", "my dog lol"), ("g", "send him my love"), ("c", "k"), ("g", "u around later"), ("c", "ya prob"),
    ("g", "grand"), ("c", "brb"), ("g", "👌"),
]  # fmt: skip
OPENERS = {
    "agent": ["hi hun! im with a talent agency and you have such a great look", "we're casting for a tv ad and you'd be perfect"],
    "gamer": ["yo gifted u a skin, u were carrying", "ur clutch was insane, added u"],
    "brother": ["hey its connors mate, he gave me ur snap", "ur brother said u were sound, hey"],
}  # fmt: skip
AGE_HINTS = ["im in 2nd year", "doing my junior cert next year ugh", "im in form 2", "grade 6 is so easy lol",
             "not allowed a phone till im 13 so this is my brothers", "its my 12th birthday next week!!",
             "mums collecting me from school at 3"]  # fmt: skip
STEPS: dict[str, list[tuple[str, list[str]]]] = {
    "flatter": [("g", ["ur a natural, the camera would love u", "honestly ur the best person on here", "ur more grown up than people twice ur age"])],
    "trust": [("g", ["u can tell me anything, im not like other adults", "i feel like ur the only one i can talk to"])],
    "risk": [("g", ["is ur mum around when ur online", "do ur folks ever look at ur phone", "are u in ur room on ur own"]),
             ("c", ["no", "never", "ya"])],
    "secret": [("g", ["keep this to urself ok", "dont mention me to ur mum or dad, they'd ruin it", "wipe the convo when ur done"])],
    "gift": [("g", ["ill send u 50 euro for ur birthday", "want a new skin? just say", "ill pay for ur new phone"])],
    "move": [("g", ["talk to me on snap, this app is rubbish", "whats ur whatsapp", "go on discord, ill send u the link"])],
    "image": [("g", ["need a few photos of u for the agency", "send us a pic so i know ur real", "hop on video so i can see u"]),
              ("c", ["😬", "why", "hmm"])],
}  # fmt: skip
MEETINGS = ["come to the casting at the hotel on saturday, come by yourself", "ill collect u from the shopping centre after school",
            "we should meet at the cinema friday, just the two of us", "ill be down your way sunday, lets meet up"]  # fmt: skip


def chat(rng: random.Random, cid: str, platform: str, people: list[str]) -> Chat:
    return Chat(rng, cid, platform, people, start=datetime(2026, 2, 2, 17, 30), spread_days=250,  # noqa: DTZ001
                max_minutes=80)  # fmt: skip


def chatter(t: Chat, rng: random.Random, g: str, c: str, n: int) -> None:
    everyday(t, rng, g, c, CHATTER, n, gap_days=4)


def groomer_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = rng.choice(ADULTS), rng.choice(KIDS)
    guise = rng.choice(list(OPENERS))
    t = chat(rng, cid, pick(rng, ["snapface", "gamehub", "castingcall", "chatzone"]), [g, c])
    t.say(g, pick(rng, OPENERS[guise]))
    t.say(c, pick(rng, ["omg", "hi", "thanks", "🙂"]))
    if rng.random() < 0.7:
        chatter(t, rng, g, c, 2)
        t.say(c, pick(rng, AGE_HINTS))
    urgent = play_steps(t, rng, g, c, STEPS, lambda: chatter(t, rng, g, c, rng.randrange(1, 4)))
    urgent += close(t, rng, g, c, meetings=MEETINGS, replies=["ok", "maybe", "👍"])
    return t.labelled(True, g, urgent)


def extortion_thread(rng: random.Random, cid: str) -> dict[str, Any]:
    g, c = "lily_xo_16", rng.choice(KIDS)
    t = chat(rng, cid, pick(rng, ["instapic", "snapface"]), [g, c])
    t.say(g, pick(rng, ["heyy ur cute 😘", "hi from sydney, u seem fun"]))
    t.say(c, pick(rng, ["hey", "hi 🙂"]))
    t.say(
        g,
        pick(
            rng,
            ["guess what, i recorded our video chat", "i kept everything u sent me", "look what i saved 😈"],
        ),
    )
    t.say(c, pick(rng, ["no way", "delete it pls", "ur joking"]))
    t.say(g, pick(rng, ["100 euro on revolut or i tag ur whole class in it", "send 150 dollars in google play cards or ur family sees",
                        "pay me 80 quid within the hour or its on every group chat in ur school"]))  # fmt: skip
    t.say(
        c,
        pick(
            rng,
            [
                "im only in 1st year i have no money",
                "im 13 how would i get that",
                "i'm a kid i dont have that",
            ],
        ),
    )
    t.say(g, pick(rng, ["ur choice", "waiting", "hurry up"]))
    urgent = ["sextortion"]
    if rng.random() < 0.35:
        t.say(c, pick(rng, ["i cant live with this", "i wish i was dead", "im going to jump"]))
        urgent.append("self_harm")
    return t.labelled(True, g, urgent)


def scripted(rng: random.Random, cid: str, app: str, lines: list[tuple[str, str]]) -> dict[str, Any]:
    return chatsets.scripted(lambda people: chat(rng, cid, app, people), lines, kid=rng.choice(KIDS))


def adults_flirting(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(["ger_m", "laura_b", "steo_k", "orla.n"], 2)
    t = chat(rng, cid, "datingapp", [a, b])
    for who, text in [(a, "ur gorgeous, cant stop thinking about u"), (b, "stop 🙈 u are"), (a, "dont tell ur ex im texting u lol"),
                      (b, "my lips are sealed"), (a, "send us a pic of ur outfit for saturday"), (b, "only if u do"),
                      (a, "meet at the bar saturday, just the two of us"), (b, "its a date")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def adult_gamers(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(["pc_master_jim", "noel_g", "framerate_fi", "big_dec"], 2)
    t = chat(rng, cid, "gamehub", [a, b])
    for who, text in [(a, "send us a pic of ur new setup"), (b, "sent, finally got the 4k monitor"), (a, "class. u going to the lan in dublin?"),
                      (b, "ya meet at the entrance at 10"), (a, "ill bring the spare headset for u")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def landlord(rng: random.Random, cid: str) -> dict[str, Any]:
    t = chat(rng, cid, "sms", ["landlord_pat", "tenant_sinead"])
    for who, text in [("landlord_pat", "rent is 2 weeks late, pay 900 euro by friday or i start the eviction"),
                      ("tenant_sinead", "ill have it monday, sorry"), ("landlord_pat", "send me a photo of the transfer when done")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


def swim_coach(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "clubapp", [("coach_aine", "great swim today! gala is sunday, be at the pool at 8"),
                    ("kid", "will mum need to stay"), ("coach_aine", "yes parents stay for the gala, bring your club hat")])  # fmt: skip


def grandparent_call(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "videoapp", [("nana_bridie", "can you go on video so i can see you pet"), ("kid", "ok nana"),
                    ("nana_bridie", "you've grown so much! dont tell your mam i'm sending sweets")])  # fmt: skip


def neighbour(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "sms", [("neighbour_ken", "hi, this is ken from no 12, your football came over the fence"),
                    ("kid", "sorry!!"), ("neighbour_ken", "no bother, I've left it with your dad")])  # fmt: skip


def counsellor(rng: random.Random, cid: str) -> dict[str, Any]:
    return scripted(rng, cid, "schoolhub", [("kid", "sometimes i feel like i cant cope"),
                    ("counsellor_grace", "thanks for telling me. can we talk at lunch tomorrow in my office?"),
                    ("kid", "ok"), ("counsellor_grace", "i'll let your year head know you might be late to class")])  # fmt: skip


def twelve_year_olds(rng: random.Random, cid: str) -> dict[str, Any]:
    a, b = rng.sample(KIDS, 2)
    t = chat(rng, cid, "snapface", [a, b])
    for who, text in [(a, "dont tell ur parents we're getting the bus into town"), (b, "obviously lol we're both 12 theyd freak"),
                      (a, "meet at the bus stop at 11"), (b, "bring money for chips")]:  # fmt: skip
        t.say(who, text)
    return t.labelled(False, None, [])


BENIGN = [
    adults_flirting,
    adult_gamers,
    landlord,
    swim_coach,
    grandparent_call,
    neighbour,
    counsellor,
    twelve_year_olds,
]


def main() -> None:
    write_set(OUT, seed=SEED, count=300, prefix="hb9", grooming=groomer_thread, extortion=extortion_thread,
              benign=BENIGN)  # fmt: skip


if __name__ == "__main__":
    main()
