"""The weeks a digest covers: ISO weeks, ranges of days, and the weeks a catch-up run makes.

``--catch-up`` makes every week after ``last_week`` (in ``.briefgen/state.json``)
through the last complete week. A ``last_week`` that has not ended, or one so old
that catching up would make (and e-mail) years of digests, stops the run with a
message instead.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.errors import InputError

# The most weeks one --catch-up run makes: a year, however long the scheduler was off.
MAX_CATCH_UP_WEEKS = 52


@dataclass(frozen=True)
class Period:
    """The days whose ``added`` records a digest holds: an ISO week, or any range."""

    since: dt.date
    until: dt.date

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        monday = dt.date.fromisocalendar(year, week, 1)
        return cls(monday, monday + dt.timedelta(days=6))

    @property
    def is_week(self) -> bool:
        return self.since.isoweekday() == 1 and self.until - self.since == dt.timedelta(days=6)

    @property
    def name(self) -> str:
        """``2024-W50`` for an ISO week; ``2024-12-01_2024-12-10`` for any other range."""
        if self.is_week:
            year, week, _ = self.since.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.since.isoformat()}_{self.until.isoformat()}"

    def next_week(self) -> Period:
        return Period(self.since + dt.timedelta(days=7), self.until + dt.timedelta(days=7))


def parse_week(text: str) -> Period:
    """``2024-W50`` (also ``2024W50``, ``2024-w5``) → that ISO week, Monday to Sunday."""
    match = re.fullmatch(r"(\d{4})-?[Ww](\d{1,2})", text.strip())
    if match is None:
        raise InputError(f"--week {text!r} is not an ISO week; write it as 2024-W50")
    year, week = int(match[1]), int(match[2])
    try:
        weeks = dt.date(year, 12, 28).isocalendar()[1]
        period = Period.week(year, week) if 1 <= week <= weeks else None
    except (ValueError, OverflowError):       # year 0000; the last days of 9999
        raise InputError(f"--week {text!r} is out of range; give a week from 0001-W01 "
                         "to 9999-W51") from None
    if period is None:
        raise InputError(f"--week {text!r}: {year} has weeks 01 to {weeks}")
    return period


def parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD") from None


def today_in(timezone: str) -> dt.date:
    """Today's date where the department is (``[digest] timezone``)."""
    import zoneinfo

    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()


def last_complete_week(today: dt.date) -> Period:
    monday = today - dt.timedelta(days=today.isoweekday() - 1)
    return Period(monday - dt.timedelta(days=7), monday - dt.timedelta(days=1))


def choose_period(today: dt.date, week: str | None = None, since: str | None = None,
                  until: str | None = None) -> Period:
    """``--week``, or ``--since``/``--until`` (until defaults to yesterday), else last week."""
    if week and (since or until):
        raise InputError("give either --week or --since/--until, not both")
    if week:
        return parse_week(week)
    if until and not since:
        raise InputError("--until needs --since")
    if since:
        start = parse_date(since, "--since")
        end = parse_date(until, "--until") if until else today - dt.timedelta(days=1)
        if end < start:
            raise InputError(f"--until {end.isoformat()} is before --since {start.isoformat()}")
        return Period(start, end)
    return last_complete_week(today)


# Catching up -------------------------------------------------------------------

def last_done(value: Any, last: Period, state_file: Path) -> Period | None:
    """The state's ``last_week``, checked: an ISO week that has ended (None: no week yet)."""
    if value is None:
        return None
    try:
        week = parse_week(value) if isinstance(value, str) else None
    except InputError:
        week = None
    if week is None:
        raise InputError(f"{value!r} is not an ISO week such as 2024-W50; set it to the last "
                         "week whose digest was made", file=state_file, field="last_week")
    if week.since > last.since:
        raise InputError(f"{week.name} has not ended yet (the last complete week is {last.name}),"
                         " so no later digest would be made; set it to the last week whose "
                         "digest was made", file=state_file, field="last_week")
    return week


def catch_up(done: Period | None, last: Period, state_file: Path) -> list[Period]:
    """Every week after the last one done, through the last complete week (at most a year)."""
    if done is None:
        return [last]
    missed = (last.since - done.since).days // 7
    if missed > MAX_CATCH_UP_WEEKS:
        raise InputError(
            f"{done.name} is {missed} weeks before the last complete week, {last.name}; "
            f"--catch-up makes at most {MAX_CATCH_UP_WEEKS} weeks in one run (each e-mailed "
            "with --email): set last_week to a later week, or make the weeks you want with "
            "--week or --since", file=state_file, field="last_week")
    periods = [done.next_week()]
    while periods[-1].since <= last.since:
        periods.append(periods[-1].next_week())
    return periods[:-1]


def advance(state: Any, period: Period, explicit: bool, email: bool, last: Period) -> None:
    """``last_week`` moves only forward, one week after the other, never past the last
    complete week: a week is never skipped.

    A run that chose its week itself (the default, or ``--catch-up``) starts it; after
    that it moves over every following week that is done (made, and sent or empty if
    e-mailing).
    """
    def done(week: Period) -> bool:
        entry = state.weeks.get(week.name)
        return week.since <= last.since and entry is not None and (
            not email or bool(entry.sent_at) or entry.empty)

    current = last_done(state.last_week, last, state.path)
    if current is None:
        if explicit or not done(period):
            return
        current = period
    while done(current.next_week()):
        current = current.next_week()
    if current.name != state.last_week:
        state.last_week = current.name
        state.save()
