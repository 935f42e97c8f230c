"""Layout normaliser: the blocks a person sees in a text dump, whatever tool made it.

Text browsers and converters lay a page out in their own ways: lynx and w3m hard-wrap
paragraphs at a fixed column, indent and bullet lists (``*``, ``•``, ``o``, ``1.``), draw
form widgets (``[          ]``, ``[ ]Remember me``, ``____``), number links (``[12]``) and
list their addresses at the end; Markdown converters add ``**``, ``#`` and
``[text](url)``; a naive scraper writes one block per line, and some write one text node
per line, breaking a sentence at every link. This module looks at the whole dump once
(:func:`detect`: the wrap column from the line lengths, link numbering, Markdown, the
usual indentation) and rebuilds its blocks (:func:`blocks`): one paragraph, list item or
heading each, with the markup, link numbers, widgets and reference lists gone, and the
sentences a text-node-per-line dump broke joined again. A dump that is already one line
per block comes out as its lines, unchanged.

Pure functions on a list of lines; nothing here knows about articles or chrome.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, islice

__all__ = ["Block", "Layout", "blocks", "detect"]


@dataclass(slots=True)
class Block:
    """One block of text as a reader sees it, and the lines it came from."""

    text: str
    first: int  # index of its first line
    last: int  # index of its last line (inclusive)
    heading: bool = False
    item: bool = False  # a list item; its text starts with "• " or its number
    links: int = 0  # link marks it carried ([12], [text](url))


@dataclass(frozen=True, slots=True)
class Layout:
    """How a dump was laid out."""

    width: int | None = None  # the column its paragraphs were hard-wrapped at
    link_numbers: bool = False  # links numbered in the text, "[12]Home"
    markdown: bool = False
    indent: int = 0  # the indentation of most of its prose

    @property
    def plain(self) -> bool:
        """One block per line, nothing to undo."""
        return self.width is None and not self.link_numbers and not self.markdown


# --------------------------------------------------------------------------- tidying

# Invisible format characters (zero-width spaces, BOMs, bidi marks) carry nothing a reader
# needs and would defeat comparisons (the cleaner's repeated lines too).
INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_SPACE_RUN = re.compile(r"[ \t]+")
_ALNUM = re.compile(r"[^\W_]")


def tidy(line: str) -> str:
    """One line as it goes into a block: invisible characters gone, runs of spaces one.

    Other spacing (a no-break space, an ideographic space) is the writer's and stays.
    """
    if not line.isascii():
        line = INVISIBLE.sub("", line)
    line = line.strip()
    return _SPACE_RUN.sub(" ", line) if "  " in line or "\t" in line else line


# --------------------------------------------------------------------------- widths

# Characters a terminal draws two columns wide (CJK, Hangul, full-width forms).
_WIDE_CHARS = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd]"
)


# Every wide character is at or past this one.
_FIRST_WIDE = "\u1100"
# The high bytes of the UTF-16 code units of wide characters (an astral one's high
# surrogate is D840-D8BF), and every other high byte.
_WIDE_HIGH_BYTES = bytes([0x11, *range(0x2E, 0xA5), *range(0xAC, 0xD9), 0xF9, 0xFA, 0xFE, 0xFF])
_NARROW_HIGH_BYTES = bytes(sorted(set(range(256)).difference(_WIDE_HIGH_BYTES)))


def _has_wide(text: str) -> bool:
    """Whether ``text`` has any wide character.

    Most dumps have none, though most have some character past ASCII; looking at the high
    byte of each character's UTF-16 code unit rules out most of them in a few C loops,
    three times quicker than searching for the wide characters themselves.
    """
    if text.isascii():
        return False
    high = text.encode("utf-16-be", "surrogatepass")[::2]
    if not high.translate(None, _NARROW_HIGH_BYTES):
        return False
    return _WIDE_CHARS.search(text) is not None


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters count two."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE_CHARS.findall(text))


def _ends_specially(piece: str) -> bool:
    """Whether a line joined to the next might take no space after it (see _Builder._join)."""
    return piece.endswith("-") or piece[-1:] >= _FIRST_WIDE


def _first_word(stripped: str) -> str:
    return stripped.split(" ", 1)[0]


def _measure(lines: Sequence[str], wide: bool) -> tuple[list[int], list[int]]:
    """Each line's width without trailing space (0 when blank), and its indentation.

    ``wide``: whether the dump has any wide characters at all; most have none, and then a
    width is a length.
    """
    rstripped = list(map(str.rstrip, lines))
    lengths = list(map(len, rstripped))
    widths = list(map(_width, rstripped)) if wide else lengths
    indents = list(map(operator.sub, lengths, map(len, map(str.lstrip, rstripped))))
    return widths, indents


# --------------------------------------------------------------------------- detection

# A link number as text browsers write it, before the link's text: "[12]Home".
_LINK_NUMBER = re.compile(r"\[(\d{1,5})\]")
# The same at a word's start: at the text's start or after a space, a bullet or a bracket.
# (The bracket first, so the engine can skip to the next one.)
_LEADING_LINK_NUMBER = re.compile(r"\[(?<![^ \t\n\u00a0*•◦▪·\-+o#(]\[)(\d{1,5})\]")
# After the newline before its line (see _matching_lines).
_ATX_LINE = re.compile(r"\n#{1,6} \S")
_MD_STRONG_SPAN = re.compile(r"\*\*[^*\s][^*\n]{0,300}?[^*\s]\*\*")
# Widths tried for the wrap column: no tool wraps prose narrower or wider than these.
_MIN_WIDTH, _MAX_WIDTH = 40, 250
# Where a wrapper could first have broken a line: after its first word (bullets aside).
_FIRST_WORD_END = re.compile(r"\s*(?:[-*+•◦▪·>]\s+)*\S*")


def detect(lines: Sequence[str]) -> Layout:
    """How the dump in ``lines`` was made: wrap column, link numbers, Markdown, indentation."""
    return _profile(lines).layout


@dataclass(slots=True)
class _Profile:
    text: str  # the lines joined
    layout: Layout
    widths: list[int]
    indents: list[int]
    reaches: dict[int, int]  # see _wrap_width
    references: set[int] | None  # see _references; None when not yet needed


def _profile(lines: Sequence[str]) -> _Profile:
    text = "\n".join(lines)
    wide = _has_wide(text)
    widths, indents = _measure(lines, wide)
    indent = _usual_indent(widths, indents)
    width, reaches, references = _wrap_width(lines, widths, indents, indent, text, wide)
    layout = Layout(
        width=width,
        link_numbers=_has_link_numbers(text),
        markdown=_has_markdown(text),
        indent=indent,
    )
    return _Profile(text, layout, widths, indents, reaches, references)


def _has_link_numbers(text: str) -> bool:
    """Links numbered in order before their text, as lynx, w3m and elinks number them.

    A citation mark follows a word ("rose.[3]"); a link number starts a word, so only
    marks after a space or at a line's start count, and they must mostly go up.
    """
    if "[" not in text:
        return False
    leading = list(map(int, _LEADING_LINK_NUMBER.findall(text)))
    if len(leading) < 4:
        return False
    rising = sum(1 for a, b in zip(leading, leading[1:], strict=False) if b > a)
    return rising >= 0.7 * (len(leading) - 1)


def _has_markdown(text: str) -> bool:
    """Links, headings, strong emphasis or link definitions written in Markdown."""
    links = text.count("](")
    if links >= 3:
        # Three links settle it: counted up to three, not all of them.
        links = sum(1 for _ in islice(_MD_LINK.finditer(text, 0, 100_000), 3))
        if links >= 3:
            return True
    # Otherwise two kinds of sign: a "# comment" in quoted code is not a heading.
    signs = [links]
    if "**" in text:
        signs.append(len(_MD_STRONG_SPAN.findall(text, 0, 100_000)))
    if "\n#" in text or text.startswith("#"):
        signs.append(len(_matching_lines(_ATX_LINE, text)))
    if "]: " in text:
        signs.append(len(_matching_lines(_MD_DEFINITION_LINE, text)))
    return sum(signs) >= 3 and sum(1 for n in signs if n) >= 2


def _usual_indent(widths: Sequence[int], indents: Sequence[int]) -> int:
    """The indentation of most lines of prose (lynx indents its paragraphs three columns)."""
    counts: dict[int, int] = {}
    for width, indent in zip(widths, indents, strict=True):
        if width >= 40 and indent < 20:
            counts[indent] = counts.get(indent, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else 0


def _wrap_width(
    lines: Sequence[str],
    widths: Sequence[int],
    indents: Sequence[int],
    body_indent: int,
    text: str,
    wide: bool,
) -> tuple[int | None, dict[int, int], set[int] | None]:
    """The column a hard-wrapped dump was broken at, or None when lines are not wrapped.

    A greedy wrapper breaks a line at width W only when the next word would not fit, so
    for every line it broke, W lies between the line's width and that width plus the
    next line's first word. The W that most such spans share, with few breakable lines
    wider than it, is the wrap column; it must explain most long lines, and those lines
    must mostly end mid-sentence (one paragraph per line ends each with a stop). A line
    followed by a list item's bullet (lynx's "o" and "+" too, indented deeper than the
    prose at ``body_indent``) was not broken: the item starts a line of its own.
    Also returns, for each line that might have been broken, its width plus the width
    of the next line's first word, and the :func:`_references` when it had to find them.
    ``text`` is the lines joined; ``wide``, whether it has wide characters (see _measure).
    """
    none: tuple[None, dict[int, int], None] = (None, {}, None)
    long_lines = sum(map((30).__le__, widths))
    if long_lines < 4:
        return none
    # Quick refusal: a one-block-per-line dump's prose lines run far past any terminal.
    # Not its list items: some converters that wrap paragraphs leave those whole.
    too_wide = [
        i for i, w in enumerate(widths) if w > _MAX_WIDTH and not _is_item_start(lines[i].lstrip())
    ]
    if len(too_wide) > 0.05 * long_lines + 1 and (
        sum(1 for i in too_wide if lines[i].count(" ", widths[i] // 2) >= 2)
        > 0.05 * long_lines + 1
    ):
        return none
    references = _references(text)
    starts = [0] * (_MAX_WIDTH + 2)
    reaches: dict[int, int] = {}
    for i, (w, w_next) in enumerate(zip(widths, islice(widths, 1, None), strict=False)):
        if w < 20 or not w_next or w > _MAX_WIDTH:
            continue
        # The next line from its first character (it is not blank): its indentation is
        # where that is, and its first word runs to the first space.
        following, at = lines[i + 1], indents[i + 1]
        if (
            following[at] in _ANY_BULLET and _bullet(following[at:], at, body_indent)
        ) or i in references:
            continue
        space = following.find(" ", at)
        end = len(following) if space < 0 else space
        first = _width(following[at:end]) if wide else end - at
        reach = reaches[i] = min(_MAX_WIDTH, w + first)
        starts[w] += 1
        starts[reach + 1] -= 1
    if len(reaches) < 3:
        return None, {}, references
    # A line wider than W that a wrapper could have broken (it has a space within the
    # first W columns) says W is not the wrap column; an address or a link's target too
    # long for a line stands past it, and some converters leave list items unwrapped.
    # Such a line speaks against every W between its first space and its width.
    breaks = [0] * (_MAX_WIDTH + 2)
    for i, w in enumerate(widths):
        if w >= 30:
            line = lines[i]
            space = _FIRST_WORD_END.match(line).end()  # type: ignore[union-attr]
            at = indents[i]
            if (
                space < w
                and not (line[at] in _BULLET_CHARS and line[at + 1 : at + 2] in _SPACES_SET)
                and i not in references
            ):
                breaks[min(space, _MAX_WIDTH + 1)] += 1
                breaks[min(w, _MAX_WIDTH + 1)] -= 1
    against = list(accumulate(breaks))
    coverage = list(accumulate(starts))
    scores = [
        c - 2 * a
        for c, a in zip(coverage[_MIN_WIDTH:_MAX_WIDTH], against[_MIN_WIDTH:], strict=False)
    ]
    best_score = max(scores)
    if best_score < 3:
        return None, {}, references
    best = _MIN_WIDTH + scores.index(best_score)
    covered = [i for i, reach in reaches.items() if widths[i] <= best <= reach]
    # Of the lines that come close to the column and run on into another line, most
    # must have been broken there.
    near = sum(1 for i in reaches if best - 25 <= widths[i] <= best)
    if len(covered) < max(4, 0.6 * near):
        return None, {}, references
    stopped = sum(1 for i in covered if lines[i].rstrip().endswith((".", "!", "?", "。")))
    if stopped > 0.5 * len(covered):
        return None, {}, references
    # Wrapping breaks sentences, so in cased scripts many broken lines go on in
    # lowercase; the items of a menu, one a line, all start with a capital. How many
    # depends on the text: a line broken by a wrapper goes on with one of its words,
    # so in Title Case product names or headlines it goes on in capitals as often
    # as its words do. The lines must start in lowercase at least 0.4 times as often
    # as the words within them (0.35 of the lines for prose in English), and some must.
    starts_cased = [lines[i + 1].lstrip()[:1] for i in covered]
    upper = sum(map(str.isupper, starts_cased))
    lower = sum(map(str.islower, starts_cased))
    if upper + lower >= 5 and lower < 0.35 * (upper + lower):
        within_upper, within_lower = _inner_case(lines[i] for i in covered)
        rate = within_lower / max(1, within_upper + within_lower)
        if lower < max(0.1, 0.4 * rate) * (upper + lower):
            return None, {}, references
    return best, reaches, references


# A word that starts with a letter, after a space, not after a sentence's end.
_INNER_WORD = re.compile(r"(?<![.!?:;…\s])\s+[\"'“‘(]?([^\W\d_])")


def _inner_case(lines: Iterable[str]) -> tuple[int, int]:
    """How many words within ``lines`` (not a line's first, nor a sentence's) start in
    upper and in lower case."""
    upper = lower = 0
    for line in lines:
        for m in _INNER_WORD.finditer(line.strip()):
            c = m.group(1)
            if c.isupper():
                upper += 1
            elif c.islower():
                lower += 1
    return upper, lower


# --------------------------------------------------------------------------- line kinds

# Bullets that cannot be words; "o", "+", "#" and "@" (lynx's nested bullets) also can,
# so they count only when indented deeper than the prose.
_BULLET_CHARS = "•◦▪▫‣⁃∙○●□■☐☆★►▸▹▻➢➤*-·"
_INDENTED_BULLETS = "o+#@"
_ANY_BULLET = frozenset(_BULLET_CHARS + _INDENTED_BULLETS)
_NUMBER_MARK = re.compile(r"\(?(?:\d{1,3}|[a-zA-Z])[.)]\s+(?=\S)")
_SPACES = " \t\u00a0"
_SPACES_SET = frozenset(_SPACES)


def _bullet(stripped: str, indent: int, body_indent: int) -> int:
    """Length of the bullet and its spaces at the start of ``stripped``, or 0."""
    first = stripped[:1]
    if not first:
        return 0
    if first in _BULLET_CHARS or (first in _INDENTED_BULLETS and indent >= body_indent + 2):
        if len(stripped) == 1:
            return 1
        if stripped[1] in _SPACES:
            return len(stripped) - len(stripped[1:].lstrip(_SPACES))
    return 0


def _is_item_start(stripped: str) -> bool:
    """A line that surely starts a list item: a bullet no word could be, then a space."""
    return len(stripped) > 1 and stripped[0] in _BULLET_CHARS and stripped[1] in _SPACES


# Lines that are only a rule, a table border or a Markdown table's alignment row.
_RULE_CHARS = "-_*=~─━═│┃|+┌┐└┘├┤┬┴┼:"
_RULE = re.compile(r"^[\s\-_*=~─━═│┃|+┌┐└┘├┤┬┴┼:]{3,}$")
# Numbered addresses, as in the "References" list text browsers add at the end.
_REFERENCE = re.compile(r"^\s*(?:\d{1,5}\.|\[\d{1,5}\])\s+(?:[a-zA-Z][\w+.-]{0,20}:|/|#)\S*\s*$")
_REFERENCE_TITLE = re.compile(
    r"^\s*(?:references|visible links|hidden links|links|link list|footnotes)\s*:?\s*$",
    re.IGNORECASE,
)


# The same, and titles and Markdown link definitions, each after the newline before its line
# (see _matching_lines).
_REFERENCE_LINE = re.compile(
    r"\n[^\S\n]*(?:\d{1,5}\.|\[\d{1,5}\])[^\S\n]+(?:[a-zA-Z][\w+.-]{0,20}:|/|#)\S*[^\S\n]*(?=\n|\Z)"
)
_REFERENCE_TITLE_LINE = re.compile(
    r"\n[^\S\n]*(?:references|visible links|hidden links|links|link list|footnotes)"
    r"[^\S\n]*:?[^\S\n]*(?=\n|\Z)",
    re.IGNORECASE,
)
_MD_DEFINITION_LINE = re.compile(r"\n[ \t]{0,3}\[[^\]\n]{1,200}\]:[ \t]+\S")


def _matching_lines(pattern: re.Pattern[str], text: str) -> list[int]:
    """Indices of the lines of ``text`` (lines joined by newlines) that ``pattern``
    matches from the newline before them.

    One search of the whole text, which the engine runs from newline to newline, is much
    quicker than a match a line.
    """
    padded = "\n" + text
    found: list[int] = []
    line = at = 0
    for match in pattern.finditer(padded):
        start = match.start()
        line += padded.count("\n", at, start)
        at = start
        found.append(line)
    return found


def _references(text: str) -> set[int]:
    """The lines that are numbered addresses (see :func:`_is_reference`)."""
    return set(_matching_lines(_REFERENCE_LINE, text))


def _is_reference(line: str) -> bool:
    """A numbered address in the list of links a text browser appends."""
    head = line.lstrip()[:1]
    return (head.isdigit() or head == "[") and _REFERENCE.match(line) is not None


_MD_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]{1,200}\]:[ \t]+\S+", re.M)
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
# The opening of an ATX heading; its text is the rest, see _atx_text.
_ATX = re.compile(r"\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")

# --------------------------------------------------------------------------- inline junk

# Form widgets as text browsers draw them: fields, check boxes, radio buttons, buttons.
# Each branch starts with its bracket, so the engine can skip to the next "[", "(" or
# "_"; a widget never follows a letter: "print()" is code, "x[ ]" an index.
_WIDGETS = re.compile(
    r"\[(?<![\w(\[]\[)(?:[ _]{2,}\]|_[ _.]*\]|[ xX*✓_]\]|"
    r"(?:BUTTON|IMG|INLINE|image|img|ISMAP|USEMAP|EMBED|IFRAME|FIG|LINK)\]|"
    r"[^\]\s/]{1,80}\.(?:png|jpe?g|gif|svg|webp)\])|"
    r"\((?<![\w(\[]\()(?:[ *xX•]\)|(?:BUTTON|submit|button)\))|"
    r"_(?<![\w(\[]_)__+|[☐☑☒]"
)
# Every widget holds one of these; most lines and dumps have none, and a look for each
# is cheaper than the regex.
_WIDGET_MARKS = ("[", "__", "( )", "(*)", "(x)", "(X)", "(•)", "(BUTTON)", "(submit)",
                 "(button)", "☐", "☑", "☒")
# A one-character box ("[x]", "( )") is also how people write in prose; it is a widget
# only on a form's line: at the line's start, beside other widgets, or with few words.
_BOX = re.compile(r"\[[ xX*✓_]\]|\([ *xX•]\)|[☐☑☒]")
_FORM_LINE_WORDS = 8
# Lines that _plain_blocks would leave out or change start like these (searched for in
# the whole dump after a newline, which the engine finds quickly).
_SUSPECT_LINE = re.compile(
    f"\\n[ \\t]*(?:[{re.escape(_RULE_CHARS)}]|\\d{{1,5}}\\.\\s|\\[\\d{{1,5}}\\]\\s)"
)
_MD_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\n]{0,3000}\)")
# A link's address is taken possessively (giving back a character or a bracketed part
# never lets a space or the closing bracket follow): no backtracking state to keep.
_MD_LINK = re.compile(r"\[([^\[\]\n]{0,500})\](?:\((?:[^()\s]|\([^()\s]{0,300}\)){0,3000}+"
                      r"(?:\s+\"[^\"\n]{0,300}\")?\)|\[[^\]\n]{0,100}\])")
_MD_AUTOLINK = re.compile(r"<(?:https?|mailto|ftp):[^>\s]{0,3000}>")
# Each branch opens with its mark and looks behind it from there, so the engine can skip
# to the next "*" or "_" (a pattern that opens with a look-behind is tried everywhere).
_MD_STRONG = re.compile(r"\*\*|__(?=\S)|__(?<=\S__)")
_MD_EMPHASIS = re.compile(r"\*(?<![\w*\\]\*)(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![\w*])|"
                          r"_(?<![\w\\]_)(?=\S)([^_\n]{1,500}?)(?<=\S)_(?!\w)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~\"'])")
_MD_CODE = re.compile(r"`+")


def _strip_markdown(text: str) -> tuple[str, int]:
    """Markdown inline markup as the words it marks up, and how many links it had."""
    links = 0
    if "![" in text:
        text = _MD_IMAGE.sub("", text)
    if "](" in text or "][" in text:  # a link has one or the other
        # Split on the links, with their text (the one group) between the pieces: as a
        # substitution of each link by its text, without a Python call per link.
        pieces = _MD_LINK.split(text)
        links = len(pieces) // 2
        text = "".join(pieces)
    if "<" in text:
        text = _MD_AUTOLINK.sub("", text)
    if "*" in text or "_" in text:
        text = _MD_STRONG.sub("", text)
        # Split as above: of the two groups, the one that did not match is None.
        text = "".join(filter(None, _MD_EMPHASIS.split(text)))
    if "`" in text:
        text = _MD_CODE.sub("", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    if "|" in text:
        text = text.replace(" | ", " ").strip("| ")
    return text, links


# --------------------------------------------------------------------------- blocks


def blocks(lines: Sequence[str]) -> list[Block]:
    """The blocks of a dump: paragraphs joined again, items, headings, without markup.

    ``lines`` are the dump's lines (no line-end characters); each block records the
    range of lines it came from, so a raw view can show which lines were kept.
    """
    profile = _profile(lines)
    if profile.layout.plain:
        return _rejoin_fragments(_plain_blocks(lines, profile.text))
    return _Builder(lines, profile).run()


def _atx_text(rest: str) -> str:
    """An ATX heading's text: what follows its opening, without the optional closing hashes.

    Done with string methods: a regex for the closing sequence backtracks over every
    space of a heading with a long gap in it, quadratic in the gap.
    """
    text = rest.rstrip()
    unclosed = text.rstrip("#")
    return unclosed.rstrip() if unclosed[-1:].isspace() else text


def _plain_blocks(lines: Sequence[str], text: str) -> list[Block]:
    """One block per non-blank line, leaving out only lines with no words: rules,
    widgets, numbered link addresses."""
    if not _may_have_widgets(text) and _SUSPECT_LINE.search("\n" + text) is None:
        return [Block(tidy_line, i, i) for i, line in enumerate(lines) if (tidy_line := tidy(line))]
    out = []
    for i, line in enumerate(lines):
        tidy_line = tidy(line)
        if not tidy_line:
            continue
        if _is_reference(tidy_line):
            continue
        if tidy_line[0] in _RULE_CHARS or _WIDGETS.search(tidy_line):
            tidy_line = _without_widgets(tidy_line)
            if not tidy_line:
                continue
        out.append(Block(tidy_line, i, i))
    return out


# --------------------------------------------------------------------------- fragments

# Scrapers that write every text node on a line of its own (a walk over the page's text
# nodes, BeautifulSoup's ``get_text("\n")``) break a sentence wherever an inline element
# starts or ends: "Read the" / "documentation" / ", or ask" / "here" / "." Such a dump
# shows the habit in lines that open with punctuation only a sentence's rest opens with
# ("," "." ")") after a line that ends no sentence; a dump of one block per line almost
# never has three. In a dump with the habit, a line goes on from the one before when that
# one ends no sentence and it opens in lowercase or with such punctuation, and a short
# line (a link's or a word's text) is a fragment when the line after it goes on. A run of
# such lines becomes one block when it ends a sentence, or when it has a fragment inside
# and a line that is no fragment (one sentence broken by a link, not a run of menu items).
# Highlighted code comes a token a line ("logging" / "." / "info" / "("): a line of one to
# three signs and no word joins the line before it, and the line after it when that goes
# on or is a token that ends no sentence; a run with two such lines is one block whatever
# it ends with.
_FRAGMENT_SPACES = 4  # fewer spaces than this: an inline element's text
_HABIT = 3  # lines that show the habit
_GOES_ON_PUNCT = frozenset(",.;:)]!?%”’")
# Of those, the lines that show the habit: punctuation and words ("), which", ". The"), or
# a stop or comma alone. Code a line at a time has lines of closing brackets (");", "}").
_HABIT_MARK = re.compile(r"(?!\.\.|\.\w)(?:[,.;:)\]!?%”’]+\s*\w|[,.:!?][\"'”’»]?$)")
_OPENS_GOING_ON = _GOES_ON_PUNCT | frozenset("(–—")
# A line ending so ends its sentence (no link goes on after one); a run of fragments ends
# with a stop proper, or with a colon after a fragment inside (not "... writes:").
_LINK_STOP = re.compile(r"[.!?…:。！？][\"'”’»)\]]*$")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
# Code, as a <pre> gives it a line at a time, goes on in lowercase too.
_CODE_MARKS = re.compile(r" = |==|[{};]$|^[{}]|^(?:#|\$|>>>) ")
_ADDRESS_START = re.compile(r"[a-z][a-z0-9+.-]*://|www\.")
# Pieces after which no space goes when joined.
_NO_SPACE_AFTER = ("(", "[", "“", "‘", "«", "/")


def _continues(text: str) -> bool:
    """Whether a line opens as only the rest of a sentence does: with a word in lowercase
    (not "iOS", not an address), or with punctuation that closes or goes on ("," ")" "."
    "(" "—"), not "..." and not a name's stop (".gitignore")."""
    first = text[0]
    if first.islower():
        word = text.split(maxsplit=1)[0]
        return word.islower() and _ADDRESS_START.match(text) is None
    if first == "." and text[1:2].isalnum():
        return False
    return first in _OPENS_GOING_ON and not text.startswith("..")


