"""Analysts' merges and splits in force, as linking applies them, cached by their version."""

from __future__ import annotations

from dataclasses import dataclass

from haven.intel.models import (
    Decision,
    DecisionKind,
)
from haven.intel.partition import Constraint


@dataclass
class Decisions:
    merges: list[Decision]
    splits: list[Decision]

    @classmethod
    def active(cls, version: str | None = None) -> Decisions:
        """The decisions in force. Given the ``DECISIONS_VERSION`` its caller read, those read at that version
        are used again without a query."""
        if version is not None and version in decisions_at:
            return decisions_at[version]
        decisions = list(
            Decision.objects.filter(revoked_at__isnull=True)
            .order_by("made_at", "id")
            .only("kind", "side_a", "side_b")
        )
        found = cls(
            [d for d in decisions if d.kind == DecisionKind.MERGE],
            [d for d in decisions if d.kind == DecisionKind.SPLIT],
        )
        # Kept under the version of the rows read, which is newer than ``version`` if they changed meanwhile.
        decisions_at.clear()
        decisions_at[f"{len(decisions)}:{max((d.pk for d in decisions), default=0)}"] = found
        return found

    def partners(self, members: set[int]) -> set[int]:
        """Members joined to these by a merge."""
        found: set[int] = set()
        for merge in self.merges:
            both = {*merge.side_a, *merge.side_b}
            if both & members:
                found |= both
        return found

    def constraints(self, position: dict[int, int]) -> tuple[list[Constraint], list[Constraint]]:
        def on(decisions: list[Decision]) -> list[Constraint]:
            found = []
            for d in decisions:
                a = [position[m] for m in d.side_a if m in position]
                b = [position[m] for m in d.side_b if m in position]
                if a and b:
                    found.append(Constraint(a, b))
            return found

        return on(self.merges), on(self.splits)


# A version of the decisions in force, read with a report's identifiers. Decisions are only added or revoked
# (never restored), and ids never come back, so the count in force and their highest id change whenever the
# decisions in force do.
DECISIONS_VERSION = (
    "SELECT COUNT(*) || ':' || COALESCE(MAX(id), 0) FROM intel_decision WHERE revoked_at IS NULL"
)

decisions_at: dict[str, Decisions] = {}
