"""Accounts, `reader sync`, `reader mark`, add/remove on the server and refresh with accounts,
through the CLI and the library, against the in-memory tt-rss on loopback (every machine).

The same scenario against the real servers is tests/library/test_sync_scenario.py.
"""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from support.sync_fakes import FakeServer, Reply, Request
from support.sync_servers import FeedServer
from support.sync_ttrss_fake import PASSWORD, Relay, TtrssFake, WebFeed

from reader.cli import main
from reader.core.models import ArticleQuery
from reader.core.sync import SecretKind
from reader.library import Library
from reader.sources.http import HttpLimits


@pytest.fixture
def tt() -> Iterator[TtrssFake]:
    fake = TtrssFake()
    yield fake
    fake.close()


@pytest.fixture
def relay(tt: TtrssFake) -> Iterator[Relay]:
    """The fake behind a relay that a test can stop and start (the server down, back)."""
    running = Relay(tt.url)
    yield running
    running.stop()


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "ttrss-password"
    path.write_text(PASSWORD + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def add_account(capsys: pytest.CaptureFixture[str], url: str, password_file: Path,
                name: str = "tt") -> None:
    code, out, err = run(capsys, "account", "add", "ttrss", url, "--user", "sync",
                         "--password-file", str(password_file), "--name", name)
    assert code == 0, err
    assert out.startswith(f"added account {name} (ttrss,")


def titles(library: Library, **query: object) -> list[str]:
    ids = library.view(ArticleQuery(**query))  # type: ignore[arg-type]
    return sorted(row.title or "" for row in library.rows(ids))


def library_bytes(db_file: Path) -> bytes:
    return b"".join(path.read_bytes() for path in db_file.parent.glob(db_file.name + "*"))


# ---------------------------------------------------------------------- accounts


def test_a_wrong_password_is_one_line_exit_1_and_nothing_stored(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        tmp_path: Path) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-it\n")
    code, out, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                         "--password-file", str(wrong))
    host = tt.url.split("//")[1].rstrip("/")
    assert (code, out) == (1, "")
    assert err == f"reader: tt-rss at {host}: password refused for sync\n"
    assert run(capsys, "account", "list")[1].startswith("no accounts yet")


def test_the_password_is_never_stored(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_account(capsys, tt.url, password_file, name="by-file")
    script = tmp_path / "say-password"
    script.write_text(f"#!/bin/sh\necho '{PASSWORD}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    code, _, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                       "--password-command", f"{script} --quiet", "--name", "by-command")
    assert code == 0, err
    # typed at the prompt: the server's session id is kept instead
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    code, out, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                         "--name", "typed")
    assert code == 0, err
    assert "kept: the server's session token, not the password" in out
    with Library.open(db_file) as library:
        kinds = {a.name: (a.secret_kind, a.secret) for a in library.accounts()}
    assert kinds["by-file"] == (SecretKind.FILE, str(password_file))
    assert kinds["by-command"] == (SecretKind.COMMAND, f"{script} --quiet")
    assert kinds["typed"][0] is SecretKind.TOKEN and kinds["typed"][1] in tt.sessions
    # the typed account's session was kept open (not logged out) and still works
    assert run(capsys, "sync", "typed")[0] == 0
    assert PASSWORD.encode() not in library_bytes(db_file)


def test_a_password_command_runs_without_a_shell(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        tmp_path: Path) -> None:
    marker = tmp_path / "expanded"
    code, _, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                       "--password-command", f"echo {PASSWORD} $(touch {marker}) ; true")
    assert code == 1 and "password refused" in err  # the words came out as written
    assert not marker.exists()
    code, _, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                       "--password-command", "false")
    assert (code, err) == (1, "reader: password command: false failed (exit 1)\n")


