"""Plain-text boilerplate removal: from a whole-page text dump to title, author, date and body.

A naive scraper's dump keeps everything around the article: icon-sprite labels, menus,
share buttons, cookie notices, captions, "READ MORE" teasers, related links, footers.
The article is the dense run of prose in the middle. Each block of text (a line, or a
reflowed paragraph of hard-wrapped text) gets shape features (length, sentence
punctuation, function-word density in the page's language, capitalisation, digits,
teaser, comment and credit patterns) and context features (its neighbours, the short
lines around it, where it stands relative to the mass of prose, and its rhythm: teasers,
comments and listings repeat a beat of a few shapes, headline, source, snippet). A small
logistic model scores the blocks in two passes; the second also sees the first pass's
scores around every block, which is how contiguity is learned. The body is then the best run
of blocks plus any block outside it that scores very high; when the page has no article
(the run holds little of its likely text, or is titles rather than prose: a listing), it
is every block but the sure chrome. Metadata (headline, byline, date) is found around
the start of that run.

The weights live in ``text_model.json`` next to this file and were fitted by
``benchmarks/train_text_model.py``, which also reports the cross-validated quality
(folds grouped by site); inference is pure Python and loads in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import accumulate
from pathlib import Path

from reader.cleaning.header import labelled_header
from reader.cleaning.inline import shown_as_text
from reader.cleaning.layout import INVISIBLE, Block, blocks
from reader.cleaning.textdates import find_date, looks_like_date
from reader.core.dates import plausible
from reader.core.words import dense_script

__all__ = ["CleanedDump", "clean_dump", "normalise_line", "repeated_lines"]

_HERE = Path(__file__).parent
MODEL_PATH = _HERE / "text_model.json"
STOPWORDS_PATH = _HERE / "stopwords.json"


@dataclass(frozen=True, slots=True)
class CleanedDump:
    """What :func:`clean_dump` makes of a dump.

    ``body`` is Markdown: paragraphs separated by one blank line, list items kept as
    ``- item``. ``lines``/``kept`` let a viewer show the raw text with the removed lines
    dimmed (``kept[i]`` is True where ``lines[i]`` went into the body).
    """

    title: str | None
    author: str | None
    published: datetime | None
    body: str
    lines: tuple[str, ...]
    kept: tuple[bool, ...]
    url: str | None = None  # where the page was, when the dump says it (a labelled header)


# --------------------------------------------------------------------------- lines

# C0/C1 controls except TAB and LF; ESC is made visible like reader.core.sanitize does.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_ENDS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_DIGITS = re.compile(r"\d+")


_RARE_LINE_ENDS = ("\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")


def _split_lines(text: str) -> list[str]:
    # Most dumps end lines with LF alone; looking is cheaper than substituting.
    if any(map(text.__contains__, _RARE_LINE_ENDS)):
        text = _LINE_ENDS.sub("\n", text)
    text = _CONTROLS.sub(lambda m: "\u241b" if m.group() in ("\x1b", "\x9b") else "", text)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def normalise_line(line: str) -> str:
    """The key under which a line counts as repeated chrome.

    Case, spacing and numbers are ignored, so "12 comments" and "3 Comments" match.
    """
    if not line.isascii():
        line = unicodedata.normalize("NFKC", INVISIBLE.sub("", line))
    return " ".join(_DIGITS.sub("0", line.casefold()).split())


class _Keys(dict[str, str]):
    """Each text's :func:`normalise_line`, worked out once per dump: the features, the
    headline search and the vetoes all ask for the keys of the same blocks."""

    def __missing__(self, text: str) -> str:
        key = self[text] = normalise_line(text)
        return key


def repeated_lines(
    texts: Iterable[str], *, min_files: int = 3, min_share: float = 0.3
) -> frozenset[str]:
    """Normalised blocks that recur in many distinct files of one site: its chrome.

    A block (a line, or a paragraph a text browser wrapped over several) is chrome when
    it occurs in at least ``min_files`` files and in at least ``min_share`` of them.
    Identical whole files count once, since a duplicate article would otherwise make its
    own body look like chrome.
    """
    seen_files: set[bytes] = set()
    counts: Counter[str] = Counter()
    n_files = 0
    for text in texts:
        if not isinstance(text, str):
            continue
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        if digest in seen_files:
            continue
        seen_files.add(digest)
        n_files += 1
        keys = {normalise_line(block.text) for block in blocks(_split_lines(text))}
        keys.discard("")
        counts.update(keys)
    needed = max(min_files, math.ceil(min_share * n_files))
    return frozenset(key for key, count in counts.items() if count >= needed)


# --------------------------------------------------------------------------- units

# The blocks the classifier decides on: a paragraph, a list item, a heading.
_Unit = Block
_LIST_MARK = re.compile(r"^(?:[-*•·▪‣◦–]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")


def _units(lines: Sequence[str]) -> list[Block]:
    return blocks(lines)


# --------------------------------------------------------------------------- features

_WORD = re.compile(r"\w+")
_PUNCT_CHARS = ".,;:!?\"“”„«»'’()\u3001\u3002\uff0c\uff01\uff1f"
# One pass of a character class: quicker than a str.count per character.
_PUNCT = re.compile(f"[{re.escape(_PUNCT_CHARS)}]")
_DENSE_SCRIPT = dense_script()
_SEPARATORS = re.compile(r"\s[|»·•/>]\s|\s[|»·•]|[|»·•]\s")
_DIGIT_CHARS = re.compile(r"\d")
_YEARISH = re.compile(r"(?:19|20)\d\d")
_SENTENCE_MARKS = ".!?。！？…"
_CLOSERS = "\"'”’»)]*"
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|de|da|door|автор|written by|posted by|author)\s*:?\s+"
    r"(?P<name>\S.{1,80}?)\s*$",
    re.IGNORECASE,
)
# Words that announce another article rather than continue this one. Anchored at the
# start of the block, so trying it costs next to nothing.
_TEASER = re.compile(
    r"\W*(?:read (?:more|also|next)|see also|related(?: articles?| stories| posts?| content)?|"
    r"more (?:from|on|stories|news|articles)|recommended|don'?t miss|must read|also read|"
    r"trending|popular|most (?:read|popular|viewed)|you (?:may|might) also like|top stories|"
    r"next (?:article|story|post)|previous (?:article|story|post)|continue reading|click here|"
    r"watch(?: now| live)?|listen|leia (?:também|mais)|veja (?:também|mais)|saiba mais|"
    r"lesen sie auch|mehr zum thema|weitere artikel|à lire aussi|lire aussi|voir aussi|"
    r"leggi anche|lee también|ver también|читайте также|смотрите также|"
    r"more like this|similar (?:articles|stories|posts)|further reading|in other news|"
    r"latest (?:news|stories|headlines)|editors'? picks|"
    r"você (?:também )?pode gostar|(?:también )?te (?:puede|podría) interesar|"
    r"vous aimerez (?:aussi|également)|à voir aussi|das könnte sie auch interessieren|"
    r"(?:ti )?potrebbe(?:ro)? interessarti|вам (?:может|могут) быть интересн\w*|"
    r"похожие (?:статьи|материалы|новости))\b",
    re.IGNORECASE,
)
# A teaser label followed by a colon or bar ("READ MORE: ...", "Related | ...") is a link
# to another article wherever it stands, however much it reads like prose.
_TEASER_LABEL = re.compile(
    r"\W*(?:read (?:more|also|next)|see also|related(?: articles?| stories| posts?| content)?|"
    r"more (?:from|on)\b[^:|]{0,40}|don'?t miss|must read|also read|recommended|"
    r"continue reading|leia (?:também|mais)|veja (?:também|mais)|saiba mais|lesen sie auch|"
    r"mehr zum thema|à lire aussi|lire aussi|voir aussi|leggi anche|lee también|"
    r"ver también|читайте также|смотрите также)\s*[:|»>\-–—]",
    re.IGNORECASE,
)
# Keyword families are looked up word by word in sets: one tokenisation, no rescans.
_SOCIAL_WORDS = frozenset(
    "share shares tweet facebook twitter whatsapp pinterest linkedin reddit email e mail "
    "print comment comments reply subscribe subscribers subscription newsletter newsletters "
    "login signin signup register download instagram youtube telegram rss menu search home "
    "follow sign log skip toggle navigation app".split()
)
# Share buttons: a "Comments" line among them is one more button.
_SHARE_WORDS = frozenset(
    "share tweet facebook twitter whatsapp pinterest linkedin reddit email mail print".split()
)
_LEGAL_WORDS = frozenset(
    "copyright privacy cookie cookies gdpr consent advertisement advertising advertisements "
    "sponsored affiliate unsubscribe javascript browser reserved terms datenschutz impressum "
    "anzeige publicité publicidade publicidad pubblicità реклама".split()
)
_BUTTON_WORDS = (
    _SOCIAL_WORDS
    | _LEGAL_WORDS
    | frozenset("more next previous prev back top close reply contact about advertise".split())
)
_CAPTION_WORDS = frozenset(
    "getty reuters afp shutterstock istock photo photos photograph photographer image images "
    "credit credits pictured caption illustration foto fotos bild imagen imagem immagine "
    "фото".split()
)
_CAPTION = re.compile(
    r"^(?:photo|image|picture|pictured|credit|source|foto|bild|fotografía|imagen|video|"
    r"caption|illustration|graphic)s?\b\s*(?:[:|/(]|by\b|credit)|getty images|\bap photo\b|"
    r"\breuters\b|shutterstock|\bafp\b|istock|\(photo|photograph:|/ ?getty|\bphoto:|"
    r"\bimage:|\bcredit:",
    re.IGNORECASE,
)
# A photo credit marks its block as a caption.
_CREDIT = re.compile(
    r"\b(?:photo|image|picture|credit|foto|bild|photograph)s?\s*(?:by\s|:)|getty images|"
    r"\bap photo\b|shutterstock|istock|/\s?getty|\(photo|"
    # A scraper glues a caption to its credit: "...sought treatmentCredit: EPA".
    r"(?-i:[a-z.]Credit:)",
    re.IGNORECASE,
)
_CREDIT_HINTS = ("photo", "image", "picture", "credit", "foto", "bild", "getty", "stock")


def _has_credit(text: str) -> bool:
    # The regex is slow to search with; most blocks contain none of its words.
    lower = text.lower()
    return any(map(lower.__contains__, _CREDIT_HINTS)) and bool(_CREDIT.search(text))


_ELLIPSES = ("…", "...", "[…]", "[...]", "(…)", "(...)", "…»", "…”", '..."')
# "Alex on September 17, 2018 at 6:34 am said:", "Reply", "12 comments": comment threads.
_COMMENT_VERBS = ("said", "says", "wrote", "commented", "disse", "dijo", "a dit", "schrieb")
_REPLY_LABELS = frozenset(
    ("reply", "responder", "antworten", "répondre", "rispondi", "report", "reply to this comment")
)


_COMMENT_COUNT = re.compile(r"\d+\s+(?:comments?|replies|responses)$", re.IGNORECASE)


# The last letters of _COMMENT_VERBS, either case: a block whose last character (but for
# spaces and colons) is ASCII and none of these ends in no comment verb.
_COMMENT_VERB_ENDS = frozenset(verb[-1] for verb in _COMMENT_VERBS) | frozenset(
    verb[-1].upper() for verb in _COMMENT_VERBS
)


def _is_comment_marker(text: str) -> bool:
    size = len(text)
    if size >= 200:
        return False
    # Most blocks are settled by their last character; the verbs are looked for only when
    # it may end one.
    last = text.rstrip(" :")[-1:]
    if last in _COMMENT_VERB_ENDS or not last.isascii():
        tail = text[-16:].lower().rstrip(" :")
        if tail.endswith(_COMMENT_VERBS):
            before = tail[: -len(next(v for v in _COMMENT_VERBS if tail.endswith(v)))]
            return not before or before[-1] == " "
    # A count opens with its digits (\d is a decimal digit, as str.isdecimal says).
    return size < 24 and (
        text.strip().lower() in _REPLY_LABELS
        or (text[:1].isdecimal() and _COMMENT_COUNT.match(text) is not None)
    )


# An address or an e-mail.
_LINK_HINT = re.compile(r"://|www\.|\.(?:com|org|net|htm)|@")


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in _SENTENCE_MARKS if text else False


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    data = json.loads(STOPWORDS_PATH.read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items() if not lang.startswith("_")}


@cache
def _all_stopwords() -> frozenset[str]:
    return frozenset().union(*_stopwords().values())


FEATURE_NAMES: tuple[str, ...] = (
    "log_chars",
    "log_words",
    "short_3",
    "long_80",
    "ends_sentence",
    "inner_sentences",
    "punct_per_word",
    "commas_per_word",
    "stopword_share",
    "language_share",
    "cjk_share",
    "title_case_share",
    "upper_share",
    "linkish",
    "separators",
    "teaser",
    "social_per_word",
    "social_any",
    "legal",
    "caption",
    "caption_first",
    "list_mark",
    "repeated_in_doc",
    "chrome",
    "date_line",
    "byline",
    "ends_colon",
    "starts_lower",
    "mean_word_len",
    "chars_lt40",
    "chars_40_80",
    "chars_80_160",
    "chars_160_320",
    "stop_lt10",
    "stop_10_25",
    "stop_gt25",
    "long_unpunctuated",
    "long_sentence_prose",
    "ends_ellipsis",
    "comment_header",
)

# How much text the language guess reads: enough to be sure, little enough to be quick.
_LANGUAGE_SAMPLE = 800


def _language(
    units: Sequence[_Unit], lowered: dict[str, tuple[str, list[str]]]
) -> frozenset[str]:
    """The function words of the page's main language (most hits over the page).

    Deciding once per page keeps per-line work small and stops a stray "de" or "a" in a
    menu from counting as prose in some other language.
    """
    sample: list[str] = []
    for unit in units:
        text = unit.text
        if len(text) >= 40:
            # A block's words as the shape features split them, but for a long one's end.
            sample.extend(lowered[text][1] if len(text) <= 2000 else text[:2000].lower().split())
            if len(sample) >= _LANGUAGE_SAMPLE:
                break
    # Only function words of some language can count, and they are a few distinct words.
    function_words = Counter(filter(_all_stopwords().__contains__, sample))
    best, best_hits = frozenset[str](), 0
    for words in _stopwords().values():
        hits = sum(map(function_words.__getitem__, words.intersection(function_words)))
        if hits > best_hits:
            best, best_hits = words, hits
    return best


_HEAD = 5000
_CASE_SAMPLE = 60

# Bits of _word_classes: which word lists a word is in.
_STOP, _OWN, _SOCIAL, _LEGAL, _CAPTION_WORD = 1, 2, 4, 8, 16


@cache
def _word_classes(language: frozenset[str]) -> dict[str, int]:
    """Each listed word with the bits of the lists it is in, for one page language."""
    classes: dict[str, int] = {}
    for bit, words in (
        (_STOP, _all_stopwords()),
        (_OWN, language),
        (_SOCIAL, _SOCIAL_WORDS),
        (_LEGAL, _LEGAL_WORDS),
        (_CAPTION_WORD, _CAPTION_WORDS),
    ):
        for word in words:
            classes[word] = classes.get(word, 0) | bit
    return classes


def _lowered(texts: Iterable[str]) -> dict[str, tuple[str, list[str]]]:
    """Each distinct text's first _HEAD characters lowercased, and split into words: the
    shape features and the language guess read the same words."""
    out: dict[str, tuple[str, list[str]]] = {}
    for text in texts:
        if text not in out:
            lower = (text if len(text) <= _HEAD else text[:_HEAD]).lower()
            out[text] = (lower, lower.split())
    return out


def _shape(
    text: str,
    key: str,
    chrome: frozenset[str],
    repeats: Counter[str],
    classes: dict[str, int],
    lowered: tuple[str, list[str]],
) -> list[float]:
    """Shape features of one block; the order is FEATURE_NAMES.

    ``classes`` is :func:`_word_classes` for the page's language; ``lowered`` the
    block's entry in :func:`_lowered`.
    """
    n_chars = len(text)
    # The shares below are as well measured on a long block's first part as on all of it.
    head = text if n_chars <= _HEAD else text[:_HEAD]
    # The words are split on spaces (in _lowered), ten times cheaper than a \w+ regex; a
    # word with punctuation attached ("sunday.") only misses the stopword sets, which
    # function words rarely do.
    lower, low_words = lowered
    n_low = len(low_words)
    cjk = 0 if head.isascii() else len(_DENSE_SCRIPT.findall(head))
    # Scripts without spaces: count two characters as a word so length means the same.
    n_words = max(n_low, 1) + cjk / 2
    # One lookup per word gives every word list it is in, as bits; tallying the few
    # distinct bit patterns is much quicker than a pass over the words per list.
    stop = own = social = legal_words = caption = 0
    hits = list(filter(None, map(classes.get, low_words)))
    for bits in set(hits):
        count = hits.count(bits)
        if bits & _STOP:
            stop += count
        if bits & _OWN:
            own += count
        if bits & _SOCIAL:
            social += count
        legal_words |= bits & _LEGAL
        caption |= bits & _CAPTION_WORD
    legal = "©" in head or legal_words
    # Capitalisation is as well measured on the first words as on all of them; lowercasing
    # changes no spacing, so the original has as many words as its lowercase.
    title_case = upper = 0.0
    if n_low and lower != head:
        sample = head.split(None, _CASE_SAMPLE)[:_CASE_SAMPLE]
        letters = len(sample)
        title_case = sum(map(str.istitle, sample)) / letters
        upper = sum(map(str.isupper, sample)) / letters
    first = low_words[0].strip(":.,|") if low_words else ""
    punct = len(_PUNCT.findall(head))
    inner = len(_INNER_STOPS.findall(head))
    if cjk:
        inner += head.count("。") + head.count("！") + head.count("？")
    ends = _ends_sentence(text)
    # The page's own language when known, else any language's function words; CJK text
    # has none, and its share of CJK characters stands in.
    share = max(own, stop * 0.5) / n_words if not cjk else min(1.0, cjk / len(head))
    return [
        math.log1p(n_chars),
        math.log1p(n_words),
        1.0 if n_words <= 3 else 0.0,
        1.0 if n_chars >= 80 else 0.0,
        1.0 if ends else 0.0,
        min(inner / n_words * 10, 3.0),
        min(punct / n_words, 2.0),
        min(head.count(",") / n_words * 10, 3.0),
        stop / n_words,
        own / n_words,
        cjk / len(head),
        title_case,
        upper,
        1.0 if _LINK_HINT.search(lower) else 0.0,
        _separators(head),
        1.0 if _is_teaser(lower) else 0.0,
        min(social / n_words, 1.0),
        1.0 if social else 0.0,
        1.0 if legal else 0.0,
        1.0 if caption else 0.0,
        1.0 if first in _CAPTION_WORDS else 0.0,
        1.0 if _LIST_MARK.match(text) else 0.0,
        1.0 if key and repeats[key] > 1 else 0.0,
        1.0 if key and key in chrome else 0.0,
        1.0 if n_chars < 100 and looks_like_date(text) else 0.0,
        1.0 if n_chars < 200 and _BYLINE.match(text) else 0.0,
        1.0 if text.endswith(":") else 0.0,
        1.0 if text[:1].islower() else 0.0,
        min((len(head) - n_low) / n_words, 15.0) / 5,
        # Piecewise terms: a linear model cannot otherwise say "middling is best".
        1.0 if n_chars < 40 else 0.0,
        1.0 if 40 <= n_chars < 80 else 0.0,
        1.0 if 80 <= n_chars < 160 else 0.0,
        1.0 if 160 <= n_chars < 320 else 0.0,
        1.0 if share < 0.1 else 0.0,
        1.0 if 0.1 <= share < 0.25 else 0.0,
        1.0 if share >= 0.25 else 0.0,
        1.0 if n_chars >= 80 and punct / n_words < 0.02 else 0.0,
        1.0 if n_chars >= 80 and ends and inner and share >= 0.15 else 0.0,
        # Teasers quote an article's first words and break off: "... plan to […]".
        1.0 if text.endswith(_ELLIPSES) else 0.0,
        1.0 if _is_comment_marker(text) else 0.0,
    ]


# Sentences inside a block: a stop and a space.
_INNER_STOPS = re.compile(r"[.?!] ")


def _separators(text: str) -> float:
    # Most blocks hold no separator: plain substring tests rule them out before the regex.
    if not (
        "|" in text or "»" in text or "·" in text or "•" in text or " / " in text or " > " in text
    ):
        return 0.0
    return min(len(_SEPARATORS.findall(text)), 5) / 5


# Indices into the shape vector that the context features look at.
_I_LOG_CHARS = FEATURE_NAMES.index("log_chars")
_I_ENDS = FEATURE_NAMES.index("ends_sentence")
_I_STOP = FEATURE_NAMES.index("stopword_share")
_I_PUNCT = FEATURE_NAMES.index("punct_per_word")
_I_LONG = FEATURE_NAMES.index("long_80")
_I_COMMENT = FEATURE_NAMES.index("comment_header")
_I_DATE = FEATURE_NAMES.index("date_line")
_I_TEASER = FEATURE_NAMES.index("teaser")

CONTEXT_NAMES: tuple[str, ...] = tuple(
    f"{name}@{off}"
    for off in (-2, -1, 1, 2)
    for name in ("log_chars", "ends_sentence", "stopword_share", "punct_per_word")
) + (
    "prose_w3",
    "prose_w8",
    "prose_w20",
    "chars_w3",
    "mass_middle",
    "position",
    "position_middle",
    "tiny_before",
    "tiny_after",
    "unstopped_run",
)


def _proseness(shape: Sequence[float]) -> float:
    """A rough hand-made prose indicator, only used to locate the mass of the text."""
    long = shape[_I_LOG_CHARS] >= 4.4  # about 80 characters
    return 1.0 if long and (shape[_I_ENDS] or shape[_I_STOP] > 0.15) else 0.0


def _window_means(values: Sequence[float], radius: int) -> list[float]:
    """Mean of each value's window of ``radius`` neighbours on either side."""
    prefix = [0.0, *accumulate(values)]
    n = len(values)
    width = 2 * radius + 1
    if n <= width:
        return [
            (prefix[min(n, i + radius + 1)] - prefix[max(0, i - radius)])
            / (min(n, i + radius + 1) - max(0, i - radius))
            for i in range(n)
        ]
    # Full windows in one sweep; only the few at either edge are narrower.
    head = [prefix[i + radius + 1] / (i + radius + 1) for i in range(radius)]
    middle = [(hi - lo) / width for lo, hi in zip(prefix, prefix[width:], strict=False)]
    tail = [(prefix[n] - prefix[i - radius]) / (n - i + radius) for i in range(n - radius, n)]
    return head + middle + tail


