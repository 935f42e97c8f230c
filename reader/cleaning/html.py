"""Article extraction from whole HTML pages: a reader view's body and metadata.

trafilatura finds the article. Around it, this module parses the page once (recovering from
libxml2's nesting limit), reads the metadata the page declares (JSON-LD, OpenGraph, meta tags),
hands trafilatura a tree without what is never shown (but the JSON-LD that tells it a forum's
"comments" are its posts), where a split article body is joined when trafilatura reads only
part of it and quoted posts and data tables are not mistaken for share widgets; where
trafilatura leaves out lists of text the page shows, or reads only a scrap of the page, its
recall mode is read too and taken when it says more; where the extract is a scrap of a page
drawn by script, the text the page keeps in ``<noscript>`` is read instead. It renders the
result as Markdown, showing what trafilatura's extract holds hidden (an accordion's answers)
and the space it takes from beside a link, and
removes what trafilatura leaves in that a reader view would not show: the title again,
standfirst, byline and date lines, related-story and tag links, a trailing heading or stray
word. A page with nothing else to read shows its JSON-LD ``articleBody`` or its description.

Each of these rules is a switch or threshold of :class:`ExtractionRules`, and each was kept
only if it helps on sites it was not chosen on: ``benchmarks/bench_html_extract.py`` chooses
them by cross-validation grouped by site over both shared sets and reports those figures.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections import Counter
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import lxml.etree as etree
import lxml.html
from htmldate import find_date
from trafilatura import bare_extraction
from trafilatura.settings import Extractor

from reader.cleaning.markdown import is_hidden, parse_html, render_blocks, visible_text
from reader.core.dates import plausible
from reader.core.sanitize import clean_line, safe_url, strip_controls

__all__ = [
    "DEFAULT_RULES",
    "DESCRIPTION_WARNING",
    "EMPTY_WARNING",
    "TRUNCATED_WARNING",
    "ExtractedPage",
    "ExtractionRules",
    "decode_html",
    "extract_article",
    "tidy_blocks",
    "warm_up",
]

TRUNCATED_WARNING = "article truncated (nesting too deep)"
EMPTY_WARNING = "no readable content"
DESCRIPTION_WARNING = "only the page's description could be read"


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What a reader view shows of a page. ``body`` is Markdown without title, byline, date."""

    title: str | None
    author: str | None
    published: datetime | None
    language: str | None
    body: str
    truncated: bool
    warnings: tuple[str, ...]


def extract_article(html: str | bytes, *, url: str | None = None) -> ExtractedPage:
    """Extract the article of a saved or fetched page. Never raises on arbitrary input.

    ``warnings`` says when the body is empty ("no readable content") and when libxml2's
    nesting limit cut the page and the cut could not be undone ("article truncated ...").
    """
    try:
        return _draft(html, url=url, rules=DEFAULT_RULES).finish(DEFAULT_RULES)
    except Exception as error:  # noqa: BLE001 - a page must never take the reader down
        message = f"extraction failed ({type(error).__name__})"
        return ExtractedPage(None, None, None, None, "", False, (message, EMPTY_WARNING))


# -- decoding --------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """BOM, then UTF-8, then the declared charset, then cp1252 (which never fails)."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    return data.decode("cp1252", "replace")


# -- metadata --------------------------------------------------------------------------

_ARTICLE_TYPES = re.compile(r"article|posting|report|story|review", re.I)


@dataclass(slots=True)
class _PageMeta:
    title: str | None
    author: str | None
    published: datetime | None
    language: str | None
    titles: list[str]  # every title the page gives, to spot the title repeated in the body
    description: str | None
    article_body: str | None  # JSON-LD articleBody, when the page carries one

    @classmethod
    def empty(cls) -> _PageMeta:
        return cls(None, None, None, None, [], None, None)

    @classmethod
    def read(cls, root: lxml.html.HtmlElement, url: str | None = None) -> _PageMeta:
        meta = _meta_tags(root)
        ld = _json_ld_articles(root)
        # The head's own title: <svg> icons carry <title>s too ("icon bookmark").
        head_title = _first_text(root, "title", path=".//head/title")
        h1s = _texts(root, "h1", limit=5)
        h1 = h1s[0] if h1s else None
        titles = [
            t
            for t in (
                meta.get("og:title"),
                meta.get("twitter:title"),
                _ld_str(ld, "headline"),
                _ld_str(ld, "name"),
                head_title,
                h1,
            )
            if t
        ]
        declared = [
            t
            for t in (meta.get("og:title"), _ld_str(ld, "headline"), meta.get("twitter:title"))
            if t
        ]
        site = _SiteName.of(root, meta, ld, url)
        title = (
            _vouched_h1(h1s, [*declared, *filter(None, [head_title])], site)
            or next((site.strip(t) for t in declared), None)
            or h1
            or _strip_site_name(site.strip(head_title))
        )
        bodies = [b for obj in ld if isinstance(b := obj.get("articleBody"), str)]
        return cls(
            title=clean_line(title),
            author=_author(meta, ld) or _byline_author(root),
            published=_published(root, meta, ld, url),
            language=_language(root, meta, ld),
            titles=titles,
            description=meta.get("og:description") or meta.get("description"),
            article_body=max(bodies, key=len) if bodies else None,
        )


def _meta_tags(root: lxml.html.HtmlElement) -> dict[str, str]:
    """``<meta>`` name/property/itemprop → content, lower-cased keys, first one wins."""
    tags: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = meta.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            # itemprop may hold several names: "datePublished dateCreated".
            for key in (meta.get(attr) or "").lower().split():
                tags.setdefault(key, content.strip())
    return tags