def _is_fragment(text: str) -> bool:
    return text.count(" ") < _FRAGMENT_SPACES


def _rejoin_fragments(found: list[Block]) -> list[Block]:
    """Join the runs of lines a text-node-per-line scraper broke one paragraph into.

    Only in a dump that shows the habit (see the comment above ``_FRAGMENT_SPACES``); any
    other is returned as it is.
    """
    n = len(found)
    texts = [block.text for block in found]
    # Most dumps have no line that opens with such punctuation; one look settles them.
    if sum(1 for text in texts if text[0] in _GOES_ON_PUNCT) < _HABIT:
        return found
    ends = [_LINK_STOP.search(text) is not None for text in texts]
    marks = sum(
        1
        for i in range(1, n)
        if texts[i][0] in _GOES_ON_PUNCT
        and not ends[i - 1]
        and _HABIT_MARK.match(texts[i]) is not None
    )
    if marks < _HABIT:
        return found
    goes_on = [_continues(text) for text in texts]
    symbolic = [len(text) <= 3 and _ALNUM.search(text) is None for text in texts]
    # link[i]: block i+1 goes on from block i, with no blank line between them.
    link = [False] * (n - 1)
    for i in range(n - 1):
        if found[i + 1].first != found[i].last + 1:
            continue
        if ends[i] and not symbolic[i]:
            continue  # "| Share" or "•" after a sentence's end starts something else
        if symbolic[i + 1] or (
            # After a sign, a token of code, not a sentence.
            symbolic[i]
            and (goes_on[i + 1] or not (ends[i] or ends[i + 1]) and _is_fragment(texts[i + 1]))
        ):
            link[i] = True
        elif ends[i]:
            continue
        elif goes_on[i + 1]:
            link[i] = True
        elif (
            i + 2 < n
            and goes_on[i + 2]
            and not ends[i + 1]
            and found[i + 2].first == found[i + 1].last + 1
            and _is_fragment(texts[i + 1])
            # A short line is a fragment of a longer one, or of a run already going.
            and (not _is_fragment(texts[i]) or (i > 0 and link[i - 1]))
        ):
            link[i] = True
    out: list[Block] = []
    done = i = 0
    while i < n - 1:
        if not link[i]:
            i += 1
            continue
        j = i
        while j < n - 1 and link[j]:
            j += 1
        run = texts[i : j + 1]
        inner = any(map(_is_fragment, run[1:-1]))
        closed = _SENTENCE_END.search(run[-1]) is not None or (
            inner and (ends[j] or not all(map(_is_fragment, run)))
        )
        code = sum(symbolic[i : j + 1]) >= 2
        if code or closed and not any(_CODE_MARKS.search(text) for text in run):
            out.extend(found[done:i])
            signs = symbolic[i : j + 1] if code else None
            out.append(Block(_join_fragments(run, signs), found[i].first, found[j].last))
            done = j + 1
        i = j + 1
    if not out:
        return found
    out.extend(found[done:])
    return out


