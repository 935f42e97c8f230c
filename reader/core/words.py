"""Words: how they are counted, how long they take to read, how a search splits them.

One rule each, shared by the cleaners, the storage, the list and the reading pane.
"""

from __future__ import annotations

import math
import re
import unicodedata
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


# Thai, Lao, Myanmar and Khmer: written without spaces between words too, their vowel
# signs and tones combining with the letter before them.
_SOUTHEAST_ASIAN_CHARS = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"


@cache
def _searched_by_character() -> re.Pattern[str]:
    """A character of a script whose words a search cannot tell apart, with the marks that
    combine with it."""
    letters = f"{_UNSPACED_CHARS}{_HANGUL_CHARS}{_SOUTHEAST_ASIAN_CHARS}\U00020000-\U0003134f"
    marks = "".join(
        chr(code) for low, high in ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF),
                                    (0x3099, 0x309A))
        for code in range(low, high + 1) if unicodedata.category(chr(code)).startswith("M"))
    return re.compile(f"[{letters}][{re.escape(marks)}]*")


# What search_text gives is kept in the library's search index, and a row is taken out of
# it by giving the same text again: a change to the characters it sets apart needs a
# migration that indexes the rows holding them again (as storage's schema 8 does).
def search_text(text: str) -> str:
    """Text as the search index reads it: each character of a script written without
    spaces between words (Chinese, Japanese, Thai...) or packing words into syllables
    (Korean) stands alone, so that a search finds a word inside a run of them ("東京" in
    "東京都の天気"), as a phrase of its characters. Other text is returned as it is."""
    if text.isascii() or not text.encode("utf-8", "surrogatepass").translate(
            None, _NOT_SEARCHED_BY_CHARACTER_LEADS):
        return text
    return _runs_searched_by_character().sub(_spaced_run, text)


@cache
def _runs_searched_by_character() -> re.Pattern[str]:
    return re.compile(f"(?:{_searched_by_character().pattern})+")


def _spaced_run(run: re.Match[str]) -> str:
    # One substitution per run of such characters, not per character: a template's
    # "\g<0>" expanded at each of them took 2.5 ms a 3,000-character Chinese article (25 s
    # of the 34 s 10,000 of them took to store). The words are the same: spaces are no
    # words to the index, so rows indexed either way are taken out as they went in.
    text = run.group()
    if len(text) == 1:
        return f" {text} "
    return f" {' '.join(_searched_by_character().findall(text))} "


# The first bytes in UTF-8 of U+0800-U+0FFF and U+1000-U+1FFF, U+3000-U+DFFF, U+F000-U+FFFF
# and the planes above: where those scripts are. What they leave out (U+2000-U+2FFF: dashes,
# curly quotes) is most of the non-ASCII in other languages' text, and this look at the
# bytes takes half the time of the pattern's, for every article indexed.
_NOT_SEARCHED_BY_CHARACTER_LEADS = bytes(
    code for code in range(256) if code not in (0xE0, 0xE1, *range(0xE3, 0xEE), 0xEF, 0xF0))


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


# A search: "quoted phrases" (the closing quote may be missing while typing) and words;
# either written with a leading "-" is left out.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def search_tokens(text: str) -> list[tuple[str, bool]]:
    """The phrases and words of a search as ``(text, is_phrase)``; tokens without a letter
    or digit are dropped (they match nothing), and so are the words left out (``-word``,
    see :func:`excluded_words`)."""
    return [(token, phrase) for token, phrase, excluded in _search_parts(text)
            if not excluded]


def excluded_words(text: str) -> list[str]:
    """The words and phrases a search leaves out: each written with a leading ``-``
    (``storm -flood``, ``-"storm surge"``), without it. A ``-`` inside a word (``e-mail``)
    or a phrase is text."""
    return [token for token, _, excluded in _search_parts(text) if excluded]


def _search_parts(text: str) -> list[tuple[str, bool, bool]]:
    parts: list[tuple[str, bool, bool]] = []
    # a control character (a NUL pasted into the search ended FTS5's query there) stands
    # between words: the library's text holds none
    for match in _TOKEN.finditer(_CONTROL.sub(" ", text)):
        minus, phrase, word = match.group(1, 2, 3)
        if phrase is not None:
            token, excluded = phrase, bool(minus)
        else:
            token, excluded = word, word.startswith("-")
            if excluded:
                token = token[1:]
        if token and any(ch.isalnum() for ch in token):
            parts.append((token, phrase is not None, excluded))
    return parts


def search_terms(text: str) -> list[str]:
    """The words and phrases of a search, as typed (for highlighting what matched)."""
    return [token for token, _ in search_tokens(text)]


def number_text(text: str) -> bool:
    """Whether ``text`` is a whole number int() reads: ASCII digits only (str.isdigit is
    also true of "²" and "①", which int() refuses; str.isdecimal of Arabic-Indic digits)."""
    return text.isascii() and text.isdigit()
