"""r in the TUI syncs the feed server accounts too: progress, a one-line summary, and an
account's failure said in one line (against the in-memory tt-rss on loopback)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pilot import make_app, settle
from support.sync_fakes import Reply
from support.sync_ttrss_fake import PASSWORD, TtrssFake

from reader.library import Library
from reader.tui.widgets.article_list import ArticleList


@pytest.fixture
def tt() -> Iterator[TtrssFake]:
    fake = TtrssFake()
    yield fake
    fake.close()


async def test_r_syncs_the_account_and_says_so(library: Library, tt: TtrssFake,
                                               tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text(PASSWORD + "\n")
    tt.update(tt.subscribe(tt.publish("http://feeds.example/t.xml", "Tau", 3)))
    await library.add_account("ttrss", tt.url, "sync", name="home",
                              password_file=str(password))
    app = make_app(library, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.query_one(ArticleList).ids) == 0  # nothing synced yet
        await pilot.press("r")
        await settle(pilot, rounds=6)
        assert len(app.query_one(ArticleList).ids) == 3
        assert "1 feed, 3 new articles, 0 errors" in app.status_text
        assert "home: 0 sent, 0 received" in app.status_text

        # read one here, and the server answers garbage at the next r: one line, kept
        await pilot.press("enter")
        await settle(pilot)
        tt.server.handler = lambda request: Reply(200, b"<html><title>Oops</title></html>")
        await asyncio.sleep(0)
        await pilot.press("r")
        await settle(pilot, rounds=6)
        assert "1 error" in app.status_text
        assert app.noted("home: tt-rss at ") and app.noted("answered with a web page")
        [account] = library.accounts()
        assert account.pending >= 1  # the read mark waits for the next sync
