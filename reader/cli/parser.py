"""The command line's grammar: the TUI's parser and the subcommands' (also read by the
completion scripts, so they never drift from it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from reader.core.version import __version__

SUBCOMMANDS = (
    "dump", "add", "remove", "feeds", "import", "export", "refresh", "list", "search",
    "mark", "account", "sync", "config", "completion",
)

EPILOG = """\
examples:
  reader                          open your library (subscribed feeds)
  reader sample_feeds/            read every article and feed in a folder
  reader https://example.org/feed.xml article.txt page.html
  reader dump --format json article.txt
  reader add https://example.org/feed.xml && reader refresh

subcommands (each has --help): dump, add, remove, feeds, import, export,
refresh, list, search, mark, account, sync, config, completion
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"reader: {message} (see reader --help)\n")
        raise SystemExit(2)


def _not_blank(what: str) -> Callable[[str], str]:
    """An argument type refusing empty and blank words, with what was expected."""
    def check(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"{what}, got {text!r}")
        return text

    return check


# a blank source once opened, subscribed or removed the current folder
_source = _not_blank("expected a file, a folder or a feed URL")
_name = _not_blank("expected a name")


def _count(text: str) -> int:
    """A number of things: 0 or more (a negative limit is a usage error, like any other)."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a number, 0 or more, got {text!r}")
    return number


def _path(text: str) -> Path:
    return Path(_not_blank("expected a path")(text))


def _file(kept: str) -> Callable[[str], Path]:
    """A path argument for a file ``kept`` there: not blank, and not "-"."""
    def check(text: str) -> Path:
        if text.strip() == "-":
            # "-" reads as standard input or output, which can keep neither: `--db -`
            # made a library file named "-" in the current folder
            raise argparse.ArgumentTypeError(
                f"expected a file path, got '-' (standard input cannot {kept}; "
                "./- names a file called -)")
        return _path(text)

    return check


def _common(parser: argparse.ArgumentParser, default: object = None) -> None:
    parser.add_argument("--db", type=_file("keep a library"), metavar="PATH", default=default,
                        help="library database (default: $READER_DB or the user data folder)")
    parser.add_argument("--config", type=_file("be a config file"), metavar="PATH",
                        default=default,
                        help="config file (default: $READER_CONFIG or the user config folder)")


def _common_after_subcommands(parser: argparse.ArgumentParser) -> None:
    """--db and --config accepted after a subcommand too (`reader list --db x.db`), as
    people type them; suppressed defaults, so one given before is not overwritten."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _common(child, default=argparse.SUPPRESS)
                _common_after_subcommands(child)


def build_tui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reader",
        description="A terminal reader for articles and feeds that shows the article and "
        "nothing else.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _common(parser)
    parser.add_argument("sources", nargs="*", metavar="SOURCE", type=_source,
                        help="files, directories, feed URLs, OPML lists, or - for stdin")
    return parser