def _json_ld_articles(root: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Article-like JSON-LD objects, in page order (nested @graph and lists included)."""
    found: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except (ValueError, RecursionError):  # RecursionError: absurdly nested arrays
            continue
        for obj in _walk_json(data, 0):
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                found.append(obj)
    return found


def _walk_json(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 8:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_json(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in data:
                yield from _walk_json(data[key], depth + 1)


def _ld_str(objects: list[dict[str, Any]], key: str) -> str | None:
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _texts(root: lxml.html.HtmlElement, tag: str, *, limit: int) -> list[str]:
    """The text of the first ``limit`` elements of this tag that have any."""
    found = (clean_line(element.text_content()) for element in root.iter(tag))
    return list(itertools.islice(filter(None, found), limit))


def _key(text: str) -> str:
    """A name as compared: letters and digits only, lower case ("Gold's Gym" → goldsgym)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class _SiteName:
    """What a page calls its site: its declared names and its host's labels, as keys."""

    names: frozenset[str]
    labels: frozenset[str]  # the host's labels but the last: "www.move.org" → move, moveorg

    @classmethod
    def of(
        cls,
        root: lxml.html.HtmlElement,
        meta: dict[str, str],
        ld: list[dict[str, Any]],
        url: str | None,
    ) -> _SiteName:
        publishers = [obj.get("publisher") for obj in ld]
        declared = [
            meta.get("og:site_name"),
            meta.get("application-name"),
            (meta.get("twitter:site") or "").lstrip("@"),
            *(p.get("name") for p in publishers if isinstance(p, dict)),
        ]
        names = {_key(n) for n in declared if isinstance(n, str)}
        labels: set[str] = set()
        canonical = root.find(".//head/link[@rel='canonical']")
        for address in (
            url,
            meta.get("og:url"),
            canonical.get("href") if canonical is not None else None,
        ):
            try:
                host = (urlsplit(address or "").hostname or "").removeprefix("www.")
            except ValueError:  # "http://[": not an address
                continue
            parts = host.split(".")[:-1]
            labels.update(_key(p) for p in parts)
            if parts:
                labels.add(_key("".join(host.split("."))))
        return cls(
            frozenset(n for n in names if len(n) >= 2),
            frozenset(label for label in labels if len(label) >= 3),
        )

    def named(self, text: str) -> bool:
        """Whether this text is the site's name ("Move.org", "REI Co-op", "GeeksforGeeks")."""
        key = _key(text)
        if len(key) < 2 or len(text.split()) > 4:
            return False
        return key in self.names or any(
            _prefixed(key, known) for known in itertools.chain(self.names, self.labels)
        )

    def strip(self, title: str | None) -> str | None:
        """The title without a site's name before or after a separator: 'Headline | Site'."""
        if not title:
            return title
        parts = _TITLE_PARTS.split(title)
        count = len(parts)
        while len(parts) > 1 and self.named(parts[-1]):
            parts.pop()
        while len(parts) > 1 and self.named(parts[0]):
            parts.pop(0)
        if len(parts) == count:
            return title
        # Join what is left with the separators the title had between those parts.
        start = title.find(parts[0])
        end = title.rfind(parts[-1]) + len(parts[-1])
        return title[start:end] if 0 <= start < end else title


def _prefixed(key: str, known: str) -> bool:
    """One name is the other with a short word more: "rei" and "reicoop", "mdn" and
    "mdnwebdocs", "pixnet" and "痞客邦pixnet" ("checkpoint" and "checkpointsecuritytips"
    are not)."""
    short, long = sorted((key, known), key=len)
    if len(short) < 3 or len(long) - len(short) > 8:
        return False
    if long.startswith(short):
        more = long[len(short) :]
    elif long.endswith(short):
        more = long[: len(long) - len(short)]
    else:
        return False
    # a number more is a version or an edition, not a site's name: "Python 3.12: ..." on
    # python.org, "Rust 2024: ..." on rust-lang.org
    return not any(ch.isdigit() for ch in more)


def _vouched_h1(h1s: list[str], declared: list[str], site: _SiteName) -> str | None:
    """The headline printed on the page: the first <h1> that says most of what a declared
    title says once the site's name is off it (og:title and <title> add the site's name or
    a section more often than the printed headline drops words), and is not the site's name.
    A headline set in capitals is given in the declared title's case."""
    titles = [(t, set(_words(t))) for t in filter(None, map(site.strip, declared))]
    whole = {tuple(_words(t)) for t in declared if ":" in t}
    for h1 in h1s:
        printed = _HEADING_MARKS.sub("", h1)
        if ":" in printed and tuple(_words(printed)) in whole:
            # "Apple Intelligence: what it does", printed and declared alike: the part
            # before the colon is the headline's subject, whatever the site is called
            return printed
        h1 = site.strip(printed) or ""
        words = _words(h1)
        if not words or len(words) > 40 or site.named(h1):
            continue
        for title, title_words in titles:
            shared = sum(w in title_words for w in words)
            # One word is a headline when it is a whole part of the title ("Economy |
            # Today's latest from ..."), not when it is a word within it ("... Discord ...").
            if shared >= 0.8 * len(words) and (
                shared >= 2
                or 2 * shared >= len(title_words)
                or words in (_words(part) for part in _TITLE_PARTS.split(title))
            ):
                if h1.isupper() and not title.isupper() and set(words) == title_words:
                    return title
                return h1
    return None


# A heading's permalink glyph or decoration: "Middleware¶", "/ Portfolio", "Title #".
_HEADING_MARKS = re.compile(r"^[\s/|#§¶·•>»-]+|[\s/|#§¶·•<«🔗-]+$")


def _first_text(root: lxml.html.HtmlElement, tag: str, *, path: str | None = None) -> str | None:
    for element in root.iterfind(path) if path else root.iter(tag):
        text = clean_line(element.text_content())
        if text:
            return text
    return None


_SITE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014\u00b7\u2022:-]\s+")


# Where a title's parts meet, "Site: Headline" too (a site's name is only taken off when
# it is one).
_TITLE_PARTS = re.compile(r"\s+[|\u2013\u2014\u00b7\u2022:-]\s+|(?<=\w):\s+")


def _strip_site_name(title: str | None) -> str | None:
    """'Headline | Site' → 'Headline': the longest part is the headline far more often."""
    if not title:
        return None
    parts = _SITE_SEPARATORS.split(title)
    return max(parts, key=len) if len(parts) > 1 else title


def _author(meta: dict[str, str], ld: list[dict[str, Any]]) -> str | None:
    names: list[str] = []
    for obj in ld:
        names += _person_names(obj.get("author") or obj.get("creator"))
        if names:
            break
    if not names:
        for key in ("author", "article:author", "parsely-author", "sailthru.author",
                    "dc.creator", "byl", "twitter:creator"):  # fmt: skip
            value = meta.get(key)
            if value and not safe_url(value) and not value.startswith("@"):
                names = [value]
                break
    cleaned = [n for n in (clean_line(re.sub(r"(?i)^by\s+", "", n), limit=120) for n in names) if n]
    unique = list(dict.fromkeys(cleaned))
    return clean_line(", ".join(unique[:4])) if unique else None


# Marked-up bylines, for pages without author metadata: microdata and rel=author first,
# then the usual class names. The shortest of the first few wins: wrappers hold the date too.
# Asked of the attributes rather than of every element: half the time.
_BYLINE_XPATHS = (
    etree.XPath(
        "//@itemprop[. = 'author']/..//*[@itemprop='name'] | //@itemprop[. = 'author']/.."
        " | //@rel[. = 'author']/parent::a"
    ),
    etree.XPath(
        "//@class[contains(., 'author-name') or contains(., 'byline__name')"
        " or contains(., 'author__name')]/.."
    ),
)


def _byline_author(root: lxml.html.HtmlElement) -> str | None:
    for path in _BYLINE_XPATHS:
        try:
            elements = path(root)[:3]
        except etree.XPathError:
            return None
        names = (re.sub(r"(?i)^\s*by\s+", "", e.text_content()) for e in elements)
        found = [name for name in map(clean_line, names) if name and len(name) < 60]
        if found:
            return min(found, key=len)
    return None


def _person_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [] if safe_url(value) else [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) and name.strip() else []
    if isinstance(value, list):
        return [n for item in value[:6] for n in _person_names(item)]
    return []


_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "article:published",
    "datepublished", "pubdate",
    "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "sailthru.date",
    "parsely-pub-date", "article.published", "og:published_time",
)  # fmt: skip


