"""The filter line's language: words and "phrases" to search for, and a date range.

    harbour "city council"             articles holding both (the last word also as a prefix)
    storm since:7d                     ... from the last seven days
    since:2026-11-01 until:2026-11-15  a date range, both days included
    until:2025                         everything up to the end of 2025

``since:`` and ``until:`` take a day (2026-11-01), a month (2026-11), a year (2026),
``today``, ``yesterday``, or an age: ``12h``, ``7d`` (a number of up to 3 digits alone is
days), ``2w``. A day,
month or year is the user's local calendar: ``since:`` starts at its first moment and
``until:`` ends with its last. A bound that does not read as a date (``since:2026-13``,
``since:soon``) is left out, never searched for as a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

_BOUND = re.compile(r"(?i)(since|until):(\S*)")
# an age; a bare number is days, up to 3 digits (2025 is a year)
_AGE = re.compile(r"(\d{1,5})([hdw])|(\d{1,3})")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_CALENDAR = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class Filter:
    """What a filter line asks for: ``text`` to search (empty: none) within [since, until)."""

    text: str = ""
    since: datetime | None = None
    until: datetime | None = None


def parse_filter(line: str, *, now: datetime | None = None) -> Filter:
    """Split a filter line into its search text and its date bounds (see the module text)."""
    now = now or datetime.now().astimezone()
    since = until = None
    for match in _BOUND.finditer(line):
        if match.group(1).lower() == "since":
            since = parse_bound(match.group(2), end=False, now=now) or since
        else:
            until = parse_bound(match.group(2), end=True, now=now) or until
    text = " ".join(_BOUND.sub(" ", line).split())
    return Filter(text, since, until)


def parse_bound(word: str, *, end: bool, now: datetime | None = None) -> datetime | None:
    """The moment a ``since:`` (``end`` False) or ``until:`` (``end`` True) word stands for;
    None when it does not read as a date."""
    span = _span(word.lower(), now or datetime.now().astimezone())
    return None if span is None else span[1 if end else 0]


def _span(word: str, now: datetime) -> tuple[datetime, datetime] | None:
    """The moments a bound word stands for: [its first, just after its last)."""
    zone = now.tzinfo
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if word == "today":
        return today, today + timedelta(days=1)
    if word == "yesterday":
        return today - timedelta(days=1), today
    if day := _CALENDAR.fullmatch(word):
        return _calendar(int(day.group(1)), day.group(2), day.group(3), zone)
    if age := _AGE.fullmatch(word):
        count, unit = (age.group(1), age.group(2)) if age.group(1) else (age.group(3), "d")
        try:
            moment = now - int(count) * _UNITS[unit]
        except OverflowError:
            return None
        return moment, moment
    return None


def _calendar(year: int, month: str | None, day: str | None,
              zone: tzinfo | None) -> tuple[datetime, datetime] | None:
    try:
        if month is None:
            return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
        if day is None:
            start = datetime(year, int(month), 1, tzinfo=zone)
            after = datetime(year + int(month) // 12, int(month) % 12 + 1, 1, tzinfo=zone)
            return start, after
        start = datetime(year, int(month), int(day), tzinfo=zone)
        return start, start + timedelta(days=1)
    except ValueError:  # 2026-13, 2026-02-30, year 0
        return None
