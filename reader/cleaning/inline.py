"""Inline text rules shared by the HTML renderers, and the commonest entry HTML as Markdown.

Nothing here imports lxml: a few plain ``<p>`` are rendered without it, so a refresh of
simple feeds never pays for the parser.
"""

from __future__ import annotations

import re
import unicodedata

from reader.core.sanitize import escape_raw_html, strip_controls

WHITESPACE = re.compile(r"[ \t\n\r\f\v\x85\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
BLANK_RUNS = re.compile(r"\n{3,}")
# (and the explicit bidi formatting strip_controls removes: gone here, it cannot stand
# between a paragraph's start and a "[1]:" that must be escaped)
INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]")
HARD_BREAK = "\x00"  # placeholder for <br> while whitespace is collapsed


# What str.split() takes for whitespace beyond WHITESPACE (and str.strip() as well).
_SPLIT_ONLY = ("\x1c", "\x1d", "\x1e", "\x1f", "\u1680")


def squash(text: str) -> str:
    """Runs of whitespace as one space, trimmed."""
    if any(char in text for char in _SPLIT_ONLY):
        return WHITESPACE.sub(" ", text).strip()
    return " ".join(text.split())  # the same then, in a third of the time


def finish_inline(text: str) -> str:
    """Collapse whitespace in a paragraph, then turn the <br> placeholders into line breaks."""
    if not text.isascii():  # O(1): the invisible characters are not ASCII
        text = INVISIBLE.sub("", text)
    text = squash(text)
    if HARD_BREAK not in text:
        return text
    lines = [line.strip() for line in text.split(HARD_BREAK)]
    # Two trailing spaces: a hard break in Markdown, invisible as plain text.
    return "  \n".join(line for line in lines if line)


# What a Markdown renderer could take for a link reference definition: a paragraph that
# opens so ("[1]: https://…", a page's list of sources) would be read as one and not shown.
# (After any quote marks or list markers, which open a block where one can stand too.)
_DEFINITION_START = re.compile(
    r"((?:[ ]{0,3}(?:>[ ]?|[-+*][ \t]+|\d{1,9}[.)][ \t]+))*[ ]{0,3})(\[(?:[^\[\]\\]|\\.)+\]:)"
)


def shown_as_text(paragraph: str) -> str:
    """A paragraph written from a page's text, its opening "[" escaped where a renderer
    would read it as a link reference definition and show nothing of it."""
    if "]:" not in paragraph:
        return paragraph
    found = _DEFINITION_START.match(paragraph)
    if found is None:
        return paragraph
    return f"{found.group(1)}\\{paragraph[found.end(1):]}"


# A page's own "*" and "_" are written as they are (a body is not escaped: "*args",
# "snake_case", "1*2"), but a pair of them that a Markdown renderer would take for
# emphasis the page did not have ("Mitarbeiter*innen und Kolleg*innen" set in italics,
# without its stars) is escaped. While a paragraph is assembled, the page's stars and
# underscores are held as TEXT_STAR and TEXT_UNDERSCORE, and the renderer's own emphasis
# marks (of <em>, <strong>) as EMPHASIS; resolve_emphasis writes them out. (Control
# characters: a page's own are dropped as its text comes in, see without_marks.)
EMPHASIS = "\x01"
TEXT_STAR = "\x02"
TEXT_UNDERSCORE = "\x03"
_MARKS = frozenset((EMPHASIS, TEXT_STAR, TEXT_UNDERSCORE))
_WRITTEN = str.maketrans({EMPHASIS: "*", TEXT_STAR: "*", TEXT_UNDERSCORE: "_"})
_DELIMITER_RUNS = re.compile("[\x01\x02]+|\x03+")


_NO_MARKS = str.maketrans(dict.fromkeys(_MARKS))


def without_marks(text: str) -> str:
    """A page's text with none of the characters that stand for marks: a page can hold
    them (lxml reads "&#1;" as U+0001), and they would be written out as "*" and "_"."""
    if EMPHASIS in text or TEXT_STAR in text or TEXT_UNDERSCORE in text:
        return text.translate(_NO_MARKS)
    return text


def as_text(text: str) -> str:
    """A page's text as a paragraph holds it until :func:`resolve_emphasis`."""
    text = without_marks(text)
    if "*" in text or "_" in text:
        return text.replace("*", TEXT_STAR).replace("_", TEXT_UNDERSCORE)
    return text


def emphasis_as_text(paragraph: str) -> str:
    """A paragraph all of whose text is the page's: its "*" and "_" escaped where a
    renderer would find emphasis in them."""
    if "*" not in paragraph and "_" not in paragraph:
        return paragraph
    return resolve_emphasis(as_text(paragraph))


