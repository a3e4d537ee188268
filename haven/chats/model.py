"""A learned second opinion beside the indicators: a logistic regression on the words a participant writes.

The indicators are written by hand, and each new held-back set, in phrasing they had not met, showed them
missing grooming (recall 0.63 to 0.86 on first runs). A linear model over a participant's words and
character n-grams generalises to new phrasing better: trained on the synthetic set alone, it found 0.86 to
1.00 of the grooming in the first four held-back sets (docs/PERFORMANCE.md). It may only add to the
indicators, never overrule them, and only when a child is present or, in a chat of two, nobody else reads
as an adult (``analysis._second_opinion``); what it saw is shown as the words that weighed most for the
participant it names. Its threshold was chosen by leaving each spent set out of training in turn
(``bench/chats_crossval.py``, docs/PERFORMANCE.md).

It is trained when first needed, in each process, from data in the repository: the synthetic generator's
set and the spent held-back sets in ``data/``. No weights are downloaded or shipped, and training is
deterministic, so every process and machine has the same model for the same code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from haven.chats import synthetic
from haven.chats.normalise import normalise
from haven.chats.readers import conversation_from_json

DATA = Path(__file__).with_name("data")
SYNTHETIC_COUNT, SYNTHETIC_SEED = 2000, 99
# The probability at which the model flags a participant, when a child is read as present or, in a chat of
# two, nobody else reads as an adult. Chosen by leaving each spent set out of training in turn
# (``bench/chats_crossval.py``, docs/PERFORMANCE.md).
THRESHOLD = 0.65
REASONS = 6


def participant_text(messages: list[str]) -> str:
    """What the model reads of one participant: their normalised messages, in order."""
    return " | ".join(messages)


@dataclass
class Model:
    vectorisers: list[TfidfVectorizer]
    classifier: LogisticRegression
    names: np.ndarray[Any, Any]
    threshold: float = THRESHOLD

    def _features(self, texts: list[str]) -> csr_matrix:
        return hstack([v.transform(texts) for v in self.vectorisers]).tocsr()

    def probabilities(self, texts: list[str]) -> list[float]:
        """The probability that each participant, from their text, is grooming."""
        if not texts:
            return []
        return [float(p) for p in self.classifier.predict_proba(self._features(texts))[:, 1]]

    def reasons(self, text: str, count: int = REASONS) -> list[str]:
        """The words and fragments that weighed most towards grooming in this participant's text."""
        row = self._features([text])
        weights = row.multiply(self.classifier.coef_[0]).tocsr()
        order = np.argsort(-weights.data)[:count]
        return [str(self.names[weights.indices[k]]).strip() for k in order if weights.data[k] > 0]

    def strongest(self, count: int = 30) -> list[tuple[str, float]]:
        """The features that weigh most towards grooming, for ``haven chats model``."""
        coef = self.classifier.coef_[0]
        return [(str(self.names[k]), round(float(coef[k]), 3)) for k in np.argsort(-coef)[:count]]


def spent_sets() -> dict[str, list[dict[str, Any]]]:
    """The spent held-back sets in ``data/``, by file name, each a list of labelled conversations."""
    paths = sorted(DATA.glob("held_back_*.jsonl"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    sets = {}
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        sets[path.stem] = [json.loads(line) for line in lines if line.strip()]
    return sets


def training_rows(leave_out: str | None = None) -> list[dict[str, Any]]:
    """The labelled conversations the model learns from: the synthetic set and the spent sets, but for
    ``leave_out`` (a set's file name, for cross-validation)."""
    rows = synthetic.labelled(SYNTHETIC_COUNT, seed=SYNTHETIC_SEED)
    for name, conversations in spent_sets().items():
        rows += conversations if name != leave_out else []
    return rows


def examples(rows: list[dict[str, Any]] | None = None) -> tuple[list[str], list[bool]]:
    """Every participant of the training conversations: their text, and whether they are the groomer."""
    texts, labels = [], []
    for labelled in training_rows() if rows is None else rows:
        row = dict(labelled)
        label = row.pop("label")
        conversation = conversation_from_json(row)
        said: dict[str, list[str]] = {pid: [] for pid in conversation.participant_ids()}
        for message in conversation.messages:
            said[message.sender].append(normalise(message.text))
        for pid, messages in said.items():
            texts.append(participant_text(messages))
            labels.append(bool(label["grooming"]) and label["groomer"] == pid)
    return texts, labels


def train(rows: list[dict[str, Any]] | None = None) -> Model:
    texts, labels = examples(rows)
    vectorisers = [
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True, max_features=60_000
        ),
    ]
    features = hstack([v.fit_transform(texts) for v in vectorisers]).tocsr()
    classifier = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    classifier.fit(features, np.array(labels))
    names = np.concatenate([v.get_feature_names_out() for v in vectorisers])
    return Model(vectorisers, classifier, names)


@cache
def model() -> Model:
    """The process's model, trained on first use (about a second). Two threads asking at once may each
    train it; training is deterministic, so either result is the same model."""
    return train()
