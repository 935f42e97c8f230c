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

# a quoted phrase (left alone), or a bound that starts a word
_PHRASE_OR_BOUND = re.compile(r'"[^"]*"?|(?<!\S)(?i:(since|until)):(\S*)')
# an age; a bare number is days, up to 3 digits (2025 is a year)
_AGE = re.compile(r"(\d{1,5})([hdw])|(\d{1,3})")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_CALENDAR = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True, slots=True)
class Filter:
    """What a filter line asks for: ``text`` to search (empty: none) within [since, until).

    ``unreadable`` holds the bounds left out because they do not read as dates.
    """

    text: str = ""
    since: datetime | None = None
    until: datetime | None = None
    unreadable: tuple[str, ...] = ()


def parse_filter(line: str, *, now: datetime | None = None,
                 zone: tzinfo | None = None) -> Filter:
    """Split a filter line into its search text and its date bounds (see the module text).

    Days are those of ``zone``, by default the local time zone with its daylight-saving
    rules; ages count back from ``now``.
    """
    since = until = None
    unreadable: list[str] = []
    kept: list[str] = []
    last = 0
    for match in _PHRASE_OR_BOUND.finditer(line):
        if match.group(1) is None:
            continue  # a phrase: words to search for, whatever they look like
        kept.append(line[last:match.start()])
        last = match.end()
        end = match.group(1).lower() == "until"
        moment = parse_bound(match.group(2), end=end, now=now, zone=zone)
        if moment is None:
            unreadable.append(match.group(0))
        elif end:
            until = moment
        else:
            since = moment
    kept.append(line[last:])
    return Filter(" ".join("".join(kept).split()), since, until, tuple(unreadable))


def parse_bound(word: str, *, end: bool, now: datetime | None = None,
                zone: tzinfo | None = None) -> datetime | None:
    """The moment a ``since:`` (``end`` False) or ``until:`` (``end`` True) word stands for;
    None when it does not read as a date."""
    span = _span(word.lower(), now or datetime.now().astimezone(), zone)
    return None if span is None else span[1 if end else 0]


def _span(word: str, now: datetime,
          zone: tzinfo | None) -> tuple[datetime, datetime] | None:
    """The moments a bound word stands for: [its first, just after its last)."""
    local = now.astimezone(zone) if zone is not None else now.astimezone()
    if word in ("today", "yesterday"):
        day = local.date() - timedelta(days=1 if word == "yesterday" else 0)
        return _calendar(day.year, day.month, day.day, zone)
    if match := _CALENDAR.fullmatch(word):
        month, day_ = match.group(2), match.group(3)
        return _calendar(int(match.group(1)), int(month) if month else None,
                         int(day_) if day_ else None, zone)
    if age := _AGE.fullmatch(word):
        count, unit = (age.group(1), age.group(2)) if age.group(1) else (age.group(3), "d")
        try:
            moment = now - int(count) * _UNITS[unit]
        except OverflowError:
            return None
        return moment, moment
    return None


def _calendar(year: int, month: int | None, day: int | None,
              zone: tzinfo | None) -> tuple[datetime, datetime] | None:
    """The first moment of a year, month or day, and the first after it."""
    try:
        if month is None:
            first, after = datetime(year, 1, 1), datetime(year + 1, 1, 1)
        elif day is None:
            first = datetime(year, month, 1)
            after = datetime(year + month // 12, month % 12 + 1, 1)
        else:
            first = datetime(year, month, day)
            after = first + timedelta(days=1)
        return _zoned(first, zone), _zoned(after, zone)
    except (ValueError, OverflowError, OSError):  # 2026-13, 2026-02-30, year 0, past 9999
        return None


def _zoned(moment: datetime, zone: tzinfo | None) -> datetime:
    # astimezone() on a naive datetime takes the local rules of that date (summer time
    # included); a fixed offset taken from today would be an hour off half the year
    return moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