def _mass(values: Sequence[float]) -> tuple[list[float], list[float]]:
    """Share of the total of ``values`` strictly before and strictly after each index."""
    total = sum(values) or 1.0
    before, after, run = [], [], 0.0
    for v in values:
        before.append(run / total)
        run += v
        after.append(max(0.0, 1.0 - run / total))
    return before, after


def _context(
    shapes: Sequence[Sequence[float]], units: Sequence[_Unit], gaps: Sequence[int]
) -> list[list[float]]:
    """Neighbourhood features; ``gaps[i]`` is how many tiny lines stand before unit i."""
    n = len(shapes)
    blank = [0.0, 0.0, 0.0, 0.0]
    picks = [[s[_I_LOG_CHARS], s[_I_ENDS], s[_I_STOP], s[_I_PUNCT]] for s in shapes]
    prose = [_proseness(s) for s in shapes]
    weighted = [p * math.exp(s[_I_LOG_CHARS]) for p, s in zip(prose, shapes, strict=True)]
    w3, w8, w20 = (_window_means(prose, r) for r in (3, 8, 20))
    chars3 = _window_means([s[_I_LOG_CHARS] for s in shapes], 3)
    before, after = _mass(weighted)
    last_line = max(units[-1].last, 1) if units else 1
    padded = [blank, blank, *picks, blank, blank]
    unstopped = _unstopped_runs(shapes)
    rows = []
    for i in range(n):
        position = units[i].first / last_line
        rows.append(
            [
                *padded[i],
                *padded[i + 1],
                *padded[i + 3],
                *padded[i + 4],
                w3[i],
                w8[i],
                w20[i],
                chars3[i] / 6,
                min(before[i], after[i]) * 2,
                position,
                min(position, 1 - position) * 2,
                math.log1p(gaps[i]) / 3,
                math.log1p(gaps[i + 1]) / 3 if i + 1 < len(gaps) else 0.0,
                unstopped[i],
            ]
        )
    return rows