def _join_fragments(pieces: Sequence[str], signs: Sequence[bool] | None = None) -> str:
    """The pieces as one line; ``signs`` (in code) marks the lines of signs, which join
    their neighbours without a space ("logging" "." "info" "(" -> "logging.info(")."""
    joined = [pieces[0]]
    for k, piece in enumerate(pieces[1:], 1):
        glued = signs is not None and (signs[k] or signs[k - 1])
        if not glued and piece[0] not in _GOES_ON_PUNCT and not joined[-1].endswith(
            _NO_SPACE_AFTER
        ):
            joined.append(" ")
        joined.append(piece)
    return "".join(joined)


def _may_hold_widget(text: str) -> bool:
    """Whether a block holds a widget's mark. Each mark has one of six characters, and
    most blocks have none of them, which a look for each settles quicker than a look for
    every mark."""
    return (
        "[" in text or "_" in text or "(" in text or "☐" in text or "☑" in text or "☒" in text
    ) and any(map(text.__contains__, _WIDGET_MARKS))


def _may_have_widgets(text: str) -> bool:
    return any(map(text.__contains__, _WIDGET_MARKS)) and _WIDGETS.search(text) is not None


def _without_widgets(text: str) -> str:
    """The text of a line with its widgets taken out; "" when nothing else is left."""
    if _RULE.match(text):
        return ""
    found = _WIDGETS.findall(text)
    if not found or (
        len(found) == 1
        and _BOX.fullmatch(found[0])
        and not text.lstrip().startswith(found[0])
        and len(text.split()) > _FORM_LINE_WORDS
    ):
        return text
    stripped = _SPACE_RUN.sub(" ", _WIDGETS.sub(" ", text)).strip()
    return stripped if _ALNUM.search(stripped) else ""


