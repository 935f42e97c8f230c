"""Articles as plain data: the JSON objects of ``reader dump`` and Markdown with front matter.

Shared by ``reader dump``, ``reader list/search --json`` and the TUI's "save as Markdown".
"""

from __future__ import annotations

import json
import re
from typing import Any

from reader.core.dates import isoformat
from reader.core.models import Article
from reader.core.sanitize import strip_controls


def article_json(article: Article) -> dict[str, Any]:
    """The fields every JSON output carries for an article."""
    return {
        "source": article.source,
        "title": article.title,
        "author": article.author,
        "url": article.url,
        "published": isoformat(article.published),
        "body": article.body,
    }


def _yaml_scalar(value: str | None) -> str:
    # JSON strings are valid YAML scalars and need no escaping rules of our own.
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def article_markdown(article: Article, *, body: str | None = None) -> str:
    """Markdown with a YAML front matter header: title, author, published, url, source."""
    lines = [
        "---",
        f"title: {_yaml_scalar(article.title)}",
        f"author: {_yaml_scalar(article.author)}",
        f"published: {_yaml_scalar(isoformat(article.published))}",
        f"url: {_yaml_scalar(article.url)}",
        f"source: {_yaml_scalar(article.source)}",
        "---",
        "",
    ]
    if article.title:
        lines += [f"# {article.title}", ""]
    text = (body if body is not None else article.body).strip()
    if article.enclosures:
        text += "\n\n## Attachments\n\n" + "\n".join(f"- <{url}>" for url in article.enclosures)
    return strip_controls("\n".join(lines) + text + "\n")


def article_text(article: Article, *, body: str | None = None) -> str:
    """A plain reading of one article for terminals and pipes."""
    head = [article.title or "(untitled)"]
    meta = " · ".join(
        part for part in (article.feed_title or article.source, article.author,
                          isoformat(article.published)) if part
    )
    head.append(meta)
    if article.url:
        head.append(article.url)
    text = "\n".join(head) + "\n\n" + (body if body is not None else article.body).strip() + "\n"
    return strip_controls(text)


def file_stem(title: str | None) -> str:
    """A file name from a title: letters, digits and dashes, at most 80 characters."""
    stem = re.sub(r"[^\w]+", "-", (title or "article").casefold()).strip("-_")
    return stem[:80].strip("-_") or "article"
