"""Articles as plain data: the JSON objects of ``reader dump`` and Markdown with front matter.

Shared by ``reader dump``, ``reader list/search --json`` and the TUI's "save as Markdown".
"""

from __future__ import annotations

import json
import re
from typing import Any

from reader.core.dates import isoformat
from reader.core.models import Article
from reader.core.sanitize import (
    escape_raw_html,
    may_hold_raw_html,
    redact_password,
    strip_controls,
)


def article_json(article: Article) -> dict[str, Any]:
    """The fields every JSON output carries for an article."""
    return {
        "source": redact_password(article.source),
        "title": article.title,
        "author": article.author,
        "url": redact_password(article.url) if article.url else article.url,
        "published": isoformat(article.published),
        "body": article.body,
    }


def _yaml_scalar(value: str | None) -> str:
    # JSON strings are valid YAML scalars and need no escaping rules of our own. "<" is
    # written \u003c, which YAML reads back as "<": a renderer that does not know front
    # matter, and shows it as a paragraph, then finds no HTML in it either. U+FFFE and
    # U+FFFF are no characters a YAML stream may hold: written as escapes, they read back.
    if value is None:
        return "null"
    scalar = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
    # and "[" as \u005b where it could open a link ("[x](javascript:...)" in a title)
    if "](" in scalar or "]:" in scalar:
        scalar = scalar.replace("[", "\\u005b")
    if "\ufffe" in scalar or "\uffff" in scalar:
        scalar = scalar.replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    return scalar


def article_markdown(article: Article, *, body: str | None = None) -> str:
    """Markdown with a YAML front matter header: title, author, published, url, source.

    Nothing in it is raw HTML a Markdown renderer would run: the title is written as text,
    and a body that holds some (a Markdown file kept as written, a body stored by an older
    version) has it escaped (see :func:`without_raw_html`).
    """
    lines = [
        "---",
        f"title: {_yaml_scalar(article.title)}",
        f"author: {_yaml_scalar(article.author)}",
        f"published: {_yaml_scalar(isoformat(article.published))}",
        f"url: {_yaml_scalar(redact_password(article.url) if article.url else None)}",
        f"source: {_yaml_scalar(redact_password(article.source))}",
        "---",
        "",
    ]
    if article.title:
        lines += [f"# {without_unsafe_links(escape_raw_html(article.title))}", ""]
    text = without_raw_html(strip_controls(body if body is not None else article.body).strip())
    text = without_unsafe_links(text)
    if article.enclosures:
        text += "\n\n## Attachments\n\n" + "\n".join(
            f"- <{_autolink(url)}>" for url in article.enclosures)
    return strip_controls("\n".join(lines) + text + "\n")


# Where a link, an image, a link reference definition or an autolink names its address by
# a scheme: "](javascript:", "[x]: data:", "<file:...>".
# possessive spaces: with two plain \s* around the optional "<", a long run of spaces after
# "](" was split every way before failing (20,000 spaces: 5 s)
_SCHEME = r"\s*+\\?<?\s*+([A-Za-z][A-Za-z0-9+.-]{0,31}):"
_INLINE_LINK = re.compile(r"(?<!\\)\](?=\(" + _SCHEME + ")")
_DEFINITION = re.compile(r"(?m)^( {0,3}\[(?:[^\]\\\n]|\\.)*)\](?=:" + _SCHEME + ")")
_AUTOLINK = re.compile(r"(?<!\\)<(?=([A-Za-z][A-Za-z0-9+.-]{1,31}):[^\s<>]*>)")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def without_unsafe_links(markdown: str) -> str:
    """Markdown in which no link or image goes to an address other than http(s) or mailto.

    An article's text may spell "[click](javascript:alert(1))": the reader shows it as
    the words it is, and so must any other Markdown renderer the saved file is opened in.
    The bracket (or the autolink's "<") that would make it a link is escaped.
    """
    if "](" not in markdown and "]:" not in markdown and "<" not in markdown:
        return markdown

    def escaped(match: re.Match[str]) -> str:
        scheme = match.group(match.lastindex or 0).lower()
        found = match.group()
        return found if scheme in _LINK_SCHEMES else found[:-1] + "\\" + found[-1]

    markdown = _INLINE_LINK.sub(escaped, markdown)
    markdown = _DEFINITION.sub(escaped, markdown)
    return _AUTOLINK.sub(escaped, markdown)


def _autolink(url: str) -> str:
    # An autolink ends at the first ">" and holds no "<" or space: those are percent-encoded.
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")


# Backtick runs, for finding code spans on a line (raw HTML is not HTML inside them).
_BACKTICKS = re.compile(r"`+")
_MAX_PASSES = 3


def without_raw_html(markdown: str) -> str:
    """Markdown with every piece of raw HTML escaped, so a renderer shows it as text.

    A CommonMark parser finds the lines that hold raw HTML; there each ``<`` that opens a
    tag is escaped, except inside code spans, and the result is parsed again. Should a
    line still hold HTML after a few passes, every ``<`` in those lines is escaped.
    """
    if not may_hold_raw_html(markdown):
        return markdown
    from reader.core.commonmark import commonmark_parser

    # (one that keeps the lines nested past its limit: their HTML is raw HTML too)
    parser = commonmark_parser()
    for attempt in range(_MAX_PASSES + 1):
        lines = _raw_html_lines(parser, markdown)
        if not lines:
            return markdown
        rows = markdown.split("\n")
        for index in lines:
            if index < len(rows):
                rows[index] = (escape_raw_html(rows[index], references=False)
                               if attempt == _MAX_PASSES else _escape_outside_code(rows[index]))
        markdown = "\n".join(rows)
    return markdown


def _raw_html_lines(parser: Any, markdown: str) -> set[int]:
    lines: set[int] = set()
    for token in parser.parse(markdown):
        if not token.map:
            continue
        html = token.type == "html_block" or (token.type == "inline" and any(
            child.type == "html_inline" for child in token.children or ()))
        if html:
            lines.update(range(token.map[0], token.map[1]))
    return lines


def _escape_outside_code(line: str) -> str:
    """The tags of a line escaped (``escape_raw_html``), its code spans (`...`) left as they
    are; character references stay: in a Markdown file they were meant."""
    out: list[str] = []
    pos = 0
    runs = list(_BACKTICKS.finditer(line))
    index = 0
    while index < len(runs):
        opening = runs[index]
        closing = next((r for r in runs[index + 1:] if len(r.group()) == len(opening.group())),
                       None)
        if closing is None:
            index += 1
            continue
        out += [escape_raw_html(line[pos : opening.start()], references=False),
                line[opening.start() : closing.end()]]
        pos = closing.end()
        index = runs.index(closing) + 1
    out.append(escape_raw_html(line[pos:], references=False))
    return "".join(out)


_STEM_BYTES = 200  # file systems allow 255 bytes a name; room for "-NN.md"


def file_stem(title: str | None) -> str:
    """A file name from a title: letters, digits and dashes, at most 80 characters and
    200 bytes in UTF-8 (80 letters of 𝐁𝐨𝐥𝐝 are 320)."""
    stem = re.sub(r"[^\w]+", "-", (title or "article").casefold()).strip("-_")[:80]
    while len(stem.encode("utf-8")) > _STEM_BYTES:
        stem = stem[:-1]
    return stem.strip("-_") or "article"
