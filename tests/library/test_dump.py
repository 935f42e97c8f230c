"""`reader dump`: the seed comes out as expected, JSON fields, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import FIXTURES, ROOT

SEED = FIXTURES / "palmyra-dump.txt"
EXPECTED = json.loads((FIXTURES / "palmyra-dump.expected.json").read_text(encoding="utf-8"))
CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {chr(c) for c in range(0x7F, 0xA0)}


def dump(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None):
    return subprocess.run(
        [sys.executable, "-m", "reader", "dump", *args],
        capture_output=True, input=stdin, cwd=ROOT, timeout=120,
        env={**os.environ, **(env or {})},
    )


def paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]


def test_seed_json_is_exactly_as_expected() -> None:
    result = dump("--format", "json", str(SEED))
    assert result.returncode == 0, result.stderr
    [article] = json.loads(result.stdout)
    assert article["title"] == EXPECTED["title"]
    assert article["published"].startswith(EXPECTED["published"])
    assert paragraphs(article["body"]) == [" ".join(p.split()) for p in EXPECTED["body_paragraphs"]]
    assert article["source"] == str(SEED)
    text = result.stdout.decode("utf-8")
    for junk in EXPECTED["must_not_contain"]:
        assert junk not in json.dumps(article, ensure_ascii=False)
        assert junk not in text


def test_json_fields_for_a_feed(tmp_path: Path) -> None:
    result = dump("--format", "json", "sample_feeds/world-desk.rss")
    assert result.returncode == 0, result.stderr
    articles = json.loads(result.stdout)
    assert len(articles) == 4
    first = articles[0]
    assert set(first) >= {"source", "title", "author", "url", "published", "body"}
    assert first["source"] == "sample_feeds/world-desk.rss"
    assert first["author"] == "Marta Lindqvist"
    assert first["published"] == "2026-11-23T06:40:00+01:00"
    assert first["url"].startswith("https://worlddesk.example.org/")
    assert "## A crop that cleans the water" in first["body"]
    assert "> The sea has always fed these towns" in first["body"]
    assert "\\" not in first["body"]  # prose is not backslash-escaped


def test_text_format_is_the_reading_pane_in_plain_text() -> None:
    result = dump("sample_feeds/world-desk.rss")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    first = text.split("═" * 40)[0]
    assert "\nA crop that cleans the water\n" in first and "## " not in first
    assert "Baltic Marine Institute[1]" in first and "](" not in first
    assert first.rstrip().endswith("[1] https://example.org/baltic-institute")
    assert "• Harvest: March to May" in first
    assert "A [bracketed] title & other punctuation survive intact" in text


def test_missing_source_fails_alone() -> None:
    result = dump("--format", "json", "no/such/file.txt", str(SEED))
    assert result.returncode == 1
    assert len(json.loads(result.stdout)) == 1
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "no/such/file.txt" in lines[0]
    assert b"Traceback" not in result.stderr


def test_usage_error_exits_2() -> None:
    result = dump("--format", "yaml", str(SEED))
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr


def test_directory_skips_binary_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)))
    (tmp_path / ".hidden.txt").write_text("hidden words " * 50)
    result = dump("--format", "json", str(tmp_path))
    assert result.returncode == 0, result.stderr
    articles = json.loads(result.stdout)
    assert [Path(a["source"]).name for a in articles] == ["a.txt"]
    assert "b.bin" in result.stderr.decode()


def test_json_data_beside_the_articles_is_skipped_with_a_message(tmp_path: Path) -> None:
    """A dump kept beside its expected result (as in ../shared/examples): the JSON is data,
    not a second article titled '"title": ...'; named alone it is an error."""
    (tmp_path / "story.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "story.expected.json").write_text(json.dumps(EXPECTED, indent=2))
    result = dump("--format", "json", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [Path(a["source"]).name for a in json.loads(result.stdout)] == ["story.txt"]
    assert "story.expected.json: JSON data, not an article" in result.stderr.decode()
    alone = dump(str(tmp_path / "story.expected.json"))
    assert alone.returncode == 1 and alone.stdout == b""
    assert b"JSON data, not an article" in alone.stderr


def test_stdin_and_markdown_format() -> None:
    result = dump("--format", "markdown", "-", stdin=SEED.read_bytes())
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert out.startswith("---\ntitle: ")
    assert "published: \"2016-12-11T07:31:00\"" in out
    assert EXPECTED["body_paragraphs"][2] in out


def test_a_source_named_twice_is_read_once() -> None:
    """`reader dump - -` read standard input twice: the second read found it used up and
    failed ('could not load -: empty file'). A file named twice is one article too."""
    result = dump("--format", "json", "-", "-", str(SEED), str(SEED), stdin=SEED.read_bytes())
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert [a["source"] for a in json.loads(result.stdout)] == ["-", str(SEED)]


def test_stdin_typed_at_a_terminal_says_how_it_ends() -> None:
    """`reader -` or `reader dump -` on a terminal waited for typed text on a blank screen,
    seemingly hung; piped, nothing is said."""
    import pty

    primary, secondary = pty.openpty()
    try:
        done = subprocess.Popen([sys.executable, "-m", "reader", "dump", "-"], cwd=ROOT,
                                stdin=secondary, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        os.write(primary, b"Typed title\n\nA body typed at the terminal.\n\x04")
        out, err = done.communicate(timeout=30)  # before: waited for a second Ctrl+D
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 0, err
    assert err.decode().splitlines()[0] == (
        "reader: reading standard input from the terminal; Ctrl+D ends it")
    assert b"A body typed at the terminal." in out
    piped = dump("-", stdin=b"Piped title\n\nA piped body.\n")
    assert piped.returncode == 0 and b"standard input" not in piped.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_output_never_carries_control_characters(tmp_path: Path, fmt: str) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_bytes(
        b"Title \x1b]52;c;cHduZWQ=\x07 here\r\n\r\n"
        + b"Body with \x1b[2J clear screen and \x9b6n and \x07 bell. " * 20
    )
    result = dump("--format", fmt, str(hostile))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8") + result.stderr.decode("utf-8")
    assert not CONTROL & set(out)


def test_tui_with_only_missing_paths_exits_with_a_message() -> None:
    result = subprocess.run([sys.executable, "-m", "reader", "no/such/file.txt"],
                            capture_output=True, timeout=60, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.decode() == "reader: no/such/file.txt: no such file or directory\n"
    assert result.stdout == b""


def _site_dump(number: int) -> str:
    """A scraped page of one site: its menus and footer, then an article of its own."""
    words = " ".join(f"w{number}x{k}" for k in range(30))
    return "\n".join([
        "icon-search icon-menu icon-close icon-user",
        "Home", "World", "Business", "Sport", "Culture",
        f"Harbour story number {number}",
        f"The council met on day {number} and talked about {words} for hours on end.",
        f"Residents said the plan {number} was long overdue and welcomed the news {words}.",
        "Share on Facebook", "Share on Twitter",
        "© 2026 The Coast Gazette. All rights reserved.",
        "Privacy policy | Terms of use | Contact us",
    ]) + "\n"


def test_dump_and_the_library_clean_a_folder_the_same_way(tmp_path: Path) -> None:
    """`reader dump DIR` and `reader DIR` go through one folder loader: same articles."""
    from reader.core.models import ArticleQuery
    from reader.library import Library

    folder = tmp_path / "site"
    folder.mkdir()
    for number in range(6):
        (folder / f"page-{number}.txt").write_text(_site_dump(number), encoding="utf-8")
    for sample in ("world-desk.rss", "pages", "notes"):
        source = ROOT / "sample_feeds" / sample
        target = folder / sample
        if source.is_dir():
            target.mkdir()
            for member in source.iterdir():
                (target / member.name).write_bytes(member.read_bytes())
        else:
            target.write_bytes(source.read_bytes())
    result = dump("--format", "json", str(folder))
    assert result.returncode == 0, result.stderr
    dumped = {(a["title"], a["body"]) for a in json.loads(result.stdout)}
    assert len(dumped) > 6
    # the repeated menus and footer are gone from the dumps (learnt from the folder)
    assert not any("Privacy policy" in body or "Share on" in body for _, body in dumped)
    with Library.open(tmp_path / "library.sqlite") as library:
        (outcome,) = library.open_sources([str(folder)])
        assert outcome.error is None
        stored = [library.get(i) for i in library.view(ArticleQuery())]
    shown = {(s.article.title, s.article.body) for s in stored if s is not None}
    assert shown == dumped


def test_a_folder_where_no_file_is_an_article_fails_in_one_line(tmp_path: Path) -> None:
    """A folder of binary files loaded nothing, yet reader dump exited 0."""
    folder = tmp_path / "pictures"
    folder.mkdir()
    for name in ("a.png", "b.bin", "c.dat"):
        (folder / name).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00" + bytes(range(256)))
    (folder / "empty.txt").write_bytes(b"")
    result = dump(str(folder))
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode() == (
        f"reader: could not load {folder}: no article among its 4 files "
        "(not a text file (binary): 3; empty file: 1)\n")
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    result = dump(str(nothing), str(SEED))
    assert result.returncode == 1 and result.stdout  # the other source is still dumped
    assert result.stderr.decode() == f"reader: could not load {nothing}: no files in it\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("args", [
    ["dump", str(ROOT / "sample_feeds" / "world-desk.rss")],
    ["dump", "--format", "json", str(ROOT / "sample_feeds" / "world-desk.rss")],
    ["feeds"], ["export"], ["account", "list"], ["config"], ["completion", "bash"],
])
def test_output_to_a_full_disk_is_one_line(tmp_path: Path, args: list[str]) -> None:
    # 'reader dump x > file' on a full disk ended in a traceback (OSError: No space left)
    from support.isolated import isolated_env

    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "reader", *args], stdout=full,
                                stderr=subprocess.PIPE, env=isolated_env(tmp_path),
                                timeout=60, cwd=ROOT)
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 1
    assert lines[-1:] == ["reader: cannot write the output: no space left on device"], lines
    assert not [line for line in lines if "Traceback" in line or "ignored" in line]


def test_a_command_s_output_reaches_stdout_in_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # each of json.dump's small writes went through a Python method to the real stdout
    # (1.7 -> 2.6 s for reader list --json of 100,000 articles); the text is the same
    import io

    from reader.cli import _guarded_output

    class Counted(io.BytesIO):
        writes = 0

        def write(self, data: object) -> int:
            Counted.writes += 1
            return super().write(data)  # type: ignore[arg-type]

    class Text(io.TextIOWrapper):
        writes = 0

        def write(self, text: str) -> int:
            Text.writes += 1
            return super().write(text)

    raw = Counted()
    real = Text(raw, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", real)
    items = [{"id": n, "title": f"Title {n}", "body": "word " * 20} for n in range(2000)]
    with _guarded_output():
        json.dump(items, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    assert sys.stdout is real
    real.flush()
    assert raw.getvalue().decode() == json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    assert Text.writes + Counted.writes < 100, (Text.writes, Counted.writes)


@pytest.mark.parametrize("args", [["config"], ["export"]])
def test_output_to_a_closed_stdout_is_one_line(tmp_path: Path, args: list[str]) -> None:
    # 'reader config >&-': sys.stdout is None, and the first write was a traceback
    from support.isolated import isolated_env

    result = subprocess.run([sys.executable, "-m", "reader", *args], stderr=subprocess.PIPE,
                            env=isolated_env(tmp_path), timeout=60, cwd=ROOT,
                            preexec_fn=lambda: os.close(1))
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 1
    assert lines == ["reader: cannot write the output: standard output is closed"], lines
