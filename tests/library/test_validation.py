"""Careless input: blank sources and paths, a --db in a folder that is not there, and config
files with mistakes. Each is one line on stderr that quotes what was wrong; nothing is added
and no folder is made; a setting that is wrong keeps its default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.builders import write_feed
from support.pilot import make_app, settle

from reader.cli import main
from reader.core.config import load_config
from reader.library import Library


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as usage:  # argparse's way out, as the `reader` script takes it
        code = int(usage.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("args", [
    ["add", ""],
    ["add", "   "],
    ["add", "--folder", " ", "feed.xml"],
    ["remove", ""],
    ["dump", ""],
    ["dump", "\t"],
    ["import", ""],
    ["list", "--feed", " "],
    ["list", "--limit", "-3"],
    ["list", "--limit", "ten"],
    ["--db", "", "list"],
    ["--config", "", "feeds"],
    [""],  # the TUI
    ["  ", "feed.xml"],
], ids=lambda args: " ".join(repr(a) for a in args))
def test_blank_sources_and_paths_are_refused_and_nothing_is_added(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        args: list[str]) -> None:
    """`reader add ''` subscribed the current folder."""
    monkeypatch.chdir(tmp_path)
    write_feed(tmp_path / "feed.xml", "A feed", 2)
    db = tmp_path / "library.sqlite"
    monkeypatch.setenv("READER_DB", str(db))
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("reader: argument ") and "got '" in err
    assert not db.exists()  # nothing opened, nothing added


def test_the_library_refuses_blank_sources_too(library: Library, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_feed(tmp_path / "feed.xml", "A feed", 2)
    outcomes = library.add(["", " \t "])
    assert [o.error for o in outcomes] == [
        "an empty source: name a file, a folder or a feed URL"] * 2
    assert library.feeds() == []
    assert library.open_sources([" "])[0].error is not None
    assert library.feeds() == []
    assert library.find_feed(" ") is None


@pytest.mark.parametrize("how", ["--db", "READER_DB"])
def test_a_library_in_a_missing_folder_is_an_error_and_no_folder_is_made(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        how: str) -> None:
    """--db /no/such/dir/lib.sqlite silently made the folders."""
    target = tmp_path / "no" / "such" / "lib.sqlite"
    for command in (["list"], ["add", str(write_feed(tmp_path / "f.xml", "F", 1))], []):
        if how == "--db":
            args = ["--db", str(target), *command]
        else:
            monkeypatch.setenv("READER_DB", str(target))
            args = command
        code, out, err = run(capsys, *args)
        assert code == 1
        assert err == (f"reader: cannot open the library {target}: "
                       f"no such folder {target.parent}\n")
        assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(("where", "reason"), [
    ("folder", "it is a folder (name a file in it)"),
    ("file/lib.sqlite", "{tmp}/file is not a folder"),
])
def test_a_library_named_where_no_file_can_be_is_one_line_in_words(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, reason: str) -> None:
    """--db naming a folder, or a file under a file: said in words, not SQLite's "unable to
    open database file"; nothing is made."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("a note\n")
    target = tmp_path / where
    code, out, err = run(capsys, "--db", str(target), "list")
    assert (code, out) == (1, "")
    assert err == (f"reader: cannot open the library {target}: "
                   f"{reason.format(tmp=tmp_path)}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder"]
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.parametrize(("where", "reason"), [
    ("pipe", "not a regular file (named pipe)"),
    ("/dev/null", "not a regular file (device)"),
])
def test_a_library_named_where_no_database_can_be_is_one_line_in_words(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, reason: str) -> None:
    """--db naming a named pipe or a device: SQLite's own words came out ("disk I/O
    error", "cannot rollback - no transaction is active")."""
    os.mkfifo(tmp_path / "pipe")
    target = tmp_path / where
    code, out, err = run(capsys, "--db", str(target), "list")
    assert (code, out) == (1, "")
    assert err == f"reader: cannot open the library {target}: {reason}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_blank_reader_db_or_reader_config_is_no_path(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """READER_DB=" " (a stray space in a shell's rc) made a library named " " in whatever
    folder the command ran from, a new empty one in each; READER_CONFIG=" " a config
    file so named. Blank, like empty, is unset (as --db " " is refused)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READER_DB", " ")
    monkeypatch.setenv("READER_CONFIG", "  ")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    code, out, err = run(capsys, "feeds")
    assert (code, err) == (0, "")
    code, out, err = run(capsys, "config", "--path")
    assert out.strip() == str(tmp_path / "config" / "reader-tui" / "config.toml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "data"]
    assert (tmp_path / "data" / "reader-tui" / "library.sqlite").exists()


def test_the_default_data_folder_is_still_made(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READER_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh" / "data"))
    code, out, err = run(capsys, "feeds")
    assert (code, err) == (0, "")
    assert (tmp_path / "fresh" / "data" / "reader-tui" / "library.sqlite").exists()


BAD_CONFIG = """\
[ui]
theme = "nope"
colour = "blue"
[reading]
width = "wide"
[keys]
quit = "ctrl+zz"
"""


@pytest.mark.parametrize("command", [
    ["list"], ["feeds"], ["search", "harbour"], ["export"], ["refresh"], ["remove", "x"],
    ["dump", "FEED"], ["add", "FEED"], ["import", "OPML"],
])
def test_every_command_reports_the_config_at_start_one_line_each(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        db_file: Path, command: list[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(BAD_CONFIG, encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    feed = write_feed(tmp_path / "feed.xml", "A feed", 1)
    opml = tmp_path / "list.opml"
    opml.write_text('<opml version="2.0"><body><outline xmlUrl="https://x.example/f.xml"/>'
                    "</body></opml>", encoding="utf-8")
    args = [str(feed) if a == "FEED" else str(opml) if a == "OPML" else a for a in command]
    _, _, err = run(capsys, *args)
    said = [line for line in err.splitlines() if str(config) in line]
    assert said == [
        f"reader: {config} line 2: [ui] theme: expected a built-in theme (textual-dark, "
        "textual-light, nord, gruvbox, ... 21 in all, listed in the default file), got 'nope'",
        f"reader: {config} line 3: [ui] colour: unknown setting 'colour' (known: theme, "
        "layout)",
        f"reader: {config} line 5: [reading] width: expected an integer 40-200, got 'wide'",
        f"reader: {config} line 7: [keys] quit: expected keys such as \"ctrl+q\" or "
        "\"j,down\", got 'ctrl+zz'; quit stays on q",
    ]


def test_a_toml_syntax_error_is_reported_by_a_command_and_the_defaults_apply(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, db_file: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text('[ui\ntheme = "nord"\n', encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "list")
    assert code == 0
    assert err == (f"reader: {config} line 1: invalid TOML: expected ']' at the end of a "
                   "table declaration (column 4)\n")


def test_the_config_named_by_the_environment_is_the_one_read(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        db_file: Path) -> None:
    chosen, other = tmp_path / "chosen.toml", tmp_path / "xdg-config"
    chosen.write_text("[ui]\nlayout = 3\n", encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(chosen))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(other))
    (other / "reader-tui").mkdir(parents=True)
    (other / "reader-tui" / "config.toml").write_text("[ui]\nlayout = 4\n", encoding="utf-8")
    _, _, err = run(capsys, "feeds")
    assert err.count("\n") == 1 and str(chosen) in err and "got 3" in err
    _, _, err = run(capsys, "--config", str(other / "reader-tui" / "config.toml"), "feeds")
    assert err.count("\n") == 1 and "got 4" in err


async def test_the_tui_shows_the_config_problems_once_and_q_still_quits(
        library: Library, tmp_path: Path) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(BAD_CONFIG, encoding="utf-8")
    settings, problems = load_config(config_file)
    app = make_app(library, tmp_path, app_kwargs={"config_problems": problems},
                   **{name: getattr(settings, name) for name in ("keys", "theme",
                                                                 "reading_width")})
    async with app.run_test() as pilot:
        await settle(pilot)
        shown = [message for message, _ in app.notes if "config.toml" in message]
        assert shown == ["\n".join(problems)] and len(problems) == 4
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0 and app._exit
    assert os.path.exists(config_file)


async def test_many_config_problems_make_a_short_toast(library: Library, tmp_path: Path) -> None:
    problems = [f"config.toml line {n}: unknown key 'k{n}'" for n in range(1, 13)]
    app = make_app(library, tmp_path, app_kwargs={"config_problems": problems})
    async with app.run_test() as pilot:
        await settle(pilot)
        [shown] = [message for message, _ in app.notes if "config.toml" in message]
        assert shown.splitlines() == [*problems[:3],
                                      "… and 9 more: `reader config` lists them all"]
