"""Inline text rules shared by the HTML renderers, and the commonest entry HTML as Markdown.

Nothing here imports lxml: a few plain ``<p>`` are rendered without it, so a refresh of
simple feeds never pays for the parser.
"""

from __future__ import annotations

import re

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
                blocks.append(shown_as_text(text))
            continue
        block = BLANK_RUNS.sub("\n\n", strip_controls(finish_inline(text))).strip("\n")
        if block.strip():
            blocks.append(shown_as_text(block))
    return "\n\n".join(blocks)
