"""Summary-only feeds: the full article is fetched, whole, and without the page's chrome."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from support.farm import FEEDFARM, Farm

from reader.core.models import ArticleQuery, BodyState
from reader.library import Library

CHROME = ("Sign in", "Sign up", "icon bookmark", "Related story", "Read more", "Cookies help us",
          "All rights reserved", "By Writer")


def _generator(farm: Farm):  # the farm's own article generator: the truth for each page
    spec = importlib.util.spec_from_file_location("feedfarm_copy", FEEDFARM)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Farm(farm.feeds, farm.entries, farm.port, farm.hosts)


def test_full_text_of_a_summary_only_entry_is_the_whole_article(library: Library) -> None:
    with Farm(feeds=1, entries=3) as farm:  # feed 0: summaries only
        truth = _generator(farm)
        library.open_sources([farm.urls[0]])
        for article_id in library.view(ArticleQuery()):
            stored = library.get(article_id)
            assert stored is not None and stored.body_state is BodyState.SUMMARY
            full = asyncio.run(library.full_text(article_id))
            assert full.full_body and full.body_state is BodyState.FULL
            entry = int(stored.article.url.rsplit("/", 1)[1].split(".")[0])
            title, _, paragraphs = truth.article(0, entry)
            body = " ".join(full.full_body.split())
            for paragraph in paragraphs:
                assert paragraph in body
            assert title not in body
            for chrome in CHROME:
                assert chrome not in full.full_body


def test_dump_full_replaces_summaries(tmp_path: Path) -> None:
    with Farm(feeds=1, entries=2) as farm:
        truth = _generator(farm)
        out = subprocess.run(
            [sys.executable, "-m", "reader", "dump", "--full", "--format", "json", farm.urls[0]],
            capture_output=True, text=True, timeout=60, check=True,
        )
    articles = json.loads(out.stdout)
    assert len(articles) == 2
    for article in articles:
        entry = int(article["url"].rsplit("/", 1)[1].split(".")[0])
        _, _, paragraphs = truth.article(0, entry)
        body = " ".join(article["body"].split())
        assert all(p in body for p in paragraphs)
        assert not any(chrome in article["body"] for chrome in CHROME)


def test_always_full_text_feeds_are_fetched_after_refresh(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    db = tmp_path / "library.sqlite"
    with Farm(feeds=1, entries=3) as farm:
        config.write_text(f'[feeds."{farm.urls[0]}"]\nalways_full_text = true\n')
        env = {"READER_CONFIG": str(config), "READER_DB": str(db)}
        run = lambda *a: subprocess.run(  # noqa: E731
            [sys.executable, "-m", "reader", *a], capture_output=True, text=True, timeout=60,
            env={**__import__("os").environ, **env})
        assert run("add", farm.urls[0]).returncode == 0
        refreshed = run("refresh")
        assert refreshed.returncode == 0, refreshed.stderr
        assert "full text: 3 articles fetched, 0 failed" in refreshed.stderr
    with Library.open(db) as library:
        for article_id in library.view(ArticleQuery()):
            stored = library.get(article_id)
            assert stored is not None and stored.full_body and stored.body_state is BodyState.FULL


def test_a_link_to_a_file_that_is_no_page_keeps_the_summary() -> None:
    # An entry's link to a PDF, an image, or any binary file (whatever its Content-Type):
    # its bytes were "extracted" into a full text of mojibake that replaced the summary;
    # a link to a feed gave the feed's XML flattened into one paragraph.
    import os

    import pytest
    from support.sync_fakes import FakeServer, Reply

    from reader.core.errors import FetchError
    from reader.ingest.pages import fetch_full_article
    from reader.sources.http import make_client

    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + os.urandom(20_000)
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item>'
            b"<title>One</title><description>Body</description></item></channel></rss>")
    page = (b"<html><head><title>T</title></head><body><article><p>" + b"Words of it. " * 40
            + b"</p></article></body></html>")
    answers = {
        "/paper.pdf": Reply(200, pdf, {"Content-Type": "application/pdf"}),
        "/labelled.html": Reply(200, os.urandom(20_000), {"Content-Type": "text/html"}),
        "/feed.xml": Reply(200, feed, {"Content-Type": "application/rss+xml"}),
        "/page.html": Reply(200, page, {"Content-Type": "text/html"}),
    }
    server = FakeServer(lambda request: answers[request.path])

    async def full(path: str) -> str:
        async with make_client() as client:
            body, _ = await fetch_full_article(client, server.url + path.lstrip("/"))
            return body

    try:
        for path, why in (("/paper.pdf", "a binary file"), ("/labelled.html", "a binary file"),
                          ("/feed.xml", "a feed")):
            with pytest.raises(FetchError) as caught:
                asyncio.run(full(path))
            assert str(caught.value) == f"{why}, not a web page"
        assert "Words of it." in asyncio.run(full("/page.html"))
    finally:
        server.close()