def _published(
    root: lxml.html.HtmlElement, meta: dict[str, str], ld: list[dict[str, Any]], url: str | None
) -> datetime | None:
    candidates = [_ld_str(ld, "datePublished"), _ld_str(ld, "dateCreated")]
    candidates += [meta.get(key) for key in _DATE_KEYS]
    for time in root.iter("time"):
        candidates.append(time.get("datetime"))
        break
    for value in candidates:
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    return _htmldate(root, url)


def _htmldate(root: lxml.html.HtmlElement, url: str | None) -> datetime | None:
    """htmldate's quick search (a few ms) for pages that declare no date in their markup."""
    try:
        found = find_date(
            root,
            url=url,
            extensive_search=False,
            original_date=True,
            outputformat="%Y-%m-%dT%H:%M:%S%z",
        )
    except Exception:  # noqa: BLE001 - a missing date is never worth an error
        return None
    return parse_date(found) if isinstance(found, str) else None


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 or RFC 2822 date, if plausible; None for anything else."""
    if not value or len(value) > 64:
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}/\d{2}/\d{2}", value):  # "2019/11/19"
        value = value.replace("/", "-")
    try:
        parsed: datetime | None = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return plausible(parsed)


def _language(
    root: lxml.html.HtmlElement, meta: dict[str, str], ld: list[dict[str, Any]]
) -> str | None:
    html = root if root.tag == "html" else root.find(".//html")
    candidates = [
        html.get("lang") if html is not None else None,
        _ld_str(ld, "inLanguage"),
        meta.get("content-language"),
        meta.get("og:locale"),
    ]
    for value in candidates:
        if value and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*", value.strip()):
            return value.strip().replace("_", "-")
    return None


# -- body ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractionRules:
    """Switches and thresholds of what is done around trafilatura, before and after it.

    The defaults are what ``benchmarks/bench_html_extract.py`` chooses on all of
    ../shared/eval, weighing news, articles, forums, documentation and other pages alike.
    The benchmark reports the score of choosing the rules by cross-validation grouped by
    site, which is the figure that counts.
    """

    merge_split_body: bool = True  # join article bodies split into same-class containers
    embedded_posts: bool = True  # keep quoted tweets and posts that trafilatura drops
    embedded_tables: bool = True  # keep data tables in "embed" containers, which it drops too
    hidden_panels: bool = True  # show hidden tabs and slides beside a shown one of their kind
    hidden_in_extract: bool = True  # show what trafilatura's extract holds hidden (not a repeat)
    noscript_content: bool = True  # read <noscript> text where it holds most of the page's
    top_blocks: int = 3  # blocks at the top that may hold title, standfirst, byline, date
    standfirst: bool = True  # drop a first heading that repeats the page's description
    byline: bool = True  # drop short lines naming the author near the top (the brief's rule)
    # Parts of the rules above and below, apart so that benchmarks/rule_transfer.py can weigh
    # them one by one. The title repeat and the link-only blocks between prose win on
    # scrapinghub's news and lose more sites than they win on wcxb-dev (see
    # benchmarks/RESULTS.md): they follow scrapinghub's labelling; on, as its floor asks.
    top_titles: bool = True  # of the top blocks, drop the page's title repeated
    top_date_lines: bool = True  # of the top blocks, drop a date line
    link_only_inside: bool = True  # drop link-only blocks between prose too, not only at the edges
    # ... but keep one there that is written as a sentence ("Book your flights here!"), a
    # call to the reader, where a teaser is a headline ("[Museum reopens]"): the one such
    # rule whose sign holds on both datasets (benchmarks/rule_transfer.py: better on 5
    # wcxb-dev sites, worse on 1, no scrapinghub site moves)
    link_sentences_inside: bool = True
    link_share: float = 0.9  # share of a short block's letters in links to call it link-only
    link_max_letters: int = 80  # longer blocks are never link-only
    label_max_letters: int = 0  # "Read more: [link]"; 0 turns the label rule off
    trailers: bool = True  # drop a trailing heading, stray word or date
    opening_h1: bool = True  # drop an H1 that opens the body and says mostly the title
    link_lists_in_text: bool = True  # keep lists of links that prose follows (references)
    mixed_list_share: float = 0.25  # a list this share of whose items are text stays whole
    # trafilatura's recall mode, tried where its balanced mode left out lists of text the
    # page shows outside its chrome or read little, is taken when it reads this much more
    # (0: never)
    recall_gain: float = 1.1
    recall_keeps: float = 0.5  # share of the balanced body's words recall mode must keep
    # A run of blocks the body repeats word for word (a page laid out twice, a quoted post)
    # is shown once when the run holds this many words (0: never). Every fold of the
    # cross-validation takes 30, and against 100 it does better on 44 sites of both sets
    # and worse on 14 (news .975 rather than .976, forums and other pages up, articles and
    # documentation within .001).
    repeated_run_words: int = 30


DEFAULT_RULES = ExtractionRules()

# trafilatura runs its own fallbacks (a readability port and jusText) and compares them.
_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_links": True,  # also scores better: its link-density checks see the links
    "include_formatting": False,  # bold/italic: not asked for, and 5% of the time (measured)
    "include_images": False,  # keeps captions and credits, which cost 0.015 F1 (measured)
    "with_metadata": False,  # read from our own parse instead: much faster than htmldate
    "output_format": "xml",  # only the body tree is read: "python" also writes it as text
}
# Its recall mode keeps the lists and sections the balanced mode can leave out (a
# documentation page's sections, the lists of a comparison); without the fallbacks, which
# the balanced run has already compared, it costs half as much.
_RECALL_OPTIONS: dict[str, Any] = {**_TRAFILATURA_OPTIONS, "favor_recall": True, "fast": True}


@functools.lru_cache(maxsize=16)
def _extractor(url: str | None, *, recall: bool = False) -> Extractor:
    """trafilatura's settings for these options, built once rather than at every call (it
    reads a dozen values of its config file each time: 1% of a folder's extraction).
    The same settings ``bare_extraction`` makes of the options, which it then never changes."""
    options = _RECALL_OPTIONS if recall else _TRAFILATURA_OPTIONS
    return Extractor(
        output_format=options["output_format"],
        fast=options.get("fast", False),
        recall=options.get("favor_recall", False),
        comments=options["include_comments"],
        formatting=options["include_formatting"],
        links=options["include_links"],
        images=options["include_images"],
        tables=options["include_tables"],
        with_metadata=options["with_metadata"],
        url=url,
    )
# <meta> and <link> too, once the metadata is read: they are one element in eleven of a
# news page, which trafilatura copies and walks several times over (3% of its time).
# (<noscript> too, but for a page that keeps its text there: see _strip_never_shown.)
_NEVER_SHOWN = (
    "script", "style", "template", "svg", "iframe", "object", "embed", "meta", "link",
)  # fmt: skip
# Page chrome removed before the last-resort rendering of <article>/<main>/<body>.
_CHROME = ("nav", "header", "footer", "aside", "form", "button", "select", "menu", "dialog")


@dataclass(slots=True)
class _Draft:
    """An extraction before the tidying rules: kept apart so rules can be compared cheaply."""

    meta: _PageMeta
    blocks: list[str]
    url: str | None
    truncated: bool
    recall_blocks: list[str] | None = None  # trafilatura's recall mode, where it was tried

    def finish(self, rules: ExtractionRules) -> ExtractedPage:
        meta = self.meta
        body = self._tidied(self.blocks, rules)
        if self.recall_blocks and rules.recall_gain:
            fuller = self._tidied(self.recall_blocks, rules)
            if _reads_more(visible_text(fuller), visible_text(body), rules):
                body = fuller
        # A page whose JSON-LD carries the article text is better served by that than by
        # a scrap: trafilatura finds too little on pages that render their text by script.
        if len(body) < 200 and meta.article_body and len(meta.article_body) > 2 * len(body):
            body = _plain_paragraphs(meta.article_body)
        warnings = [TRUNCATED_WARNING] if self.truncated else []
        if not _WORD.search(body) and meta.description:
            # Pages drawn by script in the browser often carry nothing else to read.
            body = _plain_paragraphs(meta.description)
            warnings.append(DESCRIPTION_WARNING)
        if not body:
            warnings.append(EMPTY_WARNING)
        return ExtractedPage(
            title=meta.title,
            author=meta.author,
            published=meta.published,
            language=meta.language,
            body=body,
            truncated=self.truncated,
            warnings=tuple(warnings),
        )

    def _tidied(self, raw: list[str], rules: ExtractionRules) -> str:
        meta = self.meta
        blocks = tidy_blocks(
            raw,
            titles=meta.titles,
            description=meta.description,
            authors=meta.author,
            url=self.url,
            rules=rules,
        )
        # Tidying takes away repeats and links, never a page's only words (a link post's title).
        return "\n\n".join(blocks if any(map(_WORD.search, blocks)) else raw)


def _reads_more(fuller: str, body: str, rules: ExtractionRules) -> bool:
    """Whether recall mode's body says more than the balanced one and still says what it
    says (not another part of the page: an app's install dialog instead of a forum's posts)."""
    if _letters(fuller) <= rules.recall_gain * _letters(body):
        return False
    words = set(_words(body))
    kept = words.intersection(_words(fuller))
    return len(kept) >= rules.recall_keeps * len(words)


def _draft(
    html: str | bytes, *, url: str | None, rules: ExtractionRules, noscript: bool = False
) -> _Draft:
    """Everything up to the tidying; of ``rules``, only the switches applied before
    trafilatura count (split bodies, embedded posts and tables, hidden panels, noscript
    content). ``noscript``: the page's ``<noscript>`` text is read as part of the page."""
    text = decode_html(html) if isinstance(html, bytes) else str(html)
    page_url = safe_url(url)
    parsed = parse_html(text)
    root = parsed.root
    if root is None:
        return _Draft(_PageMeta.empty(), [], page_url, parsed.truncated)
    meta = _PageMeta.read(root, page_url)
    # Metadata is read by now. What is never shown goes before trafilatura copies the tree:
    # it would otherwise keep <noscript> "enable JavaScript" text, and copying is cheaper.
    held = _strip_never_shown(root, show_noscript=noscript)
    show_hidden = rules.hidden_in_extract
    split_body = _split_body(root) if rules.merge_split_body else []
    if rules.embedded_posts:
        _unmark_embedded_posts(root)
    if rules.hidden_panels:
        _reveal_hidden_panels(root)
    if rules.embedded_tables:
        _unmark_embedded_tables(root)
    blocks = _trafilatura_blocks(root, page_url, show_hidden=show_hidden)
    if split_body and _parts_left_out(split_body, blocks):
        _join(split_body)
        blocks = _trafilatura_blocks(root, page_url, show_hidden=show_hidden)
    if (
        held
        and not noscript
        and rules.noscript_content
        and not _letters_reach(blocks, _SHORT_FOR_RECALL)
    ):
        # A scrap, on a page whose <noscript> holds most of its text: the page is drawn by
        # script, and what it shows a reader without script is read instead if it says more.
        shown = _draft(text, url=url, rules=rules, noscript=True)
        if _letters(" ".join(shown.blocks)) > _letters(" ".join(blocks)):
            return shown
    recall_blocks = None
    if rules.recall_gain and (
        not _letters_reach(blocks, _SHORT_FOR_RECALL) or _lists_left_out(root, blocks)
    ):
        recall_blocks = _trafilatura_blocks(root, page_url, recall=True, show_hidden=show_hidden)
    if not _letters_reach(blocks, _SHORT_EXTRACT):
        main_element = _fallback_blocks(root, page_url)
        blocks = _prefer_main_element(blocks, main_element)
        if recall_blocks:  # recall mode too reads navigation where the page has little else
            recall_blocks = _prefer_main_element(recall_blocks, main_element)
    return _Draft(meta, blocks, page_url, parsed.truncated, recall_blocks)