def _unstopped_runs(shapes: Sequence[Sequence[float]]) -> list[float]:
    """For a block that does not end a sentence, how long the run of such blocks around
    it is: a list of headlines to other articles is a long one, a subheading stands alone."""
    out = [0.0] * len(shapes)
    start = 0
    for i in range(len(shapes) + 1):
        if i == len(shapes) or shapes[i][_I_ENDS]:
            if i > start:
                value = math.log1p(i - start) / 3
                out[start:i] = [value] * (i - start)
            start = i + 1
    return out


STAGE2_NAMES: tuple[str, ...] = (
    "logit1",
    "p1@-3",
    "p1@-2",
    "p1@-1",
    "p1@1",
    "p1@2",
    "p1@3",
    "p1_w5",
    "p1_w15",
    "p1_max_w3",
    "p1_mass_middle",
    "p1_before_any",
    "p1_after_any",
    "p1_in_run",
    "p1_run_distance",
    "rhythm_out_of_run",
    "rhythm_after_prose",
    "rhythm_before_prose",
)
# Where the rhythm stands in a stage-one row (the last).
_I_RHYTHM = -1
# A block at least this rhythmic is one of a list's items.
_RHYTHMIC = 0.4


def _stage2(logits: Sequence[float], shapes: Sequence[Sequence[float]]) -> list[list[float]]:
    """Stage-two rows: each block's first score, its neighbours' and the run's; ``shapes``
    are the stage-one rows (their shape features first, their rhythm last)."""
    p1 = [_sigmoid(z) for z in logits]
    n = len(p1)
    w5, w15 = _window_means(p1, 5), _window_means(p1, 15)
    chars = [math.exp(s[_I_LOG_CHARS]) * p for s, p in zip(shapes, p1, strict=True)]
    before, after = _mass(chars)
    # Whether confident prose stands here or before/after: chrome sits outside all of it,
    # while the article's own first and last paragraphs still count as inside.
    confident = [1.0 if p > 0.8 and s[_I_LONG] else 0.0 for p, s in zip(p1, shapes, strict=True)]
    seen_before = list(accumulate(confident, max))
    seen_after = list(accumulate(reversed(confident), max))[::-1]
    sizes = [math.exp(s[_I_LOG_CHARS] / 2) for s in shapes]
    lo, hi = _best_run(p1, sizes, 0.5)
    padded = [0.0, 0.0, 0.0, *p1, 0.0, 0.0, 0.0]
    # Teasers or comments after a short article, or a listing: both are lists of prose,
    # but after an article the list stands outside the run, beside prose that has no beat
    # of its own. (The beat alone, or the page's, taught the model that a short post with
    # its comments is a listing.)
    rhythm = [s[_I_RHYTHM] for s in shapes]
    plain = [c if r < _RHYTHMIC else 0.0 for c, r in zip(chars, rhythm, strict=True)]
    plain_before, plain_after = _mass(plain)
    rows = []
    for i in range(n):
        near = padded[i : i + 3] + padded[i + 4 : i + 7]
        beat = rhythm[i]
        rows.append(
            [
                max(-8.0, min(8.0, logits[i])) / 4,
                *near,
                w5[i],
                w15[i],
                max(near[1:5]),
                min(before[i], after[i]) * 2,
                seen_before[i],
                seen_after[i],
                1.0 if lo <= i <= hi else 0.0,
                math.log1p(max(lo - i, i - hi, 0)) / 3,
                0.0 if lo <= i <= hi else beat,
                beat * plain_before[i],
                beat * plain_after[i],
            ]
        )
    return rows


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True, slots=True)
class _Model:
    w1: tuple[float, ...]
    b1: float
    w2: tuple[float, ...]
    b2: float
    threshold: float
    # The article is one dense run: inside the best-scoring run of blocks a block needs
    # ``block_in`` to stay, outside it ``block_out``.
    block_in: float = 0.5
    block_out: float = 0.5
    # What a short unscored line between two blocks costs the run, per square-rooted
    # character, as a share of the threshold.
    gap_cost: float = 0.0


