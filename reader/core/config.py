"""The reader's settings: ``config.toml`` read with tomllib, written back line by line.

A broken file never stops the reader: whatever is wrong falls back to its default and becomes a
one-line message naming the file, the line and the key; everything else still applies.
``ACTIONS`` is the single table of bindings that the TUI, the help screen, the README and the
default file are made from.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import textwrap
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reader.core.errors import ConfigError
from reader.core.paths import not_regular_file

__all__ = [
    "ACTIONS",
    "CONFIG_ENV",
    "DEFAULT_KEYS",
    "DEFAULT_TOML",
    "FIXED_KEYS",
    "NAMED_KEYS",
    "THEMES",
    "Config",
    "FeedSettings",
    "Layout",
    "config_path",
    "display_keys",
    "dump_toml",
    "load_config",
    "save_setting",
    "write_default",
]

CONFIG_ENV = "READER_CONFIG"
APP_NAME = "reader-tui"
CONFIG_NAME = "config.toml"

#: action id -> (default keys in Textual's keymap format, description). The TUI gives each
#: binding ``id=<action id>`` so ``[keys]`` can remap it through ``App.set_keymap``.
ACTIONS: Mapping[str, tuple[str, str]] = MappingProxyType({
    # moving around
    "cursor_down": ("j,down", "Move down"),
    "cursor_up": ("k,up", "Move up"),
    "first": ("g,home", "First article"),
    "last": ("G,end", "Last article"),
    "next_unread": ("n", "Next unread article"),
    "previous_unread": ("p", "Previous unread article"),
    "open": ("enter", "Open the article"),
    "switch_focus": ("tab", "Switch focus: feeds, list, article"),
    "focus_feeds": ("h", "Go to the feeds pane"),
    "toggle_feeds": ("H", "Show or hide the feeds pane"),
    "page_down": ("space,pagedown", "Scroll the article down"),
    "page_up": ("pageup", "Scroll the article up"),
    # the list
    "search": ("slash", "Filter the list as you type (Esc clears)"),
    "toggle_unread_only": ("U", "Show only unread articles, or all"),
    "starred_view": ("S", "Starred articles, or back"),
    "sort": ("t", "Sort: newest, by feed, by title, oldest"),
    "reload": ("r", "Refresh the sources"),
    # the article
    "toggle_raw": ("v", "Clean or raw view"),
    "toggle_full": ("f", "Full text or feed summary"),
    "open_browser": ("o", "Open the link in the browser"),
    "copy_url": ("y", "Copy the article's URL"),
    "save_markdown": ("e", "Save as Markdown"),
    # read state
    "star": ("s", "Star or unstar"),
    "toggle_read": ("m", "Mark read or unread"),
    "mark_all_read": ("A", "Mark the feed (or all) read"),
    "undo": ("u", "Undo the last read/star change"),
    # subscriptions
    "add_feed": ("a", "Add a feed"),
    "remove_feed": ("d", "Remove the selected feed"),
    # the app
    "command_palette": ("ctrl+p", "Command palette"),
    "help": ("question_mark", "Help: every binding"),
    "quit": ("q", "Quit"),
})

#: action id -> default keys, for ``App.set_keymap`` style lookups.
DEFAULT_KEYS: Mapping[str, str] = MappingProxyType({a: keys for a, (keys, _) in ACTIONS.items()})

#: Keys that are part of the UI but not remappable through ``[keys]`` (documented in help).
FIXED_KEYS: Mapping[str, str] = MappingProxyType({
    "0-9": "Open link [n] (1 2 for [12])",
    "escape": "Clear the filter, close a dialog",
    "ctrl+z": "Suspend to the shell (fg comes back)",
})


_SHOWN_KEYS = {"question_mark": "?", "slash": "/", "space": "Space", "enter": "Enter",
               "tab": "Tab", "escape": "Esc", "pagedown": "PageDown", "pageup": "PageUp",
               "home": "Home", "end": "End", "up": "↑", "down": "↓", "left": "←", "right": "→"}


def display_keys(keys: str) -> str:
    """Keys as a person reads them, for docs and the README: "g,home" -> "g / Home"."""
    def one(key: str) -> str:
        *modifiers, name = key.split("+")
        shown = _SHOWN_KEYS.get(name, name)
        return "+".join([*(m.capitalize() for m in modifiers), shown.upper()
                         if modifiers and len(shown) == 1 else shown])

    return " / ".join(one(key.strip()) for key in keys.split(","))


class Layout(StrEnum):
    """How the list and the article share the screen."""

    AUTO = "auto"
    WIDE = "wide"
    STACKED = "stacked"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedSettings:
    """Settings for one feed, from ``[feeds."URL or path"]``."""

    display_name: str | None = None
    always_full_text: bool = False


def _default_download_dir() -> Path:
    # imported here: platformdirs is only needed when the file does not say
    from platformdirs import user_downloads_dir

    return Path(user_downloads_dir()) / "reader"


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The effective settings. ``keys`` holds only the actions the file remaps."""

    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    theme: str = "textual-dark"
    layout: Layout = Layout.AUTO
    reading_width: int = 80
    # seconds an article shown in the pane must stay there to count as read (0: only Enter)
    mark_read_after: int = 3
    refresh_on_start: bool = True
    refresh_interval_minutes: int = 30
    retention_days: int = 180
    download_dir: Path = field(default_factory=_default_download_dir)
    feeds: Mapping[str, FeedSettings] = field(default_factory=lambda: MappingProxyType({}))
    no_color: bool = False

    @property
    def keymap(self) -> dict[str, str]:
        """Every action with its effective keys (defaults overlaid with ``keys``)."""
        return {**DEFAULT_KEYS, **self.keys}

    def feed(self, url: str) -> FeedSettings:
        """The settings of one feed (defaults when the file has none for it)."""
        return self.feeds.get(url) or FeedSettings()


