"""Trends to watch: a planted rise is listed where it is most specific; flat series and a rise that
happens every year at this time are not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from haven.insights import trends
from tests.conftest import Orgs
from tests.insights.conftest import months_of_reports

pytestmark = pytest.mark.django_db


def test_a_planted_rise_is_listed_and_nothing_else(history: date) -> None:
    found = trends.find(today=history)
    assert found, "the planted rise was not found"
    top = found[0]
    assert (top.measure, top.where) == (
        "under_13",
        {"incident_type": "sextortion", "platform": "ExampleGames"},
    )
    assert top.label == "Sextortion, ExampleGames, children under 13"
    assert top.excess >= 60 and top.recent == sorted(top.recent)
    # Every series listed is the planted one, or a wider one holding it that its rise does not explain.
    for trend in found:
        assert trend.where.get("platform", "ExampleGames") == "ExampleGames", trend.label
    # The chart of a trend shows its weeks and its usual top, and ends with the rise.
    chart = top.chart()
    assert chart.series == ["Reports", "Usual top"]
    assert [v for _, s, v in chart.rows if s == "Reports"][-4:] == [float(c) for c in top.recent]


def test_flat_series_are_not_listed(orgs: Orgs) -> None:
    today = months_of_reports(3000, weeks=20)
    assert trends.find(today=today) == []


def test_the_platform_filter_keeps_to_its_platform(history: date) -> None:
    assert trends.find(today=history, platform="ExampleChat") == []
    assert trends.find(today=history, platform="ExampleGames")


def test_a_rise_that_comes_every_year_at_this_time_is_not_news() -> None:
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(trends.RECENT + trends.BASELINE)]
    year_ago = [w - timedelta(weeks=52) for w in weeks]
    flat_then_up = [10] * trends.BASELINE + [40, 45, 50, 55]
    counts = dict(zip(weeks, flat_then_up, strict=True))
    alone = trends._judge("reports", {}, weeks=weeks, year_ago=year_ago, counts=counts, seasonal=False)
    assert alone is not None and alone.excess == 150
    counts.update(zip(year_ago, flat_then_up, strict=True))  # the same rise a year before
    assert trends._judge("reports", {}, weeks=weeks, year_ago=year_ago, counts=counts, seasonal=True) is None
    # A rise beyond last year's is still news.
    counts.update(zip(weeks, [10] * trends.BASELINE + [80, 90, 100, 110], strict=True))
    assert trends._judge("reports", {}, weeks=weeks, year_ago=year_ago, counts=counts, seasonal=True)


def test_a_blip_of_one_week_is_not_a_trend() -> None:
    weeks = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(trends.RECENT + trends.BASELINE)]
    counts = dict(zip(weeks, [20] * trends.BASELINE + [20, 21, 19, 200], strict=True))
    assert trends._judge("reports", {}, weeks=weeks, year_ago=[], counts=counts, seasonal=False) is None
