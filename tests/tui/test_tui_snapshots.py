"""The main screen, wide and narrow, as SVG snapshots (fixed data, absolute dates, no blink).

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the report before committing the new files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.builders import FeedSpec, fill_storage
from support.pilot import settle
from textual.pilot import Pilot

from reader.core.config import Config
from reader.library import Library
from reader.storage.sqlite import SqliteStorage
from reader.tui.app import ReaderApp

SnapCompare = Callable[..., bool]


@pytest.fixture
def snapshot_app(library: Library, storage: SqliteStorage, tmp_path: Path) -> Iterator[ReaderApp]:
    fill_storage(storage, [
        FeedSpec("Harbour News", 12, folder="Local"),
        FeedSpec("City [Council] Notes", 6, folder="Local", offset=3, error="HTTP 503"),
        FeedSpec("Science Weekly", 9, offset=7),
    ])
    ids = library.view(ReaderApp(library=library).current_query())
    library.mark_read(list(ids[2:6]))
    library.star([ids[1]])
    app = ReaderApp(library=library,
                    config=Config(refresh_on_start=False, refresh_interval_minutes=0,
                                  download_dir=tmp_path),
                    config_file=tmp_path / "config.toml")
    yield app


async def _open_second(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("j", "enter")
    await settle(pilot)


def test_main_screen_wide(snap_compare: SnapCompare, snapshot_app: ReaderApp) -> None:
    assert snap_compare(snapshot_app, terminal_size=(120, 36), run_before=_open_second)


def test_main_screen_narrow(snap_compare: SnapCompare, snapshot_app: ReaderApp) -> None:
    assert snap_compare(snapshot_app, terminal_size=(80, 24), run_before=_open_second)