def test_a_password_command_that_says_too_much_is_one_line(tmp_path: Path) -> None:
    import resource
    import sys
    import time

    from reader.core.errors import SyncAuthError
    from reader.sync.secrets import run_password_command

    def script(name: str, body: str) -> str:
        path = tmp_path / name
        path.write_text(f"import sys\n{body}\n")
        return f"{sys.executable} {path}"

    # its message, then a run of blank lines: the last line of stderr was asked of an
    # empty list (IndexError, "a bug")
    blank_tail = script("blank.py", "sys.stderr.write('vault locked\\n' + '\\n' * 3000)\n"
                                    "sys.exit(3)")
    with pytest.raises(SyncAuthError) as caught:
        run_password_command(blank_tail)
    program = Path(sys.executable).name
    assert str(caught.value) == f"password command: {program} failed (exit 3): vault locked"
    # a command that never stops printing (cat /dev/zero by mistake) was read whole into
    # memory until its 60 s were up: it is stopped once it has said more than a password
    endless = script("endless.py", "line = b'x' * 65536\nwhile True:\n"
                                   "    sys.stdout.buffer.write(line)")
    start, before = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SyncAuthError) as caught:
        run_password_command(endless)
    assert str(caught.value) == f"password command: {program} printed more than 64 KB"
    assert time.monotonic() - start < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KB
    chatty = script("chatty.py", "print('s3cret')\nsys.stderr.write('e' * 500_000)")
    assert run_password_command(chatty) == "s3cret"


def test_a_password_file_that_is_a_pipe_is_refused_in_words(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        tmp_path: Path) -> None:
    # --password-file <(pass show x) names /dev/fd/63, a pipe: read once at `account add`,
    # the account was kept with a path no later sync could read ("no such file"); a named
    # pipe with no writer made every sync wait for ever
    import contextlib
    import os
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    def write() -> None:  # a password manager feeding the pipe
        with contextlib.suppress(OSError):
            pipe.write_text(PASSWORD + "\n")

    threading.Thread(target=write, daemon=True).start()
    code, out, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                         "--password-file", str(pipe))
    assert (code, out) == (1, "")
    assert err == (f"reader: password file {pipe}: not a regular file (named pipe); it is "
                   "read at each "
                   "sync: keep the password in a file, or use --password-command\n")
    assert run(capsys, "account", "list")[1].startswith("no accounts yet")
    with open(pipe, "rb"):  # (lets the writer go)
        pass


def test_no_password_in_the_address(capsys: pytest.CaptureFixture[str], db_file: Path,
                                    tt: TtrssFake, password_file: Path) -> None:
    address = tt.url.replace("http://", f"http://sync:{PASSWORD}@")
    code, _, err = run(capsys, "account", "add", "ttrss", address, "--user", "sync",
                       "--password-file", str(password_file))
    assert code == 1 and "without a user or password in it" in err
    assert PASSWORD not in err


@pytest.mark.parametrize("kind", ["ttrss", "greader"])
def test_a_user_name_that_is_not_valid_utf8_is_one_line(
        capsys: pytest.CaptureFixture[str], db_file: Path, password_file: Path,
        kind: str) -> None:
    # a user name from bytes that are not UTF-8 (as argv gives them) crashed the Google
    # Reader login with a UnicodeEncodeError's traceback, and was sent to tt-rss as is
    server = FakeServer(lambda request: Reply.text("Unauthorized!", 401))
    try:
        code, _, err = run(capsys, "account", "add", kind, server.url, "--user", "caf\udce9",
                           "--password-file", str(password_file))
    finally:
        server.close()
    assert code == 1 and err.count("\n") == 1 and "not valid UTF-8" in err, err
    assert "Traceback" not in err and server.requests == []


