"""feedparser's own test suite as a conformance suite for the reader.

    python benchmarks/feedparser_conformance.py [--cache DIR] [--failures] [--unmappable]

The source distribution of the installed feedparser (``pip download --no-binary :all:
--no-deps feedparser==VERSION``, kept in the cache directory) holds ~2,200 test feeds, each
with ``Expect:`` lines in a header comment that say what feedparser must make of it. Every
feed is loaded the way the reader loads it (a file through ``load_path``; an ``http_*`` test
through the reader's HTTP client, from a loopback server that sends the test's ``Header:``
lines, as feedparser's own runner does), then:

* each ``Expect:`` check is split at its top-level ``and``; a check that maps onto what the
  reader shows (feed title; an entry's title, link, author, date, body text and links,
  attachments; the number of entries; which charset was read) is compared with it, through
  an oracle of its own (the standard library's HTML parser, never the reader's code);
  every other check is counted under a named group with the reason it cannot map;
* three invariants are checked on every entry of every feed: no lost text (every word of
  feedparser's sanitised body, less what sits inside an element the reader hides on purpose,
  is in the reader's body), no markup in titles (a title is its HTML's text), and no raw HTML
  in the Markdown the reader writes (``reader dump --format markdown``, ``e``), parsed by a
  CommonMark parser.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import collections
import io
import re
import subprocess
import sys
import tarfile
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reader.core.models import Article, LoadResult, SourceKind  # noqa: E402
from reader.formats import article_markdown  # noqa: E402
from reader.ingest.load import load_path, load_urls  # noqa: E402

DEFAULT_CACHE = Path.home() / ".cache" / "reader-benchmarks"
_DESCRIPTION = re.compile(rb"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_SKIP_UNLESS = re.compile(rb"SkipUnless:\s*(.*?)\n")
_HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)
_FEEDPARSER_PORT = "127.0.0.1:8097"
# Elements whose content the reader never shows, closed or not (a browser does not either).
_HIDDEN = frozenset({"script", "style"})
# Elements whose content the reader hides when the document closes them: embedded objects,
# forms and the like. Their text counts as lost only when they were never closed.
_HIDDEN_WHEN_CLOSED = frozenset(
    "iframe object embed noscript template svg math form button select textarea canvas "
    "video audio map applet frame frameset dialog title".split()
)
_BLOCKS = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre table tr td th hr section "
    "article header footer aside nav figure figcaption address center main caption".split()
)
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_IMAGE = re.compile(r"\[image(?::[^\]]*)?\]")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_MARKDOWN = MarkdownIt("commonmark").enable("table")


# -- the suite ----------------------------------------------------------------------------


def suite_root(cache: Path) -> Path:
    """The tests/ folder of the installed feedparser's sdist, downloaded on first use."""
    version = feedparser.__version__
    root = cache / f"feedparser-{version}" / "tests"
    if root.is_dir():
        return root
    cache.mkdir(parents=True, exist_ok=True)
    archive = cache / f"feedparser-{version}.tar.gz"
    if not archive.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:",
             "--no-deps", f"feedparser=={version}", "--dest", str(cache)],
            check=True,
        )
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(f"feedparser-{version}/tests/")]
        tar.extractall(cache, members=members, filter="data")
    return root


def suite_files(root: Path) -> list[Path]:
    """The files feedparser's runtests.py turns into Expect tests."""
    files = set(root.glob("*/*/*.xml"))
    for folder in ("encoding", "illformed", "entities"):
        files.update(root.glob(f"{folder}/*.xml"))
    return sorted(files)


def to_utf8(data: bytes) -> bytes:
    """The header comment's bytes as UTF-8 (the suite's own convert_to_utf8: BOM or pattern)."""
    patterns = (
        (b"\x4c\x6f\xa7\x94", "cp037", 0), (b"\x00\x00\xfe\xff", "utf-32be", 0),
        (b"\xff\xfe\x00\x00", "utf-32le", 0), (b"\x00\x00\x00\x3c", "utf-32be", 0),
        (b"\x3c\x00\x00\x00", "utf-32le", 0), (b"\x00\x3c\x00\x3f", "utf-16be", 0),
        (b"\x3c\x00\x3f\x00", "utf-16le", 0), (b"\xfe\xff", "utf-16be", 2),
        (b"\xff\xfe", "utf-16le", 2), (b"\xef\xbb\xbf", "utf-8", 3),
    )
    for prefix, codec, skip in patterns:
        if data.startswith(prefix):
            return data[skip:].decode(codec, "replace").encode("utf-8")
    return data


