"""The learned second opinion: it adds a flag the indicators miss, only with a child present, never takes
one away, says why, and is the same model every time it is trained."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
from django.core.management import call_command

from haven.chats import model as learned_model
from haven.chats.analysis import analyse
from haven.chats.readers import conversation_from_json

SPENT = learned_model.DATA  # the spent held-back sets


def spent(set_number: int, cid: str) -> dict[str, Any]:
    for line in (SPENT / f"held_back_{set_number}.jsonl").read_text().splitlines():
        data = json.loads(line)
        if data["id"] == cid:
            data.pop("label")
            return dict(data)
    raise LookupError(cid)


# A sextortion whose demand is misspelt ("sned 200 on paypal"), so that the indicators find no demand.
MISSPELT = spent(5, "hb5-0194")


def test_the_model_adds_a_flag_the_indicators_miss_and_says_why() -> None:
    conversation = conversation_from_json(MISSPELT)
    assert analyse(conversation, learned=False)["grooming"] is False
    result = analyse(conversation)
    assert (result["grooming"], result["groomer"]) == (True, "nathan.p")
    opinion = result["learned"]
    assert opinion["participant"] == "nathan.p" and opinion["probability"] >= learned_model.THRESHOLD
    assert opinion["basis"] == "a child is present"
    assert opinion["reasons"] and all(isinstance(r, str) and r for r in opinion["reasons"])


def with_words(old: str, new: str) -> Any:
    changed = json.loads(json.dumps(MISSPELT))
    for message in changed["messages"]:
        message["text"] = message["text"].replace(old, new)
    return conversation_from_json(changed)


def test_the_model_flags_nobody_talking_to_an_adult() -> None:
    # The same messages, with the person threatened now saying they are 34.
    adult = with_words("i'm 14 ", "i'm 34 ")
    assert (
        learned_model.model().probabilities(
            [learned_model.participant_text([m.text for m in adult.messages if m.sender == "nathan.p"])]
        )[0]
        >= learned_model.THRESHOLD
    )  # the model still reads the words; the rule stops it acting on them
    result = analyse(adult)
    assert (result["grooming"], result["learned"]) == (False, None)
    assert analyse(adult, victim_age=14)["grooming"] is True  # the report's victim age overrides what is said


def test_when_no_age_is_given_the_model_flags_a_chat_of_two_without_an_adult() -> None:
    unsaid = with_words("i'm 14 ", "")
    result = analyse(unsaid)
    assert result["grooming"] is True
    assert result["learned"]["basis"] == "a chat of two, and no adult is present"
    assert result["learned"]["probability"] >= learned_model.THRESHOLD
    assert analyse(with_words("i'm 14 ", ""), learned=False)["grooming"] is False


def test_the_model_is_not_asked_where_the_indicators_already_flag() -> None:
    result = analyse(conversation_from_json(spent(1, "hb-0005")))
    assert result["grooming"] is True and result["learned"] is None


def test_training_is_deterministic_and_uses_the_spent_sets() -> None:
    texts, labels = learned_model.examples()
    assert sum(labels) > 800 and len(texts) > 5000
    left_out = learned_model.training_rows(leave_out="held_back_3")
    third = learned_model.spent_sets()["held_back_3"]
    assert len(left_out) == len(learned_model.training_rows()) - len(third)
    assert not any(row["id"].startswith("hb3-") for row in left_out)
    first, second = learned_model.train(), learned_model.train()
    assert np.array_equal(first.classifier.coef_, second.classifier.coef_)
    assert list(first.names) == list(second.names)


def test_the_command_lists_what_the_model_weighs_most() -> None:
    out = io.StringIO()
    call_command("chats", "model", "--top", "5", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 5
    weights = [float(line.split("\t")[0]) for line in lines]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0