@cache
def _model() -> _Model:
    return _model_from(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def _model_from(data: dict[str, object]) -> _Model:
    def floats(key: str) -> tuple[float, ...]:
        values = data[key]
        assert isinstance(values, list)
        return tuple(float(v) for v in values)

    def scalar(key: str) -> float:
        value = data[key]
        assert isinstance(value, int | float)
        return float(value)

    # A model fitted on other features would score every block wrongly and say nothing.
    for key, names, weights in (("features1", STAGE1_NAMES, "w1"),
                                ("features2", STAGE2_NAMES, "w2")):
        if data.get(key) != list(names):
            raise ValueError(f"the text model's {key} are not this cleaner's: refit it")
        values = data.get(weights)
        if not isinstance(values, list) or len(values) != len(names):
            raise ValueError(f"the text model's {weights} is not one weight a feature")
    return _Model(
        floats("w1"),
        scalar("b1"),
        floats("w2"),
        scalar("b2"),
        scalar("threshold"),
        scalar("block_in"),
        scalar("block_out"),
        scalar("gap_cost") if "gap_cost" in data else 0.0,
    )


def _features(
    all_units: Sequence[_Unit],
    picked: Sequence[int],
    gaps: Sequence[int],
    chrome: frozenset[str],
    normalised: _Keys | None = None,
) -> list[list[float]]:
    """Stage-one rows for the ``picked`` units: shape features, then context features."""
    units = [all_units[i] for i in picked]
    if normalised is None:
        normalised = _Keys()
    # Short blocks are compared loosely ("12 comments" is "3 Comments"); a long one only
    # repeats as a gallery's caption or a teaser does, word for word.
    keys = [normalised[u.text] if len(u.text) < 120 else u.text for u in units]
    repeats = Counter(keys)
    lowered = _lowered(u.text for u in units)
    classes = _word_classes(_language(units, lowered))
    # Menus and teasers repeat lines within a page; each distinct text is measured once.
    measured: dict[str, list[float]] = {}
    shapes = []
    for unit, key in zip(units, keys, strict=True):
        shape = measured.get(unit.text)
        if shape is None:
            shape = measured[unit.text] = _shape(
                unit.text, key, chrome, repeats, classes, lowered[unit.text]
            )
        shapes.append(shape)
    context = _context(shapes, units, gaps)
    signals = _gap_signals(all_units, picked, shapes)
    layout = _layout_signals(all_units, picked)
    rhythm = _rhythm(units)
    return [
        s + c + g + v + [r]
        for s, c, g, v, r in zip(shapes, context, signals, layout, rhythm, strict=True)
    ]


RHYTHM_NAMES: tuple[str, ...] = ("rhythm",)
# How many blocks either side of a block its rhythm is measured over.
_RHYTHM_REACH = 6
# The repeats a rhythm is looked for at: a teaser is a headline, a source or a date, and
# a snippet; a comment a name, a date, its text and "Reply".
_RHYTHM_PERIODS = (2, 3, 4, 5)


def _rhythm_class(text: str) -> int:
    """A block's coarse shape, as a list's repeating pattern shows it: a short label, with
    or without a digit; a line that is or is not a sentence; prose."""
    size = len(text)
    if size >= 80:
        return 0
    digit = 1 if _DIGIT_CHARS.search(text) else 0
    if size < _TINY:
        return 1 + digit
    return (3 if _ends_sentence(text) else 5) + digit


def _rhythm(units: Sequence[_Unit]) -> list[float]:
    """For each scored block, how strongly the scored blocks around it repeat a pattern
    of two to five different shapes (headline, source line, snippet; name, date, comment).

    A list of teasers, a comment thread or a listing has such a beat; an article's
    paragraphs, a menu's links or a product's specification repeat one shape, which is
    why the share of blocks like their next neighbour is taken off. The short lines
    between scored blocks are left out: "Advertisement" between every two paragraphs
    would give an article a beat.
    """
    n = len(units)
    if n <= 2 * _RHYTHM_PERIODS[-1]:
        return [0.0] * n
    classes = [_rhythm_class(unit.text) for unit in units]

    def repeats(period: int) -> list[float]:
        same = [1.0 if a == b else 0.0 for a, b in zip(classes, classes[period:], strict=False)]
        return _window_means(same + [0.0] * period, _RHYTHM_REACH)

    steady = repeats(1)
    best = repeats(_RHYTHM_PERIODS[0])
    for period in _RHYTHM_PERIODS[1:]:
        best = list(map(max, best, repeats(period)))
    return [max(0.0, b - s) for b, s in zip(best, steady, strict=True)]


LAYOUT_NAMES: tuple[str, ...] = (
    "heading",
    "list_item",
    "link_share",
    "linked",
    "linked_near",
    "page_linked",
)


def _layout_signals(units: Sequence[_Unit], picked: Sequence[int]) -> list[list[float]]:
    """What the dump's layout says of each scored block: a heading, a list item, links.

    Links are only known where the tool marked them (numbered, or in Markdown); a block
    made of links among blocks made of links is a menu or a list of other articles.
    """
    n = len(units)
    linked = [1 if unit.links else 0 for unit in units]
    if not any(linked):
        return [[1.0 if units[i].heading else 0.0, 1.0 if units[i].item else 0.0, 0.0, 0.0,
                 0.0, 0.0] for i in picked]
    counts = _prefix_counts(map(bool, linked))
    page = counts[-1] / n
    rows = []
    for i in picked:
        unit = units[i]
        lo, hi = max(0, i - _LIST_REACH), min(n, i + _LIST_REACH + 1)
        rows.append(
            [
                1.0 if unit.heading else 0.0,
                1.0 if unit.item else 0.0,
                min(unit.links / (unit.text.count(" ") + 1), 1.0),
                float(linked[i]),
                (counts[hi] - counts[lo] - linked[i]) / max(1, hi - lo - 1),
                page,
            ]
        )
    return rows


GAP_NAMES: tuple[str, ...] = (
    "comment_marker_before",
    "buttons_before",
    "buttons_after",
    "comment_thread_before",
    "stamps_near",
    "headlines_near",
    "teaser_heading_before",
)
# A stage-one row, in order: what the model's "features1" must name.
STAGE1_NAMES = FEATURE_NAMES + CONTEXT_NAMES + GAP_NAMES + LAYOUT_NAMES + RHYTHM_NAMES
# How many blocks back a comment marker ("Reply", "... said:") still says "this is a comment".
_COMMENT_REACH = 6
# How many blocks either side count as a block's neighbourhood for list patterns.
_LIST_REACH = 4
# How many blocks after "Related articles" or "You may also like" are still its links.
_TEASER_REACH = 8

# "3 hours ago", "2 days ago at 07:52 am", "vor 3 Stunden", "há 2 horas", "il y a 3 jours":
# lists of other articles and comment threads stamp every item with one.
_RELATIVE_TIME = re.compile(
    r"\b(?:\d+|an?|one)\s*(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|weeks?|"
    r"months?|years?)\s+ago\b|\b(?:yesterday|just now|today) at\b|"
    r"\bvor\s+\d+\s+(?:minuten|stunden|tagen|wochen)\b|\bhá\s+\d+\s+(?:minutos|horas|dias)\b|"
    r"\bhace\s+\d+\s+(?:minutos|horas|días)\b|\bil y a\s+\d+\s+(?:minutes|heures|jours)\b|"
    r"\d+\s*(?:минут|час|дн)\w*\s+назад",
    re.IGNORECASE,
)
# One of these words stands in every relative form; a line without any is settled by one
# search.
_RELATIVE_HINT = re.compile("ago| at|vor |há |hace |il y a|назад")
# Headings that open a comment thread; everything after one is readers, not the article.
_COMMENT_HEADINGS = frozenset(
    (
        "comments",
        "responses",
        "discussion",
        "leave a reply",
        "leave a comment",
        "post a comment",
        "add a comment",
        "join the discussion",
        "join the conversation",
        "reader comments",
        "kommentare",
        "commentaires",
        "comentarios",
        "comentários",
        "commenti",
        "комментарии",
    )
)

_COMMENT_COUNT_HEADING = re.compile(r"\W*\d+\s+(?:comments|responses|replies)\W*$", re.IGNORECASE)


def _opens_thread(text: str) -> bool:
    """A heading over readers' comments, or the first commenter's "Name on <date> said:"."""
    lower = text.lower().strip(" :[]()")
    if lower in _COMMENT_HEADINGS or _COMMENT_COUNT_HEADING.match(text):
        return True
    return lower.endswith(_COMMENT_VERBS) and bool(_DIGIT_CHARS.search(text))


def _is_timestamp(text: str, lower: str) -> bool:
    """A short line that only says when: "3 hours ago", "Nov 19, 2019 at 4:47 pm"."""
    if len(text) >= 60:
        return False
    return _is_relative_time(text, lower) or (len(text) < 40 and looks_like_date(text))


def _is_relative_time(text: str, lower: str) -> bool:
    # The relative forms all have one of a few words; most lines are settled by a look.
    return _RELATIVE_HINT.search(lower) is not None and bool(_RELATIVE_TIME.search(text))


def _is_headline_like(text: str) -> bool:
    """A line shaped like a link to another article: a few words, no closing stop."""
    return 20 <= len(text) <= 140 and text.count(" ") >= 2 and not _ends_sentence(text)


# The words a _TEASER phrase can start with; a set lookup spares most lines the regex.
_TEASER_FIRST_WORDS = frozenset(
    "read see related more recommended don dont must also trending popular most you top "
    "next previous continue click watch listen leia veja saiba lesen mehr weitere à lire voir "
    "leggi lee ver читайте смотрите similar further in latest editors "
    "você también te vous das ti potrebbe potrebbero вам похожие".split()
)
_FIRST_WORD = re.compile(r"\W*(\w+)")


def _is_teaser(lower: str) -> bool:
    """Whether a block (lowercased) opens with words that announce another article."""
    first = _FIRST_WORD.match(lower)
    if first is None or first.group(1) not in _TEASER_FIRST_WORDS:
        return False
    return _TEASER.match(lower) is not None


def _is_teaser_heading(text: str, lower: str) -> bool:
    """A short line announcing links to other articles: "Related articles", "Read more"."""
    return len(text) < 60 and _is_teaser(lower)


def _short_line_tests(text: str, lower: str) -> tuple[bool, bool, bool]:
    """Whether an unscored line (lowercased: ``lower``, when shorter than 60) is a comment
    marker, a timestamp, a teaser heading."""
    size = len(text)
    if size >= 60:
        return size < 200 and _is_comment_marker(text), False, False
    return _is_comment_marker(text), _is_timestamp(text, lower), _is_teaser_heading(text, lower)


def _prefix_counts(flags: Iterable[bool]) -> list[int]:
    """How many of the flags before each index are set (one more entry than flags)."""
    return [0, *accumulate(flags)]


def _gap_signals(
    units: Sequence[_Unit], picked: Sequence[int], shapes: Sequence[Sequence[float]]
) -> list[list[float]]:
    """What the lines around each scored block say: comment threads, button rows, lists.

    A comment marker only counts once some prose has gone before it (two blocks, so a
    cookie notice is not enough): "0 comments" in the share bar above an article says
    nothing about the article.
    """
    n = len(units)
    texts = [u.text for u in units]
    # Only short lines are ever looked at in lowercase.
    lowers = [t.lower() if len(t) < 60 else "" for t in texts]
    # The second block of prose: comment markers count only after it.
    prose_at = (i for i, shape in zip(picked, shapes, strict=True) if _proseness(shape))
    next(prose_at, n)
    second_prose = next(prose_at, n)
    is_button = [False] * n
    is_share = [False] * n
    for i, text in enumerate(texts):
        if len(text) < _TINY:
            words = lowers[i].split()
            is_button[i] = not _BUTTON_WORDS.isdisjoint(words)
            is_share[i] = is_button[i] and not _SHARE_WORDS.isdisjoint(words)
    thread_from = n
    for i in range(second_prose + 1, n):
        lower = lowers[i]
        if not lower or (
            lower.strip(" :[]()") not in _COMMENT_HEADINGS and _DIGIT_CHARS.search(lower) is None
        ):
            continue  # a thread's heading is short, and a known heading or has a count
        # "Comments" among "Facebook", "Print" and "Email" is a button, not a heading.
        if _opens_thread(texts[i]):
            if not is_share[i - 1] and not (i + 1 < n and is_share[i + 1]):
                thread_from = i
                break
    # Only lines within reach of a scored block can count; long menus far from any are
    # not looked at again.
    before = max(_COMMENT_REACH, _TEASER_REACH, _LIST_REACH)
    edges = [0] * (n + 1)
    for i in picked:
        edges[max(0, i - before)] += 1
        edges[min(n, i + _LIST_REACH + 1)] -= 1
    near = list(accumulate(edges))
    is_mark, is_stamp, is_headline, is_teaser = [False] * n, [False] * n, [False] * n, [False] * n
    # A scored block's shape already says whether it is a comment marker, a teaser or a
    # date; only the short lines between them are looked at here.
    shape_at = dict(zip(picked, shapes, strict=True))
    # Menus and button rows repeat their short lines; each distinct one is tested once.
    short_tests: dict[str, tuple[bool, bool, bool]] = {}
    for i, text in enumerate(texts):
        if not near[i]:
            continue
        size = len(text)
        shape = shape_at.get(i)
        if shape is None:
            tests = short_tests.get(text)
            if tests is None:
                tests = short_tests[text] = _short_line_tests(text, lowers[i])
            is_mark[i] = tests[0] and i > second_prose
            is_stamp[i], is_teaser[i] = tests[1], tests[2]
        else:
            if i > second_prose:
                is_mark[i] = shape[_I_COMMENT] > 0.0
            if size < 60:
                is_stamp[i] = _is_relative_time(text, lowers[i]) or (
                    size < 40 and shape[_I_DATE] > 0.0
                )
                is_teaser[i] = shape[_I_TEASER] > 0.0
        if 20 <= size <= 140:
            is_headline[i] = _is_headline_like(text)
    # Running counts, so any window's count is one subtraction.
    marks = _prefix_counts(is_mark)
    buttons = _prefix_counts(is_button)
    stamps = _prefix_counts(is_stamp)
    headlines = _prefix_counts(is_headline)
    teaser_headings = _prefix_counts(is_teaser)
    rows = []
    for k, i in enumerate(picked):
        previous = picked[k - 1] + 1 if k else 0
        following = picked[k + 1] if k + 1 < len(picked) else n
        lo, hi = max(0, i - _LIST_REACH), min(n, i + _LIST_REACH + 1)
        rows.append(
            [
                1.0 if marks[i] - marks[max(0, i - _COMMENT_REACH)] else 0.0,
                math.log1p(buttons[i] - buttons[previous]) / 2,
                math.log1p(buttons[following] - buttons[i + 1]) / 2,
                1.0 if i > thread_from else 0.0,
                math.log1p(stamps[hi] - stamps[lo]) / 2,
                (headlines[hi] - headlines[lo] - headlines[i + 1] + headlines[i]) / (hi - lo),
                1.0 if teaser_headings[i] - teaser_headings[max(0, i - _TEASER_REACH)] else 0.0,
            ]
        )
    return rows


def _scores(rows: Sequence[Sequence[float]], model: _Model) -> list[float]:
    """Body probability of each scored block after all stages."""
    # The dot products written out: a call per block costs as much as the arithmetic.
    mul, w1, b1, w2, b2 = operator.mul, model.w1, model.b1, model.w2, model.b2
    logits = [b1 + sum(map(mul, w1, row)) for row in rows]
    # Each row starts with its shape features and ends with its rhythm, all _stage2 reads.
    logits = [b2 + sum(map(mul, w2, row)) for row in _stage2(logits, rows)]
    return [_sigmoid(z) for z in logits]


# --------------------------------------------------------------------------- metadata

_TITLE_WORD = re.compile(r"\w{3,}")
# How many blocks before the body the headline may stand.
_TITLE_REACH = 40


def _content_words(text: str) -> set[str]:
    return set(_TITLE_WORD.findall(text.lower())).difference(_all_stopwords())


# What says a block is or is not the headline, as log-odds; fitted with a logistic
# regression on the candidates of wcxb-dev's dumps in every training layout (a candidate
# is the headline when its words are the ground truth's title), then rounded. Signals of
# shape and place only: no site's words.
_T_OVERLAP = 2.65  # x share of its content words found in the body
_T_OVERLAP_WORDS = 1.6  # x number of them found in the body, up to 6, / 6
_T_WORDS = 1.55  # x number of words, up to 12, / 12
_T_FEW_WORDS = -0.6  # one or two words: a menu entry or a label
_T_HEADING = 1.5  # a heading the layout marks (Markdown #, underlined, at the margin)
_T_ITEM = -0.2  # a list item
_T_LINK = -1.2  # a link: a teaser for another article
_T_BUTTONS = -1.7  # mostly share, follow or sign-in words ("Facebook Twitter")
_T_CAPTION = -0.6  # shaped like a caption ("Photo: ...", "... Getty Images")
_T_CREDIT = -2.0  # carries a photo credit
_T_METADATA_AFTER = 2.0  # a byline or a date within the next three blocks
_T_METADATA = -2.0  # itself a byline or a date
_T_COPY_NEAR = 1.0  # the same text (or a breadcrumb ending in it) within three blocks
_T_REPEATED = 0.3  # the same text elsewhere before the body
_T_AT_START = -3.15  # the body's first block
_T_NEAR_START = 2.65  # x 1 / (blocks before the body's start)
_T_PERIOD = -4.0  # ends with a full stop: a sentence, not a headline
_T_COLON = -1.8  # ends with a colon: a label introducing what follows
_T_TEASER = -0.6  # "Read more", "Related stories" ...
_T_LONG = -2.65  # more than 150 characters
_T_MARKUP = -0.3  # table borders or Markdown markup left in it: a cell, a fragment
_T_SEPARATED = -0.85  # parts set apart by "|", "»", "·": a breadcrumb, a menu, a page title
_T_WORDS_CAP = 12
# The most the signals after the cheap ones can add, but for the shared words' count.
_T_MOST_EVIDENCE = _T_OVERLAP + _T_REPEATED + _T_METADATA_AFTER + _T_COPY_NEAR
_TABLE_OR_MARKUP = re.compile(r"[│┃|]|\*\*|^#")
# What a title never carries, whatever the layout drew around it: a list bullet or quote
# mark, table borders, Markdown's heading hashes and emphasis.
_TITLE_OPENING = re.compile(r"^\s*(?:(?:[•◦▪▫‣⁃∙○●□■►▸*+\-·>#|│┃]|[\u2500-\u257f])+\s+)+")
# The closing markers, read from the end (on the reversed title): a search for them before
# "$" started again at each marker of a title made of thousands (40 KB: 14 s).
_TITLE_CLOSING_REVERSED = re.compile(r"\s*(?:(?:[*#|│┃]|[\u2500-\u257f])+\s+)+")
_TITLE_EMPHASIS = re.compile(r"\*\*|__")


def _title_index(units: Sequence[_Unit], keep: Sequence[bool], normalised: _Keys) -> int | None:
    """The headline: the block before the body with the most evidence of being one.

    It shares the body's words, is a few words long and no sentence, stands close before
    the body with a byline or date after it, may be marked a heading or stand twice; a
    list item, a link, a caption, share buttons or a byline is not one.
    """
    start = next((i for i, k in enumerate(keep) if k), len(units))
    body_words: set[str] = set()
    for i in range(start, len(units)):
        if keep[i]:
            body_words |= _content_words(units[i].text[:1500])
            if len(body_words) > 100:
                break
    first = max(0, start - _TITLE_REACH)
    stop = min(start + 1, len(units))
    keys = [normalised[units[i].text] for i in range(first, stop)]
    counts = Counter(keys)
    # Whether each block is a byline or dateline, worked out only when asked.
    metadata: dict[int, bool] = {}

    def is_metadata(i: int) -> bool:
        if i not in metadata:
            metadata[i] = i < len(units) and _is_metadata(units[i].text)
        return metadata[i]

    def copied_near(i: int, key: str) -> bool:
        for j in range(max(0, i - 3), min(len(units), i + 4)):
            if j != i:
                other = normalised[units[j].text]
                if other == key or (len(key) > 8 and key in other):
                    return True
        return False

    # From the body's start backwards: the likeliest blocks come first, and a block too
    # far from the body to beat the best so far is left after its cheap signals.
    best, best_score = None, -math.inf
    for i in range(stop - 1, first - 1, -1):
        unit = units[i]
        text = unit.text
        # "](" is a Markdown link's markup that a wrapped line left unjoined: a fragment.
        if len(text) > 300 or "](" in text:
            continue
        n_words = len(text.split())
        if not 1 <= n_words <= 40 or (i == start and _ends_sentence(text)):
            continue
        score = _T_WORDS * min(n_words, _T_WORDS_CAP) / _T_WORDS_CAP
        if n_words <= 2:
            score += _T_FEW_WORDS
        if unit.heading:
            score += _T_HEADING
        if unit.item or text.startswith("• "):
            score += _T_ITEM
        if unit.links:
            score += _T_LINK
        if i == start:
            score += _T_AT_START + _T_NEAR_START
        else:
            score += _T_NEAR_START / (1 + start - i)
        stripped = text.rstrip()
        if stripped.endswith("."):
            score += _T_PERIOD
        elif stripped.endswith(":"):
            score += _T_COLON
        if len(text) > 150:
            score += _T_LONG
        # What the dearer signals could add at most (a block shares at most its own words).
        if score + _T_MOST_EVIDENCE + _T_OVERLAP_WORDS * min(n_words, 6) / 6 < best_score:
            continue
        content = _content_words(text)
        if not content and not _DENSE_SCRIPT.search(text):
            continue
        if content:
            shared = len(content & body_words)
            score += _T_OVERLAP * shared / len(content) + _T_OVERLAP_WORDS * min(shared, 6) / 6
        key = keys[i - first]
        if counts[key] > 1:
            score += _T_REPEATED
        if is_metadata(i + 1) or is_metadata(i + 2) or is_metadata(i + 3):
            score += _T_METADATA_AFTER
        if score + _T_COPY_NEAR < best_score:
            continue
        if copied_near(i, key):
            score += _T_COPY_NEAR
        if _TABLE_OR_MARKUP.search(text):
            score += _T_MARKUP
        if _SEPARATORS.search(text):
            score += _T_SEPARATED
        if sum(word in _SOCIAL_WORDS for word in content) >= max(1, n_words / 2):
            score += _T_BUTTONS
        if is_metadata(i):
            score += _T_METADATA
        if _TEASER.match(text):
            score += _T_TEASER
        if score >= best_score and _CAPTION.search(text):
            score += _T_CAPTION
        if score >= best_score and _has_credit(text):
            score += _T_CREDIT
        # Ties go to the earlier block, as a headline comes before its copies.
        if score >= best_score:
            best, best_score = i, score
    return best


def _title_text(text: str) -> str:
    """A headline without the bullets, borders and markup a layout drew around it."""
    text = _TITLE_OPENING.sub("", text)
    closing = _TITLE_CLOSING_REVERSED.match(text[::-1])
    if closing is not None:
        text = text[:len(text) - closing.end()]
    if "**" in text or "__" in text:
        text = _TITLE_EMPHASIS.sub("", text)
    return text.strip()


def _is_metadata(text: str) -> bool:
    """A byline or a dateline: short, and "By ..." or shaped like a date."""
    return len(text) <= 120 and bool(_BYLINE.match(text) or looks_like_date(text))


def _published(units: Sequence[_Unit], lo: int, hi: int) -> tuple[datetime | None, int | None]:
    """The first dateline near the headline, and the index of the block it stands in."""
    for i in range(lo, hi):
        text = units[i].text
        if _dateline_shaped(text):
            found = plausible(find_date(text))
            if found is not None:
                return found, i
    return None, None


def _dateline_shaped(text: str) -> bool:
    """Short and not a sentence: "On Nov 19, 2019 the council met." is body, not metadata."""
    return len(text) <= 100 and not _ends_sentence(text)


_NAME_CUT = re.compile(r"\s*(?:[|•·,]|\s[-–—]\s|\bon\b|\bupdated\b|\bpublished\b|\d).*$", re.I)


def _author(units: Sequence[_Unit], lo: int, hi: int) -> tuple[str | None, int | None]:
    """The name in a byline near the headline, and the index of that byline."""
    for i in range(lo, hi):
        # "By Tuesday, officials said ..." is a sentence, not a byline.
        match = _BYLINE.match(units[i].text) if _dateline_shaped(units[i].text) else None
        if match:
            name = _NAME_CUT.sub("", match.group("name")).strip(" :")
            if 2 <= len(name) <= 80 and name[:1].isupper():
                return name, i
    return None, None


# --------------------------------------------------------------------------- body


_NUMBERED = re.compile(r"\(?\d")


def _markdown(units: Sequence[_Unit], keep: Sequence[bool]) -> str:
    """The kept blocks as Markdown: paragraphs apart, a run of list items one list.

    Bullets become "- "; numbered items keep their numbers. Each list's lines are joined
    once at the end (adding an item to the text so far copies it: quadratic in the list).
    """
    paragraphs: list[list[str]] = []
    in_list = False
    for unit, kept in zip(units, keep, strict=True):
        if not kept:
            in_list = False
            continue
        match = _LIST_MARK.match(unit.text)
        if match is None:  # a dump's "[1]: https://…" is a line to show, not a definition
            paragraphs.append([shown_as_text(unit.text)])
        else:
            numbered = _NUMBERED.match(match.group()) is not None
            rest = shown_as_text(unit.text[match.end() :])
            item = match.group() + rest if numbered else "- " + rest
            if in_list:
                paragraphs[-1].append(item)
            else:
                paragraphs.append([item])
        in_list = match is not None
    return "\n\n".join("\n".join(lines) for lines in paragraphs)


def _kept_lines(n_lines: int, units: Sequence[_Unit], keep: Sequence[bool]) -> tuple[bool, ...]:
    kept = [False] * n_lines
    for unit, k in zip(units, keep, strict=True):
        if k:
            for i in range(unit.first, unit.last + 1):
                kept[i] = True
    return tuple(kept)


# Blocks shorter than this (menu items, "Share", "Advertisement") carry almost none of an
# article's words, so they are not scored one by one: they only count as gaps between
# the blocks that are, and follow their neighbours afterwards. This keeps the model's
# work to about a third of the blocks.
_TINY = 26
# A short line between two body blocks stays only in runs this short (a subheading, a
# short list), not when it is a menu or a link list dropped into the article.
_TINY_RUN = 3


def _is_tiny(text: str) -> bool:
    return len(text) < _TINY and (text.isascii() or not _DENSE_SCRIPT.search(text))


def _scored(units: Sequence[_Unit]) -> tuple[list[int], list[int]]:
    """Indices of the units the model scores, and the tiny units before each (plus the tail)."""
    # Not _is_tiny, written out: this looks at every block of the dump.
    picked = [
        i
        for i, unit in enumerate(units)
        if len(text := unit.text) >= _TINY or (not text.isascii() and _DENSE_SCRIPT.search(text))
    ]
    if not picked:
        picked = list(range(len(units)))
    gaps, previous = [], -1
    for i in picked:
        gaps.append(i - previous - 1)
        previous = i
    gaps.append(len(units) - previous - 1)
    return picked, gaps


def _tiny_is_body(text: str) -> bool:
    """Whether a short line between two body blocks is a subheading or list item."""
    words = _WORD.findall(text.lower())
    if not words or any(w in _SOCIAL_WORDS or w in _LEGAL_WORDS for w in words):
        return False
    if _TEASER.match(text) or _YEARISH.search(text):
        return False
    return bool(_LIST_MARK.match(text)) or _ends_sentence(text) or len(words) >= 2


def _best_run(
    scores: Sequence[float],
    sizes: Sequence[float],
    threshold: float,
    gap_costs: Sequence[float] | None = None,
) -> tuple[int, int]:
    """The run of blocks with the most body evidence: sum of (score - threshold) x size.

    ``sizes`` are square roots of the blocks' lengths, so one long paragraph does not
    outweigh a run of ordinary ones. ``gap_costs[k]`` is what crossing the unscored short
    lines before block k costs: a menu between two stretches of prose separates them.
    Returns (0, -1) when no block reaches the threshold.
    """
    best, best_lo, best_hi = 0.0, 0, -1
    run, lo = 0.0, 0
    for k, (score, size) in enumerate(zip(scores, sizes, strict=True)):
        if gap_costs is not None:
            run -= gap_costs[k]
        if run <= 0.0:
            run, lo = 0.0, k
        run += (score - threshold) * size
        if run > best:
            best, best_lo, best_hi = run, lo, k
    return best_lo, best_hi


def _thread_start(
    units: Sequence[_Unit],
    picked: Sequence[int],
    scores: Sequence[float],
    sizes: Sequence[float],
    gap_costs: Sequence[float],
    threshold: float,
    run: tuple[int, int],
    after: int | None,
) -> int | None:
    """Where a thread of readers' comments opens, when the best run is one of the
    comments and the page has a run of prose before the thread to be its article; else
    None. ``after`` is the first scored block after the thread's heading, as the model's
    features found it.

    The heading ("167 comments", "Leave a reply", a first "Name on <date> said:") must be
    followed by THREAD_MARKS comment markers or timestamps; the best run before it must
    end sentences (PROSE_RUN), hold THREAD_ARTICLE words and not sit under a header the
    thread's posts repeat (POST_HEADER), so a forum's first post or a teaser does not take
    the thread's place.
    """
    if not after:
        return None
    lo, hi = run
    if lo < after:
        # A best run before the thread stays as the model has it: on a forum the replies
        # after the first post are the page.
        return None
    opened = next(
        (i for i in range(picked[after - 1], picked[after]) if _opens_thread(units[i].text)), None
    )
    if opened is None:
        return None
    marks = 0
    for i in range(opened + 1, min(len(units), opened + THREAD_REACH)):
        text = units[i].text
        if len(text) < 60 and (_is_comment_marker(text) or _is_timestamp(text, text.lower())):
            marks += 1
            if marks >= THREAD_MARKS:
                break
    else:
        return None
    lo, hi = _best_run(scores[:after], sizes[:after], threshold, gap_costs[:after])
    if hi < lo:
        return None
    blocks = picked[lo : hi + 1]
    words = sum(units[i].text.count(" ") + 1 for i in blocks)
    share = _sentence_share(units, blocks)
    if words < THREAD_ARTICLE or share is None or share < PROSE_RUN:
        return None
    # A short line over the run that stands again in the thread ("Member", "Posted
    # 2024-08-03 ...", "Offline") makes the run a post like the others: a forum's first
    # post, whose replies are the page.
    start = blocks[0]
    header = {
        normalise_line(text)
        for i in range(max(0, start - POST_HEADER), start)
        if len(text := units[i].text) < 60
    }
    for i in range(opened + 1, len(units)):
        if len(text := units[i].text) < 60 and normalise_line(text) in header:
            return None
    return opened


def _is_prose(text: str) -> bool:
    """A paragraph of prose: PROSE_WORDS words or more, ending a sentence."""
    return text.count(" ") + 1 >= PROSE_WORDS and _ends_any_sentence(text)


def _headline_shaped(text: str) -> bool:
    """A headline, a link or a label: a short block that ends no sentence."""
    return text.count(" ") < HEADLINE_WORDS and not _ends_any_sentence(text)


_SKELETON = re.compile(r"[\w\s]+")
_BULLETS = "•◦▪‣·*+-–—>#| "


def _alike(texts: Sequence[str]) -> bool:
    """Whether blocks are alike in form, as a list's items, a table's rows or lines of code
    are ("June 9 -- Venue, City", ">>> ..."), where headlines of other articles are not:
    half of them or more open with the same word (numbers as one) or share the same
    punctuation."""
    least = LIST_ALIKE * len(texts)
    skeletons = Counter(_SKELETON.sub(" ", text).strip() for text in texts)
    skeletons[""] = 0  # headlines without punctuation are not alike for that
    if skeletons.most_common(1)[0][1] >= least:
        return True
    firsts = Counter(
        _DIGITS.sub("0", text.lstrip(_BULLETS).split(" ", 1)[0].lower()) for text in texts
    )
    return firsts.most_common(1)[0][1] >= least


def _teaser_head(units: Sequence[_Unit], picked: Sequence[int], lo: int, hi: int) -> int:
    """Where the run's article starts when the run opens with a list of other articles'
    headlines (a "most read" box above the text): past the last streak of HEADLINE_STREAK
    headline-like blocks before its first paragraph of prose; else ``lo``.

    The streak must be no list of the article's own (neither introduced by nor holding a
    line ending in a colon, its blocks not alike in form), and the prose of the run must
    hold BODY_WORDS words and at least as many as what is cut.
    """
    # Most runs open with their prose: nothing more to look at.
    first = next((k for k in range(lo, hi + 1) if _is_prose(units[picked[k]].text)), None)
    if first is None or first - lo < HEADLINE_STREAK:
        return lo
    prose_words = sum(
        text.count(" ") + 1
        for k in range(first, hi + 1)
        if _is_prose(text := units[picked[k]].text)
    )
    if prose_words < BODY_WORDS:
        return lo
    end, run = lo, []
    for k in range(lo, first + 1):
        text = units[picked[k]].text
        if k < first and _headline_shaped(text) and not text.rstrip().endswith(":"):
            run.append(k)
            continue
        if (
            len(run) >= HEADLINE_STREAK
            and not (run[0] and units[picked[run[0] - 1]].text.rstrip().endswith(":"))
            and not _alike([units[picked[j]].text for j in run])
        ):
            end = k
        run = []
    if end == lo or sum(units[picked[k]].text.count(" ") + 1 for k in range(lo, end)) > prose_words:
        return lo
    return end


def _gap_sizes(roots: Sequence[float], picked: Sequence[int]) -> list[float]:
    """For each scored block, the sum of ``roots`` (each block's square-rooted length) of
    the unscored lines before it."""
    sizes, previous = [], -1
    for i in picked:
        sizes.append(sum(roots[previous + 1 : i]))
        previous = i
    return sizes


def _vetoed(text: str, chrome: frozenset[str], normalised: _Keys) -> bool:
    """Blocks that are never body however prose-like: teasers, captions, site chrome."""
    if _TEASER_LABEL.match(text):
        return True
    if len(text) < 300 and _has_credit(text):
        return True
    return bool(chrome) and normalised[text] in chrome


def _decide(
    units: Sequence[_Unit], chrome: frozenset[str], model: _Model, normalised: _Keys
) -> list[bool]:
    """Which units are the article body."""
    if not units:
        return []
    if len(units) > MAX_SCORED_BLOCKS:
        return [not _vetoed(unit.text, chrome, normalised) for unit in units]
    picked, gaps = _scored(units)
    rows = _features(units, picked, gaps, chrome, normalised)
    scores = _scores(rows, model)
    # A long stretch of unscored lines (a menu, a link list) between two blocks breaks the
    # run, so prose beyond the footer menu does not join the article.
    cost = model.threshold * model.gap_cost
    roots = list(map(math.sqrt, map(len, (unit.text for unit in units))))
    gap_costs = [cost * size for size in _gap_sizes(roots, picked)]
    sizes = [roots[i] for i in picked]
    lo, hi = _best_run(scores, sizes, model.threshold, gap_costs)
    # The article comes before its readers' comments: when the best run is a comment in
    # the thread, the article is the best run before it, and the page ends there.
    after = next((k for k, row in enumerate(rows) if row[_I_THREAD] > 0.0), None)
    end = _thread_start(units, picked, scores, sizes, gap_costs, model.threshold, (lo, hi), after)
    if end is not None:
        units, cut = units[:end], len(units)
        n_scored = bisect_left(picked, end)
        picked, scores = picked[:n_scored], scores[:n_scored]
        lo, hi = _best_run(scores, sizes[:n_scored], model.threshold, gap_costs[:n_scored])
    keep = [False] * len(units)
    for k, (i, score) in enumerate(zip(picked, scores, strict=True)):
        keep[i] = score >= (model.block_in if lo <= k <= hi else model.block_out)
    # Never worse than nothing: without an article to be sure of (too few words, or a run
    # holding little of the page's likely text, as on a listing, a forum thread or a
    # product page), only what is surely chrome goes.
    widened = _covers_little(units, picked, scores, lo, hi)
    if widened:
        keep = _all_but_chrome(units, picked, scores, normalised)
    elif (share := _sentence_share(units, picked[lo : hi + 1])) is not None and (
        share < RUN_SENTENCES
    ):
        # The best run is titles, not prose: a stretch of a listing, whose other items
        # the model doubts as much; every block but the sure chrome stays.
        for i, score in zip(picked, scores, strict=True):
            keep[i] = keep[i] or score >= SURE_CHROME
    elif not _coherent(units, picked, scores, keep):
        # A short page: its few blocks the model does not doubt.
        for i, score in zip(picked, scores, strict=True):
            keep[i] = score >= SURE_CHROME
    else:
        # A list of other articles' headlines that opens the run is no part of the article.
        for k in range(lo, _teaser_head(units, picked, lo, hi)):
            keep[picked[k]] = scores[k] >= model.block_out
    if not any(keep):
        # Never nothing: a page with any text has some best candidate for the article.
        best = max(range(len(picked)), key=lambda k: (scores[k], len(units[picked[k]].text)))
        keep[picked[best]] = True
    for i in picked:
        if keep[i] and _vetoed(units[i].text, chrome, normalised):
            keep[i] = False
    if end is not None:
        keep += [False] * (cut - end)
    if widened:
        return keep
    for before, after in zip(picked, picked[1:], strict=False):
        run = after - before - 1
        if 0 < run <= _TINY_RUN and keep[before] and keep[after]:
            for i in range(before + 1, after):
                keep[i] = _tiny_is_body(units[i].text)
    _extend_to_short_sentences(units, keep)
    return keep


# Dumps of real pages hold at most a few thousand blocks (3,802 at most in 3,000 dumps of both
# shared sets, every layout); the model's ~50 us a block would take minutes on a hostile file
# of a million short lines, so past this many the dump is kept but for its known chrome:
# never worse than nothing, and linear.
MAX_SCORED_BLOCKS = 20_000
# An article is coherent when it has this many words, or this share of the page's words
# in at least this many blocks the model is sure of; below SURE_CHROME a block is chrome.
COHERENT_WORDS = 120
COHERENT_SHARE = 0.1
COHERENT_SURE = 2
SURE_CHROME = 0.15
# The best run must hold this share of the words of the blocks that are not sure chrome;
# when it does not, the page is kept but for what is surely chrome: blocks scored below
# FALLBACK_CHROME, and lines that are buttons, single words or short lines repeated on the
# page (which a block scored below SURE_CHROME must not be either).
RUN_SHARE = 0.25
FALLBACK_CHROME = 0.05
# A line of this many words or more is kept by the fallback even when the page repeats it:
# "Reply", "Share" or a commenter's name repeat as chrome, while a listing links each
# item's title twice (its picture and its headline).
REPEATED_KEPT_WORDS = 3
# With fewer blocks than this to score, the fallback keeps what passes the short lines' test
# whatever the model says of it.
FEW_SCORED = 3
# The fallback keeps the short lines between its blocks when less than this share of
# their words stands in blocks that end a sentence (see _fill_between).
FILL_SENTENCES = 0.5
# A best run with less than this share of its words in blocks that end a sentence is no
# article but a stretch of a listing's titles, names or prices: every block but the sure
# chrome stays.
RUN_SENTENCES = 0.3
# When the best run is prose (this share of its words in blocks that end a sentence) and
# the page holds less prose outside it than in it, the blocks outside it that end no
# sentence (headlines, links, labels) count for this share of their words in what the page
# likely holds: a short article beside a list of headlines is the article, while a thread
# (more prose in the other posts) and a listing (a run of titles) are still kept whole.
PROSE_RUN = 0.8
# A comment thread opened before the best run needs this many comment markers or
# timestamps between its heading and the run, and the prose run before it this many words
# to be the article (see _thread_start).
THREAD_MARKS = 2
THREAD_ARTICLE = 120
THREAD_REACH = 40
# How many lines over the article's run are its header, which a forum post's replies repeat.
POST_HEADER = 8
_I_THREAD = STAGE1_NAMES.index("comment_thread_before")
HEADLINE_WEIGHT = 0.5
# A run that opens with a streak of this many headline-like blocks (under HEADLINE_WORDS
# words, ending no sentence) before its first paragraph of prose (a block of PROSE_WORDS
# words or more that ends a sentence) opens with a list of other articles: the article
# starts after it, when the run's prose holds BODY_WORDS words (see _teaser_head). A list
# whose items are alike in form (LIST_ALIKE of them) is the article's own.
HEADLINE_STREAK = 3
HEADLINE_WORDS = 20
PROSE_WORDS = 25
BODY_WORDS = 120
LIST_ALIKE = 0.5


# Where a sentence ends, in the scripts whose marks the model's feature does not know (it
# was fitted on these: changing it means refitting): the danda, the Arabic and Urdu full
# stop and question mark, the Armenian, Ethiopic, Myanmar and Khmer full stops, the Greek
# question mark. Thai and Lao end a sentence with a space, so their pages are not judged.
_ANY_SENTENCE_MARKS = _SENTENCE_MARKS + "\u0964\u0965\u06d4\u061f\u0589\u1362\u104b\u17d4\u037e"
_MARKLESS_SCRIPT = re.compile(r"[\u0e00-\u0eff]")


def _ends_any_sentence(text: str) -> bool:
    """Whether a block ends a sentence, in any script that marks one (see _ANY_SENTENCE_MARKS)."""
    return bool(ended := text.rstrip(_CLOSERS)) and ended[-1] in _ANY_SENTENCE_MARKS


def _sentence_share(units: Sequence[_Unit], indices: Iterable[int]) -> float | None:
    """The share of the words of these blocks that stand in blocks ending a sentence;
    None for text in a script that marks no sentence's end."""
    words = sentences = markless = 0
    for i in indices:
        text = units[i].text
        n = text.count(" ") + 1
        words += n
        if _ends_any_sentence(text):
            sentences += n
        elif _MARKLESS_SCRIPT.search(text):
            markless += n
    if markless > words / 2:
        return None
    return sentences / max(words, 1)


def _covers_little(
    units: Sequence[_Unit], picked: Sequence[int], scores: Sequence[float], lo: int, hi: int
) -> bool:
    """Whether the best run holds too little of the words the model does not call chrome
    to be the page's article (see RUN_SHARE and PROSE_RUN)."""
    run_words = likely_words = headline_words = prose_words = 0
    for k, (i, score) in enumerate(zip(picked, scores, strict=True)):
        words = units[i].text.count(" ") + 1
        if lo <= k <= hi:
            run_words += words
        if score >= SURE_CHROME:
            likely_words += words
            if lo <= k <= hi:
                continue
            if _ends_any_sentence(units[i].text):
                prose_words += words
            else:
                headline_words += words
    if run_words >= RUN_SHARE * max(likely_words, 1):
        return False
    # A short article beside a list of headlines: the run is prose, more of it than the
    # rest of the page holds, and the headlines count for less.
    if not headline_words or prose_words > run_words:
        return True
    share = _sentence_share(units, picked[lo : hi + 1])
    if share is None or share < PROSE_RUN:
        return True
    likely = likely_words - (1 - HEADLINE_WEIGHT) * headline_words
    return run_words < RUN_SHARE * max(likely, 1)


def _all_but_chrome(
    units: Sequence[_Unit], picked: Sequence[int], scores: Sequence[float], normalised: _Keys
) -> list[bool]:
    """Every block but those surely chrome (see FALLBACK_CHROME)."""
    keys = [normalised[unit.text] for unit in units]
    seen = Counter(keys)
    keep = [False] * len(units)
    for i, unit in enumerate(units):
        words = _WORD.findall(unit.text.lower())
        keep[i] = (
            len(words) >= 2
            and (seen[keys[i]] == 1 or len(words) >= REPEATED_KEPT_WORDS)
            and _BUTTON_WORDS.isdisjoint(words)
            and "©" not in unit.text
        )
    if len(picked) < FEW_SCORED:
        # Scored alone, a block has no neighbours to be judged by: the model's doubt says
        # little, and a file this small has no page around it to take away.
        return keep
    for i, score in zip(picked, scores, strict=True):
        # A block the model doubts is kept when it also passes the short lines' test.
        keep[i] = score >= SURE_CHROME or (score >= FALLBACK_CHROME and keep[i])
    _fill_between(units, picked, keep)
    return keep


def _fill_between(units: Sequence[_Unit], picked: Sequence[int], keep: list[bool]) -> None:
    """On a page of titles, the short lines between the first and last block kept stay
    but for buttons and copyright lines: a listing's dates, places, prices and numbers.

    Not on a page of prose (a thread, a product page), where the lines between the
    blocks kept are the posts' and the offers' metadata: a member's rank, join date and
    post count.
    """
    anchors = [i for i in picked if keep[i]] or [i for i, k in enumerate(keep) if k]
    share = _sentence_share(units, anchors) if anchors else None
    if share is None or share >= FILL_SENTENCES:
        return
    scored = set(picked)
    for i in range(anchors[0], anchors[-1] + 1):
        if keep[i] or i in scored:
            continue
        words = _WORD.findall(units[i].text.lower())
        # A field has a word or a number: "(", "|" or "▲" between the items is none.
        keep[i] = bool(words) and _BUTTON_WORDS.isdisjoint(words) and "©" not in units[i].text


def _coherent(
    units: Sequence[_Unit], picked: Sequence[int], scores: Sequence[float], keep: Sequence[bool]
) -> bool:
    """Whether the blocks kept read as an article rather than a widget, menu or caption:
    enough words, or a fair share of the page in blocks the model is sure of."""
    kept_words = sure = 0
    for i, score in zip(picked, scores, strict=True):
        if keep[i]:
            kept_words += units[i].text.count(" ") + 1
            sure += score >= 0.8
    if kept_words >= COHERENT_WORDS:
        return True
    page_words = sum(unit.text.count(" ") + 1 for unit in units)
    return sure >= COHERENT_SURE and kept_words >= COHERENT_SHARE * page_words


def _extend_to_short_sentences(units: Sequence[_Unit], keep: list[bool]) -> None:
    """Short whole sentences right before or after the body are its first or last lines.

    They are too short to be scored ("It was not to be."), so only their shape and their
    place, touching the body, say they belong to it.
    """
    kept = [i for i, k in enumerate(keep) if k]
    if not kept:
        return
    for start, step in ((kept[0] - 1, -1), (kept[-1] + 1, 1)):
        i = start
        while 0 <= i < len(units) and _is_tiny(units[i].text) and _is_short_sentence(units[i].text):
            keep[i] = True
            i += step


def _is_short_sentence(text: str) -> bool:
    return _ends_sentence(text) and text.count(" ") >= 1 and _tiny_is_body(text)


def clean_dump(text: str, *, chrome: frozenset[str] = frozenset()) -> CleanedDump:
    """Strip the page around the article in a plain-text dump.

    ``chrome`` holds normalised lines (see :func:`normalise_line`) known to repeat across
    many files of the same site, as found by :func:`repeated_lines` in directory mode;
    such lines are never body.
    """
    return _clean(text, chrome, _model())


def _clean(text: str, chrome: frozenset[str], model: _Model) -> CleanedDump:
    if not isinstance(text, str):
        text = ""
    lines = _split_lines(text)
    # "Title: ...", "URL Source: ..." lines a scraper wrote above the page: metadata
    header = labelled_header(lines)
    page = lines[header.length:]
    units = _units(page)
    normalised = _Keys()
    keep = _decide(units, chrome, model, normalised)
    start = next((i for i, k in enumerate(keep) if k), len(units))
    if header.title is None:
        title_at = _title_index(units, keep, normalised)
    else:  # the header names it: the page's copy of it is no body either
        title_at = _headline_of(header.title, units, start, normalised)
    if title_at is not None:
        _drop_title(units, keep, title_at, start, normalised)
    lo = max(0, (title_at if title_at is not None else start) - 12)
    hi = min(len(units), start + 4)
    published, date_at = _published(units, lo, hi)
    author, byline_at = _author(units, lo, hi)
    # The byline and date are metadata, also when they stand inside the body's first lines.
    for i in (date_at, byline_at):
        if i is not None:
            keep[i] = False
    if not any(keep) and units:
        keep[_longest(units)] = True
    title: str | None
    if title_at is not None:
        title = _title_text(units[title_at].text)
    else:
        title = None if header.title is None else _title_text(header.title)
    return CleanedDump(
        title=title,
        author=header.author or author,
        published=(header.published and plausible(find_date(header.published))) or published,
        body=_markdown(units, keep),
        lines=tuple(lines),
        kept=(False,) * header.length + _kept_lines(len(page), units, keep),
        url=header.url,
    )


def _headline_of(title: str, units: Sequence[_Unit], start: int,
                 normalised: _Keys) -> int | None:
    """The block near the body's start that prints the page's ``title`` (a header's), also
    without the site's name the title adds ("Headline - Site", "Headline | Site")."""
    key = normalised[_title_text(title)]
    for i in range(max(0, start - _TITLE_REACH), min(len(units), start + 3)):
        printed = normalised[_title_text(units[i].text)]
        if printed and (printed == key or (
                len(printed) >= len(key) / 2 and key.startswith(printed)
                and _SITE_SUFFIX.match(key, len(printed)))):
            return i
    return None


# what follows a headline in a page's title: " - Site", " | Site", ": Site"
_SITE_SUFFIX = re.compile(r"\s*[-|–—:·•]\s")


def _drop_title(
    units: Sequence[_Unit], keep: list[bool], title_at: int, start: int, normalised: _Keys
) -> None:
    keep[title_at] = False
    # The headline often stands twice; neither copy is body.
    key = normalised[units[title_at].text]
    for i in range(max(0, start - _TITLE_REACH), min(len(units), start + 3)):
        if keep[i] and normalised[units[i].text] == key:
            keep[i] = False


def _longest(units: Sequence[_Unit]) -> int:
    return max(range(len(units)), key=lambda i: len(units[i].text))