@dataclass
class Case:
    path: Path
    name: str  # relative to the suite's root
    expect: str
    headers: dict[str, str]
    url: str | None = None  # set for http_* tests


def read_cases(root: Path) -> tuple[list[Case], int]:
    cases: list[Case] = []
    skipped = 0
    for path in suite_files(root):
        raw = path.read_bytes()
        data = to_utf8(raw) if "encoding" in path.parts else raw
        found = _DESCRIPTION.search(data)
        if found is None:
            continue
        skip = _SKIP_UNLESS.search(data)
        if skip is not None:
            try:
                if not eval(skip.group(1).strip(), {"feedparser": feedparser}):  # noqa: S307
                    raise LookupError
            except (ImportError, LookupError, AttributeError):
                skipped += 1
                continue
        headers = {k.decode().strip(): v.decode().strip() for k, v in _HEADER.findall(data)}
        name = path.relative_to(root).as_posix()
        cases.append(Case(path, name, found.group(2).strip().decode("utf-8"), headers))
    return cases, skipped


# -- a loopback server for the http_* tests --------------------------------------------------


class _Handler(SimpleHTTPRequestHandler):
    def send_head(self) -> Any:  # the suite's runtests.py: Header: lines become headers
        path = Path(self.translate_path(self.path))
        data = path.read_bytes()
        headers = {k.decode().strip(): v.decode().strip() for k, v in _HEADER.findall(data)}
        self.send_response(int(headers.pop("Status", 200)))
        self.send_header("Content-type", headers.pop("Content-type", "application/xml"))
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, *args: Any) -> None:
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    def handler(*args: Any) -> _Handler:
        return _Handler(*args, directory=str(directory))

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"127.0.0.1:{server.server_address[1]}"


# -- the oracle: HTML as text, with the standard library's parser ---------------------------


