"""``reader dump``: the cleaned articles of some sources on stdout, for scripts.

Exit status: 0 when every source loaded (warnings included), 1 when a source could not
be loaded at all, 2 for a usage error (argparse). Every message is one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from reader.core.models import Article, BodyState, LoadResult
from reader.core.sanitize import clean_line
from reader.formats import article_json, article_markdown, article_text


def run_dump(args: argparse.Namespace) -> int:
    from reader.ingest.specs import load_specs

    failed = False
    articles: list[Article] = []
    for result in load_specs(args.sources):
        failed |= _report(result)
        articles.extend(result.articles)
    if args.full:
        articles = fetch_full_texts(articles)
    write_articles(articles, args.format, sys.stdout)
    return 1 if failed else 0


def _report(result: LoadResult) -> bool:
    """Print the result's warnings and error on stderr; True when the source failed."""
    for warning in result.warnings:
        _say(f"warning: {warning}")
    if result.error:
        _say(f"error: {result.error}")
        return True
    return False


def _say(message: str) -> None:
    sys.stderr.write(f"reader: {clean_line(message) or ''}\n")


def write_articles(articles: Sequence[Article], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump([article_json(a) for a in articles], out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    render = article_markdown if fmt == "markdown" else article_text
    separator = "\n" if fmt == "markdown" else "\n" + "─" * 40 + "\n\n"
    out.write(separator.join(render(a) for a in articles))


def fetch_full_texts(articles: Iterable[Article]) -> list[Article]:
    """Replace summary-only feed entries by their extracted full article (failures kept)."""
    articles = list(articles)
    wanted = [i for i, a in enumerate(articles) if a.body_state is BodyState.SUMMARY and a.url]
    if not wanted:
        return articles
    bodies = asyncio.run(_fetch_bodies([articles[i].url or "" for i in wanted]))
    for index, body in zip(wanted, bodies, strict=True):
        if body is not None:
            articles[index] = dataclasses.replace(
                articles[index], body=body, body_state=BodyState.FULL
            )
    return articles


async def _fetch_bodies(urls: Sequence[str]) -> list[str | None]:
    from reader.core.errors import ReaderError
    from reader.ingest.pages import fetch_full_article
    from reader.sources.http import make_client

    async with make_client() as client:

        async def one(url: str) -> str | None:
            try:
                body, warnings = await fetch_full_article(client, url)
            except ReaderError as error:
                _say(f"warning: full text of {url}: {error}")
                return None
            for warning in warnings:
                _say(f"warning: full text of {url}: {warning}")
            return body

        return list(await asyncio.gather(*(one(url) for url in urls)))
