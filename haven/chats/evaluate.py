"""Measuring the analysis against labelled conversations: precision and recall of the grooming flag, the
groomer named right, recall of each urgent flag, and urgent flags raised on benign conversations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from haven.chats.analysis import URGENT


@dataclass
class Scores:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    true_neg: int = 0
    groomer_right: int = 0
    roles: int = 0  # participants of every conversation
    roles_right: int = 0  # each told groomer or not as labelled
    urgent_expected: dict[str, int] = field(default_factory=dict)
    urgent_found: dict[str, int] = field(default_factory=dict)
    benign_urgent: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_pos / (self.true_pos + self.false_pos) if self.true_pos + self.false_pos else 1.0

    @property
    def recall(self) -> float:
        return self.true_pos / (self.true_pos + self.false_neg) if self.true_pos + self.false_neg else 1.0

    @property
    def groomer_accuracy(self) -> float:
        return self.groomer_right / self.true_pos if self.true_pos else 1.0

    @property
    def role_accuracy(self) -> float:
        return self.roles_right / self.roles if self.roles else 1.0

    def urgent_recall(self, name: str) -> float | None:
        expected = self.urgent_expected.get(name, 0)
        return self.urgent_found.get(name, 0) / expected if expected else None

    def as_json(self) -> dict[str, Any]:
        return {
            "conversations": self.true_pos + self.false_pos + self.false_neg + self.true_neg,
            "grooming": self.true_pos + self.false_neg,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "groomer_accuracy": round(self.groomer_accuracy, 4),
            "participants": self.roles, "role_accuracy": round(self.role_accuracy, 4),
            "urgent_recall": {n: round(r, 4) for n in URGENT if (r := self.urgent_recall(n)) is not None},
            "benign_with_urgent": len(self.benign_urgent),
        }  # fmt: skip


def score(results: list[dict[str, Any]], labels: dict[str, dict[str, Any]]) -> Scores:
    """Compare each result with its label (``{"grooming", "groomer", "urgent"}``), by conversation id."""
    scores = Scores()
    for result in results:
        label = labels[result["id"]]
        if label["grooming"] and result["grooming"]:
            scores.true_pos += 1
            scores.groomer_right += result["groomer"] == label["groomer"]
        elif label["grooming"]:
            scores.false_neg += 1
            scores.misses.append(f"missed {result['id']}")
        elif result["grooming"]:
            scores.false_pos += 1
            scores.misses.append(f"false alarm {result['id']}")
        else:
            scores.true_neg += 1
        for role in result["roles"]:
            scores.roles += 1
            scores.roles_right += (role["id"] == result["groomer"]) == (role["id"] == label["groomer"])
        if not label["grooming"] and result["urgent"]:
            scores.benign_urgent.append(result["id"])
        for name in label.get("urgent") or []:
            scores.urgent_expected[name] = scores.urgent_expected.get(name, 0) + 1
            if name in result["urgent"]:
                scores.urgent_found[name] = scores.urgent_found.get(name, 0) + 1
    return scores
