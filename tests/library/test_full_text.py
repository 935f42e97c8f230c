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