class _Builder:
    """Joins wrapped lines into blocks and cleans each block, in one pass."""

    def __init__(self, lines: Sequence[str], profile: _Profile) -> None:
        self.lines, self.layout, self.text = lines, profile.layout, profile.text
        self.widths, self.indents, self.reaches = profile.widths, profile.indents, profile.reaches
        # Found while looking for the wrap column, or not yet.
        self.references = profile.references
        self.out: list[Block] = []
        self._lowered: str | None = None
        self._words: set[str] | None = None
        self._lookups = self._checks = 0

    def run(self) -> list[Block]:
        lines, layout, widths, indents = self.lines, self.layout, self.widths, self.indents
        markdown, link_numbers, body_indent = layout.markdown, layout.link_numbers, layout.indent
        # A line is "full" when the next line's first word would not have fitted on it.
        full = -1 if layout.width is None else layout.width - 1
        reaches = self.reaches
        n = len(lines)
        dropped = self._reference_lines()
        i = 0
        while i < n:
            if not widths[i] or i in dropped:
                i += 1
                continue
            raw = lines[i]
            stripped = raw.strip()
            first, indent, heading = i, indents[i], False
            if markdown:
                if stripped[0] == "[" and _MD_DEFINITION.match(raw):
                    i += 1
                    continue
                atx = _ATX.match(raw) if stripped[0] == "#" else None
                if atx:
                    # Converters wrap long headings too; the lines after it may go on.
                    stripped, heading = _atx_text(raw[atx.end() :]), True
                elif stripped[0] == ">":
                    stripped = _QUOTE.sub("", stripped).strip()
            if not stripped or stripped[0] in _RULE_CHARS and _RULE.match(stripped):
                i += 1
                continue
            # A Setext heading: the line under it is its underline.
            if i + 1 < n and lines[i + 1][:4].strip()[:1] in ("=", "-"):
                under = lines[i + 1].strip()
                if _SETEXT.match(under) and abs(len(under) - _width(stripped)) <= 3:
                    self._emit(stripped, first, i + 1, heading=True)
                    i += 2
                    continue
            mark = _bullet(stripped, indent, body_indent) if stripped[0] in _ANY_BULLET else 0
            # A number's stop or bracket stands within its first five characters.
            number = (
                _NUMBER_MARK.match(stripped)
                if not mark and ("." in stripped[1:5] or ")" in stripped[1:5])
                else None
            )
            hang = indent + (mark or (number.end() if number else 0))
            parts = [stripped[mark:] if mark else stripped]
            # A line that opens with a link number and a next one that does too are two
            # entries of a link list, however near the wrap column they end.
            linked = link_numbers and stripped[0] == "[" and _LINK_NUMBER.match(stripped)
            # A greedy wrapper breaks a line only when the next word would not fit; tools
            # hang a wrapped item's lines under its text, or a little further in. Some
            # take an item's wrapped lines back to the margin: a line there that goes on
            # in lowercase, mid-sentence, still belongs to the item, and so do the lines
            # wrapped after it.
            while reaches.get(i, -2) >= full and (
                hang - 1 <= indents[i + 1] <= hang + 4
                or hang > indent >= indents[i + 1]
                and lines[i + 1].lstrip()[:1].islower()
                and _GOES_ON.match(lines[i + 1], indents[i + 1]) is not None
            ):
                hang = min(hang, indents[i + 1] + 1)
                part = lines[i + 1].strip()
                if part[0] in _RULE_CHARS and _RULE.match(part):
                    break
                if markdown and part[0] in "#|[>":
                    if part[0] == ">":
                        part = _QUOTE.sub("", part).strip()
                    elif part[0] != "[" or _MD_DEFINITION.match(part):
                        break
                if i + 1 in dropped or linked and part[:1] == "[" and _LINK_NUMBER.match(part):
                    break
                i += 1
                parts.append(part)
            if markdown and ("[" in parts[0] if len(parts) == 1 else "[" in "\n".join(parts)):
                i = self._close_link(parts, i, dropped)
            text = self._join(parts)
            if mark:
                text = "• " + text
            elif not number and not heading and len(parts) == 1 and len(text) < 120:
                # Text browsers indent prose and put headings at the margin, or centre them.
                heading = (body_indent >= 2 and indent == 0) or indent >= body_indent + 8
            self._emit(text, first, i, heading=heading, item=bool(mark or number))
            i += 1
        return self.out

    def _join(self, parts: list[str]) -> str:
        if len(parts) == 1:
            return tidy(parts[0])
        tidied = list(map(tidy, parts))
        # Most paragraphs join with a space between every two lines: when no line but the
        # last ends with a hyphen, nor any in a wide character (see below).
        if not any(map(_ends_specially, islice(tidied, len(tidied) - 1))):
            return " ".join(tidied)
        pieces = [tidied[0]]
        for part in islice(tidied, 1, None):
            last = pieces[-1]
            if last.endswith("-") and len(last) > 1 and last[-2].isalpha() and part[:1].isalpha():
                # Broken at a hyphen: "well-" + "known" stays "well-known"; a word split
                # by hyphenation ("extra-" + "ordinary") is mended when the dump also
                # has it whole.
                word = last.rsplit(" ", 1)[-1][:-1] + _first_word(part)
                inner = _WORD_SPAN.search(word)
                whole = inner.group().lower() if inner else ""
                pieces[-1] = last[:-1] if self._has_word(whole) else last
                pieces.append(part)
            elif (
                # Most pieces are settled by a comparison, without the regex.
                last[-1:] >= _FIRST_WIDE
                and part[:1] >= _FIRST_WIDE
                and _WIDE_CHARS.match(last[-1:])
                and _WIDE_CHARS.match(part[:1])
            ):
                pieces.append(part)  # CJK text has no spaces between words
            else:
                pieces.append(" ")
                pieces.append(part)
        return "".join(pieces)

    def _close_link(self, parts: list[str], i: int, dropped: set[int]) -> int:
        """Join the lines a Markdown link was wrapped over, so its markup can go.

        Converters wrap inside a link's text and break a long address at its hyphens, and
        a short line before a long address is not "full", so the wrap test misses it.
        When the block ends inside ``[...]`` or ``](...)``, the next lines up to the one
        that closes it join the block (an address's pieces without spaces), if one does
        within a few lines; otherwise the block stays as it was.
        """
        lines, widths = self.lines, self.widths
        state = _link_state(" ".join(parts))
        if not state:
            return i
        extra: list[str] = []
        j = i + 1
        while j < len(lines) and j - i <= _LINK_LINES and widths[j] and j not in dropped:
            part = lines[j].strip()
            if _ATX.match(part) or _is_item_start(part):
                return i
            if state == _IN_TARGET:
                extra.append(part)
            else:
                extra.append(" " + part)
            state = _link_state(part, state)
            if not state:
                pieces = [parts[-1], *extra]
                parts[-1] = tidy("".join(pieces))
                return j
            j += 1
        return i

    def _has_word(self, word: str) -> bool:
        """Whether ``word`` (lowercase) stands in the dump as a whole word, in any case.

        A dump has a few hyphens to mend, and a word to look for stands in it a few times:
        a search of the lowered text for each is quicker than a set of all the dump's
        words, which is made only when there are many to look for, or many places to check.
        """
        if self._words is not None:
            return word in self._words
        if not word or _WORD.fullmatch(word) is None:
            return False
        if self._lowered is None:
            self._lowered = "\n".join(self.lines).lower()
        text, start = self._lowered, 0
        self._lookups += 1
        while self._lookups <= _WORD_LOOKUPS and self._checks < _WORD_CHECKS:
            at = text.find(word, start)
            if at < 0:
                return False
            self._checks += 1
            end = at + len(word)
            if (at == 0 or not _is_word_char(text[at - 1])) and (
                end == len(text) or not _is_word_char(text[end])
            ):
                return True
            start = at + 1
        self._words = set(_WORD.findall(text))
        return word in self._words

    def _reference_lines(self) -> set[int]:
        """Lines of the list of link addresses text browsers append, and its title."""
        lines, markdown, text = self.lines, self.layout.markdown, self.text
        dropped = _references(text) if self.references is None else set(self.references)
        if markdown:
            dropped.update(_matching_lines(_MD_DEFINITION_LINE, text))
        if not dropped:
            return dropped
        # A title goes when the first line after it that is neither blank nor a title is
        # a dropped one: the titles go that stand in the run of blank and title lines just
        # before the first line of a run of dropped ones. Only those few runs are looked
        # at, not every line of the dump.
        titles: list[int] = []
        for i in dropped:
            if i - 1 in dropped:
                continue  # a dropped line is neither blank nor a title
            k = i - 1
            while k >= 0:
                line = lines[k]
                if _REFERENCE_TITLE_LINE.match("\n" + line) is not None:
                    if len(line) < 40:
                        titles.append(k)
                elif line.strip():
                    break
                k -= 1
        dropped.update(titles)
        return dropped

    def _emit(
        self, text: str, first: int, last: int, *, heading: bool = False, item: bool = False
    ) -> None:
        """Add a block with its markup, link numbers and widgets taken out, if words remain."""
        links = 0
        if self.layout.link_numbers and "[" in text:
            text, links = _LINK_NUMBER.subn("", text)
        if self.layout.markdown:
            text, md_links = _strip_markdown(text)
            links += md_links
        if _may_hold_widget(text):
            text = _without_widgets(text)
        if links or "  " in text:
            text = tidy(text)
        if _ALNUM.search(text) is None:
            return
        self.out.append(Block(text, first, last, heading=heading, item=item, links=links))


