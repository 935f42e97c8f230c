#!/usr/bin/env python3
"""Dump the shared evaluation pages as real tools and converters write them.

    python benchmarks/make_layout_dumps.py [--out DIR] [--datasets scrapinghub wcxb-dev]
                                           [--layouts lynx-100 w3m-100 ...] [--limit N]

For every page of ``../shared/eval/<dataset>/html/`` and every layout this writes
``DIR/<dataset>/<layout>/<id>.txt`` (skipping files already there), so the text cleaner
can be trained and measured on more than the naive one-line-per-block dumps. The
``naive`` layout is the set's own ``text_dumps/`` and is not written here (``naive()``
below is how such a dump is made). A dataset that is not in ../shared/eval is looked
for among the sets of ``make_unseen_sets.py`` (``~/.cache/reader-bench/unseen``).

Layouts come in three groups. TRAIN layouts may be used to fit the model: Debian's lynx
and w3m at several widths, with and without numbered links and their reference list,
Markdown written by the html2text package, the naive dump re-wrapped, ``synth``: a
renderer of our own whose style (width, indentation, bullets, heading style, link
marks, widgets, hyphenation, blank lines or none) is drawn at random for each page, so
that no one tool's habits are all the model ever sees. DEVELOPMENT layouts are made and
measured but never fitted on: ``text-nodes`` (every text node of the page a line, as a
walk over lxml's text nodes writes it), on which the normaliser's rejoin of such dumps was
developed (fitting on it moved the other layouts by under .005 and lost a short post's
comment thread to the body), and ``bs4-lines`` (BeautifulSoup's ``get_text("\n",
strip=True)``), the held-out layout that showed the cleaner could not read such dumps, and
which text-nodes reproduces too closely (most pages' dumps alike line for line) to stay
held out. HELD_OUT layouts (elinks, links2, Debian's html2text, pandoc, and inscriptis, a
Python scraper that lays tables and indents out as a browser would) are never trained on;
they check that what was learned holds for tools the model has not met.

The tools are for benchmarks only (``apt-get install -y lynx w3m elinks links2 html2text
pandoc``; ``pip install html2text beautifulsoup4 inscriptis``); a layout whose tool is
missing is skipped with a message. Default output: ``$XDG_CACHE_HOME/reader-bench/layouts``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
DATASETS = ("scrapinghub", "wcxb-dev")
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "reader-bench"
DEFAULT_OUT = CACHE / "layouts"
UNSEEN = CACHE / "unseen"  # make_unseen_sets.py: sets of sites in neither shared set
TIMEOUT = 60

_UTF8_LYNX = ["-assume_charset=utf-8", "-display_charset=utf-8"]
_W3M = ["w3m", "-dump", "-T", "text/html", "-I", "utf-8", "-O", "utf-8"]
_ELINKS_UTF8 = [
    "-eval", 'set document.codepage.assume = "utf-8"',
    "-eval", "set document.codepage.force_assumed = 1",
    "-dump-charset", "utf-8",
]

# layout name -> command (the HTML file's path is appended)
TOOL_LAYOUTS: dict[str, list[str]] = {
    "lynx-100": ["lynx", "-dump", "-nolist", "-width=100", "-nomargins", *_UTF8_LYNX],
    "lynx-80-links": ["lynx", "-dump", "-width=80", *_UTF8_LYNX],
    "lynx-132": ["lynx", "-dump", "-nolist", "-width=132", *_UTF8_LYNX],
    "w3m-100": [*_W3M, "-cols", "100"],
    "w3m-80-links": [*_W3M, "-cols", "80", "-o", "display_link_number=1"],
    "w3m-60": [*_W3M, "-cols", "60"],
    "elinks-80": ["elinks", "-dump", "-dump-width", "80", *_ELINKS_UTF8],
    "links2-100": ["links2", "-dump", "-width", "100", "-codepage", "utf-8"],
    # Debian's C program; the pip package of the same name (markdown-h2t) may shadow it.
    "html2text-deb-80": ["/usr/bin/html2text", "-utf8", "-width", "80"],
    "pandoc-plain": ["pandoc", "-f", "html", "-t", "plain", "--columns=72"],
    "pandoc-md": ["pandoc", "-f", "html", "-t", "commonmark-raw_html", "--columns=72"],
}
# made in this process, by a Python package (None: by our own code)
OWN_LAYOUTS = {
    "markdown-h2t": "html2text", "wrapped": None, "synth": None,
    "bs4-lines": "bs4", "inscriptis": "inscriptis", "text-nodes": None,
}
TRAIN = (
    "naive", "lynx-100", "lynx-80-links", "lynx-132", "w3m-100", "w3m-80-links", "w3m-60",
    "markdown-h2t", "wrapped", "synth",
)
DEVELOPMENT = ("text-nodes", "bs4-lines")
HELD_OUT = (
    "elinks-80", "links2-100", "html2text-deb-80", "pandoc-plain", "pandoc-md", "inscriptis",
)
LAYOUTS = (*TRAIN, *DEVELOPMENT, *HELD_OUT)


def dataset_dir(dataset: str) -> Path:
    """A shared set's folder, or else an unseen set's (the same layout)."""
    shared = EVAL / dataset
    return shared if shared.is_dir() else UNSEEN / dataset


def layout_dir(out: Path, dataset: str, layout: str) -> Path:
    """Where the dumps of one layout are (the set's own folder for ``naive``)."""
    if layout == "naive":
        return dataset_dir(dataset) / "text_dumps"
    return out / dataset / layout


# --------------------------------------------------------------------------- own layouts


def markdown_h2t(html: str) -> str:
    import html2text  # benchmark-only dependency

    maker = html2text.HTML2Text()
    maker.body_width = 78
    return maker.handle(html)


def bs4_lines(html: str) -> str:
    """A naive scraper's dump: every text node of the page a line of its own."""
    from bs4 import BeautifulSoup  # benchmark-only dependency

    return BeautifulSoup(html, "lxml").get_text("\n", strip=True) + "\n"


def inscriptis_text(html: str) -> str:
    import inscriptis  # benchmark-only dependency

    return str(inscriptis.get_text(html))


def wrapped(naive: str, key: str) -> str:
    """The naive dump as ``fmt`` would leave it: each block wrapped, blank lines between."""
    rng = random.Random("wrapped:" + key)
    width = rng.choice((64, 72, 76, 80))
    blocks = [line.strip() for line in naive.splitlines() if line.strip()]
    return "\n\n".join(textwrap.fill(b, width, break_on_hyphens=False) for b in blocks) + "\n"


# Block elements: each starts a new block in the rendered text.
_BLOCKS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre "
    "section summary table tbody thead tfoot tr ul caption".split()
)
_SKIP = frozenset("script style noscript template head title svg math iframe object".split())


