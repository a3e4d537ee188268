"""A clock that counts working days: Monday to Friday, less the bank holidays of the agency's part of the UK,
shipped as data (``data/bank_holidays.csv``: GOV.UK's three divisions, England and Wales, Scotland, and
Northern Ireland, 2020 to 2030). Working Together to Safeguard Children asks children's services to
acknowledge a referral and decide on the response within one working day; this is the clock that says when
that day ends. Past the table's last year, only weekends count.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

CALENDAR = Path(__file__).parent / "data" / "bank_holidays.csv"
LONDON = ZoneInfo("Europe/London")
ENGLAND_AND_WALES = "england-and-wales"
DIVISIONS = (ENGLAND_AND_WALES, "scotland", "northern-ireland")
# The register's nations to GOV.UK's divisions.
NATION_DIVISIONS = {
    "England": ENGLAND_AND_WALES, "Wales": ENGLAND_AND_WALES, "Scotland": "scotland",
    "Northern Ireland": "northern-ireland",
}  # fmt: skip


@cache
def _calendar() -> dict[str, frozenset[date]]:
    found: dict[str, set[date]] = defaultdict(set)
    with CALENDAR.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["division"] not in DIVISIONS:
                raise ValueError(f"{CALENDAR}: no division {row['division']!r} ({row['date']})")
            found[row["division"]].add(date.fromisoformat(row["date"]))
    return {division: frozenset(found[division]) for division in DIVISIONS}


def bank_holidays(division: str = ENGLAND_AND_WALES) -> frozenset[date]:
    return _calendar()[division]


def last_year(division: str = ENGLAND_AND_WALES) -> int:
    return max(bank_holidays(division)).year


def is_working_day(day: date, division: str = ENGLAND_AND_WALES) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(division)


def next_working_day(day: date, division: str = ENGLAND_AND_WALES) -> date:
    """The first working day after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day, division):
        day += timedelta(days=1)
    return day


def working_days_after(start: datetime, days: int = 1, division: str = ENGLAND_AND_WALES) -> datetime:
    """When ``days`` working days from ``start`` have passed, in UK time. From a working day, the same
    time of day that many working days on (Friday 15:00 to Monday 15:00; over an English bank holiday
    Monday, to Tuesday). From a weekend or a bank holiday, the clock starts with the next working day, and
    runs out at the end of the last one (Saturday 10:00 to the end of Monday)."""
    if days < 1:
        raise ValueError("count at least one working day")
    local = start.astimezone(LONDON)
    day = local.date()
    started = is_working_day(day, division)
    for _ in range(days if started else days - 1):
        day = next_working_day(day, division)
    if started:
        return datetime.combine(day, local.timetz().replace(tzinfo=None), LONDON)
    if not is_working_day(day, division):
        day = next_working_day(day, division)
    return datetime.combine(day + timedelta(days=1), time(0), LONDON)