class _TextOf(HTMLParser):
    def __init__(self, hidden: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_tags = hidden
        self.parts: list[str] = []
        self.links: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.hidden_tags:
            self.depth += 1
        if tag in _BLOCKS:
            self.parts.append(" ")
        if tag == "a" and not self.depth:
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.hidden_tags and self.depth:
            self.depth -= 1
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def html_text(html: str, *, hidden: frozenset[str] = _HIDDEN) -> tuple[str, list[str]]:
    """The text of an HTML fragment (scripts and styles hidden) and its links' targets."""
    parser = _TextOf(hidden)
    parser.feed(html)
    parser.close()
    return "".join(parser.parts), parser.links


def _shown(text: str) -> str:
    """Text as compared: Unicode composed; controls and invisible format characters (zero
    widths, soft hyphens, bidi marks: the reader drops the last from one-line fields) gone."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    return "".join(ch for ch in text
                   if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cf"))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_shown(text))


def markdown_text(markdown: str) -> tuple[str, list[str], list[str]]:
    """What a CommonMark renderer shows of Markdown: its text, its links, its raw HTML."""
    parts: list[str] = []
    links: list[str] = []
    raw: list[str] = []
    for token in _MARKDOWN.parse(markdown):
        if token.type in ("fence", "code_block"):
            parts.append(" " + token.content + " ")
        elif token.type == "html_block":
            raw.append(token.content)
        elif token.type == "inline":
            for child in token.children or ():
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append(" ")
                elif child.type == "html_inline":
                    raw.append(child.content)
                elif child.type == "link_open":
                    links.append(str(child.attrs.get("href", "")))
        elif token.type.endswith("_close") or token.type.endswith("_open"):
            parts.append(" ")
    return _IMAGE.sub(" ", "".join(parts)), links, raw


# What a browser never displays: read by the HTML5 referee below.
_NOT_DISPLAYED = frozenset(
    "head script style template iframe noembed noframes noscript svg:title svg:desc".split())


def html5_text(html: str) -> str | None:
    """What a browser displays of an HTML fragment, as html5lib (the WHATWG parsing
    algorithm) reads it; None when html5lib is not installed."""
    try:
        import html5lib
    except ImportError:
        return None
    root = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    parts: list[str] = []

    def walk(element: Any, parent_tag: str) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        name = tag.rsplit("}", 1)[-1]
        svg = tag.startswith("{http://www.w3.org/2000/svg}")
        hidden = name in _NOT_DISPLAYED and not svg or svg and f"svg:{name}" in _NOT_DISPLAYED
        if not tag or hidden:
            if element.tail:
                parts.append(element.tail)
            return
        if name in _BLOCKS:
            parts.append(" ")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child, name)
        if name in _BLOCKS:
            parts.append(" ")
        if element.tail:
            parts.append(element.tail)

    walk(root, "")
    return "".join(parts)


def same_links(expected: list[str], shown: list[str]) -> bool:
    wanted = [unquote(u) for u in expected if urlsplit(u).scheme in ("http", "https")]
    return wanted == [unquote(u) for u in shown]


# -- mapping Expect checks onto what the reader shows ---------------------------------------


@dataclass
class Loaded:
    case: Case
    result: LoadResult
    parsed: Any  # feedparser's result, as its own tests see it
    raw: Any  # feedparser's result unsanitised, unresolved: what the reader reads


@dataclass
class Tally:
    agreed: int = 0
    disagreed: list[tuple[str, str, str]] = field(default_factory=list)
    # disagreements where the reader shows what an HTML5 parser shows of the source
    html5: list[str] = field(default_factory=list)
    unmappable: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    invariants: dict[str, list[str]] = field(
        default_factory=lambda: {"lost text": [], "markup in a title": [],
                                 "raw HTML in Markdown": []})


# Why a group of checks cannot map onto anything the reader shows. Groups are named by
# the field checked, with indices as N; the reasons are shared by families of fields.
WELL_FORMED = ("feedparser's well-formedness flag: the reader reads what it can of any "
               "document and says so in a warning; it shows no flag")
HOW_FETCHED = "how the document was fetched or declared, not what it says: not shown"
FEED_META = ("feed metadata the reader does not show (of a feed it shows the title; of "
             "an entry, title, author, date, link, body and attachments)")
ENTRY_META = ("entry metadata the reader does not show (it shows an entry's title, author, "
              "date, link, body and attachments)")
DECLARED = ("a declared language or content type: the type decides how the text is read, "
            "which the text checks test; neither is shown")
ENTRY_ID = "an entry's id is the reader's key for it, never shown"
PERSON = "a person's email and web address are not shown; the reader shows an author's name"
TITLE_BASE = "a title shows no links, so its base changes nothing shown"
_PLAIN_KEYS = frozenset({"bozo", "bozo_exception", "encoding", "version", "headers", "href",
                         "status", "etag", "modified", "namespaces", "locals"})
_ENTRY_SHOWN = frozenset({"title", "title_detail", "link", "author", "author_detail",
                          "published", "published_parsed", "updated", "updated_parsed",
                          "created", "created_parsed", "description", "summary",
                          "summary_detail", "content", "enclosures", "links"})


class Unmappable(Exception):
    def __init__(self, group: str, reason: str) -> None:
        super().__init__(group)
        self.group, self.reason = group, reason


def unmappable(path: tuple[str | int, ...]) -> Unmappable:
    """The group and reason for a check on a field the reader does not show."""
    if str(path[0]).endswith("()") and len(path) > 1:  # len(feed['tags']): about the field
        return unmappable(path[1:])
    head = str(path[0])
    if head in ("bozo", "bozo_exception"):
        return Unmappable("bozo", WELL_FORMED)
    if head in _PLAIN_KEYS:
        return Unmappable(head, HOW_FETCHED)
    keys = [p for p in path[1:] if isinstance(p, str)]
    top = keys[0] if keys else ""
    where = "feed" if head == "feed" else "entries[N]"
    last = keys[-1] if keys else ""
    if last in ("language", "type") and top.endswith("_detail"):
        return Unmappable(f"{where}[*_detail]['{last}']", DECLARED)
    if last in ("language", "type") and top == "content":
        return Unmappable(f"{where}['content'][N]['{last}']", DECLARED)
    if top in ("author_detail", "authors", "contributors", "publisher_detail") and last in (
            "email", "href", "url"):
        return Unmappable(f"{where}[person]['{last}']", PERSON)
    if top == "title_detail" and last == "base":
        return Unmappable(f"{where}['title_detail']['base']", TITLE_BASE)
    if head == "entries" and top in ("id", "guid", "guidislink"):
        return Unmappable(f"entries[N]['{top}']", ENTRY_ID)
    name = top.removesuffix("_detail").removesuffix("_parsed")
    return Unmappable(f"{where}['{name}']", FEED_META if head == "feed" else ENTRY_META)


def _path(node: ast.AST) -> tuple[str | int, ...]:
    """entries[0]['title'] -> ('entries', 0, 'title'); raises Unmappable on other shapes."""
    parts: list[str | int] = []
    while True:
        if isinstance(node, ast.Attribute):  # feed.title is feed['title']
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            parts.append(node.slice.value)
            node = node.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and node.args
              and isinstance(node.args[0], ast.Constant)):  # x.get('k') is x['k']
            parts.append(node.args[0].value)
            node = node.func.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            # len(x), ord(x): the function first
            return (f"{node.func.id}()", *_path(node.args[0]), *reversed(parts))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            parts.append(node.func.id)
            break
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        else:
            raise Unmappable(ast.unparse(node)[:60], "not a field of the result")
    path = tuple(reversed(parts))
    return path


def _group(path: tuple[str | int, ...]) -> str:
    head, *rest = path
    return str(head) + "".join("[N]" if isinstance(p, int) else f"[{p!r}]" for p in rest)


class Mapper:
    """Turns one Expect check into a comparison with what the reader shows."""

    def __init__(self, loaded: Loaded, port: str) -> None:
        self.loaded = loaded
        self.port = port
        # (the HTML the reader read, the text it shows) of the last text check, if HTML
        self.source: tuple[str | None, str] = (None, "")

    def html5_agrees(self) -> bool:
        """Whether the reader shows what HTML's parsing rules show of the source read."""
        html, shown = self.source
        if html is None:
            return False
        text = html5_text(html)
        return text is not None and tokens(text) == tokens(shown)

    def expected(self, node: ast.AST) -> Any:
        value = eval(compile(ast.Expression(node), "<expect>", "eval"), {})  # noqa: S307
        if isinstance(value, str):
            value = value.replace(_FEEDPARSER_PORT, self.port)
        return value

    def check(self, node: ast.AST) -> tuple[bool, str]:
        """(agreed, what the reader shows); raises Unmappable."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            raise unmappable(_path(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                node.func.id == "isinstance"):
            raise unmappable(_path(node.args[0]))
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            raise unmappable(_path(node))
        if isinstance(node.ops[0], (ast.In, ast.NotIn)):  # 'key' in feed: a key's presence
            key = node.left.value if isinstance(node.left, ast.Constant) else "?"
            raise unmappable((*_path(node.comparators[0]), str(key)))
        path = _path(node.left)
        if not isinstance(node.ops[0], ast.Eq):  # "is None", "is False"
            raise unmappable(path)
        try:
            want = self.expected(node.comparators[0])
        except NameError:  # compares two fields of the result
            raise unmappable(path) from None
        if path[0] == "ord()" and isinstance(want, int):
            path, want = path[1:], chr(want)
        return self.compare(path, want)

    def compare(self, path: tuple[str | int, ...], want: Any) -> tuple[bool, str]:
        result, raw = self.loaded.result, self.loaded.raw
        head = path[0]
        if head == "encoding":
            return self._decoded()
        if head == "version":
            if not want:
                raise Unmappable("version == ''", "the version of a document that is not a "
                                 "feed: the reader does not show one")
            ok = result.error is None and result.kind is SourceKind.FEED
            return ok, f"kind={result.kind} error={result.error}"
        if head == "len()" and path[1:] == ("entries",):
            return len(result.articles) == want, str(len(result.articles))
        if head == "feed":
            if path[1:] in (("title",), ("title_detail", "value")):
                return self._title(result.title, want, self.loaded.parsed.feed.get("title_detail"),
                                   raw.feed.get("title"))
            raise unmappable(path)
        if head == "entries" and len(path) >= 3 and isinstance(path[1], int):
            index, rest = path[1], path[2:]
            entries = raw.entries
            if len(result.articles) != len(entries):
                raise Unmappable("entries of a feed whose entries the reader merged",
                                 "entries sharing an id are one article to the reader")
            if index >= len(result.articles):
                return False, f"no article {index}"
            return self._entry(path, result.articles[index], self.loaded.parsed.entries[index],
                               entries[index], rest, want)
        raise unmappable(path)

    def _decoded(self) -> tuple[bool, str]:
        result, parsed = self.loaded.result, self.loaded.parsed
        if result.error is not None:
            return False, result.error
        title = parsed.feed.get("title")
        if title is not None and _squash(result.title or "") != _squash(_title_text(
                title, parsed.feed.get("title_detail"))):
            return False, f"feed title {result.title!r}"
        return True, "decoded as feedparser decodes it"

    def _title(self, shown: str | None, want: str, detail: Any, raw: Any = None) -> tuple[
            bool, str]:
        expected = _title_text(want, detail)
        if isinstance(raw, str) and "html" in str(getattr(detail, "get", dict().get)("type", "")):
            self.source = (raw, shown or "")
            _refuse_script_code(raw, expected)
        return _squash(shown or "") == _squash(expected), repr(shown)

    def _entry(self, path: tuple[str | int, ...], article: Article, parsed: Any, raw: Any,
               rest: tuple[str | int, ...], want: Any) -> tuple[bool, str]:
        field_name = rest[0]
        if rest in (("title",), ("title_detail", "value")):
            return self._title(article.title, want, parsed.get("title_detail"), raw.get("title"))
        if rest == ("link",):
            return article.url == want, repr(article.url)
        if rest in (("author",), ("author_detail", "name")):
            name = want
            detail = parsed.get("author_detail") or {}
            if rest == ("author",) and want == parsed.get("author") and detail.get("name"):
                name = detail["name"]  # the reader shows the name, not "name (email)"
            return _squash(article.author or "") == _squash(name), repr(article.author)
        if isinstance(field_name, str) and field_name.removesuffix("_parsed") in (
                "published", "updated", "created"):
            return self._date(path, article, raw, field_name, want)
        if rest[:1] == ("enclosures",) and len(rest) >= 2:
            if rest[2:] in (("href",), ("url",)):
                return want in article.enclosures, repr(article.enclosures)
            if rest[2:] == () and isinstance(want, dict) and "href" in want:
                return want["href"] in article.enclosures, repr(article.enclosures)
            raise Unmappable("entries[N]['enclosures'][N] (length, type)",
                             "an attachment's size and type are not shown")
        if rest[:1] == ("links",) and len(rest) == 3 and rest[2] == "href":
            link = parsed.links[rest[1]] if rest[1] < len(parsed.get("links", ())) else {}
            if link.get("rel") == "enclosure":
                return want in article.enclosures, repr(article.enclosures)
            if link.get("href") == parsed.get("link"):
                return article.url == want, repr(article.url)
            raise Unmappable("entries[N]['links'] (not the entry's link or an attachment)",
                             "an entry's other links (related, via, self...) are not shown")
        body_field = _body_field(rest)
        if body_field is not None:
            return self._body(path, article, raw, body_field, rest, want)
        raise unmappable(path)

    def _date(self, path: tuple[str | int, ...], article: Article, raw: Any, field_name: str,
              want: Any) -> tuple[bool, str]:
        base = field_name.removesuffix("_parsed")
        shown_field = next((f for f in ("published", "updated", "created")
                            if raw.get(f"{f}_parsed")), None)
        if shown_field != base:
            raise Unmappable(f"entries[N]['{base}'] beside an earlier date",
                             "the reader shows one date: published, else updated, else created")
        if isinstance(want, str):
            stamp = feedparser.datetimes._parse_date(want)
            want = tuple(stamp) if stamp else None
        if article.published is None or want is None:
            return article.published is None and want is None, repr(article.published)
        when = article.published
        if when.tzinfo is not None:
            when = when.astimezone(UTC)
        return tuple(when.timetuple())[:6] == tuple(want)[:6], when.isoformat()

    def _body(self, path: tuple[str | int, ...], article: Article, raw: Any,
              body_field: tuple[str, int], rest: tuple[str | int, ...],
              want: Any) -> tuple[bool, str]:
        chosen = _chosen_body(raw)
        if chosen is None or not _same_candidate(raw, chosen, body_field):
            raise Unmappable(f"entries[N]['{body_field[0]}'] beside a longer body",
                             "the reader shows the longest of an entry's content and summary")
        candidate = _candidate(raw, body_field)
        kind = candidate[1] if candidate else ""
        shown_text, shown_links, _ = markdown_text(article.body)
        self.source = (candidate[0] if "html" in kind or "xml" in kind else None, shown_text)
        if rest[-1] == "base":
            relative = [h for h in html_text(candidate[0])[1] if not urlsplit(h).scheme]
            if not relative or "html" not in kind:
                raise Unmappable(f"{_group(path)} (of a body with no relative link)",
                                 "nothing the reader shows depends on the base")
            wanted = [urljoin(want, href) for href in relative]
            return all(u in shown_links for u in wanted), repr(shown_links)
        if rest[-1] in ("type", "language"):
            raise unmappable(path)
        if "html" in kind or "xml" in kind:
            text, links = html_text(want)
            _refuse_script_code(candidate[0] if candidate else "", text)
        else:
            text, links = want, []
        ok = tokens(text) == tokens(shown_text) and same_links(links, shown_links)
        return ok, repr(article.body[:300])


SCRIPT_AS_TEXT = ("the expectation shows a <script>'s code as text, as feedparser's sanitiser "
                  "leaves it (the *_crazy tests); issue 15 asks that a title show no script "
                  "code, and no browser shows it in a body")


def _refuse_script_code(source: str, expected: str) -> None:
    """Raise Unmappable when the expected text holds words found only in the source's
    scripts: the check asks the reader to show code."""
    visible = _words(html_text(source)[0])
    code = _words(html_text(source, hidden=frozenset({"style"}))[0]) - visible
    if code and (_words(expected) - visible) & code:
        raise Unmappable("a text check expecting a script's code", SCRIPT_AS_TEXT)


def _squash(text: str) -> str:
    return " ".join(_shown(text).split())


def _title_text(value: str, detail: Any) -> str:
    kind = str(detail.get("type", "")) if isinstance(detail, dict) else ""
    return html_text(value)[0] if "html" in kind else value


def _body_field(rest: tuple[str | int, ...]) -> tuple[str, int] | None:
    """('content', 0) or ('summary', 0) for the paths of an entry's body; else None."""
    if rest[0] in ("description", "summary") and len(rest) == 1:
        return ("summary", 0)
    if rest[0] in ("summary_detail",) and rest[1:] in (("value",), ("base",), ("type",),
                                                        ("language",)):
        return ("summary", 0)
    if rest[0] == "content" and len(rest) == 3 and isinstance(rest[1], int) and rest[2] in (
            "value", "base", "type", "language"):
        return ("content", rest[1])
    return None


def _candidates(raw: Any) -> list[tuple[str, str, tuple[str, int]]]:
    """The reader's rule (reader.sources.feeds._body): content[] then summary."""
    out = []
    for index, content in enumerate(raw.get("content") or ()):
        if isinstance(content.get("value"), str):
            out.append((content["value"], str(content.get("type", "")), ("content", index)))
    summary = raw.get("summary")
    if summary:
        detail = raw.get("summary_detail") or {}
        out.append((summary, str(detail.get("type", "text/html")), ("summary", 0)))
    return out


def _chosen_body(raw: Any) -> tuple[str, str, tuple[str, int]] | None:
    candidates = _candidates(raw)
    return max(candidates, key=lambda c: len(c[0])) if candidates else None


def _candidate(raw: Any, which: tuple[str, int]) -> tuple[str, str, tuple[str, int]] | None:
    return next((c for c in _candidates(raw) if c[2] == which), None)


def _same_candidate(raw: Any, chosen: tuple[str, str, tuple[str, int]],
                    which: tuple[str, int]) -> bool:
    other = _candidate(raw, which)
    return other is not None and other[0] == chosen[0]


# -- invariants ---------------------------------------------------------------------------


_CLOSED = re.compile(r"<(" + "|".join(sorted(_HIDDEN_WHEN_CLOSED)) + r")\b[^>]*>.*?</\1\s*>",
                     re.I | re.S)


def lost_words(raw_entry: Any, article: Article) -> list[str]:
    """Words of the entry's body a browser would show and the reader's body lacks.

    What a browser shows is read by html5lib when it is installed (HTML's own parsing
    rules), else from feedparser's sanitised body (it keeps text, drops scripts); text
    inside an element the reader hides on purpose when the document closes it (an
    object's fallback, a form's controls...) does not count.
    """
    chosen = _chosen_body(raw_entry)
    if chosen is None:
        return []
    value, kind, _ = chosen
    if "html" not in kind and "xml" not in kind:
        expected = _words(value)
    else:
        shown_by_browser = html5_text(value)
        if shown_by_browser is None:
            shown_by_browser = html_text(
                feedparser.sanitizer._sanitize_html(value, "utf-8", "text/html"))[0]
        expected = _words(shown_by_browser)
        for hidden in _CLOSED.finditer(value):
            expected.subtract(_words(html_text(hidden.group(0), hidden=frozenset())[0]))
    shown = _words(markdown_text(article.body)[0])
    return sorted((+expected - shown).elements())


def _words(text: str) -> collections.Counter[str]:
    return collections.Counter(w.lower() for w in re.findall(r"\w+", _shown(text)))


def title_markup(title: str | None, value: Any, detail: Any) -> bool:
    """Whether a shown title differs from the text its HTML shows (by HTML's parsing rules
    when html5lib is installed): a tag, a comment or script code left in it."""
    if not isinstance(value, str):
        return False
    kind = str(detail.get("type", "")) if isinstance(detail, dict) else ""
    if "html" in kind:
        text = html5_text(value)
        if text is not None:
            return tokens(title or "") != tokens(text)
    return tokens(title or "") != tokens(_title_text(value, detail))


def raw_html(article: Article) -> list[str]:
    """Raw HTML a CommonMark renderer would find in the Markdown the reader writes."""
    markdown = article_markdown(article)
    return markdown_text(markdown)[2]


# -- running ------------------------------------------------------------------------------


def load_all(cases: list[Case], root: Path) -> Iterator[Loaded]:
    server, port = serve(root.parent)
    try:
        http_cases = [c for c in cases if "http" in c.name]
        for case in http_cases:
            case.url = f"http://{port}/tests/{case.name}"
        results = asyncio.run(load_urls([c.url for c in http_cases if c.url], None))
        by_url = dict(zip([c.url for c in http_cases], results, strict=True))
        for case in cases:
            source = case.url or str(case.path)
            result = by_url[case.url] if case.url else load_path(case.path)
            parsed = feedparser.parse(source)
            raw = feedparser.parse(source, sanitize_html=False, resolve_relative_uris=False)
            yield Loaded(case, result, parsed, raw)
    finally:
        server.shutdown()


def split_and(node: ast.AST) -> list[ast.AST]:
    """The checks of ``a and b == c == 'x'``: a, b == 'x', c == 'x'."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [atom for value in node.values for atom in split_and(value)]
    if (isinstance(node, ast.Compare) and len(node.ops) > 1
            and all(isinstance(op, ast.Eq) for op in node.ops)):
        last = node.comparators[-1]
        return [ast.Compare(left, [ast.Eq()], [last])
                for left in (node.left, *node.comparators[:-1])]
    return [node]


def run(cases: list[Case], root: Path) -> tuple[Tally, int]:
    tally = Tally()
    port = ""
    files = 0
    for loaded in load_all(cases, root):
        files += 1
        case = loaded.case
        if case.url:
            port = urlsplit(case.url).netloc
        mapper = Mapper(loaded, port or _FEEDPARSER_PORT)
        tree = ast.parse(case.expect, mode="eval").body
        if isinstance(tree, ast.Constant):  # "Expect: 1": the test expects nothing
            _invariants(loaded, tally)
            continue
        alternatives = tree.values if isinstance(tree, ast.BoolOp) and isinstance(
            tree.op, ast.Or) else [tree]
        outcomes: list[list[tuple[bool, str, str]]] = []
        for alternative in alternatives:
            checks = []
            for atom in split_and(alternative):
                mapper.source = (None, "")
                try:
                    agreed, shown = mapper.check(atom)
                except Unmappable as skip:
                    if len(alternatives) == 1:
                        tally.unmappable[(skip.group, skip.reason)] += 1
                    continue
                if not agreed and mapper.html5_agrees():
                    tally.html5.append(case.name)
                checks.append((agreed, ast.unparse(atom), shown))
            outcomes.append(checks)
        if len(alternatives) == 1:  # each check of an "a and b and c" counts
            for agreed, check, shown in outcomes[0]:
                if agreed:
                    tally.agreed += 1
                else:
                    tally.disagreed.append((case.name, check, shown))
        elif any(outcomes):  # "a or b": one check, agreed when one side is
            if any(c and all(ok for ok, _, _ in c) for c in outcomes):
                tally.agreed += 1
            else:
                first = next(x for c in outcomes for x in c if not x[0])
                tally.disagreed.append((case.name, first[1], first[2]))
        _invariants(loaded, tally)
    return tally, files


def _invariants(loaded: Loaded, tally: Tally) -> None:
    result, raw, name = loaded.result, loaded.raw, loaded.case.name
    if raw.feed.get("title") is not None and result.error is None and title_markup(
            result.title, raw.feed.get("title"), raw.feed.get("title_detail")):
        tally.invariants["markup in a title"].append(f"{name}: feed title {result.title!r}")
    aligned = len(result.articles) == len(raw.entries)
    for index, article in enumerate(result.articles):
        if aligned:
            entry = raw.entries[index]
            lost = lost_words(entry, article)
            if lost:
                tally.invariants["lost text"].append(f"{name}: entry {index} lacks {lost[:8]}")
            if title_markup(article.title, entry.get("title"), entry.get("title_detail")):
                tally.invariants["markup in a title"].append(
                    f"{name}: entry {index} title {article.title!r}")
        html = raw_html(article)
        if html:
            tally.invariants["raw HTML in Markdown"].append(f"{name}: entry {index} {html[:3]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the sdist is kept (default {DEFAULT_CACHE})")
    parser.add_argument("--failures", action="store_true", help="list every disagreement")
    parser.add_argument("--unmappable", action="store_true", help="list the unmappable groups")
    parser.add_argument("--only", help="only the test files whose path contains this")
    args = parser.parse_args(argv)

    root = suite_root(args.cache)
    cases, skipped = read_cases(root)
    if args.only:
        cases = [c for c in cases if args.only in c.name]
    started = time.perf_counter()
    tally, files = run(cases, root)
    mappable = tally.agreed + len(tally.disagreed)
    print(f"feedparser {feedparser.__version__} test suite: {files} feeds "
          f"({skipped} skipped by their SkipUnless line), {time.perf_counter() - started:.0f} s")
    print(f"Expect checks agreed: {tally.agreed} of {mappable} mappable "
          f"({100 * tally.agreed / max(mappable, 1):.1f}%)")
    if html5_text("<p>x</p>") is None:
        print("(pip install html5lib to have the disagreements refereed by HTML's parsing rules)")
    else:
        both = tally.agreed + len(tally.html5)
        print(f"  of the {len(tally.disagreed)} disagreements, {len(tally.html5)} are where the "
              f"reader shows what HTML's parsing rules (html5lib) show of the markup, and "
              f"feedparser's sanitiser reads it otherwise: {sorted(set(tally.html5))}")
        print(f"  agreed with feedparser or with HTML: {both} of {mappable} "
              f"({100 * both / max(mappable, 1):.1f}%)")
    for invariant, failures in tally.invariants.items():
        print(f"{invariant}: {len(failures)} entries")
        for line in failures[: None if args.failures else 5]:
            print(f"    {line}")
    if args.failures:
        print("disagreements:")
        for name, check, shown in tally.disagreed:
            print(f"  {name}\n    expect: {check[:300]}\n    reader: {shown[:300]}")
    groups = collections.Counter[str]()
    reasons: dict[str, set[str]] = collections.defaultdict(set)
    for (group, reason), count in tally.unmappable.items():
        groups[group] += count
        reasons[group].add(reason)
    print(f"unmappable checks: {sum(groups.values())} in {len(groups)} groups")
    if args.unmappable:
        for group, count in groups.most_common():
            print(f"  {count:5d}  {group}: {'; '.join(sorted(reasons[group]))}")


if __name__ == "__main__":
    main()
