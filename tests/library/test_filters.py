"""The filter line's language (words, phrases, since:/until:) and the commands that take it."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.filters import Filter, parse_bound, parse_filter
from reader.core.models import Article
from reader.storage.sqlite import SqliteStorage

ZONE = timezone(timedelta(hours=2))  # the user's local time in these tests
NOW = datetime(2026, 11, 25, 15, 30, tzinfo=ZONE)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)  # type: ignore[misc]


def parse(line: str) -> Filter:
    return parse_filter(line, now=NOW, zone=ZONE)


def test_words_and_phrases_pass_through() -> None:
    assert parse('harbour "city council"') == Filter('harbour "city council"')
    assert parse("  storm   surge ") == Filter("storm surge")
    assert parse("") == Filter()
    # a bound inside a phrase or a word is text
    assert parse('"since:2026 was a year" xsince:2026') == Filter(
        '"since:2026 was a year" xsince:2026')


@pytest.mark.parametrize(("line", "since", "until"), [
    ("since:2026-11-01", local(2026, 11, 1), None),
    ("until:2026-11-01", None, local(2026, 11, 2)),  # the whole day included
    ("since:2026-11 until:2026-11", local(2026, 11, 1), local(2026, 12, 1)),
    ("until:2026-12", None, local(2027, 1, 1)),  # December ends with the year
    ("since:2025 until:2025", local(2025, 1, 1), local(2026, 1, 1)),
    ("since:2026-2-3", local(2026, 2, 3), None),
    ("since:today", local(2026, 11, 25), None),
    ("until:today", None, local(2026, 11, 26)),
    ("since:yesterday until:yesterday", local(2026, 11, 24), local(2026, 11, 25)),
    ("since:7d", NOW - timedelta(days=7), None),
    ("since:7", NOW - timedelta(days=7), None),  # a bare number is days
    ("since:12h", NOW - timedelta(hours=12), None),
    ("SINCE:2W", NOW - timedelta(weeks=2), None),
    ("until:3d", None, NOW - timedelta(days=3)),
])
def test_date_bounds(line: str, since: datetime | None, until: datetime | None) -> None:
    assert parse(line) == Filter("", since, until)


@pytest.mark.parametrize("word", ["", "soon", "2026-13", "2026-02-30", "0000", "7y", "-3d",
                                  "2026-11-01T10:00", "99999999d", "9999", "9999-12-31"])
def test_what_is_not_a_date_is_left_out_not_searched(word: str) -> None:
    assert parse(f"storm since:{word} until:{word}") == Filter(
        "storm", unreadable=(f"since:{word}", f"until:{word}"))
    assert parse_bound(word, end=True, now=NOW, zone=ZONE) is None


def test_bounds_among_words_and_the_last_one_wins() -> None:
    wanted = parse("storm since:2026-01 surge since:2026-03 until:soon")
    assert wanted == Filter("storm surge", local(2026, 3, 1), None, ("until:soon",))


def test_days_are_the_local_calendar_with_its_summer_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        november = datetime(2026, 11, 25, 12, tzinfo=UTC)
        july = parse_bound("2026-07-01", end=False, now=november)
        assert july == datetime(2026, 6, 30, 22, tzinfo=UTC)  # midnight of summer time
        assert parse_bound("2026-11-25", end=False, now=november) == datetime(
            2026, 11, 24, 23, tzinfo=UTC)
        first = parse_filter("since:yesterday", now=datetime(2026, 3, 30, 12, tzinfo=UTC))
        assert first.since == datetime(2026, 3, 28, 23, tzinfo=UTC)  # before the switch
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# ---------------------------------------------------------------------- the commands


@pytest.fixture
def dated_db(tmp_path: Path) -> Path:
    """Six articles a day apart, 1-6 March 2026 at noon UTC; the even days say "storm"."""
    db = tmp_path / "library.sqlite"
    storage, _ = SqliteStorage.open(db)
    with closing(storage):
        feed_id = storage.upsert_feed("http://a.example/feed", title="A", subscribed=True)
        storage.upsert_articles(feed_id, [
            Article(source="http://a.example/feed", key=str(day), title=f"Day {day}",
                    body="storm at sea" if day % 2 == 0 else "calm",
                    published=datetime(2026, 3, day, 12, tzinfo=UTC))
            for day in range(1, 7)])
    return db


def titles(out: str) -> list[str]:
    return [line.rsplit(": ", 1)[1] for line in out.splitlines()]


def test_list_since_until(capsys: pytest.CaptureFixture[str], dated_db: Path) -> None:
    since = datetime(2026, 3, 2, 12, tzinfo=UTC).astimezone().strftime("%Y-%m-%d")
    until = datetime(2026, 3, 4, 12, tzinfo=UTC).astimezone().strftime("%Y-%m-%d")
    assert main(["--db", str(dated_db), "list", "--since", since, "--until", until]) == 0
    assert titles(capsys.readouterr().out) == ["Day 4", "Day 3", "Day 2"]
    assert main(["--db", str(dated_db), "list", "--since", "soon"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("reader: --since: not a date: soon") and "Traceback" not in err


def test_search_takes_the_filter_language(capsys: pytest.CaptureFixture[str],
                                          dated_db: Path) -> None:
    until = datetime(2026, 3, 4, 12, tzinfo=UTC).astimezone().strftime("%Y-%m-%d")
    assert main(["--db", str(dated_db), "search", "storm", f"until:{until}"]) == 0
    assert titles(capsys.readouterr().out) == ["Day 4", "Day 2"]
    assert main(["--db", str(dated_db), "search", "since:2026-03"]) == 0  # dates alone
    assert len(capsys.readouterr().out.splitlines()) == 6
    assert main(["--db", str(dated_db), "search", "storm", "since:2026-13"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("reader: not a date: since:2026-13") and "Traceback" not in err