# The naive scraper's blocks: _BLOCKS and the form widgets and media, each a line of its own.
_NAIVE_BLOCKS = _BLOCKS | frozenset(
    "br button label select option optgroup textarea legend menu menuitem noscript datalist "
    "output meter progress video audio canvas map area td th".split()
)
# What it counts as a space: ASCII white space, no-break and zero-width spaces (not U+2003 or
# U+3000).
_NAIVE_SPACE = re.compile(r"[ \t\n\r\f\v\xa0\u200b]+")


def naive(html: str) -> str:
    """The page as the shared sets' ``text_dumps/`` are made: the whole ``<body>``, one line
    per block element, inline text glued together, only script, style and template left
    out, a ``<pre>`` kept line by line. It remakes all 181 scrapinghub dumps byte for byte
    and 1,277 of wcxb-dev's 1,293."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an unparsable page gives an empty dump
        return ""
    lines: list[str] = []
    parts: list[str] = []  # the current block's text; "\0" marks a <pre>'s line breaks

    def flush() -> None:
        for piece in "".join(parts).split("\0"):
            if line := _NAIVE_SPACE.sub(" ", piece).strip():
                lines.append(line)
        parts.clear()

    def add(text: str | None, pre: bool) -> None:
        if text:
            parts.append(text.replace("\n", "\0") if pre else text)

    def walk(element: lxml.html.HtmlElement, pre: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in ("script", "style", "template"):
            block = tag in _NAIVE_BLOCKS
            if block:
                flush()
            add(element.text, pre or tag == "pre")
            for child in element:
                walk(child, pre or tag == "pre")
            if block:
                flush()
        add(element.tail, pre)

    body = root.find("body")
    walk(body if body is not None else root, False)
    flush()
    return "\n".join(lines) + "\n"


# Text that never reaches the dump (as for the naive dumps: a <noscript> does).
_NODES_SKIP = frozenset(("script", "style", "template"))


def text_nodes(html: str, key: str) -> str:
    """A scraper's dump that writes every text node of the page on a line of its own, the
    way a walk over lxml's ``itertext()`` does: a link, a ``<b>`` or a ``<code>`` inside a
    sentence breaks it over three lines. Drawn per page, as such scrapers differ: whether the
    ``<title>`` comes first, whether block elements also leave a blank line, and whether
    white space inside a node is kept as the page had it or collapsed.

    The layout the normaliser's rejoin of such dumps was developed on (never fitted on);
    ``bs4-lines`` (BeautifulSoup's ``get_text("\n")``) has the same habit.
    """
    import lxml.html

    rng = random.Random("text-nodes:" + key)
    with_title, blank_blocks, collapse = rng.random() < 0.5, rng.random() < 0.3, rng.random() < 0.8
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an unparsable page gives an empty dump
        return ""
    lines: list[str] = []

    def add(text: str | None) -> None:
        if not text:
            return
        for piece in text.split("\n") if not collapse else (text,):
            piece = " ".join(piece.split()) if collapse else piece.strip()
            if piece:
                lines.append(piece)

    def walk(element: lxml.html.HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _NODES_SKIP:
            block = blank_blocks and tag in _BLOCKS
            if block and lines and lines[-1]:
                lines.append("")
            add(element.text)
            for child in element:
                walk(child)
            if block and lines and lines[-1]:
                lines.append("")
        add(element.tail)

    if with_title:
        title = root.find(".//title")
        if title is not None:
            add(title.text_content())
    body = root.find("body")
    walk(body if body is not None else root)
    return "\n".join(lines).strip("\n") + "\n"


class _Style:
    """One imaginary tool's habits, drawn per page."""

    def __init__(self, rng: random.Random) -> None:
        self.width = rng.choice((60, 68, 72, 76, 80, 90, 100, 120))
        self.indent = rng.choice((0, 0, 2, 3, 4))
        self.blank = rng.random() < 0.7  # blank line between blocks
        self.bullets = rng.choice(("*+o", "-*+", "•◦▪", "·-·", "*o#", "▪▫◦", "-", "•"))
        self.list_indent = rng.choice((2, 3, 4))
        self.numbers = rng.choice(("{}.", "{})", "({})"))
        self.heading = rng.choice(("plain", "upper", "hash", "underline", "outdent"))
        self.links = rng.choice(("none", "none", "before", "after", "caret"))
        self.reference_list = self.links != "none" and rng.random() < 0.7
        self.reference_title = rng.choice(("References", "Links:", "References:", "Link list"))
        self.hyphenate = rng.random() < 0.35
        self.button = rng.choice(("[{}]", "[ {} ]", "<{}>", "({})", "(BUTTON) {}"))
        self.field = rng.choice(("[{}]", "{}", "[_{}]"))
        self.field_char = rng.choice(("_", " ", "."))
        self.checkbox = rng.choice(("[ ]", "( )", "[_]", "☐"))
        self.image = rng.choice(("", "", "[IMG]", "[image]", "[{alt}]", "Image: {alt}"))
        self.table = rng.choice((" | ", "  ", "\t"))


class _Renderer:
    def __init__(self, style: _Style, rng: random.Random) -> None:
        self.style, self.rng = style, rng
        self.blocks: list[tuple[str, str, int]] = []  # (kind, text, depth)
        self.inline: list[str] = []
        self.links: list[str] = []
        self.kind, self.depth = "p", 0

    def flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.inline)).strip()
        if text:
            self.blocks.append((self.kind, text, self.depth))
        self.inline = []

    def link_mark(self, href: str) -> tuple[str, str]:
        self.links.append(href or "#")
        n = len(self.links)
        if self.style.links == "before":
            return f"[{n}]", ""
        if self.style.links == "after":
            return "", f"[{n}]"
        if self.style.links == "caret":
            return "", f"^{n}"
        return "", ""

    def walk(self, el, kind: str = "p", depth: int = 0, number: int = 0) -> None:  # type: ignore[no-untyped-def]
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower().rsplit("}", 1)[-1]
        if tag in _SKIP or not isinstance(el.tag, str):
            if el.tail:
                self.inline.append(el.tail)
            return
        style = self.style
        block = tag in _BLOCKS
        if block:
            self.flush()
            if tag.startswith("h") and len(tag) == 2 and tag[1].isdigit():
                self.kind, kind = f"h{tag[1]}", f"h{tag[1]}"
            elif tag == "li":
                self.kind, kind = f"li{number}", f"li{number}"
            elif tag in ("ul", "ol"):
                depth += 1
            elif tag == "pre":
                self.kind, kind = "pre", "pre"
            else:
                self.kind = kind if kind.startswith("li") else "p"
            self.depth = depth
        prefix = suffix = ""
        if tag == "a" and el.get("href") and style.links != "none":
            prefix, suffix = self.link_mark(el.get("href"))
        elif tag == "img":
            alt = (el.get("alt") or "").strip()
            if style.image and (alt or "{alt}" not in style.image):
                self.inline.append(" " + style.image.format(alt=alt) + " ")
        elif tag in ("input", "button", "select", "textarea"):
            typ = (el.get("type") or "").lower()
            if typ == "hidden":
                pass
            elif typ in ("checkbox", "radio"):
                self.inline.append(style.checkbox + " ")
            elif tag == "button" or typ in ("submit", "button", "reset", "image"):
                label = (el.text_content() if tag == "button" else el.get("value")) or "Submit"
                self.inline.append(" " + style.button.format(label.strip()[:20]) + " ")
                if el.tail:
                    self.inline.append(el.tail)
                return
            else:
                size = self.rng.randint(8, 30)
                self.inline.append(" " + style.field.format(style.field_char * size) + " ")
        elif tag == "br":
            self.flush()
        elif tag in ("td", "th"):
            self.inline.append(style.table)
        self.inline.append(prefix)
        if el.text and tag not in ("button", "select", "textarea"):
            self.inline.append(el.text)
        count = 0
        for child in el:
            ctag = child.tag.lower() if isinstance(child.tag, str) else ""
            if ctag == "li":
                count += 1
            self.walk(child, kind, depth, count if tag == "ol" else 0)
        self.inline.append(suffix)
        if block:
            self.flush()
            self.kind = "p"
        if el.tail:
            self.inline.append(el.tail)

    def render(self) -> str:
        style, rng = self.style, self.rng
        out: list[str] = []
        pad = " " * style.indent
        for kind, text, depth in self.blocks:
            if kind == "pre":
                out.append(text)
            elif kind.startswith("h"):
                out.extend(self.heading(text, int(kind[1]), pad))
            elif kind.startswith("li"):
                number = int(kind[2:] or 0)
                glyph = (
                    style.numbers.format(number) if number
                    else style.bullets[(max(depth, 1) - 1) % len(style.bullets)]
                )
                lead = pad + " " * (style.list_indent * max(depth - 1, 0)) + glyph + " "
                out.extend(self.wrap(text, lead, " " * len(lead)))
            else:
                out.extend(self.wrap(text, pad, pad))
            if style.blank or kind.startswith("h") or rng.random() < 0.1:
                out.append("")
        if style.reference_list and self.links:
            out += ["", style.reference_title, ""]
            out += [f"{pad}{n}. {href}" for n, href in enumerate(self.links, 1)]
        return "\n".join(out).rstrip() + "\n"

    def heading(self, text: str, level: int, pad: str) -> list[str]:
        kind = self.style.heading
        if kind == "upper":
            return [pad + text.upper()]
        if kind == "hash":
            return ["#" * level + " " + text]
        if kind == "underline" and level <= 2:
            return [text, ("=" if level == 1 else "-") * min(len(text), self.style.width)]
        if kind == "outdent":
            return [text]
        return self.wrap(text, pad, pad)

    def wrap(self, text: str, first: str, rest: str) -> list[str]:
        width, lines, line = self.style.width, [], first
        for word in text.split():
            sep = " " if line.strip() else ""
            if len(line) + len(sep) + len(word) <= width or not line.strip():
                line += sep + word
                continue
            if self.style.hyphenate and word.isalpha() and word.islower() and len(word) >= 8:
                room = width - len(line) - 2  # the space and the hyphen
                if room >= 3 and len(word) - room >= 3:
                    lines.append(line + " " + word[:room] + "-")
                    line = rest + word[room:]
                    continue
            lines.append(line)
            line = rest + word
        if line.strip():
            lines.append(line)
        return lines