def config_path(explicit: Path | str | None = None) -> Path:
    """``--config``, else ``$READER_CONFIG``, else the user config folder (XDG_CONFIG_HOME)."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(CONFIG_ENV)
    if env and env.strip():  # blank, like empty, is unset
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME)) / CONFIG_NAME


# --- validation ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Setting:
    field: str
    expected: str  # completes "expected ..., got 'x'"
    convert: Callable[[Any], Any]  # raises ValueError when the value is unusable


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        # bool is an int subclass in Python; `width = true` is still a mistake
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError
        return value

    return convert


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError
    return value.strip()


#: Textual's built-in themes (textual.theme.BUILTIN_THEMES, checked by a test): the only
#: ones a config file can name
THEMES = (
    "textual-dark", "textual-light", "nord", "gruvbox", "catppuccin-mocha", "catppuccin-latte",
    "catppuccin-frappe", "catppuccin-macchiato", "dracula", "tokyo-night", "monokai",
    "flexoki", "solarized-dark", "solarized-light", "rose-pine", "rose-pine-moon",
    "rose-pine-dawn", "atom-one-dark", "atom-one-light", "ansi-dark", "ansi-light",
)


def _theme(value: Any) -> str:
    name = _text(value)
    if name not in THEMES:
        raise ValueError
    return name


def _folder(value: Any) -> Path:
    text = _text(value)
    if "\x00" in text:
        raise ValueError  # no system call takes it (and Python raises ValueError, not OSError)
    return Path(text).expanduser()


_SETTINGS: Mapping[str, Mapping[str, _Setting]] = {
    "ui": {
        "theme": _Setting("theme", f"a built-in theme ({', '.join(THEMES[:4])}, ... "
                          f"{len(THEMES)} in all, listed in the default file)", _theme),
        "layout": _Setting("layout", 'one of "auto", "wide", "stacked"', Layout),
    },
    "reading": {
        "width": _Setting("reading_width", "an integer 40-200", _integer(40, 200)),
        "mark_read_after": _Setting("mark_read_after", "a number of seconds 0-3600",
                                    _integer(0, 3600)),
        "download_dir": _Setting("download_dir", "a folder path", _folder),
    },
    "refresh": {
        "on_start": _Setting("refresh_on_start", "true or false", _boolean),
        "interval_minutes": _Setting(
            "refresh_interval_minutes", "an integer 0-10080 (0 turns it off)",
            _integer(0, 10080)),
        "retention_days": _Setting("retention_days", "an integer 1-36500", _integer(1, 36500)),
    },
}
_FEED_SETTINGS: Mapping[str, _Setting] = {
    "display_name": _Setting("display_name", "a name", _text),
    "always_full_text": _Setting("always_full_text", "true or false", _boolean),
}
_SECTIONS = (*_SETTINGS, "keys", "feeds")


# Textual's renames of Unicode character names (textual.keys.KEY_NAME_REPLACEMENTS)
_KEY_RENAMES = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def _key_name(key: str) -> str:
    """Textual's long name for a single character ("?" -> "question_mark"), as set_keymap does."""
    if len(key) != 1 or key.isalnum():
        return _KEY_RENAMES.get(key, key)  # "hyphen_minus" is bound as Textual's "minus"
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return _KEY_RENAMES.get(name, name)