_SHORT_EXTRACT = 300  # letters; below this trafilatura may have fallen back to all the text


def _strip_never_shown(root: lxml.html.HtmlElement, *, show_noscript: bool = False) -> bool:
    """Remove what is never shown but JSON-LD, which trafilatura reads as well: a
    ``DiscussionForumPosting`` tells it that a forum's "comments" are the posts.

    Whether the page's ``<noscript>`` elements hold most of its text (see
    :func:`_noscript_holds_page`); ``show_noscript``: they are then kept, as ``<div>``."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            script.tag = "ld-json"
    etree.strip_elements(root, *_NEVER_SHOWN, with_tail=False)
    noscripts = list(root.iter("noscript"))
    held = bool(noscripts) and _noscript_holds_page(root, noscripts)
    if held and show_noscript:
        for noscript in noscripts:
            noscript.tag = "div"
    etree.strip_elements(root, "noscript", with_tail=False)
    for script in root.iter("ld-json"):
        script.tag = "script"
    return held


# A page drawn by script can carry its whole text in <noscript> for crawlers (a forum's
# posts, when the page was saved before its script ran): that text is what a reader
# shows, where the extract without it is a scrap. Usually a <noscript> says "enable
# JavaScript" or holds a tracking pixel. Read wherever it holds more of the page's text
# than the rest, it cost on forums whose posts trafilatura reads from the page's
# structured data (wcxb-dev forums .739 -> .746, but 11 Discourse forums of 17 worse by up
# to .096), so it is read only where the extract is a scrap (forums .739 -> .748, no page
# worse).
_NOSCRIPT_LETTERS = 200


def _noscript_holds_page(
    root: lxml.html.HtmlElement, noscripts: list[lxml.html.HtmlElement]
) -> bool:
    """Whether the page's ``<noscript>`` elements hold more of its text than the rest of
    it does, and 200 letters or more: then they are shown, not removed."""
    inside = sum(_letters(noscript.text_content()) for noscript in noscripts)
    if inside < _NOSCRIPT_LETTERS:
        return False
    return inside > _letters(root.text_content()) - inside


def _prefer_main_element(extracted: list[str], fallback: list[str]) -> list[str]:
    """On a short page, the page's own main element without its chrome is often cleaner:
    trafilatura's last resort is the whole page text, navigation included. It is taken when
    it says less with the same words."""
    if not fallback:
        return extracted
    words = set(_words(" ".join(extracted)))
    fallback_words = _words(" ".join(fallback))
    if not words:
        return fallback
    shared = sum(word in words for word in fallback_words)
    shorter = len(fallback_words) <= len(_words(" ".join(extracted)))
    return fallback if shorter and shared >= 0.9 * len(fallback_words) else extracted


def warm_up() -> None:
    """Build now what trafilatura builds on first use and keeps: before worker processes
    fork, so that they share it instead of each building it again. jusText's stoplists of
    every language, which trafilatura's fallback joins into one word list, cost 0.1 s; one
    page in twenty of the shared sets goes through that fallback. jusText then lowers that
    list's 150,000 words into a set on its first call, and keeps the set (0.05 s more,
    which each worker paid again: the workers' CPU over the 181 news pages fell by as much
    with it built here)."""
    try:
        from justext import core as justext_core
        from trafilatura import external
    except ImportError:  # pragma: no cover - a trafilatura laid out otherwise: no harm
        return
    if getattr(external, "JT_STOPLIST", True) is None and callable(
        init := getattr(external, "jt_stoplist_init", None)
    ):
        init()
    stoplist = getattr(external, "JT_STOPLIST", None)
    if isinstance(stoplist, tuple) and callable(
        lowered := getattr(justext_core, "define_stoplist", None)
    ):
        lowered(stoplist)  # kept by its lru_cache, keyed by the same tuple


def _trafilatura_blocks(
    root: lxml.html.HtmlElement,
    url: str | None,
    *,
    recall: bool = False,
    show_hidden: bool = True,
) -> list[str]:
    try:
        document = bare_extraction(root, options=_extractor(url, recall=recall))
    except Exception:  # noqa: BLE001 - a third-party extractor on hostile input: never raise
        return []
    body = getattr(document, "body", None)
    if body is None:
        return []
    _rejoin_split_paragraphs(body)
    _space_links(body, _PageText(root))
    if show_hidden:
        _show_hidden(body)
    return render_blocks(body, base_url=url)


# A letter of a script written with spaces between words (not Chinese, Japanese, Korean
# or Thai, whose words run on).
_SPACED_LETTER = re.compile(
    r"[^\W\u0e00-\u0e7f\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)


class _PageText:
    """The page's text as written (tags out, nothing added between them), joined once and
    only when asked."""

    def __init__(self, root: etree._Element) -> None:
        self._root = root
        self._text: str | None = None

    def __contains__(self, words: object) -> bool:
        if self._text is None:
            self._text = "".join(self._root.itertext())
        return isinstance(words, str) and words in self._text


_FIRST_WORD = re.compile(r"\w+")
_LAST_WORD = re.compile(r"\w+$")


def _space_links(body: etree._Element, page: Container[str] = ()) -> None:
    """Put back the space trafilatura takes from between a link and the word next to it
    ("the backbone of the economy</ref>in different"), in scripts written with spaces; not
    where the page itself writes the two as one word ("<a>Java</a>Script", "<a>PR</a>s")."""

    def spaced(left: str, right: str) -> bool:
        if not (_SPACED_LETTER.match(left[-1]) and _SPACED_LETTER.match(right[0])):
            return False
        last, first = _LAST_WORD.search(left), _FIRST_WORD.match(right)
        return not (last and first and last.group() + first.group() in page)

    for ref in body.iter("ref"):
        text = "".join(ref.itertext())
        if not text:
            continue
        tail = ref.tail
        if tail and spaced(text, tail):
            ref.tail = " " + tail
        previous = ref.getprevious()
        parent = ref.getparent()
        if previous is not None:
            before = previous.tail
        else:
            before = parent.text if parent is not None else None
        if before and spaced(before, text):
            if previous is not None:
                previous.tail = before + " "
            elif parent is not None:
                parent.text = before + " "


def _runs(words: list[str]) -> Iterator[tuple[str, ...]]:
    """Each run of four words: text said again is found by its runs, not its words alone."""
    return zip(words, words[1:], words[2:], words[3:], strict=False)


def _show_hidden(body: etree._Element) -> None:
    """trafilatura copies some containers whole, with their attributes: an accordion's
    answers hidden until a click (``style="display: none"``) are then in its extract, and
    its text output shows them. They are the article it chose, and the renderer shows them
    too; but not a hidden block most of whose words the extract says elsewhere (a page's
    metadata for machines: its headline, description and text again)."""
    hidden = [element for element in _HIDDEN_OR_STYLED_NONE(body) if is_hidden(element)]
    if not hidden:
        return
    text = Counter(_runs(_words(" ".join(body.itertext()))))
    for element in hidden:
        runs = Counter(_runs(_words(" ".join(element.itertext()))))
        elsewhere = sum(min(count, text[run] - count) for run, count in runs.items())
        if 2 * elsewhere < sum(runs.values()):
            element.attrib.pop("hidden", None)
            element.attrib.pop("style", None)


# Items of text (20 letters or more, not mostly a link) the page shows outside its chrome,
# beyond those the extract has: more than 3 left out, and recall mode is tried. Looked at
# on both shared sets (not cross-validated, unlike the rules): it finds most of the pages
# recall mode reads better, and runs on one news page in thirteen (wcxb-dev: one in five).
_LIST_ITEM_LETTERS = 20
_MISSED_ITEMS = 3
# A balanced extract this short (letters) is often a scrap of the page: recall mode is
# tried there too. Looked at the same way: it sends one more page in eleven there (news:
# 31 of 181 in all), and recall mode is taken on ten of them (a service page's sections,
# a forum's posts, an article the balanced mode missed).
_SHORT_FOR_RECALL = 1000


def _lists_left_out(root: lxml.html.HtmlElement, blocks: list[str]) -> bool:
    """Whether the page has lists of text the extract leaves out (counted as far as needed)."""
    left = _list_items(blocks) + _MISSED_ITEMS
    # Items in chrome are set aside first: an XPath asking each item for a chrome ancestor
    # took 5% of an extraction, this takes a fifth of that. The whole document is looked
    # at, as a page may hold a second <html> after the first.
    tops = [
        root,
        *root.itersiblings(etree.Element),
        *root.itersiblings(etree.Element, preceding=True),
    ]
    in_chrome = {
        item for top in tops for chrome in top.iter(*_CHROME) for item in chrome.iter("li")
    }
    for item in (item for top in tops for item in top.iter("li")):
        if item in in_chrome:
            continue
        text = item.text_content()
        if len(text) < _LIST_ITEM_LETTERS:
            continue
        letters = _letters(text)
        if letters >= _LIST_ITEM_LETTERS:
            linked = "".join(link.text_content() for link in item.iter("a"))
            if 2 * _letters(linked) < letters:
                left -= 1
                if left < 0:
                    return True
    return False


def _list_items(blocks: list[str]) -> int:
    """The items of the Markdown lists among ``blocks``, nested ones included."""
    return sum(len(_ANY_ITEM.findall(block)) for block in blocks if _ITEM_START.match(block))


_ANY_ITEM = re.compile(r"^[ \t]*(?:- |\d+\. )", re.M)


def _fallback_blocks(root: lxml.html.HtmlElement, url: str | None) -> list[str]:
    """When trafilatura finds nothing (often a very short page): the page's main element."""
    etree.strip_elements(root, *_CHROME, with_tail=False)
    for path in ("//article", "//main", "//*[@role='main']", "//body"):
        found = root.xpath(path)
        if found:
            return render_blocks(found[0], base_url=url)
    return []