def synth(html: str, key: str) -> str:
    import lxml.html

    rng = random.Random("synth:" + key)
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - an unparsable page gives an empty dump
        return ""
    renderer = _Renderer(_Style(rng), rng)
    body = root.find("body")
    renderer.walk(body if body is not None else root)
    renderer.flush()
    return renderer.render()


# --------------------------------------------------------------------------- driver


def pages(dataset: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((dataset_dir(dataset) / "html").glob("*.html.gz")):
        yield path.name.removesuffix(".html.gz"), path


def run_tool(command: list[str], html_path: Path) -> str:
    done = subprocess.run(
        [*command, str(html_path)],
        capture_output=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TERM": "dumb", "HOME": tempfile.gettempdir()},
    )
    return done.stdout.decode("utf-8", errors="replace")


def make(out: Path, datasets: list[str], layouts: list[str], limit: int | None) -> None:
    def tool(name: str) -> str | None:
        return OWN_LAYOUTS[name] if name in OWN_LAYOUTS else TOOL_LAYOUTS[name][0]

    def installed(name: str) -> bool:
        if name not in OWN_LAYOUTS:
            return shutil.which(TOOL_LAYOUTS[name][0]) is not None
        package = OWN_LAYOUTS[name]
        return package is None or importlib.util.find_spec(package) is not None

    available = [name for name in layouts if installed(name)]
    for name in sorted(set(layouts) - set(available)):
        print(f"skipped {name}: {tool(name)} is not installed", file=sys.stderr)
    makers: dict[str, Callable[[str, str, Path, str], str]] = {
        "markdown-h2t": lambda html, naive, path, key: markdown_h2t(html),
        "wrapped": lambda html, naive, path, key: wrapped(naive, key),
        "synth": lambda html, naive, path, key: synth(html, key),
        "bs4-lines": lambda html, naive, path, key: bs4_lines(html),
        "inscriptis": lambda html, naive, path, key: inscriptis_text(html),
        "text-nodes": lambda html, naive, path, key: text_nodes(html, key),
    }
    with tempfile.TemporaryDirectory() as tmp:
        html_path = Path(tmp) / "page.html"
        for dataset in datasets:
            started, written = time.perf_counter(), 0
            for index, (key, gz) in enumerate(pages(dataset)):
                if limit is not None and index >= limit:
                    break
                todo = [
                    name for name in available
                    if not (layout_dir(out, dataset, name) / f"{key}.txt").exists()
                ]
                if not todo:
                    continue
                html = gzip.decompress(gz.read_bytes()).decode("utf-8", errors="replace")
                html_path.write_text(html, encoding="utf-8")
                naive = (layout_dir(out, dataset, "naive") / f"{key}.txt").read_text("utf-8")
                for name in todo:
                    try:
                        if name in makers:
                            text = makers[name](html, naive, html_path, key)
                        else:
                            text = run_tool(TOOL_LAYOUTS[name], html_path)
                    except (subprocess.TimeoutExpired, OSError) as error:
                        print(f"{dataset}/{key} {name}: {error}", file=sys.stderr)
                        text = ""
                    target = layout_dir(out, dataset, name) / f"{key}.txt"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8")
                    written += 1
                if index % 100 == 0:
                    print(f"{dataset}: {index} pages, {written} dumps, "
                          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS))
    ap.add_argument("--layouts", nargs="+", default=[n for n in LAYOUTS if n != "naive"])
    ap.add_argument("--limit", type=int, help="only the first N pages of each dataset")
    args = ap.parse_args()
    unknown = set(args.layouts) - set(LAYOUTS) - {"naive"}
    if unknown:
        ap.error(f"unknown layouts: {', '.join(sorted(unknown))}")
    make(args.out, args.datasets, [n for n in args.layouts if n != "naive"], args.limit)


if __name__ == "__main__":
    main()