# How many lines a link's text and address may be wrapped over.
_LINK_LINES = 8
_IN_TEXT, _IN_TARGET = 1, 2


def _link_state(text: str, state: int = 0) -> int:
    """Whether ``text`` ends inside a Markdown link's text (``_IN_TEXT``), inside its
    address (``_IN_TARGET``) or outside any link (0), given where it began."""
    if state == _IN_TARGET:
        close = text.find(")")
        if close < 0:
            return _IN_TARGET
        text, state = text[close + 1 :], 0
    opened = text.count("[") - text.count("]") + (1 if state == _IN_TEXT else 0)
    target = text.rfind("](")
    if target >= 0 and text.find(")", target) < 0:
        return _IN_TARGET
    return _IN_TEXT if opened > 0 else 0


_WORD = re.compile(r"\w+")

# See _Builder._has_word: past this many words looked for, or places where one stands
# inside a longer word, a set of the dump's words answers (linear on a hostile dump).
_WORD_LOOKUPS = 64
_WORD_CHECKS = 1000


def _is_word_char(char: str) -> bool:
    """Whether ``char`` is one ``\\w`` matches."""
    return char.isalnum() or char == "_"
# A line that goes on a sentence: a lowercase word, perhaps with its comma or stop, then a
# space ("https://..." or "file:///..." under a link's title is an address, not prose).
_GOES_ON = re.compile(r"[^\W\d_]+[,.;:!?]?(?:\s|$)")
# A word without the punctuation at its edges: from its first word character to its last
# (r"\W+$" would try every position of a long run of punctuation, each to the run's end).
_WORD_SPAN = re.compile(r"\w(?:.*\w)?", re.S)
