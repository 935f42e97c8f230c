"""Golden fixtures: a feed file next to what the loader must make of it (tests/fixtures/sources)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.paths import FIXTURES

from reader.core.models import Article
from reader.ingest.load import load_path

FIXTURES = FIXTURES / "sources"
CASES = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".json")


def as_json(article: Article) -> dict[str, Any]:
    return {
        "key": article.key,
        "title": article.title,
        "author": article.author,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "body": article.body,
        "body_state": article.body_state.value,
        "enclosures": list(article.enclosures),
        "feed_title": article.feed_title,
        "kind": article.kind.value,
    }


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_golden(path: Path) -> None:
    result = load_path(path, source=path.name)
    assert result.error is None and result.warnings == ()
    expected = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    assert [as_json(a) for a in result.articles] == expected
    assert {a.source for a in result.articles} == {path.name}
