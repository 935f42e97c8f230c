"""config.toml: defaults, round trips, messages that name the line and the key, write-back."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.config import (
    ACTIONS,
    DEFAULT_KEYS,
    DEFAULT_TOML,
    NAMED_KEYS,
    THEMES,
    Config,
    FeedSettings,
    Layout,
    config_path,
    display_keys,
    dump_toml,
    load_config,
    save_setting,
    write_default,
)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("READER_CONFIG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    # messages shorten paths under the home folder to ~/...; keep tmp_path outside it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def _edited(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_missing_file_is_the_defaults_without_a_message(path: Path) -> None:
    config, messages = load_config(path)
    assert config == Config()
    assert messages == []
    assert not path.exists()


def test_default_file_round_trips(path: Path) -> None:
    assert write_default(path) is True
    assert write_default(path) is False  # never overwrites
    assert path.read_text(encoding="utf-8") == DEFAULT_TOML
    assert load_config(path) == (Config(), [])


def test_default_file_lists_every_action() -> None:
    for action, (keys, description) in ACTIONS.items():
        assert f'# {action} = "{keys}"' in DEFAULT_TOML
        assert description in DEFAULT_TOML
    assert DEFAULT_KEYS["quit"] == "q"


def test_edited_values_are_read_back(path: Path) -> None:
    write_default(path)
    _edited(path, 'theme = "textual-dark"', 'theme = "nord"')
    _edited(path, "width = 80", "width = 100")
    _edited(path, 'layout = "auto"', 'layout = "stacked"')
    _edited(path, "on_start = true", "on_start = false")
    _edited(path, '# download_dir = "~/Downloads/reader"', 'download_dir = "~/articles"')
    _edited(path, '# quit = "q"', 'quit = "ctrl+q"')
    _edited(path, '# help = "question_mark"', 'help = "?"')  # Textual's name for "?": no change
    _edited(path, '# [feeds."https://example.org/feed.xml"]\n# display_name = "Example"\n'
                  "# always_full_text = true",
            '[feeds."https://example.org/feed.xml"]\ndisplay_name = "Example"\n'
            "always_full_text = true")
    config, messages = load_config(path)
    assert messages == []
    assert config.theme == "nord"
    assert config.reading_width == 100
    assert config.layout is Layout.STACKED
    assert config.refresh_on_start is False
    assert config.download_dir == Path.home() / "articles"
    assert dict(config.keys) == {"quit": "ctrl+q"}
    assert config.keymap["quit"] == "ctrl+q" and config.keymap["help"] == "question_mark"
    assert config.feed("https://example.org/feed.xml") == FeedSettings(
        display_name="Example", always_full_text=True)
    assert config.feed("https://elsewhere.org/") == FeedSettings()


def test_dump_reads_back_to_the_same_config(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        '[ui]\ntheme = "gruvbox"\n[refresh]\ninterval_minutes = 0\n'
        '[keys]\nquit = "ctrl+q"\n'
        '[feeds."https://x.org/a \\"b\\".xml"]\ndisplay_name = "Tab\\there, DEL \\u007f"\n',
        encoding="utf-8")
    config, messages = load_config(path)
    assert messages == []
    dumped = dump_toml(config)
    assert "# NO_COLOR" not in dumped
    path.write_text(dumped, encoding="utf-8")
    assert load_config(path) == (config, [])


def test_reader_config_prints_no_control_character_a_setting_holds(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # TOML allows the C1 controls raw in a string (its CSI, U+009B, among them), and
    # reader config printed a display name or feed address holding one as it was
    path.parent.mkdir(parents=True)
    path.write_text('[feeds."https://x.org/\u009b2J"]\ndisplay_name = "A\u009b31mB\u0085"\n',
                    encoding="utf-8")
    assert main(["--config", str(path), "config"]) == 0
    out = capsys.readouterr().out
    assert not any(0x80 <= ord(c) <= 0x9F for c in out)
    assert '[feeds."https://x.org/\\u009b2J"]' in out
    config, _ = load_config(path)
    path.write_text(dump_toml(config), encoding="utf-8")
    assert load_config(path) == (config, [])  # the escapes read back as the characters


def test_bad_toml_gives_defaults_and_one_message_with_the_line(path: Path) -> None:
    write_default(path)
    _edited(path, "width = 80", "width = 80 80")
    config, messages = load_config(path)
    assert config == Config()
    assert len(messages) == 1
    assert f"config.toml line {_line_of(path, 'width = 80 80')}: invalid TOML: " in messages[0]
    assert "\n" not in messages[0]


def test_wrong_value_falls_back_for_that_key_only(path: Path) -> None:
    write_default(path)
    _edited(path, "width = 80", 'width = "wide"')
    _edited(path, 'theme = "textual-dark"', 'theme = "nord"')
    _edited(path, "interval_minutes = 30", "interval_minutes = true")
    config, messages = load_config(path)
    assert config.reading_width == 80
    assert config.theme == "nord"
    assert config.refresh_interval_minutes == 30
    assert messages == [
        f"{path} line {_line_of(path, 'width = ')}: [reading] width: "
        "expected an integer 40-200, got 'wide'",
        f"{path} line {_line_of(path, 'interval_minutes = ')}: [refresh] interval_minutes: "
        "expected an integer 0-10080 (0 turns it off), got True",
    ]


def test_out_of_range_and_bad_layout(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('[reading]\nwidth = 20\n[ui]\nlayout = "sideways"\n', encoding="utf-8")
    config, messages = load_config(path)
    assert (config.reading_width, config.layout) == (80, Layout.AUTO)
    assert messages[0].endswith("line 2: [reading] width: expected an integer 40-200, got 20")
    assert 'line 4: [ui] layout: expected one of "auto", "wide", "stacked"' in messages[1]


def test_a_folder_path_no_system_call_takes_is_reported(path: Path) -> None:
    # A NUL in download_dir was taken, and `e` then ended in "a bug (ValueError)":
    # every file system call refuses an embedded NUL with ValueError, not OSError.
    path.parent.mkdir(parents=True)
    path.write_text('[reading]\ndownload_dir = "/tmp/a\\u0000b"\n', encoding="utf-8")
    config, messages = load_config(path)
    assert config.download_dir == Config().download_dir
    assert messages == [f"{path} line 2: [reading] download_dir: expected a folder path, "
                        "got '/tmp/a\\x00b'"]


def test_a_file_saved_with_a_byte_order_mark_is_read(path: Path) -> None:
    # Windows' Notepad writes UTF-8 with a BOM: tomllib refuses it ("invalid statement" at
    # line 1), and the whole file was ignored; a theme picked in the app is then saved into it
    path.parent.mkdir(parents=True)
    path.write_bytes(b'\xef\xbb\xbf[ui]\r\ntheme = "nord"\r\n[reading]\r\nwidth = 60\r\n')
    config, messages = load_config(path)
    assert (config.theme, config.reading_width, messages) == ("nord", 60, [])
    save_setting(path, "ui", "theme", "dracula")
    config, messages = load_config(path)
    assert (config.theme, config.reading_width, messages) == ("dracula", 60, [])


def test_a_bad_name_with_escapes_is_reported_as_the_file_spells_it(
        path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A key or section name holding "\u001b[31m" (TOML allows the escape) was put raw into
    # the message: `reader config` wrote the ESC to the terminal
    path.parent.mkdir(parents=True)
    path.write_text('["ui\\u001b[2J"]\nx = 1\n[keys]\n"quit\\u001b[31m" = "q"\n',
                    encoding="utf-8")
    _, messages = load_config(path)
    assert messages == [
        f'{path} line 1: ["ui\\u001b[2J"]: unknown section \'ui\\x1b[2J\' (known: ui, '
        "reading, refresh, keys, feeds)",
        f'{path} line 4: [keys] "quit\\u001b[31m": unknown action \'quit\\x1b[31m\' '
        "(the default file lists them all)"]
    path.write_text('[keys]\n"quit\\u009b31m" = "q"\n', encoding="utf-8")  # C1's CSI: raw in TOML
    assert main(["--config", str(path), "config"]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x9b" not in err and "unknown action" in err


def test_unknown_keys_sections_and_actions_are_reported(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        'theme = "nord"\n'
        "[ui]\ncolour = 1\n"
        "[display]\nx = 1\n"
        '[keys]\nquitt = "x"\n'
        '[feeds."https://x.org/"]\nname = "X"\n',
        encoding="utf-8")
    config, messages = load_config(path)
    assert config == Config(feeds={"https://x.org/": FeedSettings()})
    assert [m.removeprefix(f"{path} ") for m in messages] == [
        "line 1: theme: setting 'theme' outside any section "
        "(sections: ui, reading, refresh, keys, feeds)",
        "line 3: [ui] colour: unknown setting 'colour' (known: theme, layout)",
        "line 4: [display]: unknown section 'display' (known: ui, reading, refresh, keys, "
        "feeds)",
        "line 7: [keys] quitt: unknown action 'quitt' (the default file lists them all)",
        'line 9: [feeds."https://x.org/"] name: unknown setting \'name\' '
        "(known: display_name, always_full_text)",
    ]


def test_key_clash_and_bad_keys_are_reported(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('[keys]\nquit = "j"\nstar = ""\nundo = 5\n', encoding="utf-8")
    config, messages = load_config(path)
    assert dict(config.keys) == {"quit": "j"}  # kept: the person asked for it, but is told
    assert messages == [
        f"{path} line 3: [keys] star: expected keys such as \"ctrl+q\" or \"j,down\", got '';"
        " star stays on s",
        f"{path} line 4: [keys] undo: expected keys such as \"ctrl+q\" or \"j,down\", got 5;"
        " undo stays on u",
        f'{path} line 2: [keys] quit: "j" is also the key of cursor_down',
    ]


def test_unreadable_file_is_a_message(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b'[ui]\ntheme = "\xff"\n')
    config, messages = load_config(path)
    assert config == Config()
    assert messages == [f"{path}: cannot read: not UTF-8 text"]


def test_a_config_that_is_no_file_is_a_message_not_a_hang_or_a_crash(tmp_path: Path) -> None:
    # /dev/zero was read until memory ran out (a traceback); a FIFO waited for a writer,
    # /dev/tty for the keyboard
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as handle:
        handle.truncate(2**21)
    cases = [(Path("/dev/zero"), "not a regular file (device)"),
             (fifo, "not a regular file (named pipe)"),
             (tmp_path, "is a directory"), (huge, "larger than 1 MB")]
    if Path("/dev/tty").exists():
        cases.append((Path("/dev/tty"), "not a regular file (device)"))
    for path, why in cases:
        config, messages = load_config(path)
        assert config == Config()
        assert messages == [f"{path}: cannot read: {why}"]
    assert load_config(Path("/dev/null")) == (Config(), [])  # the defaults, quietly


def test_save_setting_edits_in_place_and_keeps_comments(path: Path) -> None:
    write_default(path)
    _edited(path, 'layout = "auto"', 'layout = "wide"  # my choice')
    save_setting(path, "ui", "theme", "dracula")
    save_setting(path, "ui", "layout", "stacked")
    save_setting(path, "keys", "quit", "ctrl+q")
    save_setting(path, "reading", "download_dir", "/tmp/a#b")
    text = path.read_text(encoding="utf-8")
    assert 'theme = "dracula"\n' in text
    assert 'layout = "stacked"  # my choice\n' in text
    # added right under its commented example, which stays
    assert '# quit = "q"' in text and 'quit = "ctrl+q"\n' in text
    assert text.index('quit = "ctrl+q"') > text.index('# quit = "q"')
    assert '# download_dir = "~/Downloads/reader"\ndownload_dir = "/tmp/a#b"\n' in text
    assert text.count("[ui]") == 1
    # every comment line of the default file is still there
    for line in DEFAULT_TOML.splitlines():
        if line.startswith("#"):
            assert line in text
    config, messages = load_config(path)
    assert messages == []
    assert (config.theme, config.layout, dict(config.keys), config.download_dir) == (
        "dracula", Layout.STACKED, {"quit": "ctrl+q"}, Path("/tmp/a#b"))


def test_save_setting_adds_a_missing_section_and_creates_the_file(path: Path) -> None:
    save_setting(path, "ui", "theme", "nord")  # no file yet: starts from the default
    assert load_config(path)[0].theme == "nord"
    path.write_text("# mine\n[keys]\nquit = 'ctrl+q'", encoding="utf-8")  # no final newline
    save_setting(path, "refresh", "on_start", False)
    save_setting(path, "refresh", "retention_days", 30)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\n[keys]\nquit = 'ctrl+q'\n")
    assert tomllib.loads(text)["refresh"] == {"on_start": False, "retention_days": 30}
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary left


def test_save_setting_keeps_a_symlink(path: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "reader.toml"
    write_default(real)
    path.parent.mkdir(parents=True)
    path.symlink_to(real)
    save_setting(path, "ui", "theme", "nord")
    assert path.is_symlink()
    assert load_config(real)[0].theme == "nord"


def test_config_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert config_path() == tmp_path / "xdg" / "reader-tui" / "config.toml"
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "env.toml"))
    assert config_path() == tmp_path / "env.toml"
    assert config_path(tmp_path / "given.toml") == tmp_path / "given.toml"


def test_no_color(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    assert load_config(path)[0].no_color is False
    monkeypatch.setenv("NO_COLOR", "")  # the convention: only a non-empty value counts
    assert load_config(path)[0].no_color is False
    monkeypatch.setenv("NO_COLOR", "1")
    config = load_config(path)[0]
    assert config.no_color is True
    assert dump_toml(config).startswith("# NO_COLOR")


def test_reader_config_writes_and_prints(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path) -> None:
    monkeypatch.setenv("READER_CONFIG", str(path))
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    first, rest = out.split("\n", 1)
    assert first == str(path)
    assert path.read_text(encoding="utf-8") == DEFAULT_TOML
    assert tomllib.loads(rest)["reading"]["width"] == 80
    assert err == ""

    _edited(path, "width = 80", 'width = "wide"')
    assert main(["config"]) == 0
    out, err = capsys.readouterr()
    assert tomllib.loads(out.split("\n", 1)[1])["reading"]["width"] == 80
    line = _line_of(path, "width = ")
    assert err == (f"reader: {path} line {line}: [reading] width: "
                   "expected an integer 40-200, got 'wide'\n")


def test_reader_config_path(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path,
        tmp_path: Path) -> None:
    monkeypatch.setenv("READER_CONFIG", str(path))
    assert main(["config", "--path"]) == 0
    assert capsys.readouterr().out == f"{path}\n"
    given = tmp_path / "given.toml"
    assert main(["--config", str(given), "config", "--path"]) == 0
    assert capsys.readouterr().out == f"{given}\n"


def test_reader_config_unwritable(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.touch()  # a file where the folder should be: unwritable even for root
    monkeypatch.setenv("READER_CONFIG", str(blocker / "config.toml"))
    assert main(["config"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"{blocker / 'config.toml'}\n[ui]\n")
    assert err.startswith("reader: cannot write ") and err.count("\n") == 1


def test_home_is_shortened_in_messages(path: Path, tmp_path: Path) -> None:
    home_config = tmp_path / "home" / "config.toml"
    home_config.parent.mkdir(parents=True)
    home_config.write_text("[ui]\nlayout = 1\n", encoding="utf-8")
    assert load_config(home_config)[1][0].startswith("~/config.toml line 2: [ui] layout: ")


def test_display_keys_reads_like_the_readme() -> None:
    assert display_keys(DEFAULT_KEYS["first"]) == "g / Home"
    assert display_keys(DEFAULT_KEYS["help"]) == "?"
    assert display_keys("ctrl+p") == "Ctrl+P"


def test_a_key_that_is_no_key_never_unbinds_the_action(path: Path) -> None:
    """quit = "ctrl+zz" was taken, and q no longer quit."""
    path.parent.mkdir(parents=True)
    path.write_text('[keys]\nquit = "ctrl+zz"\nstar = "ctl+s"\nundo = "f25,u"\n'
                    'help = "?,hyphen_minus"\n', encoding="utf-8")
    config, messages = load_config(path)
    assert config.keymap["quit"] == "q" and config.keymap["star"] == "s"
    assert config.keymap["undo"] == "u"
    assert config.keymap["help"] == "question_mark,minus"  # Textual's names for both
    assert messages == [
        f"{path} line 2: [keys] quit: expected keys such as \"ctrl+q\" or \"j,down\", "
        "got 'ctrl+zz'; quit stays on q",
        f"{path} line 3: [keys] star: expected keys such as \"ctrl+q\" or \"j,down\", "
        "got 'ctl+s'; star stays on s",
        f"{path} line 4: [keys] undo: expected keys such as \"ctrl+q\" or \"j,down\", "
        "got 'f25,u'; undo stays on u",
    ]


@pytest.mark.parametrize("keys", ["ctrl+q", "shift+tab", "G", "f12", "pagedown", "space",
                                  "question_mark", "?", "slash", "euro_sign", "é",
                                  "alt+shift+x", "ctrl+q,escape"])
def test_real_keys_are_taken(path: Path, keys: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(f'[keys]\nsave_markdown = "{keys}"\n', encoding="utf-8")
    config, messages = load_config(path)
    assert not any("expected keys" in message for message in messages)  # clashes are said
    assert config.keymap["save_markdown"] != "e"


def test_an_unknown_theme_is_reported_and_the_default_kept(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('[ui]\ntheme = "nope"\n', encoding="utf-8")
    config, messages = load_config(path)
    assert config.theme == "textual-dark"
    assert len(messages) == 1
    assert messages[0].startswith(f"{path} line 2: [ui] theme: expected a built-in theme (")
    assert messages[0].endswith(", got 'nope'")


def test_the_themes_and_key_names_are_textuals() -> None:
    from textual.keys import Keys
    from textual.theme import BUILTIN_THEMES

    assert sorted(THEMES) == sorted(BUILTIN_THEMES)
    assert NAMED_KEYS <= {key.value for key in Keys}
    assert all(theme in DEFAULT_TOML for theme in THEMES)


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{x = " * 2000 + "1" + "}" * 2000])
def test_a_value_nested_past_the_parser_is_one_message(path: Path, value: str) -> None:
    # tomllib recursed into a RecursionError: every command ended in a traceback
    path.parent.mkdir(parents=True)
    path.write_text(f"[ui]\ntheme = \"dracula\"\n[reading]\nx = {value}\n", encoding="utf-8")
    config, messages = load_config(path)
    assert config == Config()
    assert len(messages) == 1 and "nested too deeply" in messages[0], messages
    save_setting(path, "ui", "theme", "nord")  # the interface saving a setting (t, theme)
    assert 'theme = "nord"' in path.read_text(encoding="utf-8")


def test_saving_a_setting_never_replaces_the_null_device(tmp_path: Path) -> None:
    # READER_CONFIG=/dev/null and a theme chosen in the interface: /dev/null was replaced
    # by a regular file holding the config (as root; a refusal in words otherwise)
    import os
    import stat

    null = tmp_path / "null"  # a node of the null device, as /dev/null is
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        pytest.skip("making a device node needs root")
    link = tmp_path / "config.toml"
    link.symlink_to(null)
    for path in (null, link):
        assert load_config(path) == (Config(), [])
        save_setting(path, "ui", "theme", "nord")  # nothing to keep it in: quietly nothing
        assert stat.S_ISCHR(null.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "null"]