_EMBED_CLASS = re.compile(r"tweet|twitter|instagram|tiktok|facebook|fb-|social|embed", re.I)


def _unmark_embedded_posts(root: lxml.html.HtmlElement) -> None:
    """Quoted posts (``<blockquote class="twitter-tweet">``) are part of the story, but
    trafilatura drops them as social widgets by their class; the quote itself stays."""
    for quote in root.iter("blockquote"):
        if not _EMBED_CLASS.search(quote.get("class") or ""):
            continue
        # Its wrappers too ("social-media-embed", "article-tweet"), up to a few levels.
        for element in (quote, *itertools.islice(quote.iterancestors(), 4)):
            if _EMBED_CLASS.search(element.get("class") or ""):
                del element.attrib["class"]


_EMBED_NAME = re.compile(r"embed", re.I)


def _unmark_embedded_tables(root: lxml.html.HtmlElement) -> None:
    """Data tables that page builders wrap in "embed" containers (``<div class="w-embed">``,
    ``tableEmbed``) are part of the article, but trafilatura drops such a container by its
    name, as a social widget. A table of two rows of text or more loses that name (the
    class or id words that hold "embed", the others staying), and so do its wrappers up to
    a few levels."""
    for table in root.iter("table"):
        named = [
            element
            for element in (table, *itertools.islice(table.iterancestors(), 4))
            if _EMBED_NAME.search(f"{element.get('class', '')} {element.get('id', '')}")
        ]
        if not named:
            continue
        rows = (row for row in table.iter("tr") if _WORD.search(row.text_content()))
        if next(rows, None) is None or next(rows, None) is None:
            continue
        for element in named:
            for attribute in ("class", "id"):
                value = element.get(attribute)
                if value is None or not _EMBED_NAME.search(value):
                    continue
                kept = " ".join(word for word in value.split() if not _EMBED_NAME.search(word))
                if kept:
                    element.set(attribute, kept)
                else:
                    del element.attrib[attribute]


