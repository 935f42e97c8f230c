"""Words: how they are counted, how long they take to read, how a search splits them.

One rule each, shared by the cleaners, the storage, the list and the reading pane.
"""

from __future__ import annotations

import math
import re
from functools import cache

# Each script class is written once, here. Chinese and Japanese are written without spaces
# between words; Korean (Hangul) is written with spaces, but like them packs a syllable or
# more into each character, so a short line of it says as much as a long line of Latin.
_UNSPACED_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL_CHARS = "\uac00-\ud7af"


@cache
def unspaced_script() -> re.Pattern[str]:
    """Chinese and Japanese: written without spaces between words, each character counts
    as a word. (Korean is written with spaces and is counted like any spaced script.)

    Compiled on first use: the regex engine builds this class one character at a time
    (~4 ms), which every start of the interface paid, and the interface counts no words."""
    return re.compile(f"[{_UNSPACED_CHARS}]")


@cache
def dense_script() -> re.Pattern[str]:
    """Scripts with a syllable or a word in each character: the unspaced ones and Hangul.
    What the text cleaner needs to know: a short line of them is not a short line."""
    return re.compile(f"[{_UNSPACED_CHARS}{_HANGUL_CHARS}]")


WORDS_PER_MINUTE = 230

# Markdown's own tokens, not words a person reads.
_SYNTAX_TOKENS = ("-", "*", ">", "|", "#", "—", "–")


def count_words(text: str) -> int:
    """The words of an article body (Markdown): its whitespace-separated tokens, less bare
    Markdown syntax ("-", ">", "|", "#"...), each Chinese or Japanese character one word.

    Counted once per article when it is stored, so it stays as cheap as a split (a
    link's target rides on its last word).
    """
    unspaced = 0
    if not text.isascii():
        unspaced_chars = unspaced_script()
        unspaced = len(unspaced_chars.findall(text))
        if unspaced:
            text = unspaced_chars.sub(" ", text)
    tokens = text.split()
    return unspaced + len(tokens) - sum(map(tokens.count, _SYNTAX_TOKENS))


def reading_minutes(words: int) -> int:
    """Minutes to read ``words`` at WORDS_PER_MINUTE, rounded up; 0 for nothing."""
    return math.ceil(words / WORDS_PER_MINUTE) if words > 0 else 0


# A search: "quoted phrases" (the closing quote may be missing while typing) and words.
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def search_tokens(text: str) -> list[tuple[str, bool]]:
    """The phrases and words of a search as ``(text, is_phrase)``; tokens without a letter
    or digit are dropped (they match nothing)."""
    tokens: list[tuple[str, bool]] = []
    # a control character (a NUL pasted into the search ended FTS5's query there) stands
    # between words: the library's text holds none
    for match in _TOKEN.finditer(_CONTROL.sub(" ", text)):
        phrase, word = match.group(1), match.group(2)
        token = phrase if phrase is not None else word
        if token and any(ch.isalnum() for ch in token):
            tokens.append((token, phrase is not None))
    return tokens


def search_terms(text: str) -> list[str]:
    """The words and phrases of a search, as typed (for highlighting what matched)."""
    return [token for token, _ in search_tokens(text)]


def number_text(text: str) -> bool:
    """Whether ``text`` is a whole number int() reads: ASCII digits only (str.isdigit is
    also true of "²" and "①", which int() refuses; str.isdecimal of Arabic-Indic digits)."""
    return text.isascii() and text.isdigit()
