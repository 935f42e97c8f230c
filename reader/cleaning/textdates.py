"""Recognising a publication date written in running text.

Dumps of news pages carry their date in many shapes ("11 Dec, 2016 07:31",
"PUBLISHED: 00:01, Tue, Nov 19, 2019", "2019-11-19T10:30:00Z", "19/11/2019",
"19. November 2019", "2019년 11월 19일"). Relative forms ("3 hours ago") depend on
when the page was saved, which a dump does not say, so they are never dates here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from reader.core.dates import plausible

__all__ = ["find_date", "looks_like_date"]

# Month names and their usual abbreviations in the languages the cleaner knows.
# Keys are casefolded and without a trailing dot.
_YEAR_HINT = re.compile(r"(?:19|20)\d\d")

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "januar",
        "jänner",
        "janvier",
        "janv",
        "enero",
        "ene",
        "janeiro",
        "gennaio",
        "gen",
        "января",
        "январь",
        "янв",
    ),
    2: (
        "february",
        "feb",
        "februar",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "fév",
        "febrero",
        "fevereiro",
        "fev",
        "febbraio",
        "февраля",
        "февраль",
        "фев",
    ),
    3: ("march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco", "марта", "март"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "апреля", "апрель", "апр"),
    5: ("may", "mai", "mayo", "maio", "maggio", "mag", "мая", "май"),
    6: ("june", "jun", "juni", "juin", "junio", "junho", "giugno", "giu", "июня", "июнь", "июн"),
    7: (
        "july",
        "jul",
        "juli",
        "juillet",
        "juil",
        "julio",
        "julho",
        "luglio",
        "lug",
        "июля",
        "июль",
        "июл",
    ),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "августа", "август", "авг"),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setembro",
        "set",
        "settembre",
        "сентября",
        "сентябрь",
        "сен",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "outubro",
        "out",
        "ottobre",
        "ott",
        "октября",
        "октябрь",
        "окт",
    ),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "ноября", "ноябрь", "ноя"),
    12: (
        "december",
        "dec",
        "dezember",
        "dez",
        "décembre",
        "decembre",
        "déc",
        "diciembre",
        "dic",
        "dezembro",
        "dicembre",
        "декабря",
        "декабрь",
        "дек",
    ),
}
_MONTHS: dict[str, int] = {name: num for num, names in _MONTH_NAMES.items() for name in names}
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er|º|°)?\.?"
# The same day opening a pattern, after no letter or digit: a pattern that opens with a
# look-behind is tried at every position, one that opens with a digit only at digits (a
# month name opening with a letter gains nothing: letters are most positions).
_DAY_AT_WORD = r"(?P<day>\d(?<!\w\d)(?:(?<=[0-3])\d)?)(?:st|nd|rd|th|er|º|°)?\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
# Any word of letters; whether it names a month is looked up afterwards. A regex
# alternation of all the month names is many times slower to search with.
_MONTH = r"(?P<month>[^\W\d_]{3,10})\.?"

# Each pattern names day/month/year groups; the order only breaks ties at one position.
_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # 2019-11-19, 2019-11-19T10:30:00+01:00, 2019/11/19, 2019.11.19
        r"(?P<year>(?:19|20)(?<![\d.]..)\d\d)(?P<sep>[-/.])(?P<month>[01]?\d)(?P=sep)"
        r"(?P<day>[0-3]?\d)(?![\d])"
        r"(?:[T ]\s*(?P<hh>[012]?\d):(?P<mm>[0-5]\d)(?::(?P<ss>[0-5]\d)(?:\.\d+)?)?"
        r"\s*(?P<tz>Z|UTC|GMT|[+-][01]\d:?[0-5]\d)?)?",
        # 11 Dec, 2016 / 11. Dezember 2016 / 11 de diciembre de 2016 / 11 декабря 2016
        rf"{_DAY_AT_WORD}\s*(?:de\s+|of\s+)?{_MONTH},?\s*(?:de\s+)?{_YEAR}(?!\d)",
        # Dec 11, 2016 / Tue, Nov 19, 2019 / December 11th 2016
        rf"(?<![\w]){_MONTH}\s+{_DAY},?\s+{_YEAR}(?!\d)",
        # 19/11/2019, 19.11.2019, 11-19-2019, 12/25/2025 (month first when the day says so)
        r"(?P<a>\d(?<![\d./-]\d)(?:(?<=[0-3])\d)?)(?P<sep>[./-])(?P<b>[0-3]?\d)(?P=sep)"
        rf"{_YEAR}(?![\d])",
        # 2019年11月19日, 2019년 11월 19일
        rf"{_YEAR}\s*[年년]\s*(?P<month>[01]?\d)\s*[月월]\s*(?P<day>[0-3]?\d)\s*[日일]?",
    )
)

_TIME = re.compile(
    r"(?<![\d:])(?P<hh>[012]?\d)[:h.](?P<mm>[0-5]\d)(?::(?P<ss>[0-5]\d))?(?![\d])"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?(?![a-z]))?\s*(?P<tz>UTC|GMT|Z(?![a-z])|[+-][01]\d:?[0-5]\d)?",
    re.IGNORECASE,
)
# How far from the date a time may stand and still belong to it ("07:31" after, or
# "PUBLISHED: 00:01, Tue," before).
_TIME_REACH = 24
# What may stand between a date and its time: "Dec 11, 2016 at 7:31 pm", "2016 | 07:31".
_GAP = re.compile(r"[\s,|\-–—@·•]+|\b(?:at|um|à|a las|às|alle|в)\b", re.IGNORECASE)
# Lines longer than this are prose; a date in them is usually about something else.
_MAX_SCAN = 20_000


def find_date(text: str) -> datetime | None:
    """The first plausible calendar date in ``text``, with its time when one stands next to it.

    Naive unless the text gives an offset (``Z``, ``UTC``/``GMT``, ``+01:00``). Returns None
    for relative dates ("3 hours ago") and for dates outside :func:`reader.core.dates.plausible`.
    """
    if not isinstance(text, str) or not text:
        return None
    text = text[:_MAX_SCAN]
    if not _YEAR_HINT.search(text):
        return None
    candidates: list[tuple[int, int, re.Match[str]]] = []
    for rank, pattern in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            candidates.append((match.start(), rank, match))
    for _, _, match in sorted(candidates, key=lambda c: (c[0], c[1])):
        value = _to_datetime(match, text)
        if value is not None:
            return value
    return None


def looks_like_date(text: str) -> bool:
    """Whether ``text`` holds something shaped like a calendar date (cheaper than find_date)."""
    return bool(_YEAR_HINT.search(text)) and any(p.search(text) for p in _PATTERNS)


def _to_datetime(match: re.Match[str], text: str) -> datetime | None:
    ymd = _year_month_day(match)
    if ymd is None:
        return None
    groups = match.groupdict()
    time_groups = groups if groups.get("hh") else _nearby_time(text, match)
    try:
        value = datetime(*ymd)
        if time_groups:
            value = _with_time(value, time_groups)
    except (ValueError, OverflowError):
        return None
    return plausible(value)


def _year_month_day(match: re.Match[str]) -> tuple[int, int, int] | None:
    groups = match.groupdict()
    year = int(groups["year"])
    if groups.get("a") is not None:
        first, second = int(groups["a"]), int(groups["b"])
        # Day first is the norm outside the US; a value above 12 settles it either way.
        day, month = (second, first) if second > 12 >= first else (first, second)
        return year, month, day
    month_text = groups["month"].casefold().rstrip(".")
    # isdecimal, as int() reads: isdigit is true of "²", which a word of letters may hold
    named = int(month_text) if month_text.isdecimal() else _MONTHS.get(month_text)
    if named is None:
        return None
    return year, named, int(groups["day"])


def _nearby_time(text: str, match: re.Match[str]) -> dict[str, str | None] | None:
    after = _TIME.match(text, match.end(), min(len(text), match.end() + _TIME_REACH))
    if after is None:
        window_end = min(len(text), match.end() + _TIME_REACH)
        after = _TIME.search(text, match.end(), window_end)
        if after is not None and _GAP.sub("", text[match.end() : after.start()]):
            after = None
    if after is not None:
        return after.groupdict()
    # The time closest before the date ("PUBLISHED: 00:01, Tue, Nov 19, 2019").
    start = max(0, match.start() - _TIME_REACH)
    candidates = list(_TIME.finditer(text, start, match.start()))
    return candidates[-1].groupdict() if candidates else None


def _with_time(value: datetime, groups: dict[str, str | None]) -> datetime:
    hour, minute = int(groups["hh"] or 0), int(groups["mm"] or 0)
    second = int(groups.get("ss") or 0)
    ampm = (groups.get("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    value = value.replace(hour=hour, minute=minute, second=second)
    tz = _offset(groups.get("tz"))
    return value.replace(tzinfo=tz) if tz is not None else value


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if text[0] == "-" else delta)