# Asked of the attributes rather than of every element: half the time.
_HIDDEN_OR_STYLED_NONE = etree.XPath("//@hidden/.. | //@style[contains(., 'none')]/..")


def _reveal_hidden_panels(root: lxml.html.HtmlElement) -> None:
    """Show the panels a page hides until a click: the other tabs of a code sample, the
    other slides, folded answers. Such a panel is hidden beside a shown sibling of its kind
    (same tag and class); a hidden element with no shown sibling of its kind (a metadata
    block, a dialog) stays hidden."""
    hidden_by_parent: dict[lxml.html.HtmlElement, list[lxml.html.HtmlElement]] = {}
    for element in _HIDDEN_OR_STYLED_NONE(root):
        parent = element.getparent()
        if parent is not None and is_hidden(element):
            hidden_by_parent.setdefault(parent, []).append(element)
    # The kinds shown under each parent, listed once (a parent may hold thousands of rows).
    for parent, hidden in hidden_by_parent.items():
        shown = {(child.tag, child.get("class")) for child in parent if not is_hidden(child)}
        for element in hidden:
            if (element.tag, element.get("class")) in shown:
                element.attrib.pop("hidden", None)
                element.attrib.pop("style", None)


_MIN_PART_TEXT = 200
_BODY_PARTS = frozenset({"div", "section", "article"})


def _split_body(root: lxml.html.HtmlElement) -> list[list[lxml.html.HtmlElement]]:
    """The parts of an article body that the page splits into containers of one class.

    Pages cut the body into several ``<div class="article-body">`` around ads and embeds;
    trafilatura then may keep only the first part. Such parts are containers of one class
    that each hold several paragraphs of text. Page builders put every section of a page
    in containers of one class too, and trafilatura reads those whole: the parts are joined
    (:func:`_join`) only when the extract leaves one out.
    """
    text_by_parent: dict[lxml.html.HtmlElement, list[int]] = {}
    for paragraph in root.iter("p"):
        parent = paragraph.getparent()
        # Only plain containers: list items, cells or quotes of one class are a structure.
        if parent is not None and parent.tag in _BODY_PARTS and parent.get("class"):
            counts = text_by_parent.setdefault(parent, [0, 0])
            counts[0] += 1
            counts[1] += len(paragraph.text_content())
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = {}
    for parent, (paragraphs, chars) in text_by_parent.items():
        if paragraphs >= 2 and chars >= _MIN_PART_TEXT and not _in_footer(parent):
            groups.setdefault((parent.tag, parent.get("class", "")), []).append(parent)
    return [parts for parts in groups.values() if len(parts) > 1 and not _any_nested(parts)]


_FOOTER_NAME = re.compile(r"footer", re.I)


def _in_footer(element: lxml.html.HtmlElement) -> bool:
    """Inside the page's footer: page builders give the footer's disclaimer or "about us"
    text the class of the article body's container, but it is never part of the article."""
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return False
        if ancestor.tag == "footer" or ancestor.get("role") == "contentinfo":
            return True
        if _FOOTER_NAME.search(f"{ancestor.get('class', '')} {ancestor.get('id', '')}"):
            return True
    return False


def _parts_left_out(groups: list[list[lxml.html.HtmlElement]], blocks: list[str]) -> bool:
    """Whether the extract leaves out most of the words of a later part of a split body."""
    read = set(_words(" ".join(blocks)))
    for parts in groups:
        for part in parts[1:]:
            words = set(_words(part.text_content()))
            if 2 * len(words & read) < len(words):
                return True
    return False


def _join(groups: list[list[lxml.html.HtmlElement]]) -> None:
    """Move the later parts of each split body into the first, so the article is whole."""
    for first, *rest in groups:
        for part in rest:
            for child in list(part):
                first.append(child)
            parent = part.getparent()
            if parent is not None:
                parent.remove(part)


def _any_nested(elements: list[lxml.html.HtmlElement]) -> bool:
    members = set(elements)
    return any(a in members for element in elements for a in element.iterancestors())


def _plain_paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in strip_controls(text).split("\n"))
    return "\n\n".join(line for line in lines if line)


# -- tidying trafilatura's result ------------------------------------------------------

_INLINE_XML = frozenset({"ref", "hi"})