def resolve_emphasis(paragraph: str) -> str:
    """The paragraph as written: the renderer's emphasis marks as "*", the page's stars
    and underscores as they are, but a backslash before a run of them that could open
    (or close) emphasis with a later (earlier) run of its kind, by CommonMark's
    flanking rules."""
    if TEXT_STAR not in paragraph and TEXT_UNDERSCORE not in paragraph:
        return paragraph.replace(EMPHASIS, "*") if EMPHASIS in paragraph else paragraph
    shown = paragraph.translate(_WRITTEN)
    runs = []  # (start, end, kind, can open, can close)
    for run in _DELIMITER_RUNS.finditer(paragraph):
        start, end = run.span()
        slashes = 0
        while slashes < start and shown[start - slashes - 1] == "\\":
            slashes += 1
        if slashes % 2:
            start += 1  # a page's own backslash before it: its first mark is no delimiter
            if start == end:
                continue
        kind = shown[start]
        before = shown[start - 1] if start else " "
        after = shown[end] if end < len(shown) else " "
        left = not after.isspace() and (
            not _punctuation(after) or before.isspace() or _punctuation(before)
        )
        right = not before.isspace() and (
            not _punctuation(before) or after.isspace() or _punctuation(after)
        )
        if kind == "_":
            opens = left and (not right or _punctuation(before))
            closes = right and (not left or _punctuation(after))
        else:
            opens, closes = left, right
        runs.append((start, end, kind, opens, closes))
    # Whether a run of each kind that can close comes after each run (one pass back), and
    # one that can open before it (one pass on).
    closer_after: list[frozenset[str]] = []
    seen: frozenset[str] = frozenset()
    for _, _, kind, _, closes in reversed(runs):
        closer_after.append(seen)
        if closes:
            seen = seen | {kind}
    closer_after.reverse()
    escaped: list[tuple[int, int]] = []
    opener_before: set[str] = set()
    for index, (start, end, kind, opens, closes) in enumerate(runs):
        ours = all(paragraph[i] == EMPHASIS for i in range(start, end))
        if not ours and (
            (opens and kind in closer_after[index]) or (closes and kind in opener_before)
        ):
            escaped.append((start, end))
        if opens:
            opener_before.add(kind)
    if not escaped:
        return shown
    parts: list[str] = []
    last = 0
    for start, end in escaped:
        parts.append(shown[last:start])
        for i in range(start, end):
            parts.append(shown[i] if paragraph[i] == EMPHASIS else "\\" + shown[i])
        last = end
    parts.append(shown[last:])
    return "".join(parts)


def written(text: str) -> str:
    """Any mark a paragraph still holds written out (none should be left: a safety net,
    as control characters are stripped afterwards and the text would go with them)."""
    if EMPHASIS in text or TEXT_STAR in text or TEXT_UNDERSCORE in text:
        return text.translate(_WRITTEN)
    return text


def _punctuation(char: str) -> bool:
    """CommonMark's punctuation: ASCII punctuation and Unicode's P and S categories."""
    if char.isascii():
        return not char.isalnum() and not char.isspace() and char.isprintable()
    return unicodedata.category(char)[0] in "PS"


# The commonest entry HTML: a few <p> of plain text. For exactly that (no attributes, no
# other tag, only the entities below, no control or non-characters), html_to_markdown's
# result is each paragraph's text, unescaped and squashed, joined by blank lines; computing
# it directly skips an lxml parse and a tree walk. tests/unit/test_feeds_fastpath.py
# compares the two on many fragments.
_PARA_TEXT = (r"(?:[^<>&\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]++"
              r"|&(?:amp|lt|gt|quot);)*+")
_SIMPLE_HTML = re.compile(rf"[ \t\n]*+(?:<p>{_PARA_TEXT}</p>[ \t\n]*+)++")
SIMPLE_HTML_PATH = True  # False: always html_to_markdown (tests compare both)


def simple_paragraphs(fragment: str) -> str | None:
    """The Markdown of a fragment of plain ``<p>`` paragraphs; None for any other HTML."""
    if not SIMPLE_HTML_PATH or _SIMPLE_HTML.fullmatch(fragment) is None:
        return None
    blocks = []
    for chunk in fragment.split("</p>"):
        text = chunk.partition("<p>")[2]
        if "&" in text:
            text = escape_raw_html(text.replace("&lt;", "<").replace("&gt;", ">")
                                   .replace("&quot;", '"').replace("&amp;", "&"))
        if (text.isascii() and text[:1] != " " and text[-1:] != " " and "  " not in text
                and "\t" not in text and "\n" not in text):
            # nothing to squash, clean or strip: the text is the block
            if text:
                blocks.append(shown_as_text(emphasis_as_text(text)))
            continue
        block = BLANK_RUNS.sub("\n\n", strip_controls(finish_inline(text))).strip("\n")
        if block.strip():
            blocks.append(shown_as_text(emphasis_as_text(block)))
    return "\n\n".join(blocks)