def build_command_parser() -> argparse.ArgumentParser:
    from reader.core.sync import KINDS  # (not imported for the interface, which has no use)

    parser = _Parser(prog="reader", epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _common(parser)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_,
                              epilog=f"example:\n  {example}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    dump = command("dump", "print the cleaned articles of sources, without the TUI",
                   "reader dump --format json ../article.txt https://example.org/feed.xml")
    dump.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    dump.add_argument("--full", action="store_true",
                      help="fetch the full article for summary-only feed entries")
    dump.add_argument("sources", nargs="+", metavar="SOURCE", type=_source)

    add = command("add", "subscribe to feeds, feed files or article folders",
                  "reader add https://example.org/feed.xml ~/articles/")
    add.description = ("subscribe to feeds, feed files or article folders; with an account "
                       "on a feed server (reader account add), web feeds are subscribed to "
                       "there and synced")
    add.add_argument("--folder", type=_name, help="put the new subscriptions in this folder "
                     "(on a server: its category or label)")
    where = add.add_mutually_exclusive_group()
    where.add_argument("--account", metavar="NAME",
                       help="subscribe on this account's server (needed when there are several)")
    where.add_argument("--local", action="store_true",
                       help="keep the subscription here, not on a feed server")
    add.add_argument("sources", nargs="+", metavar="URL|PATH", type=_source)

    remove = command("remove", "unsubscribe (on the feed server too, for a synced feed)",
                     "reader remove https://example.org/feed.xml")
    remove.add_argument("sources", nargs="+", metavar="URL|PATH", type=_source)

    feeds = command("feeds", "list subscriptions with unread counts and last errors",
                    "reader feeds --json")
    feeds.add_argument("--json", action="store_true")

    imp = command("import", "import subscriptions from OPML or a newsboat urls file "
                  "(- reads it from standard input)", "reader import ~/.newsboat/urls")
    imp.add_argument("--local", action="store_true",
                     help="also subscribe to the local folders and files the list names "
                     "(file:// outlines, as in the subscriptions.opml kept beside a library); "
                     "only for a list you trust")
    imp.add_argument("file", type=_path)

    command("export", "print the subscriptions as OPML 2.0", "reader export > feeds.opml")

    refresh = command("refresh", "fetch every subscription now", "reader refresh")
    refresh.add_argument("--quiet", action="store_true", help="no progress bar")

    list_ = command("list", "list your subscriptions' articles, newest first",
                    "reader list --unread --limit 20")
    list_.add_argument("--unread", action="store_true", help="only unread articles")
    list_.add_argument("--starred", action="store_true",
                       help="only starred articles (of every source)")
    list_.add_argument("--feed", metavar="URL", type=_source,
                       help="only this feed's or folder's (subscribed or not)")
    list_.add_argument("--all", action="store_true",
                       help="also sources opened but not subscribed to, and removed feeds")
    list_.add_argument("--since", metavar="WHEN",
                       help="from a day (2026-11-01), month, year, today, or an age (7d, 12h)")
    list_.add_argument("--until", metavar="WHEN", help="up to the end of that day, month, ...")
    list_.add_argument("--limit", type=_count, metavar="N", help="at most N articles")
    list_.add_argument("--json", action="store_true", help="one JSON array, bodies included")

    search = command("search", "full-text search over the library",
                     'reader search climate "city council" since:2026-11')
    search.add_argument("words", nargs="+",
                        help='words and "phrases" to find; -word leaves out the articles '
                        "holding word; since:WHEN and until:WHEN narrow the dates")
    search.add_argument("--all", action="store_true",
                        help="also sources opened but not subscribed to, and removed feeds")
    search.add_argument("--json", action="store_true")

    mark = command("mark", "mark articles read, unread, starred or not, by id (as in "
                   "reader list --json); synced at the next sync", "reader mark 12 40 --read")
    mark.add_argument("ids", nargs="+", type=int, metavar="ID")
    flag = mark.add_mutually_exclusive_group(required=True)
    for option, text in (("--read", "mark read"), ("--unread", "mark unread"),
                         ("--star", "star"), ("--unstar", "remove the star")):
        flag.add_argument(option, dest="change", action="store_const",
                          const=option.removeprefix("--"), help=text)

    account = command("account", "accounts on feed servers (Tiny Tiny RSS, Google Reader API)",
                      "reader account add ttrss https://example.org/tt-rss/ --user me")
    actions = account.add_subparsers(dest="action", required=True, metavar="add|list|remove",
                                     parser_class=_Parser)
    account_add = actions.add_parser(
        "add", help="log in to a feed server once and keep the account",
        description="Log in once and keep the account. The password is never stored: give "
        "--password-file (its first line is read at each sync) or --password-command (its "
        "first output line; run without a shell), or type it when asked (then the token the "
        "server issues is kept instead).",
        epilog="examples:\n  reader account add ttrss https://example.org/tt-rss/ --user me "
        "--password-file ~/.config/ttrss-pass\n  reader account add greader "
        "https://rss.example.org/ --user me --password-command 'pass show freshrss'",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    account_add.add_argument("kind", choices=tuple(KINDS), metavar="|".join(KINDS),
                             help="; ".join(f"{kind}: {what}"
                                            for kind, what in KINDS.items()))
    account_add.add_argument("url", metavar="URL", type=_source,
                             help="the server's base address "
                             "(tt-rss: the install's root; FreshRSS: its address)")
    account_add.add_argument("--user", required=True, metavar="NAME")
    account_add.add_argument("--name", metavar="NAME",
                             help="what to call the account (default: USER@HOST)")
    secret = account_add.add_mutually_exclusive_group()
    secret.add_argument("--password-file", metavar="FILE", type=Path,
                        help="read the password from the first line of FILE at each sync")
    secret.add_argument("--password-command", metavar="CMD",
                        help="run CMD (no shell) at each sync; its first line is the password")
    account_list = actions.add_parser("list", help="list the accounts",
                                      description="list the accounts")
    account_list.add_argument("--json", action="store_true")
    account_remove = actions.add_parser(
        "remove", help="forget an account (its feeds are unsubscribed here, their articles "
        "kept; nothing changes on the server)",
        description="forget an account (its feeds are unsubscribed here, their articles "
        "kept; nothing changes on the server)")
    account_remove.add_argument("name", metavar="NAME")

    sync = command("sync", "sync with the feed server accounts: subscriptions, articles, "
                   "read and starred both ways", "reader sync")
    sync.add_argument("accounts", nargs="*", metavar="NAME", help="only these accounts")
    sync.add_argument("--quiet", action="store_true", help="no progress line")

    config = command("config", "write the default config if missing, then print it",
                     "reader config --path")
    # RawDescriptionHelpFormatter keeps these line breaks
    config.description = """\
Write the commented default config file if there is none, then print its path on
the first line and the settings in effect as TOML. Problems in the file go to
stderr, one line each; the reader uses the defaults for what is wrong.

The file is --config PATH (given before the subcommand), else $READER_CONFIG,
else config.toml in the user config folder (~/.config/reader-tui/ on Linux,
honouring XDG_CONFIG_HOME)."""
    config.epilog = """\
examples:
  reader config                         print the settings in effect
  "$EDITOR" "$(reader config --path)"   edit the file
  READER_CONFIG=./try.toml reader config"""
    config.add_argument("--path", action="store_true",
                        help="print only the file's path (still writing the default if missing)")

    completion = command("completion", "print a shell completion script",
                         'eval "$(reader completion bash)"')
    completion.description = "print a completion script: subcommands, options, source files"
    completion.epilog = """\
examples:
  eval "$(reader completion bash)"      in ~/.bashrc
  eval "$(reader completion zsh)"       in ~/.zshrc, after compinit
  reader completion fish > ~/.config/fish/completions/reader.fish"""
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), metavar="SHELL",
                            help="bash, zsh or fish")
    _common_after_subcommands(parser)
    return parser