def _rejoin_split_paragraphs(body: etree._Element) -> None:
    """Put back the links and emphasis trafilatura lifts out of paragraphs split at <br>.

    It turns ``<p>Kuo said Apple will <a>move to scissor keys</a>, ...</p>`` into
    ``<p>Kuo said Apple will</p><ref>move to scissor keys</ref><p>, ...</p>``.
    """
    parents = [el for el in body.iter() if el.find("p") is not None]
    for parent in parents:
        _rejoin_children(parent)


def _rejoin_children(parent: etree._Element) -> None:
    children = list(parent)
    index = 0
    while index < len(children):
        paragraph = children[index]
        index += 1
        if paragraph.tag != "p":
            continue
        run_end = index
        while run_end < len(children) and children[run_end].tag in _INLINE_XML:
            run_end += 1
        # Only when the text after the lifted elements carries on the same sentence.
        if run_end == index or run_end == len(children) or children[run_end].tag != "p":
            continue
        if not _continues(children[run_end]):
            continue
        for inline in children[index:run_end]:
            paragraph.append(inline)  # moves it, tail included
        _merge_into(paragraph, children[run_end])
        # The merged paragraph may be followed by another lifted run.
        children[index - 1 : run_end + 1] = [paragraph]
        index -= 1


def _continues(paragraph: etree._Element) -> bool:
    start = (paragraph.text or "").lstrip()[:1]
    return bool(start) and (start.islower() or start in ",.;:)\u2019'")


def _merge_into(target: etree._Element, source: etree._Element) -> None:
    if len(target):
        target[-1].tail = (target[-1].tail or "") + (source.text or "")
    else:
        target.text = (target.text or "") + (source.text or "")
    for child in list(source):
        target.append(child)
    source.getparent().remove(source)


_WORD = re.compile(r"\w+")
_HEADING = re.compile(r"#{1,6} ")
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
_ITEM_START = re.compile(r"^(?:- |\d+\. )", re.M)
_LOOKS_LIKE_URL = re.compile(r"\s*(?:https?://|www\.)", re.I)
_TIME = re.compile(r"\b\d{1,2}[:h.]\d{2}\b")
_NUMERIC_DATE = re.compile(r"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b")
_YEAR = re.compile(r"\b(?:19[7-9]\d|20\d\d)\b")
_SENTENCE_END = tuple('.!?\u2026"\u201d')


def _words(text: str) -> list[str]:
    if text.isascii():  # lowered first, in one pass: the same words (not so for "\u0130")
        return _WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


def _letters_reach(blocks: list[str], count: int) -> bool:
    """Whether the blocks hold ``count`` letters: counted only as far as needed."""
    for block in blocks:
        for word in _WORD.finditer(block):
            count -= word.end() - word.start()
            if count <= 0:
                return True
    return False


def _letters(text: str) -> int:
    # Letters, not words: \w+ runs would make a whole sentence of Japanese one "word".
    # What is left when the rest is deleted: one C pass, no list of words.
    return len(_NOT_LETTERS.sub("", text))


_NOT_LETTERS = re.compile(r"\W+")


def tidy_blocks(
    blocks: list[str],
    *,
    titles: list[str],
    description: str | None = None,
    authors: str | None = None,
    url: str | None = None,
    rules: ExtractionRules = DEFAULT_RULES,
) -> list[str]:
    """Remove from trafilatura's blocks what a reader view leaves out.

    Each rule is a signal that holds across sites: at the top, the page's own title,
    standfirst (as a heading), byline, date line or address repeated; anywhere, blocks
    that are nothing but short links (related stories, tags, breadcrumbs, teasers); at the
    end, a heading with nothing under it, a stray word or a date.
    """
    title_words = {tuple(_words(v)) for t in titles for v in (t, _strip_site_name(t)) if v}
    title_words.discard(())
    description_words = " ".join(_words(description or ""))
    names = [_words(name) for name in (authors or "").split(",")]
    url_words = _words(url or "")
    out: list[str] = []
    # Lists of links with prose after them are references or a contents list, not the
    # related stories and tags that follow an article.
    last_prose = next((i for i in range(len(blocks) - 1, -1, -1) if _is_prose(blocks[i])), -1)
    first_prose = (
        -1
        if rules.link_only_inside and not rules.link_sentences_inside
        else next((i for i, b in enumerate(blocks) if _is_prose(b)), len(blocks))
    )
    for index, block in enumerate(blocks):
        if len(out) < rules.top_blocks and (
            (tuple(words := _words(block)) in title_words and rules.top_titles)
            or (
                rules.opening_h1
                and not out
                and block.startswith("# ")
                and _names_the_title(_shown_words(block), title_words)
            )
            or (
                rules.standfirst
                and not out
                and _HEADING.match(block)
                and _same_text(words, description_words)
            )
            or (rules.top_date_lines and _is_date_line(block, words))
            or (rules.byline and _is_byline(block, words, names))
            or (url_words and words == url_words)
        ):
            continue
        in_text = rules.link_lists_in_text and index < last_prose
        if in_text and _ITEM_START.match(block):
            kept = block
        elif first_prose < index < last_prose and (
            not rules.link_only_inside
            or (rules.link_sentences_inside and _is_written_sentence(block))
        ):
            kept = block
        else:
            kept = _without_link_items(block, rules)
        if kept:
            out.append(kept)
    while rules.trailers and len(out) > 1 and _is_trailer(out[-1]):
        out.pop()
    if rules.repeated_run_words:
        out = _without_repeated_runs(out, rules.repeated_run_words)
    return out


_ENDING = 64  # characters: a block's last word is in them
_EARLIER_COPIES = 8  # the last few copies of a block that a repeat of it is matched against


def _without_repeated_runs(blocks: list[str], min_words: int) -> list[str]:
    """The blocks without the second copy of a run of blocks that says again, word for word,
    what the body has said already: pages that carry their article twice (one copy per
    layout), forum replies that quote a whole post. Short runs stay: a recipe's or a
    schedule's lines repeat on purpose, and so does code (a tutorial shows its whole file
    again at the end): a code block is never part of a run."""
    words = _block_words(blocks)
    if words is None:
        return blocks
    seen: dict[tuple[str, ...], list[int]] = {}
    dropped: set[int] = set()
    for index, key in enumerate(words):
        if index in dropped or not key:
            continue
        for earlier in reversed(seen.get(key, ())):
            length = count = 0
            while (
                index + length < len(blocks)
                and earlier + length < index
                and words[earlier + length] == words[index + length]
            ):
                count += len(words[index + length])
                length += 1
            if count >= min_words:
                dropped.update(range(index, index + length))
                break
        if index not in dropped:
            copies = seen.setdefault(key, [])
            copies.append(index)
            del copies[:-_EARLIER_COPIES]
    if not dropped:
        return blocks
    return [block for index, block in enumerate(blocks) if index not in dropped]


