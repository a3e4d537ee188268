"""The grooming analysis: indicators robust to how people type, the groomer named, urgent flags only on
grooming, and the hard negatives left alone. Safety: behaviour only; the sexual stage is a placeholder."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.chats import synthetic
from haven.chats.analysis import analyse
from haven.chats.indicators import hits, sources
from haven.chats.model import DATA
from haven.chats.normalise import normalise
from haven.chats.readers import Conversation, Message, Participant, conversation_from_json

SPENT = DATA  # the spent held-back sets


def chat(*lines: tuple[str, str], cid: str = "t", ages: dict[str, int] | None = None) -> Conversation:
    people = list(dict.fromkeys(who for who, _ in lines))
    return Conversation(
        cid,
        "examplechat",
        [Participant(p, None, (ages or {}).get(p)) for p in people],
        [Message(None, who, text) for who, text in lines],
    )


@pytest.mark.parametrize(
    "written",
    [
        "don't tell anyone",
        "d0nt t3ll any1",
        "DONT TELL ANYONE!!!",
        "d o n t tell anyone",
        "🤫 dont tell anyone",
        "dooont tell anyoneee",
        "don\u2019t tell anybody",
    ],
)
def test_secrecy_is_read_however_it_is_typed(written: str) -> None:
    assert ("exclusivity", "do_not_tell") in {(h.stage, h.indicator) for h in hits(normalise(written))}


@pytest.mark.parametrize(
    ("written", "stage"),
    [
        ("add me on sc", "platform_move"),
        ("send me a pic of u", "image_request"),
        ("r ur parents home?", "risk_assessment"),
        ("i'll buy u a new phone", "gifts"),
        ("we should meet up 2moro", "meeting"),
        ("ur so mature 4 ur age", "friendship"),
        ("wat age r u", "personal_info"),
        ("[explicit message withheld]", "sexual"),
    ],
)
def test_each_stage_fires_on_text_speak(written: str, stage: str) -> None:
    assert stage in {h.stage for h in hits(normalise(written))}


@pytest.mark.parametrize(
    ("written", "indicator"),
    [
        ("dont tell ur parnets", "do_not_tell"),  # one letter swapped
        ("its our secert", "secret"),
        ("are ur parets home?", "adults_around"),  # one dropped
        ("delette our chat", "delete"),  # one doubled
    ],
)
def test_a_word_misspelt_by_one_letter_still_fires(written: str, indicator: str) -> None:
    assert indicator in {h.indicator for h in hits(normalise(written))}


def test_a_common_word_a_letter_away_from_no_single_indicator_word_is_left_alone() -> None:
    plain = "the hours are long and the weather is grim"
    assert normalise(plain) == plain


def test_no_pattern_holds_an_unfilled_placeholder() -> None:
    # A pattern continued on a line without the f prefix keeps "{_FAMILY}" as text and never matches.
    assert [s for s in sources() if "{_" in s] == []
    assert "who_uses" in {h.indicator for h in hits(normalise("do ur mates see ur ipad"))}


GROOMING_WITHOUT_A_STATED_AGE = [
    ("rob_77", "you were great in that match"),
    ("pip", "thanks"),
    ("rob_77", "does your mum check your phone?"),
    ("pip", "mum shouted at me again today"),  # speaks of her mother; does not address rob_77 as "mum"
    ("rob_77", "dont tell anyone about us, its our secret"),
    ("rob_77", "add me on snapchat"),
    ("rob_77", "ill wait for you outside your school on friday"),
]


def test_a_child_is_known_by_what_the_other_says_of_their_parents_and_school() -> None:
    got = analyse(chat(*GROOMING_WITHOUT_A_STATED_AGE))
    assert got["grooming"] is True and got["groomer"] == "rob_77"
    assert "meeting" in got["urgent"]
    pip = next(r for r in got["roles"] if r["id"] == "pip")
    assert pip["child"] is True and not pip["family"]


def test_in_a_group_such_words_make_no_one_a_child() -> None:
    # In a chat of three, "your school" has no single "you": nobody is taken for a child by it.
    lines = [(w, t) for w, t in GROOMING_WITHOUT_A_STATED_AGE if w != "pip"]
    lines += [("kat_b", "what time is everyone free"), ("dev_c", "after 6 for me")]
    got = analyse(chat(*lines))
    assert got["grooming"] is False and got["urgent"] == []
    assert not any(r["child"] for r in got["roles"])


def test_an_adult_posing_as_a_teenager_to_a_much_younger_child_is_not_their_peer() -> None:
    lines = [
        ("skye_x", "how old r u"),
        ("ellie", "11"),
        ("skye_x", "cool im 16"),
        ("skye_x", "are your parents home?"),
        ("skye_x", "keep this between us"),
        ("skye_x", "send me a photo of you"),
    ]
    assert analyse(chat(*lines))["groomer"] == "skye_x"
    peers = [(w, t.replace("11", "15")) for w, t in lines]  # 15 and 16: peers, the score eased
    assert analyse(chat(*peers))["roles"][0]["score"] < analyse(chat(*lines))["roles"][0]["score"]


def test_a_groomer_is_named_with_stages_lines_and_a_meeting() -> None:
    got = analyse(
        chat(
            ("kev_uk", "hey, love your drawings"),
            ("lily", "thanks!"),
            ("kev_uk", "how old are you?"),
            ("lily", "12"),
            ("kev_uk", "you are so mature for your age"),
            ("kev_uk", "are your parents home?"),
            ("lily", "no"),
            ("kev_uk", "this is our secret, don't tell anyone"),
            ("kev_uk", "add me on snapchat"),
            ("kev_uk", "we should meet, i can pick you up after school at the park"),
        )
    )
    assert got["grooming"] is True and got["groomer"] == "kev_uk"
    assert got["stages"] == [
        "personal_info",
        "friendship",
        "risk_assessment",
        "exclusivity",
        "platform_move",
        "meeting",
    ]
    assert got["urgent"] == ["meeting"]
    assert got["urgent_details"]["meeting"] == {"lines": [9], "when": "after school", "where": "at the park"}
    # Most telling first: the meeting, then the secrecy line (two indicators) before the risk check.
    assert [line["index"] for line in got["lines"][:3]] == [9, 7, 5]
    assert any("our secret" in why for why in got["lines"][1]["why"])
    lily = next(r for r in got["roles"] if r["id"] == "lily")
    assert lily["child"] is True and lily["age"] == 12 and lily["groomer_likelihood"] == 0.0


def test_sextortion_and_a_childs_words_of_self_harm_are_urgent() -> None:
    got = analyse(
        chat(
            ("x", "i have your photos"),
            ("amy", "please i'm only 14"),
            ("x", "send me £200 or i will share them with your friends"),
            ("amy", "i want to die"),
        )
    )
    assert got["grooming"] and got["groomer"] == "x"
    assert got["urgent"] == ["sextortion", "self_harm"]
    assert got["urgent_details"]["self_harm"] == {"lines": [3]}


def test_without_a_child_adults_behaving_so_are_not_flagged() -> None:
    lines = (
        ("a", "keep this between us"),
        ("a", "are you alone?"),
        ("a", "send me a photo of you"),
        ("a", "let's meet at the station tonight"),
        ("b", "ok"),
    )
    assert analyse(chat(*lines))["grooming"] is False
    # The same words to a child of 13 are grooming: the report's victim age says so.
    flagged = analyse(chat(*lines), victim_age=13)
    assert flagged["grooming"] and flagged["groomer"] == "a" and "meeting" in flagged["urgent"]


@pytest.mark.parametrize("make", synthetic.BENIGN, ids=lambda f: f.__name__)
def test_hard_negatives_are_not_flagged_and_raise_nothing_urgent(make: Any) -> None:
    import random  # noqa: PLC0415

    for seed in range(20):
        data = make(random.Random(seed), f"n{seed}")
        got = analyse(conversation_from_json(data))
        assert got["grooming"] is False and got["urgent"] == [], (make.__name__, seed, got["roles"])


def test_a_parent_is_recognised_as_family() -> None:
    got = analyse(
        chat(
            ("sam", "mum can you pick me up after school, i'm in year 7"),
            ("mum", "yes, don't tell your sister but we're getting pizza. are you on your own?"),
            ("sam", "thanks mum"),
        )
    )
    mum = next(r for r in got["roles"] if r["id"] == "mum")
    assert mum["family"] is True and got["grooming"] is False


def evaluated(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("chats", "evaluate", str(path), *args, stdout=out, stderr=io.StringIO())
    return dict(json.loads(out.getvalue()))


@pytest.mark.parametrize("name", [f"held_back_{k}.jsonl" for k in range(1, 12)])
@pytest.mark.parametrize("learned", [True, False])
def test_the_spent_held_back_sets_stay_met(name: str, learned: bool) -> None:
    # Each set was measured once, when it was new (docs/PERFORMANCE.md gives those figures), and its misses
    # were then used to close gaps in the indicators; the learned model is now trained on them too. Spent,
    # they guard against a change that loses what was gained, and against one that starts accusing the
    # innocent: with the model, and with the indicators alone, so that neither leans on the other.
    scores = evaluated(SPENT / name, *([] if learned else ["--no-model"]))
    assert scores["conversations"] >= 300 and scores["grooming"] > 100
    # The gaps of held-back 7, 8 and 9 were closed in the indicators only as far as who is a child and the
    # urgent flags, and held-back 10's not at all; the model carries their recall (with the indicators
    # alone: 0.76, 0.81, 0.63 and 0.12).
    floors = {"held_back_7.jsonl": 0.75, "held_back_8.jsonl": 0.80, "held_back_9.jsonl": 0.60,
              "held_back_10.jsonl": 0.10, "held_back_11.jsonl": 0.30}  # fmt: skip
    floor = 0.90 if learned else floors.get(name, 0.90)
    assert scores["precision"] >= 0.95 and scores["recall"] >= floor
    assert scores["groomer_accuracy"] >= 0.95 and scores["benign_with_urgent"] == 0


def test_analyse_writes_a_line_a_conversation_and_names_bad_lines(tmp_path: Path) -> None:
    source = tmp_path / "chats.jsonl"
    good = {
        "id": "c1",
        "participants": [{"id": "a"}, {"id": "b", "stated_age": 12}],
        "messages": [
            {"from": "a", "text": "don't tell anyone, our secret"},
            {"from": "a", "text": "are you alone?"},
            {"from": "a", "text": "send me a photo of you"},
        ],
    }
    source.write_text(json.dumps(good) + "\n{broken\n")
    out = tmp_path / "out.jsonl"
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"chats\.jsonl: 1 line\(s\) not read"):
        call_command("chats", "analyse", str(source), "--output", str(out), stderr=err)
    assert f"{source}: line 2: not JSON" in err.getvalue()
    (line,) = out.read_text().splitlines()
    got = json.loads(line)
    assert {"id", "grooming", "score", "groomer", "urgent", "stages", "lines"} <= got.keys()
    assert got["id"] == "c1" and got["grooming"] is True and got["groomer"] == "a"
    assert got["urgent"] == ["image_request"]
