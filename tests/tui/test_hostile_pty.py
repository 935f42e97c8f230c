"""Issue 6: run the real TUI in a pseudo-terminal on the hostile corpus and read every byte
it writes to the terminal: nothing from the data may arrive as a control sequence.

A baseline run on a benign file records which kinds of sequence the app itself emits
(Textual's own mode switches, queries and styling); the hostile run may emit no kind the
baseline didn't, and none of the corpus payloads (OSC 52 clipboard writes, title sets,
DECRQSS, terminal queries, clear screen, raw C1) in any form.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from support.isolated import isolated_env
from support.paths import FIXTURES, ROOT
from support.terminal import run_reader_in_pty

CORPUS = FIXTURES / "hostile"
HOSTILE = [
    "feed-title-osc52.xml",
    "feed-title-ansi-mix.xml",
    "article-ansi-clear-screen.txt",
    "feed-markup-click-action.xml",
    "article-markup-injection.md",
    "feed-javascript-links.xml",
]
COLUMNS, LINES = 100, 30

# Keys: move, open, move, open, raw view, ... then quit. Several opens so that hostile titles
# and bodies reach the reading pane, not only the list.
KEYS = ["j", "\r", "j", "\r", "v", "j", "\r", "j", "\r", "j", "\r", "G", "\r", "g", "\r", "q"]


def run_in_pty(sources: list[str], home: Path, *, ready: bytes, keys: list[str],
               timeout: float = 40.0) -> tuple[bytes, int | None]:
    home.mkdir(parents=True, exist_ok=True)
    return run_reader_in_pty(sources, _env(home), size=(COLUMNS, LINES), ready=ready,
                             keys=keys, timeout=timeout)


def _env(home: Path) -> dict[str, str]:
    env = isolated_env(home)
    env.update({"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)})
    env.pop("TEXTUAL", None)
    env.pop("NO_COLOR", None)
    return env


# --------------------------------------------------------------------------- sequence kinds

_CSI = re.compile(rb"\x1b\[([\x30-\x3f]*)([\x20-\x2f]*)([\x40-\x7e])")
_OSC = re.compile(rb"\x1b\](.*?)(?:\x07|\x1b\\)", re.DOTALL)
_DCS = re.compile(rb"\x1bP(.*?)\x1b\\", re.DOTALL)
_ESC_OTHER = re.compile(rb"\x1b([^\[\]P])")


def sequence_kinds(data: bytes) -> set[str]:
    """The kinds of control sequence in ``data``: parameters dropped where they only place or
    colour things, kept where they switch modes or ask the terminal something."""
    kinds: set[str] = set()
    for params, inter, final in _CSI.findall(data):
        if final in b"mHfABCDEFGdrKXJ" and final != b"J":
            kinds.add(f"CSI {final.decode()}")  # styling, cursor moves, erasing a line
        else:
            kinds.add(f"CSI {params.decode(errors='replace')}{inter.decode()}{final.decode()}")
    for body in _OSC.findall(data):
        kinds.add("OSC " + body.split(b";", 1)[0].decode(errors="replace"))
    for body in _DCS.findall(data):
        kinds.add("DCS " + body[:3].decode(errors="replace"))
    for (char,) in _ESC_OTHER.findall(data):
        kinds.add(f"ESC {chr(char)}")
    return kinds


def raw_c1(data: bytes) -> list[bytes]:
    """C1 controls the terminal could act on: as UTF-8 (U+0080..U+009F) or as lone bytes."""
    found = re.findall(rb"\xc2[\x80-\x9f]", data)
    text = data.decode("utf-8", errors="surrogateescape")
    found += [
        ch.encode("utf-8", "surrogateescape") for ch in text if 0xDC80 <= ord(ch) <= 0xDC9F
    ]  # a lone byte 0x80..0x9f outside any UTF-8 character
    return found


PAYLOAD_WORDS = [
    b"pwned",
    b"HACKED",
    b"hacked",
    b"sudo password",
    b"evil.example",
    b"Y3VybCBodHRw",
    b"ZWNobyBwd25lZAo",
    b"cm0gLXJmIH4K",
    b"UFdORUQ",
]


def _variants(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Payloads spelt as character references and in a JSON Feed (not in the corpus)."""
    folder = tmp_path_factory.mktemp("variants")
    charref = folder / "charref.xml"
    charref.write_bytes(
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Refs</title>'
        b"<item><title>Ref &#27;]52;c;UFdORUQ=&#7; &#x1b;[2J &#x9b;6n pwned</title><guid>r1</guid>"
        b"<description>&lt;p&gt;&amp;#27;]0;HACKED&amp;#7; body&lt;/p&gt;</description></item>"
        b"</channel></rss>"
    )
    jsonfeed = folder / "feed.json"
    jsonfeed.write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "title": "J \u001b]0;pwned\u0007",'
        ' "items": [{"id": "1", "title": "JSON \u001b]52;c;UFdORUQ=\u001b\\ \u009b2J",'
        ' "content_text": "text \u001bP$qm\u001b\\ end"}]}'
    )
    return [charref, jsonfeed]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, int | None]]:
    benign = tmp_path_factory.mktemp("benign") / "harbour-notes.txt"
    benign.write_text(
        "Harbour notes\n\nThe harbour reopened on Monday after a week of repairs to the north quay.\n\n"  # noqa: E501
        "Fishing boats returned in the afternoon, and the market stayed open late to catch up.\n\n"
        "The council will publish the cost of the repairs next month, along with a plan for the "
        "south quay.\n",
        encoding="utf-8",
    )
    benign_feed = ROOT / "sample_feeds"
    sources = {
        "baseline": [str(benign)]
        + ([str(p) for p in sorted(benign_feed.glob("*.rss"))[:1]] if benign_feed.is_dir() else []),
        "hostile": [str(CORPUS / name) for name in HOSTILE]
        + [str(p) for p in _variants(tmp_path_factory)],
    }
    ready = {"baseline": b"Quit", "hostile": b"Quit"}
    results: dict[str, tuple[bytes, int | None]] = {}

    def one(name: str) -> None:
        results[name] = run_in_pty(
            sources[name], tmp_path_factory.mktemp(name), ready=ready[name], keys=KEYS
        )

    threads = [threading.Thread(target=one, args=(name,)) for name in sources]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_the_app_painted_and_quit(runs) -> None:
    for name, (output, status) in runs.items():
        assert b"\x1b[?1049h" in output and len(output) > 2000, f"{name}: never painted: {output!r}"
        assert status == 0, f"{name}: exit status {status}: {output[-800:]!r}"
        assert b"Traceback" not in output, name