def _block_words(blocks: list[str]) -> list[tuple[str, ...]] | None:
    """Each block's words (links' targets aside), for the blocks that another could repeat:
    blocks alike end on the same word, so a block whose last word no other block ends on
    is like no other, and its words are never counted. Nor are a code block's. None when
    no two blocks end on the same word, as on most pages: then none repeats another."""
    words: list[tuple[str, ...] | None] = []
    last: list[str] = []
    for index, block in enumerate(blocks):
        if block.startswith("```"):
            words.append((f"\0{index}",))  # like no other block
            last.append("")
            continue
        word, exact = _last_word(block)
        if exact:
            words.append(None)  # counted below if another block ends on its last word
            last.append(word)
        else:
            counted = _shown_words(block)
            words.append(counted)
            last.append(counted[-1] if counted else "")
    ending_on = Counter(word for word in last if word)
    if all(count == 1 for count in ending_on.values()):
        return None
    out: list[tuple[str, ...]] = []
    for index, (block, found) in enumerate(zip(blocks, words, strict=True)):
        if found is None:
            alike = ending_on[last[index]] > 1
            found = _shown_words(block) if alike else (f"\0{index}",)
        out.append(found)
    return out


def _shown_words(block: str) -> tuple[str, ...]:
    return tuple(_words(_MD_LINK.sub(r"\1", block)))


def _last_word(block: str) -> tuple[str, bool]:
    """The last word of a block's text, as ``_words`` reads it (links' targets aside), read
    in its last characters only, and whether it is surely the whole word (it may be cut
    where a long last word starts before them)."""
    text = _MD_LINK.sub(r"\1", block) if "](" in block else block
    window = text[-_ENDING:]
    found = _WORD.findall(window)
    if not found:
        return "", False
    exact = len(found) > 1 or len(text) <= _ENDING or not _WORD.match(window)
    return found[-1].lower(), exact


def _is_prose(block: str) -> bool:
    """A paragraph of sentences (not a heading, list, quote, table or code)."""
    return (
        block[:1] not in "#-|>`"
        and not _ITEM_START.match(block)
        and block.rstrip().endswith(_SENTENCE_END)
        and _letters(_MD_LINK.sub(r"\1", block)) >= _PROSE_LETTERS
    )


_PROSE_LETTERS = 100


# An H1 that opens the body is the title when most of its words are a title's: a page
# names itself with a prefix or a source ("Title: ...", "... (latimes.com)"). One that says
# something else is the page's first heading: products, services and collections open on
# one (on wcxb-dev it was dropped on 9 sites and that helped on 2).
_TITLE_SHARE = 0.6


def _is_written_sentence(block: str) -> bool:
    """A paragraph whose shown text ends a sentence (not a heading, list, quote or table)."""
    return (
        block[:1] not in "#-|>`"
        and not _ITEM_START.match(block)
        and _MD_LINK.sub(r"\1", block).rstrip().endswith(_SENTENCE_END)
    )


def _names_the_title(words: tuple[str, ...], titles: set[tuple[str, ...]]) -> bool:
    """Whether most of the words (links' targets aside) are those of one of the titles."""
    if not words:
        return False
    return any(
        sum(word in title for word in words) >= _TITLE_SHARE * len(words)
        for title in map(set, titles)
    )


def _same_text(words: list[str], other: str) -> bool:
    """Equal, or one a prefix of the other (standfirsts are often cut short in meta tags)."""
    if not words or not other:
        return False
    text = " ".join(words)
    return text == other or (
        min(len(text), len(other)) > 30 and (text.startswith(other) or other.startswith(text))
    )


def _is_date_line(block: str, words: list[str]) -> bool:
    """A short line that is mostly a date or time: 'Updated 20 Nov 2019, 11:28'."""
    if not words or len(words) > 12:
        return False
    has_date = _TIME.search(block) or _NUMERIC_DATE.search(block) or _YEAR.search(block)
    numeric = sum(w.isdigit() for w in words)
    return bool(has_date) and numeric >= 2 and numeric / len(words) >= 0.3


# "By Jane Doe", in the languages whose bylines start with a word for "by".
_BY = re.compile(
    r"^(?:#{1,6} )?[*_]*(?i:by|por|par|von|di|door|av|af|przez)\s+[*_\[]*[A-Z\u00c0-\u00de]"
)


def _is_byline(block: str, words: list[str], names: list[list[str]]) -> bool:
    """A short line naming the author: 'By Jane Doe', 'Jane Doe, Staff Writer | Nov 19'."""
    if not words or len(words) > 14:
        return False
    if block.rstrip().endswith((".", "!", "?")):  # a sentence: "By Friday, ...", "Use X to ..."
        return False
    if _BY.match(block):
        return True
    if _HEADING.match(block):  # "## Week Call for Proposals by Eric Ries": a post's title
        return False
    joined = " " + " ".join(words) + " "
    return any(name and f" {' '.join(name)} " in joined for name in names)


def _is_trailer(block: str) -> bool:
    """What ends an extract but not an article: a heading with nothing under it, a stray
    word ("Tags", "comments"), a date."""
    words = _words(block)
    if _HEADING.match(block):
        return True
    if len(words) <= 2 and not block.rstrip().endswith(_SENTENCE_END):
        return True
    return _is_date_line(block, words)


def _is_link_only(text: str, rules: ExtractionRules) -> bool:
    """Only links, short ones, whose text is not a URL: related stories, tags, teasers."""
    labels = _MD_LINK.findall(text)
    if not labels or any(_LOOKS_LIKE_URL.match(label) for label in labels):
        return False
    shown = _MD_LINK.sub(r"\1", text)
    # Most paragraphs with a link in them are long prose: letters are counted only until
    # they pass the limit.
    if len(shown) > rules.link_max_letters and _letters_reach([shown], rules.link_max_letters + 1):
        return False
    total = _letters(shown)
    if total == 0:
        return False
    linked = sum(_letters(label) for label in labels)
    unlinked = total - linked
    # A short label and a link ("Read more: [...]", "Tags: [...]") counts as link-only too.
    return linked / total >= rules.link_share or unlinked <= min(linked, rules.label_max_letters)


def _item_text(item: str) -> str:
    """A list item's text without its marker and indentation, its lines joined."""
    return " ".join(line.strip() for line in _ITEM_START.sub("", item, count=1).split("\n"))


def _without_link_items(block: str, rules: ExtractionRules) -> str:
    """The block without its link-only parts: a whole paragraph, or the items of a list.

    Headings made of a link are kept: product and section names are often linked.
    """
    if block.startswith(("```", "|", ">")) or _HEADING.match(block):
        return block
    starts = [m.start() for m in _ITEM_START.finditer(block)]
    if not starts or starts[0] != 0:
        return "" if _is_link_only(block, rules) else block
    ends = starts[1:] + [len(block)]
    items = [block[a:b].rstrip("\n") for a, b in zip(starts, ends, strict=True)]
    # The whole item counts: a linked name over a paragraph describing it is content.
    kept = [item for item in items if not _is_link_only(_item_text(item), rules)]
    if len(kept) == len(items):
        return block
    if kept and len(kept) >= rules.mixed_list_share * len(items):
        return block  # a reading list, some entries linked: not a list of related links
    separator = "\n\n" if "\n\n" in block else "\n"
    return separator.join(kept)
