"""The main screen at each width it is designed for, as SVG snapshots (fixed data, absolute
dates, no blink): 80 and 100 columns stack the list over the article, 120 and 160 add the
feeds pane beside them, 200 puts the list beside the article.

Update after an intended change with ``pytest tests/tui/test_tui_snapshots.py
--snapshot-update`` and look at the report before committing the new files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.builders import make_article
from support.pilot import settle
from textual.pilot import Pilot

from reader.core.config import Config
from reader.library import Library
from reader.storage.sqlite import SqliteStorage
from reader.tui.app import ReaderApp

SnapCompare = Callable[..., bool]

FEEDS = {
    ("Harbour News", "Local"): [
        "Night trains return between Vienna and the Adriatic after eight years",
        "Council approves the harbour bridge repairs after a long night of debate",
        "Fishing towns on the Baltic coast bet on seaweed farms",
        "Ferry timetable changes for the winter",
    ],
    ("City [Council] Notes", "Local"): [
        "Libraries stay open on Sundays through the spring, the budget says",
        "A [bracketed] title & other punctuation survive intact",
        "Rail workers call off the weekend strike after a late-night deal",
    ],
    ("Science Weekly", None): [
        "Lichens keep time on old gravestones, and they keep it surprisingly well",
        "Listening to a glacier melt",
        "Bumblebees remember the map, not the route",
    ],
}


@pytest.fixture
def snapshot_app(library: Library, storage: SqliteStorage, tmp_path: Path) -> Iterator[ReaderApp]:
    hours = 0
    for (name, folder), titles in FEEDS.items():
        url = f"https://example.org/{name.split()[0].lower()}.xml"
        feed_id = storage.upsert_feed(url, title=name, subscribed=True, folder=folder)
        articles = []
        for number, title in enumerate(titles):
            articles.append(make_article(url, number, title=title, hours=hours))
            hours += 5
        storage.upsert_articles(feed_id, articles)
    storage.record_fetch(storage.feed_by_url("https://example.org/city.xml").id,  # type: ignore[union-attr]
                         state=None, error="HTTP 503 Service Unavailable",
                         when=make_article("x", 0).published)  # type: ignore[arg-type]
    ids = library.view(ReaderApp(library=library).current_query())
    library.mark_read(list(ids[2:5]))
    library.star([ids[1]])
    app = ReaderApp(library=library,
                    config=Config(refresh_on_start=False, refresh_interval_minutes=0,
                                  mark_read_after=0, download_dir=tmp_path),
                    config_file=tmp_path / "config.toml")
    yield app


async def _open_second(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("j", "enter")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (160, 40), (200, 50)],
                         ids=lambda size: f"{size[0]}x{size[1]}")
def test_main_screen(snap_compare: SnapCompare, snapshot_app: ReaderApp,
                     size: tuple[int, int]) -> None:
    assert snap_compare(snapshot_app, terminal_size=size, run_before=_open_second)