def test_no_password_without_a_terminal_is_one_line(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync")
    assert code == 1 and err.count("\n") == 1 and "--password-file" in err


def test_account_list_and_remove(capsys: pytest.CaptureFixture[str], db_file: Path,
                                 tt: TtrssFake, password_file: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/a.xml", "Alpha", 2)))
    add_account(capsys, tt.url, password_file)
    assert run(capsys, "sync")[0] == 0
    code, out, _ = run(capsys, "account", "list", "--json")
    [listed] = json.loads(out)
    assert listed["name"] == "tt" and listed["password_from"] == "file"
    assert listed["last_sync"] is not None and listed["pending_changes"] == 0
    code, out, _ = run(capsys, "account", "remove", "tt")
    assert (code, out) == (0, "removed account tt (1 feed unsubscribed here; the server is "
                              "unchanged)\n")
    assert run(capsys, "feeds")[1].startswith("no subscriptions yet")
    with Library.open(db_file) as library:
        assert len(library.view(ArticleQuery())) == 2  # the articles stay
    code, _, err = run(capsys, "account", "remove", "tt")
    assert code == 1 and "no account named 'tt'" in err


# ---------------------------------------------------------------------- sync


def test_subscriptions_and_every_article_come_down_then_only_new_ones(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    news = tt.subscribe(tt.publish("http://feeds.example/news.xml", "Harbour News", 250), 3)
    tt.update(news)
    tt.update(tt.subscribe(tt.publish("http://feeds.example/plain.xml", "Plain", 2)))
    add_account(capsys, tt.url, password_file)
    code, out, err = run(capsys, "sync")
    assert code == 0 and out == ""
    assert err.startswith("tt: 2 feeds, 252 new articles, 0 changes sent, 0 received, ")
    code, out, _ = run(capsys, "feeds", "--json")
    feeds = {f["url"]: f for f in json.loads(out)}
    assert feeds["http://feeds.example/news.xml"]["title"] == "Harbour News"
    assert feeds["http://feeds.example/news.xml"]["folder"] == "News"
    assert feeds["http://feeds.example/news.xml"]["total"] == 250
    assert feeds["http://feeds.example/plain.xml"]["folder"] is None
    assert {f["account"] for f in feeds.values()} == {"tt"}
    assert "synced via tt" in run(capsys, "feeds")[1]
    code, out, _ = run(capsys, "list", "--json", "--limit", "1000")
    articles = json.loads(out)
    assert len(articles) == 252
    story = next(a for a in articles if a["title"] == "Plain story 2")
    assert story["body"] == "Story **2** of Plain." and story["feed"] == "Plain"

    # Again: only what is new since is asked for (the cursor), and it comes down.
    tt.web["http://feeds.example/plain.xml"].add(1)
    tt.update(2)
    tt.calls.clear()
    code, _, err = run(capsys, "sync")
    assert err.startswith("tt: 2 feeds, 1 new article, ")
    # new articles (one call, as they fit in a page); the flags: tt-rss's counts per feed
    # are those of the last sync (the new article counted in), so no feed is listed
    assert tt.calls.count("getHeadlines") == 1 and tt.calls.count("getCounters") == 1


def test_read_and_starred_go_both_ways(capsys: pytest.CaptureFixture[str], db_file: Path,
                                       tt: TtrssFake, password_file: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/s.xml", "Sigma", 4)))
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    with Library.open(db_file) as library:
        ids = {row.title: row.id for row in library.rows(library.view(ArticleQuery()))}
    # here -> server, with reader mark (which never contacts the server)
    tt.calls.clear()
    code, out, err = run(capsys, "mark", str(ids["Sigma story 1"]), str(ids["Sigma story 2"]),
                         "--read")
    assert (code, out, err) == (0, "2 articles marked read\n", "")
    assert run(capsys, "mark", str(ids["Sigma story 3"]), "--star")[0] == 0
    assert tt.calls == []
    assert json.loads(run(capsys, "account", "list", "--json")[1])[0]["pending_changes"] == 3
    code, _, err = run(capsys, "sync")
    assert "3 changes sent, 0 received" in err
    assert not tt.entry("Sigma story 1").unread and not tt.entry("Sigma story 2").unread
    assert tt.entry("Sigma story 3").marked and tt.entry("Sigma story 3").unread
    # server -> here (another device)
    tt.entry("Sigma story 2").unread = True
    tt.entry("Sigma story 4").marked = True
    tt.entry("Sigma story 3").marked = False
    code, _, err = run(capsys, "sync")
    assert "0 changes sent, 3 received" in err
    with Library.open(db_file) as library:
        assert titles(library, unread_only=True) == ["Sigma story 2", "Sigma story 3",
                                                     "Sigma story 4"]
        assert titles(library, starred_only=True) == ["Sigma story 4"]
        assert library.accounts()[0].pending == 0


def test_a_change_made_while_the_server_is_down_is_sent_when_it_is_back(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake, relay: Relay,
        password_file: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/o.xml", "Omega", 3)))
    add_account(capsys, relay.url, password_file)
    run(capsys, "sync")
    with Library.open(db_file) as library:
        first = library.view(ArticleQuery())[0]
        title = library.rows([first])[0].title or ""
    relay.stop()
    with pytest.raises(SystemExit) as usage:  # one change at a time
        run(capsys, "mark", str(first), "--read", "--star")
    assert usage.value.code == 2
    assert run(capsys, "mark", str(first), "--read")[0] == 0
    assert run(capsys, "mark", str(first), "--star")[0] == 0
    code, out, err = run(capsys, "sync")
    host = relay.url.split("//")[1].rstrip("/")
    assert (code, out) == (1, "")
    assert err == (f"reader: tt: tt-rss at {host}: connection refused "
                   "(is the server running?)\n")
    with Library.open(db_file) as library:  # nothing lost here
        stored = library.get(first)
        assert stored is not None and stored.read and stored.starred
        [account] = library.accounts()
        assert account.pending == 2 and account.last_error is not None
    assert tt.entry(title).unread
    relay.start()
    code, _, err = run(capsys, "sync")
    assert code == 0 and "2 changes sent" in err
    assert not tt.entry(title).unread and tt.entry(title).marked
    assert json.loads(run(capsys, "account", "list", "--json")[1])[0]["last_error"] is None


@pytest.mark.parametrize("failure", ["timeout", "garbage"])
def test_a_failing_server_is_one_line_and_keeps_the_library(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path, failure: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/g.xml", "Gamma", 2)))
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    healthy = tt.server.handler
    if failure == "timeout":
        monkeypatch.setattr(Library, "_sync_limits", staticmethod(lambda: HttpLimits(
            deadline=1.0)))
        tt.server.handler = lambda request: Reply(200, b"{}", delay=3.0)
    else:
        tt.server.handler = lambda request: Reply(200, b"\x00\xffnot json at all")
    with Library.open(db_file) as library:
        library.mark_read(library.view(ArticleQuery())[:1])
    code, out, err = run(capsys, "sync")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "timed out" in err if failure == "timeout" else "not JSON" in err
    tt.server.handler = healthy
    code, _, err = run(capsys, "sync")
    assert code == 0 and "1 change sent" in err


def test_a_feed_list_of_another_shape_keeps_the_feeds_and_the_changes_waiting(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    # getFeeds answering null was read as "no feeds": the sync unsubscribed every feed of
    # the account and dropped the change made here from the queue, never to be sent
    tt.update(tt.subscribe(tt.publish("http://feeds.example/n.xml", "Nu", 2)))
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    healthy = tt.server.handler

    def null_feeds(request: Request) -> Reply:
        if request.json().get("op") == "getFeeds":
            return Reply.of_json({"seq": 0, "status": 0, "content": None})
        return healthy(request)

    tt.server.handler = null_feeds
    with Library.open(db_file) as library:
        first = library.view(ArticleQuery())[0]
        title = library.rows([first])[0].title or ""
        library.mark_read([first])
    code, _, err = run(capsys, "sync")
    assert code == 1 and err.count("\n") == 1 and "getFeeds answered JSON of another shape" in err
    with Library.open(db_file) as library:
        assert [feed.subscribed for feed in library.feeds()] == [True]
        assert library.accounts()[0].pending == 1
    tt.server.handler = healthy
    code, _, err = run(capsys, "sync")
    assert code == 0 and "1 change sent" in err
    assert not tt.entry(title).unread


def test_a_conflict_goes_to_the_change_made_here(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/c.xml", "Chi", 2)))
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    with Library.open(db_file) as library:
        ids = {row.title: row.id for row in library.rows(library.view(ArticleQuery()))}
        library.mark_read([ids["Chi story 1"]])
    tt.entry("Chi story 1").marked = True  # changed on the server too, another flag: no clash
    tt.entry("Chi story 2").unread = False  # only there
    with Library.open(db_file) as library:  # read there, then unread here: both changed
        library.mark_read([ids["Chi story 2"]], read=True)
        library.mark_read([ids["Chi story 2"]], read=False)
    code, _, err = run(capsys, "sync")
    # story 2: here unread (journaled), there read since the last sync: a conflict
    assert "2 changes sent, 1 received (1 conflict, the newest change kept)" in err
    assert not tt.entry("Chi story 1").unread and tt.entry("Chi story 1").marked
    assert tt.entry("Chi story 2").unread
    with Library.open(db_file) as library:
        assert titles(library, starred_only=True) == ["Chi story 1"]
        assert titles(library, unread_only=True) == ["Chi story 2"]


def test_a_feed_unsubscribed_on_the_server_is_unsubscribed_here(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    feed = tt.subscribe(tt.publish("http://feeds.example/u.xml", "Upsilon", 2))
    tt.update(feed)
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    tt._op_unsubscribeFeed({"feed_id": feed})
    code, _, err = run(capsys, "sync")
    assert code == 0 and err.startswith("tt: 0 feeds, 0 new articles, 0 changes sent, "
                                        "0 received")
    assert run(capsys, "feeds")[1].startswith("no subscriptions yet")
    with Library.open(db_file) as library:
        # the articles stay, unread as they were (the server dropping them is not reading)
        assert titles(library, unread_only=True) == ["Upsilon story 1", "Upsilon story 2"]


def test_a_feed_read_here_before_the_account_is_not_doubled(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    web = FeedServer()
    try:
        url = web.add("d.xml", "Delta", 3)
        assert run(capsys, "add", url)[0] == 0
        with Library.open(db_file) as library:
            [first, *_] = sorted(library.view(ArticleQuery()))
            library.mark_read([first])  # read here, unread on the server: the server wins
        # the same feed on the server: its entries link to the same pages
        tt.web[url] = WebFeed("Delta", [(e.key, e.title, e.html, f"{web.base}/a/{e.key}")
                                        for e in web.feeds["d.xml"].entries])
        tt.update(tt.subscribe(url))
        add_account(capsys, tt.url, password_file)
        code, _, err = run(capsys, "sync")
        assert code == 0 and "1 feed, 0 new articles" in err
    finally:
        web.close()
    with Library.open(db_file) as library:
        assert titles(library) == ["Delta story 1", "Delta story 2", "Delta story 3"]
        assert len(titles(library, unread_only=True)) == 3
        [feed] = library.feeds()
        assert feed.account == "tt"


# ---------------------------------------------------------------------- add, remove, mark


def test_add_with_one_account_subscribes_on_the_server(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path, tmp_path: Path) -> None:
    url = tt.publish("http://feeds.example/new.xml", "Newcomer", 3)
    add_account(capsys, tt.url, password_file)
    code, out, err = run(capsys, "add", url)
    assert (code, out, err) == (0, "added Newcomer (3 articles)\n", "")
    assert [u for u, _, _ in tt.feeds.values()] == [url]
    assert "synced via tt" in run(capsys, "feeds")[1]
    # --local keeps it here; a path is always local
    local = tmp_path / "notes"
    local.mkdir()
    (local / "a.md").write_text("# A note\n\nText.\n")
    assert run(capsys, "add", str(local))[0] == 0
    assert len(tt.feeds) == 1
    # a folder tt-rss has is its category; one it has not is said (its API cannot make one)
    other = tt.publish("http://feeds.example/other.xml", "Other", 1)
    code, out, err = run(capsys, "add", "--folder", "News", other)
    assert (code, out, err) == (0, "added Other (1 article)\n", "")
    third = tt.publish("http://feeds.example/third.xml", "Third", 1)
    code, out, err = run(capsys, "add", "--folder", "Nowhere", third)
    assert (code, out) == (0, "added Third (1 article)\n")
    assert err.endswith("no folder 'Nowhere' there (tt-rss cannot make one through its API): "
                        "the feed is not in a folder\n")
    folders = {f["title"]: f["folder"] for f in json.loads(run(capsys, "feeds", "--json")[1])}
    assert (folders["Other"], folders["Third"]) == ("News", None)
    # a feed the server cannot fetch: one line, exit 1
    code, _, err = run(capsys, "add", "http://feeds.example/missing.xml")
    assert code == 1 and err.count("\n") == 1 and "cannot subscribe" in err
    # removing it unsubscribes on the server too
    code, out, _ = run(capsys, "remove", url, other, third)
    assert (code, out) == (0, "removed 3 subscriptions\n")
    assert tt.feeds == {}


def test_add_with_two_accounts_asks_which(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    url = tt.publish("http://feeds.example/two.xml", "Two", 1)
    add_account(capsys, tt.url, password_file, name="one")
    add_account(capsys, tt.url, password_file, name="other")
    code, _, err = run(capsys, "add", url)
    assert code == 1
    assert err == ("reader: 2 accounts (one, other): choose one with --account NAME, or "
                   "--local to keep the feed here\n")
    assert run(capsys, "add", "--account", "other", url)[0] == 0
    assert run(capsys, "feeds", "--json")[1].count('"account": "other"') == 1


def test_remove_while_the_server_is_down_changes_nothing(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake, relay: Relay,
        password_file: Path) -> None:
    url = tt.publish("http://feeds.example/r.xml", "Rho", 1)
    add_account(capsys, relay.url, password_file)
    assert run(capsys, "add", url)[0] == 0
    relay.stop()
    code, _, err = run(capsys, "remove", url)
    assert code == 1 and "connection refused" in err and err.count("\n") == 1
    assert "Rho" in run(capsys, "feeds")[1] and len(tt.feeds) == 1


def test_mark_unknown_ids(capsys: pytest.CaptureFixture[str], db_file: Path) -> None:
    code, out, err = run(capsys, "mark", "41", "42", "--unread")
    assert (code, out) == (1, "0 articles marked unread\n")
    assert err == "reader: no article with id 41, 42 (ids as in reader list --json)\n"
    with pytest.raises(SystemExit) as usage:  # which change is required
        run(capsys, "mark", "1")
    assert usage.value.code == 2


def test_numbers_past_sqlites_integers_are_no_traceback(
        capsys: pytest.CaptureFixture[str], db_file: Path) -> None:
    # Python's ints have no bound and SQLite's stop at 2**63 - 1: such an id or --limit
    # went to the query as given and ended in an OverflowError traceback.
    huge = str(2**64)
    code, out, err = run(capsys, "mark", huge, "-1", "--read")
    assert (code, out) == (1, "0 articles marked read\n")
    assert err == f"reader: no article with id {huge}, -1 (ids as in reader list --json)\n"
    code, out, err = run(capsys, "list", "--limit", "9" * 30)
    assert (code, err) == (0, "")


# ---------------------------------------------------------------------- refresh


def test_refresh_syncs_accounts_and_fetches_only_local_feeds(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://127.0.0.1:9/never-fetched.xml", "Remote", 2)))
    add_account(capsys, tt.url, password_file)
    code, _, err = run(capsys, "refresh")
    assert code == 0, err
    assert err.splitlines()[-1].startswith("1 feed, 2 new articles, 0 errors, ")
    assert err.splitlines()[-1].endswith("; tt: 0 sent, 0 received")
    tt.server.handler = lambda request: Reply(500, b"down")
    code, _, err = run(capsys, "refresh")
    assert code == 1
    assert "reader: could not refresh account tt: tt-rss at " in err
    assert "server error (HTTP 500" in err


def test_the_library_refresh_reports_sync_progress(db_file: Path, tt: TtrssFake,
                                                   password_file: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/p.xml", "Pi", 3)))
    events = []
    with Library.open(db_file) as library:
        asyncio.run(library.add_account("ttrss", tt.url, "sync",
                                        password_file=str(password_file)))
        summary = asyncio.run(library.refresh(progress=events.append))
    assert summary.new_articles == 3 and summary.errors == 0
    assert events[0].new == 3 and events[0].name == f"sync@{tt.url.split('//')[1][:-1]}"
    assert (events[0].done, events[0].total) == (0, 1)
    assert (events[-1].done, events[-1].total) == (1, 1)


def test_storage_keeps_a_change_made_while_a_sync_runs(db_file: Path, tt: TtrssFake,
                                                       password_file: Path) -> None:
    from reader.core.sync import FlagUpdate
    from reader.storage.sqlite import SqliteStorage

    tt.update(tt.subscribe(tt.publish("http://feeds.example/k.xml", "Kappa", 1)))
    with Library.open(db_file) as library:
        asyncio.run(library.add_account("ttrss", tt.url, "sync",
                                        password_file=str(password_file)))
        asyncio.run(library.sync())
        [article_id] = library.view(ArticleQuery())
        library.mark_read([article_id])
    storage, _ = SqliteStorage.open(db_file)
    with closing(storage):
        [account] = storage.accounts()
        snapshot = storage.journal(account.id)
        storage.set_starred([article_id], True)  # made while the sync runs
        [synced] = storage.synced_articles(account.id)
        storage.settle_flags(account.id, [FlagUpdate(article_id, synced.remote_id, False,
                                                     False)],
                             sent_upto=max(entry.seq for entry in snapshot))
        [left] = storage.journal(account.id)
        assert (left.flag, left.value) == ("starred", True)
        stored = storage.get(article_id)
        assert stored is not None and stored.starred and not stored.read



def test_a_swap_of_flags_within_one_feed_is_caught_by_the_full_listing(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    import reader.sync.engine as engine

    tt.update(tt.subscribe(tt.publish("http://feeds.example/w.xml", "Psi", 3)))
    tt.entry("Psi story 1").unread, tt.entry("Psi story 1").marked = False, True
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    # Another device swaps: story 1 unread and story 2 read, the star from story 1 to 3.
    # The feed still has 2 unread and 1 starred: its counts say nothing changed.
    tt.entry("Psi story 1").unread, tt.entry("Psi story 2").unread = True, False
    tt.entry("Psi story 1").marked, tt.entry("Psi story 3").marked = False, True
    code, _, err = run(capsys, "sync")
    assert code == 0 and "0 received" in err  # within FULL_STATE_EVERY: the counts only
    monkeypatch.setattr(engine, "FULL_STATE_EVERY", timedelta(0))
    code, _, err = run(capsys, "sync")
    assert code == 0 and "4 received" in err
    with Library.open(db_file) as library:
        assert titles(library, unread_only=True) == ["Psi story 1", "Psi story 3"]
        assert titles(library, starred_only=True) == ["Psi story 3"]


def test_adding_an_account_again_logs_in_again_and_keeps_its_feeds(
        capsys: pytest.CaptureFixture[str], db_file: Path, tt: TtrssFake,
        password_file: Path, tmp_path: Path) -> None:
    tt.update(tt.subscribe(tt.publish("http://feeds.example/e.xml", "Eta", 1)))
    add_account(capsys, tt.url, password_file)
    run(capsys, "sync")
    wrong = tmp_path / "wrong"
    wrong.write_text("nope\n")
    code, _, err = run(capsys, "account", "add", "ttrss", tt.url, "--user", "sync",
                       "--password-file", str(wrong), "--name", "tt")
    assert code == 1 and "password refused" in err
    [kept] = json.loads(run(capsys, "account", "list", "--json")[1])
    assert kept["password_file"] == str(password_file)  # the refused one was not stored
    add_account(capsys, tt.url, password_file)
    assert "synced via tt" in run(capsys, "feeds")[1]
    elsewhere = TtrssFake()
    try:
        code, _, err = run(capsys, "account", "add", "ttrss", elsewhere.url, "--user", "sync",
                           "--password-file", str(password_file), "--name", "tt")
    finally:
        elsewhere.close()
    assert code == 1 and "an account named 'tt' is on another server" in err
