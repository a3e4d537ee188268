"""Synthetic months of reports, summarised, for the insights tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from haven.insights import summary
from haven.insights.synthetic import Rise, generate
from tests.conftest import Orgs

FORCES = ["force-a", "force-b"]


def months_of_reports(count: int, *, weeks: int, rise: Rise | None = None, seed: int = 7) -> date:
    """``count`` flat reports over the last ``weeks`` whole weeks, and the rise, summarised; returns today."""
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    generate(count, start=monday - timedelta(weeks=weeks), end=monday - timedelta(days=1), forces=FORCES,
             seed=seed, rise=rise)  # fmt: skip
    summary.rebuild()
    return today


@pytest.fixture
def history(orgs: Orgs) -> date:
    """Twenty weeks of 3,000 reports with sextortion of under-13s on ExampleGames rising in the last five."""
    return months_of_reports(3000, weeks=20, rise=Rise(per_week=40))