#: Textual's names of keys that are not characters (textual.keys.Keys, checked by a test)
NAMED_KEYS = frozenset({
    "escape", "enter", "return", "tab", "space", "backspace", "delete", "insert", "home",
    "end", "pageup", "pagedown", "up", "down", "left", "right",
    *(f"f{number}" for number in range(1, 25)),
})
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def _is_key(name: str) -> bool:
    """A key Textual can bind: a character, a named key, or a character's Unicode name
    ("question_mark", "euro_sign"), after modifiers ("ctrl+shift+x")."""
    *modifiers, key = name.split("+")
    if any(modifier not in MODIFIERS for modifier in modifiers):
        return False
    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    if key in NAMED_KEYS or key in _KEY_RENAMES.values():
        return True
    original = {short: long for long, short in _KEY_RENAMES.items()}.get(key, key)
    for spelling in (original.replace("_", " "), original.replace("_", "-")):
        try:
            unicodedata.lookup(spelling)
            return True
        except KeyError:
            continue
    return False


def _keys(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    keys = [_key_name(key.strip()) for key in value.split(",")]
    if not all(keys) or not all(_is_key(key) for key in keys):
        raise ValueError  # "ctrl+zz" would bind nothing and take the action's keys away
    return ",".join(keys)


def _shown(value: Any) -> str:
    """A value as the person wrote it, short and on one line (repr escapes control chars)."""
    text = repr(value) if not isinstance(value, dict) else "a table"
    return text if len(text) <= 40 else text[:37] + "..."


# --- where a key is: tomllib reports no positions, so scan the text ---------------------------


def _single_path(document: dict[str, Any]) -> tuple[str, ...]:
    path: list[str] = []
    node: Any = document
    while isinstance(node, dict) and len(node) == 1:
        name, node = next(iter(node.items()))
        path.append(name)
    return tuple(path)


def _parse(text: str) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None


def _header_path(line: str) -> tuple[str, ...] | None:
    """The table a ``[header]`` line opens, or None for anything else."""
    if not line.startswith("[") or line.startswith("[["):
        return None
    parsed = _parse(line)
    return _single_path(parsed) if parsed else None


def _key_path(line: str) -> tuple[str, ...] | None:
    """The (possibly dotted) key a ``key = value`` line sets, also when the value goes on."""
    if "=" not in line or line.startswith(("#", "[")):
        return None
    parsed = _parse(line)
    if parsed is None:  # a value spanning lines, or broken: parse the key alone
        for match in re.finditer("=", line):
            parsed = _parse(line[: match.start()] + "= 0")
            if parsed is not None:
                break
    return _single_path(parsed) if parsed else None


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Full key path -> the first line (1-based) that sets it; tables -> their header line."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = _header_path(line)
        if header is not None:
            table = header
            lines.setdefault(table, number)
            continue
        key = _key_path(line)
        if key:
            lines.setdefault(table + key, number)
    return lines


def _label(path: tuple[str, ...]) -> str:
    """``[reading] width`` style, quoting a feed's URL as the file does."""
    # each name as the file spells it: a key holding "\u001b" went raw to the terminal
    if path[0] == "feeds" and len(path) > 1:
        table, rest = f"feeds.{_toml_key(path[1])}", path[2:]
    else:
        table, rest = _toml_key(path[0]), path[1:]
    return f"[{table}] {'.'.join(map(_toml_key, rest))}" if rest else f"[{table}]"


def _display_path(path: Path) -> str:
    home = Path.home()
    try:
        return "~/" + path.relative_to(home).as_posix()
    except ValueError:
        return str(path)


class _Report:
    """Collects one-line messages about one file."""

    def __init__(self, path: Path, text: str = "") -> None:
        self.name = _display_path(path)
        self.lines = _key_lines(text) if text else {}
        self.messages: list[str] = []

    def add(self, path: tuple[str, ...], problem: str, label: str | None = None) -> None:
        line = None
        for depth in range(len(path), 0, -1):  # the key's line, else its table's
            line = self.lines.get(path[:depth])
            if line is not None:
                break
        where = f"{self.name} line {line}" if line else self.name
        self.messages.append(f"{where}: {label or _label(path)}: {problem}")

    def wrong(self, path: tuple[str, ...], expected: str, value: Any) -> None:
        self.add(path, f"expected {expected}, got {_shown(value)}")

    def unknown(self, path: tuple[str, ...], known: Any) -> None:
        kind = "section" if len(path) == 1 else "setting"
        self.add(path, f"unknown {kind} {_shown(path[-1])} (known: {', '.join(known)})")


# --- loading ---------------------------------------------------------------------------------


MAX_CONFIG_BYTES = 2**20  # a config file is a few KB


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_CONFIG_BYTES, else an OSError that
    says why (/dev/zero was read until memory ran out, a FIFO waited for a writer)."""
    import errno

    status = os.stat(path)
    if stat.S_ISCHR(status.st_mode) and _is_devnull(status):
        return ""  # READER_CONFIG=/dev/null: the defaults, quietly
    problem = not_regular_file(status.st_mode)  # /dev/tty waited for the keyboard
    if problem is not None:
        raise OSError(errno.EISDIR if stat.S_ISDIR(status.st_mode) else errno.EINVAL, problem)
    with open(path, "rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise OSError(errno.EFBIG, f"larger than {MAX_CONFIG_BYTES // 2**20} MB")
    return data.decode("utf-8-sig")  # Notepad begins UTF-8 with a BOM; tomllib refuses it


def _is_devnull(status: os.stat_result) -> bool:
    """Whether a character device is the null device (by its device number: any node)."""
    try:
        return status.st_rdev == os.stat(os.devnull).st_rdev
    except OSError:
        return False


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """The settings in ``path`` (or :func:`config_path`), and messages about what was wrong.

    Never raises for a bad file: a missing file is the defaults without a message; broken TOML
    is the defaults and one message; a bad value is that setting's default and a message.
    """
    path = config_path(path)
    no_color = bool(os.environ.get("NO_COLOR"))
    try:
        text = _read_text(path)
    except FileNotFoundError:
        return Config(no_color=no_color), []
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        return Config(no_color=no_color), [f"{_display_path(path)}: cannot read: {reason}"]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Config(no_color=no_color), [_toml_error(path, error)]
    except RecursionError:  # tomllib reads arrays and inline tables by recursion
        return Config(no_color=no_color), [
            f"{_display_path(path)}: invalid TOML: a value nested too deeply"]
    report = _Report(path, text)
    values = _values(document, report)
    return Config(no_color=no_color, **values), report.messages


def _toml_error(path: Path, error: tomllib.TOMLDecodeError) -> str:
    # Python 3.11 has no lineno on the error: it is only in the text, "(at line 7, column 9)"
    reason = str(error)
    match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", reason)
    if match is None:
        return f"{_display_path(path)}: invalid TOML: {reason}"
    reason = reason[: match.start()]
    reason = reason[:1].lower() + reason[1:]
    return f"{_display_path(path)} line {match[1]}: invalid TOML: {reason} (column {match[2]})"


def _values(document: dict[str, Any], report: _Report) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for section, content in document.items():
        where: tuple[str, ...] = (section,)
        if section not in _SECTIONS and not isinstance(content, dict):
            report.add(where, f"setting {_shown(section)} outside any section "
                       f"(sections: {', '.join(_SECTIONS)})", label=section)
        elif section not in _SECTIONS:
            report.unknown(where, _SECTIONS)
        elif not isinstance(content, dict):
            report.wrong(where, "a table", content)
        elif section == "keys":
            values["keys"] = _keymap(content, report)
        elif section == "feeds":
            values["feeds"] = _feeds(content, report)
        else:
            values.update(_settings(_SETTINGS[section], content, where, report))
    return values


def _settings(known: Mapping[str, _Setting], table: dict[str, Any], where: tuple[str, ...],
              report: _Report) -> dict[str, Any]:
    """Field -> value for the settings of one table that are known and valid."""
    values: dict[str, Any] = {}
    for name, value in table.items():
        setting = known.get(name)
        if setting is None:
            report.unknown((*where, name), known)
            continue
        try:
            values[setting.field] = setting.convert(value)
        except ValueError:
            report.wrong((*where, name), setting.expected, value)
    return values


def _keymap(content: dict[str, Any], report: _Report) -> Mapping[str, str]:
    keymap: dict[str, str] = {}
    for action, value in content.items():
        if action not in ACTIONS:
            report.add(("keys", action),
                       f"unknown action {_shown(action)} (the default file lists them all)")
            continue
        try:
            keys = _keys(value)
        except ValueError:
            default = display_keys(DEFAULT_KEYS[action])
            report.add(("keys", action), f'expected keys such as "ctrl+q" or "j,down", got '
                       f"{_shown(value)}; {action} stays on {default}")
            continue
        if keys != DEFAULT_KEYS[action]:  # keep only real changes: set_keymap gets less to do
            keymap[action] = keys
    _report_clashes(keymap, report)
    return MappingProxyType(keymap)


def _report_clashes(keymap: Mapping[str, str], report: _Report) -> None:
    # Textual would silently let one binding shadow the other; say so while it is fixable
    owner: dict[str, str] = {}
    for action, keys in {**DEFAULT_KEYS, **keymap}.items():
        for key in keys.split(","):
            if key in owner and (action in keymap or owner[key] in keymap):
                remapped = action if action in keymap else owner[key]
                other = owner[key] if remapped == action else action
                report.add(("keys", remapped), f'"{key}" is also the key of {other}')
            owner.setdefault(key, action)


def _feeds(content: dict[str, Any], report: _Report) -> Mapping[str, FeedSettings]:
    feeds: dict[str, FeedSettings] = {}
    for url, table in content.items():
        where: tuple[str, ...] = ("feeds", url)
        if not isinstance(table, dict):
            report.wrong(where, "a table", table)
            continue
        feeds[url] = FeedSettings(**_settings(_FEED_SETTINGS, table, where, report))
    return MappingProxyType(feeds)


# --- writing ---------------------------------------------------------------------------------


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _string(text: str) -> str:
    """A TOML basic string; control characters escaped: C0 and DEL, which TOML forbids raw,
    and C1, which it allows but a terminal shown ``reader config`` may obey (U+009B is CSI)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _toml_value(value: str | int | bool | Path) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _string(str(value))


def _default_toml() -> str:
    width = max(len(f'{a} = "{k}"') for a, (k, _) in ACTIONS.items()) + 2
    keys = "\n".join(f'# {f"{a} = {_string(k)}":<{width}}# {d}' for a, (k, d) in ACTIONS.items())
    fixed = "\n".join(f"#   {k}: {d}" for k, d in FIXED_KEYS.items())
    themes = "\n".join(textwrap.wrap(", ".join(THEMES), width=88, initial_indent="#   ",
                                     subsequent_indent="#   ", break_on_hyphens=False))
    return f"""\
# reader configuration (TOML). `reader config` prints the settings in effect.
# A setting that is missing or wrong falls back to its default, with a message.

[ui]
# A Textual theme:
{themes}
# The theme chosen in the app (command palette, "Change theme") is written back here.
theme = "textual-dark"
# auto: the list above the article, beside it from ~180 columns (room for both at
# their measure); wide: always side by side; stacked: always one above the other.
layout = "auto"

[reading]
# The width of the article text, in columns (40-200).
width = 80
# The article under the cursor shows in the reading pane; it counts as read once opened
# with Enter, or once shown this many seconds (0: only Enter marks it read).
mark_read_after = 3
# Where `e` saves articles as Markdown (default: your Downloads folder, then reader/).
# download_dir = "~/Downloads/reader"

[refresh]
# Refresh the subscriptions when the reader starts.
on_start = true
# While the reader is open, refresh every this many minutes (0 turns it off).
interval_minutes = 30
# Read articles older than this many days are dropped on refresh (starred ones stay).
retention_days = 180

[keys]
# Remap an action: action = "key", or several keys separated by commas.
# Key names as Textual spells them: "ctrl+q", "shift+tab", "pagedown", "space",
# "question_mark" (or "?"), "G" for shift+g. The defaults:
{keys}
# Not remappable:
{fixed}

# Per-feed settings, one table per feed, named by its URL or path:
# [feeds."https://example.org/feed.xml"]
# display_name = "Example"
# always_full_text = true   # fetch the whole article for summary-only entries
"""


#: The commented file ``reader config`` writes when there is none.
DEFAULT_TOML: str = _default_toml()


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and ``os.replace`` so a crash never leaves half a file."""
    # a symlinked config (dotfile managers) must stay a symlink: replace its target instead
    target = path.resolve() if path.is_symlink() else path
    try:
        status = os.stat(target)
    except OSError:
        status = None
    if status is not None and not stat.S_ISREG(status.st_mode):
        if stat.S_ISCHR(status.st_mode) and _is_devnull(status):
            return  # READER_CONFIG=/dev/null: no config, so nothing kept (never a file there)
        problem = not_regular_file(status.st_mode) or "not a regular file"
        raise ConfigError(f"cannot write {_display_path(path)}: {problem}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o777 if target.exists() else None
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".config.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (FileExistsError, NotADirectoryError):
        # mkdir's own "File exists" would be a puzzle here
        raise ConfigError(f"cannot write {_display_path(path)}: a file is where its folder "
                          "should be") from None
    except OSError as error:
        raise ConfigError(f"cannot write {_display_path(path)}: {error.strerror}") from None


def write_default(path: Path) -> bool:
    """Write :data:`DEFAULT_TOML` to ``path`` unless a file is there; True if written.

    Raises :class:`ConfigError` when the file cannot be written.
    """
    if path.exists() or path.is_symlink():
        return False
    _write_atomic(path, DEFAULT_TOML)
    return True


def dump_toml(config: Config) -> str:
    """The effective settings as TOML that :func:`load_config` reads back to the same Config."""
    def table(name: str, items: Mapping[str, str | int | bool | Path]) -> str:
        body = "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in items.items())
        return f"[{name}]\n{body}"

    parts = []
    if config.no_color:
        parts.append("# NO_COLOR is set: the reader shows no colours\n")
    parts.append(table("ui", {"theme": config.theme, "layout": config.layout.value}))
    parts.append(table("reading", {"width": config.reading_width,
                                   "mark_read_after": config.mark_read_after,
                                   "download_dir": config.download_dir}))
    parts.append(table("refresh", {"on_start": config.refresh_on_start,
                                   "interval_minutes": config.refresh_interval_minutes,
                                   "retention_days": config.retention_days}))
    parts.append(table("keys", config.keymap))
    for url, feed in config.feeds.items():
        settings: dict[str, str | bool] = {"always_full_text": feed.always_full_text}
        if feed.display_name is not None:
            settings = {"display_name": feed.display_name, **settings}
        parts.append(table(f"feeds.{_toml_key(url)}", settings))
    return "\n".join(parts)


def save_setting(path: Path, section: str, key: str, value: str | int | bool | Path) -> None:
    """Set ``[section] key = value`` in the file, keeping its comments and layout.

    The line is edited in place (its trailing comment kept), or added under the section (after
    a commented-out example of it when there is one), or a new section is appended. A missing
    file starts as :data:`DEFAULT_TOML`. Raises :class:`ConfigError` when it cannot write.
    """
    try:
        text = _read_text(path)
    except FileNotFoundError:
        text = DEFAULT_TOML
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"cannot read {_display_path(path)}: {reason}") from None
    updated = _set_in_text(text, section, key, _toml_value(value))
    if _parse(text) is not None and _parse(updated) is None:
        raise ConfigError(f"cannot update {_display_path(path)}: [{section}] {key}")
    _write_atomic(path, updated)


def _set_in_text(text: str, section: str, key: str, value: str) -> str:
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    new_line = f"{_toml_key(key)} = {value}{newline}"
    start = next((i for i, line in enumerate(lines)
                  if _header_path(line.strip()) == (section,)), None)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += newline
        return "".join([*lines, newline, f"[{_toml_key(section)}]{newline}", new_line])
    end = next((i for i in range(start + 1, len(lines))
                if _header_path(lines[i].strip()) is not None), len(lines))
    example = re.compile(rf"\s*#\s*{re.escape(_toml_key(key))}\s*=")
    commented = None
    for i in range(start + 1, end):
        if _key_path(lines[i].strip()) == (key,):
            lines[i] = _replace_value(lines[i], value)
            return "".join(lines)
        if commented is None and example.match(lines[i]):
            commented = i
    if commented is not None:
        at = commented + 1
    else:  # the end of the section, before the blank lines that separate it from the next
        at = end
        while at > start + 1 and not lines[at - 1].strip():
            at -= 1
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += newline
    lines.insert(at, new_line)
    return "".join(lines)


def _replace_value(line: str, value: str) -> str:
    """Swap the value on a ``key = value  # comment`` line, keeping indent and comment."""
    body = line.rstrip("\r\n")
    ending = line[len(body):]
    equals = next(m.start() for m in re.finditer("=", body)
                  if _parse(body[: m.start()] + "= 0") is not None)
    head, rest = body[: equals + 1], body[equals + 1:]
    lead = rest[: len(rest) - len(rest.lstrip())] or " "
    # the value ends at the first "#" after which the rest is a comment (a "#" may be in a string)
    for cut in [m.start() for m in re.finditer("#", rest)] + [len(rest)]:
        if _parse(f"x = {rest[:cut]}") is not None:
            gap = rest[len(rest[:cut].rstrip()):cut]
            return f"{head}{lead}{value}{gap}{rest[cut:]}{ending}"
    return f"{head}{lead}{value}{ending}"


def keys_markdown_table() -> str:
    """The README's key table, generated from ACTIONS so the two never drift."""
    rows = ["| key | action | action id (for `[keys]`) |", "|---|---|---|"]
    rows += [
        f"| {display_keys(keys)} | {description} | `{action}` |"
        for action, (keys, description) in ACTIONS.items()
    ]
    rows += [
        f"| {display_keys(keys)} | {description} | (fixed) |"
        for keys, description in FIXED_KEYS.items()
    ]
    return "\n".join(rows)
