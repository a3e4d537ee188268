"""A clock that counts working days: Monday to Friday, less the bank holidays of England and Wales, shipped
as data (``data/bank_holidays.csv``, from GOV.UK's published list, 2020 to 2030). Working Together to
Safeguard Children asks children's services to acknowledge a referral and decide on the response within one
working day; this is the clock that says when that day ends.

Scotland and Northern Ireland have bank holidays of their own (St Andrew's Day, St Patrick's Day, the
Twelfth ...). The register does not carry them yet, so a referral to an agency there runs on this calendar:
on those days the clock runs a day early, never late. Past the table's last year, only weekends count.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

CALENDAR = Path(__file__).parent / "data" / "bank_holidays.csv"
LONDON = ZoneInfo("Europe/London")


@cache
def bank_holidays() -> frozenset[date]:
    with CALENDAR.open(encoding="utf-8", newline="") as stream:
        return frozenset(date.fromisoformat(row["date"]) for row in csv.DictReader(stream))


def last_year() -> int:
    return max(bank_holidays()).year


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


def next_working_day(day: date) -> date:
    """The first working day after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_after(start: datetime, days: int = 1) -> datetime:
    """When ``days`` working days from ``start`` have passed, in London time. From a working day, the same
    time of day that many working days on (Friday 15:00 to Monday 15:00, over a bank holiday Monday to
    Tuesday). From a weekend or a bank holiday, the clock starts with the next working day, and runs out
    at the end of the last one (Saturday 10:00 to the end of Monday)."""
    if days < 1:
        raise ValueError("count at least one working day")
    local = start.astimezone(LONDON)
    day = local.date()
    started = is_working_day(day)
    for _ in range(days if started else days - 1):
        day = next_working_day(day)
    if started:
        return datetime.combine(day, local.timetz().replace(tzinfo=None), LONDON)
    if not is_working_day(day):
        day = next_working_day(day)
    return datetime.combine(day + timedelta(days=1), time(0), LONDON)
