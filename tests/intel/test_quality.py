"""The done-when check of issue 5, at test size: a synthetic set with a known answer goes in through the
bulk import, through a real worker, and out through the subjects export; pairwise precision and recall must
both reach 0.995. Two careless linkers run on the same set, to show that its traps bite."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from haven.intel.synthetic import as_written, careless, dataset, exact_strong, pairwise
from tests.conftest import Orgs

TARGET = 0.995


@pytest.mark.django_db(transaction=True)
def test_held_back_set_is_linked_with_high_precision_and_recall(orgs: Orgs, tmp_path: Path) -> None:
    data = dataset(people=150, seed=4711)
    path = tmp_path / "held-back.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in data.reports))
    call_command("reports", "import", str(path), "--organisation", orgs.platform.slug, stdout=io.StringIO())
    call_command("worker", "--burst")
    out = io.StringIO()
    call_command("subjects", "export", "--format", "jsonl", stdout=out)
    predicted = {
        report["external_id"]: subject["id"]
        for subject in map(json.loads, out.getvalue().splitlines())
        for report in subject["reports"]
    }
    assert len(predicted) == len(data.reports)
    precision, recall = pairwise(data.truth, predicted)
    assert precision >= TARGET, f"precision {precision:.4f}"
    assert recall >= TARGET, f"recall {recall:.4f}"
    # Linking on every value as written, addresses included, falls into the traps...
    everything = careless(data.reports, as_written)
    assert pairwise(data.truth, everything)[0] < 0.9
    # ...and exact strong values without normalisation miss the variations.
    exact = careless(data.reports, exact_strong)
    assert pairwise(data.truth, exact)[1] < 0.9