def test_hostile_run_showed_the_hostile_titles(runs) -> None:
    output, _ = runs["hostile"]
    text = output.decode("utf-8", errors="replace")
    # the list was painted with hostile rows (the words survive, the controls don't)
    assert "Clipboard hijack" in text or "Clear screen" in text or "Breaking news" in text, text[
        -2000:
    ]


def test_no_sequence_kind_beyond_the_baseline(runs) -> None:
    baseline = sequence_kinds(runs["baseline"][0])
    hostile = sequence_kinds(runs["hostile"][0])
    assert hostile - baseline == set(), (
        f"new kinds: {sorted(hostile - baseline)}; baseline: {sorted(baseline)}"
    )


def test_no_payload_sequence(runs) -> None:
    output, _ = runs["hostile"]
    baseline, _ = runs["baseline"]
    assert b"\x1b]52" not in output, "OSC 52 clipboard write reached the terminal"
    assert b"\x1bP$q" not in output, "DECRQSS reached the terminal"
    for marker in (
        b"\x1b[6n",
        b"\x1b[21t",
        b"\x1b[2J",
        b"\x1b[3J",
        b"\x1b]0;",
        b"\x1b]2;",
        b"\x1b]8;",
        b"\x1b[1A",
    ):
        if marker not in baseline:
            assert marker not in output, f"{marker!r} reached the terminal"
    # whatever OSC/DCS the app itself sends, none carries text from the corpus
    for body in _OSC.findall(output) + _DCS.findall(output):
        for word in PAYLOAD_WORDS:
            assert word not in body, f"payload {word!r} inside a terminal command: {body[:200]!r}"
    # the exact payload strings are never written with their ESC
    for payload in (
        b"\x1b]52;c;",
        b"\x1b]0;sudo",
        b"\x1b]0;hacked",
        b"\x1b]8;;https://evil",
        b"\x1b[32mVerified",
        b"\x1b[31mYour session",
    ):
        assert payload not in output, payload


def test_no_raw_c1_controls(runs) -> None:
    output, _ = runs["hostile"]
    assert raw_c1(output) == [], raw_c1(output)[:10]


def test_payload_words_are_shown_inert(runs) -> None:
    """The words around the payloads do reach the screen, as text (the ESC made visible)."""
    output, _ = runs["hostile"]
    text = output.decode("utf-8", errors="replace")
    assert "\u241b" in text or "^[" in text, "escape characters are neither shown nor visible"


def test_the_detector_sees_the_corpus_payloads() -> None:
    """The checks above have teeth: on the corpus's raw bytes they find every payload kind."""
    raw = b"".join((CORPUS / name).read_bytes() for name in HOSTILE)
    kinds = sequence_kinds(raw)
    for kind in ("OSC 52", "OSC 0", "OSC 8", "DCS $qm", "CSI 6n", "CSI 21t", "CSI 2J"):
        assert kind in kinds, (kind, sorted(kinds))
    assert raw_c1("C1 CSI raw \u009b2J".encode()) != []
