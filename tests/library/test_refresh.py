"""Refresh against loopback servers: conditional GET, failures keep the cache, Retry-After,
retention, progress, folders, and a ``kill -9`` in the middle."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.farm import Farm
from support.paths import ROOT, SUPPORT

from reader.core.models import ArticleQuery, FeedProgress
from reader.library import Library
from reader.storage.sqlite import MIGRATIONS, SqliteStorage


def feed_xml(count: int, *, start: int = 0, title: str = "Scripted feed") -> bytes:
    recent = datetime.now(UTC) - timedelta(days=1)
    items = "".join(
        f"<item><title>Entry {n}</title><guid>id-{n}</guid><link>http://example.org/{n}</link>"
        f"<pubDate>{(recent - timedelta(hours=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description>Body of entry {n}</description></item>"
        for n in range(start, start + count))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"{items}</channel></rss>").encode()


class Scripted:
    """A loopback server answering with whatever the test scripts next."""

    def __init__(self) -> None:
        self.status = 200
        self.body = feed_xml(3)
        self.headers: dict[str, str] = {"ETag": '"v1"'}
        self.requests: list[dict[str, str]] = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                script.requests.append(dict(self.headers))
                etag = script.headers.get("ETag")
                if script.status == 200 and etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(script.status)
                for name, value in script.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(script.body)))
                self.end_headers()
                self.wfile.write(script.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    yield server
    server.close()


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "library.sqlite")
    yield lib
    lib.close()


def refresh(library: Library, **kwargs: object):  # type: ignore[no-untyped-def]
    return asyncio.run(library.refresh(**kwargs))  # type: ignore[arg-type]


def test_refresh_farm_then_all_304(library: Library) -> None:
    with Farm(feeds=6, entries=10, hosts=2) as farm:
        library.import_file(_urls(library, farm.urls))
        events: list[FeedProgress] = []
        summary = refresh(library, progress=events.append)
        assert (summary.feeds, summary.new_articles, summary.errors) == (6, 60, 0)
        assert sorted(e.done for e in events) == list(range(1, 7))
        assert {e.name for e in events} == {f"Farm feed {n}" for n in range(6)}
        farm.stats(reset=True)
        again = refresh(library)
        assert (again.new_articles, again.errors, again.not_modified) == (0, 0, 6)
        assert farm.stats() == {"304": 6}
    assert len(library.view(ArticleQuery())) == 60
    feeds = library.feeds(subscribed_only=True)
    assert all(f.last_success is not None and f.last_error is None for f in feeds)
    assert {f.name for f in feeds} == {f"Farm feed {n}" for n in range(6)}


def _urls(library: Library, urls: list[str]) -> Path:
    path = library.path.with_name("urls")
    path.write_text("".join(u + "\n" for u in urls))
    return path


@pytest.mark.parametrize("status, body, headers", [
    (500, b"<html>oops</html>", {"Content-Type": "text/html"}),
    (200, b"", {}),
    (200, b"<html><body>not a feed</body></html>", {"Content-Type": "text/html"}),
    (200, feed_xml(3)[:150], {}),  # truncated
    (304, b"", {}),  # a 304 although no validator was sent this time
])
def test_failed_refresh_keeps_the_cache(library: Library, scripted: Scripted, status: int,
                                        body: bytes, headers: dict[str, str]) -> None:
    library.add([scripted.url])
    assert len(library.view(ArticleQuery())) == 3
    scripted.status, scripted.body, scripted.headers = status, body, headers
    summary = refresh(library)
    assert len(library.view(ArticleQuery())) == 3
    (feed,) = library.feeds(subscribed_only=True)
    if summary.errors:
        assert feed.last_error
    # and it recovers with the next good answer
    scripted.status, scripted.body, scripted.headers = 200, feed_xml(5), {"ETag": '"v2"'}
    summary = refresh(library)
    assert summary.errors == 0 and summary.new_articles == 2
    assert len(library.view(ArticleQuery())) == 5


def test_empty_feed_keeps_the_cache(library: Library, scripted: Scripted) -> None:
    library.add([scripted.url])
    scripted.body, scripted.headers = feed_xml(0), {"ETag": '"empty"'}
    refresh(library)
    assert len(library.view(ArticleQuery())) == 3


def test_conditional_get_sends_validators(library: Library, scripted: Scripted) -> None:
    library.add([scripted.url])
    summary = refresh(library)
    assert summary.not_modified == 1
    assert scripted.requests[-1].get("If-None-Match") == '"v1"'


def test_retry_after_is_respected(library: Library, scripted: Scripted) -> None:
    library.add([scripted.url])
    scripted.status, scripted.body = 429, b"slow down"
    scripted.headers = {"Retry-After": "120"}
    first = refresh(library)
    assert first.errors == 1
    asked = len(scripted.requests)
    second = refresh(library)
    assert second.skipped == 1 and second.errors == 0
    assert len(scripted.requests) == asked  # not asked again before the time is up
    assert len(library.view(ArticleQuery())) == 3


def test_retention_prunes_old_read_articles_once(library: Library, scripted: Scripted) -> None:
    old = datetime.now(UTC) - timedelta(days=400)
    scripted.body = feed_xml(2).replace(b"</channel>", (
        "<item><title>Ancient</title><guid>old</guid>"
        f"<pubDate>{old.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        "<description>x</description></item></channel>").encode())
    scripted.headers = {}
    library.add([scripted.url])
    ids = library.view(ArticleQuery())
    assert len(ids) == 3
    library.mark_all_read(None)
    library.star([ids[0]])
    summary = refresh(library)
    assert summary.pruned == 1
    titles = {r.title for r in library.rows(library.view(ArticleQuery()))}
    assert titles == {"Entry 0", "Entry 1"}
    refresh(library)  # the feed still lists it; it does not come back
    assert len(library.view(ArticleQuery())) == 2


def test_subscribed_folder_picks_up_new_files(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# First note\n\nSome text about rivers.\n")
    library.add([str(folder)])
    assert len(library.view(ArticleQuery())) == 1
    (folder / "b.md").write_text("# Second note\n\nMore text about bridges.\n")
    summary = refresh(library)
    assert summary.new_articles == 1 and summary.errors == 0
    assert len(library.view(ArticleQuery(subscribed_only=True))) == 2


def test_a_failing_feed_does_not_stop_the_others(library: Library, scripted: Scripted) -> None:
    with Farm(feeds=2, entries=5) as farm:
        library.add([scripted.url, *farm.urls])
        scripted.status, scripted.body = 404, b"gone"
        summary = refresh(library)
    assert summary.errors == 1 and summary.failures[0][0] == scripted.url
    assert "404" in summary.failures[0][1]
    assert len(library.view(ArticleQuery())) == 13


def test_kill_during_refresh_leaves_a_complete_library(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    with Farm(feeds=40, entries=20, latency_ms=250, hosts=1) as farm:
        urls = tmp_path / "urls"
        urls.write_text("".join(u + "\n" for u in farm.urls))
        subprocess.run([sys.executable, "-m", "reader", "--db", str(db), "import", str(urls)],
                       check=True, cwd=ROOT, capture_output=True)
        process = subprocess.Popen([sys.executable, "-m", "reader", "--db", str(db), "refresh"],
                                   cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            _wait_for_articles(db, timeout=30)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        counts = [n for (n,) in conn.execute("SELECT count(*) FROM articles GROUP BY feed_id")]
        assert counts and all(n == 20 for n in counts)  # each feed all or nothing
        assert len(counts) < 40  # it was really interrupted
        fts = conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'the'")
        assert fts.fetchone()[0] > 0
    finally:
        conn.close()
    with Library.open(db) as lib:
        assert lib.messages == []
        assert len(lib.view(ArticleQuery())) == 20 * len(counts)


def _wait_for_articles(db: Path, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(db, timeout=1)
            try:
                if conn.execute("SELECT count(*) FROM articles").fetchone()[0] > 0:
                    return
            finally:
                conn.close()
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError("the refresh stored nothing in time")


def test_same_body_without_validators_is_not_parsed_again(library: Library,
                                                          scripted: Scripted) -> None:
    scripted.headers = {}  # a server that ignores conditional requests
    library.add([scripted.url])
    first = refresh(library)
    assert first.not_modified == 1 and first.errors == 0
    scripted.body = feed_xml(4)
    second = refresh(library)
    assert second.new_articles == 1 and second.not_modified == 0


def test_schema_upgrade_keeps_data(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    storage, _ = SqliteStorage.open(db)
    storage.upsert_feed("http://a/feed", subscribed=True)
    storage.close()
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE feeds DROP COLUMN content_hash")  # as schema 1 had it
    conn.execute("DROP INDEX articles_unread_by_feed")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    storage, _ = SqliteStorage.open(db)
    with closing(storage), closing(sqlite3.connect(db)) as conn:
        assert [f.url for f in storage.feeds()] == ["http://a/feed"]
        assert storage.content_hashes() == {}
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert "articles_ai" not in triggers and "articles_au" in triggers


def test_a_vanished_folder_is_an_error_and_keeps_its_articles(library: Library,
                                                              tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# A note\n\nText.\n")
    library.add([str(folder)])
    shutil.rmtree(folder)
    summary = refresh(library)
    assert summary.errors == 1 and "folder not found" in summary.failures[0][1]
    assert len(library.view(ArticleQuery())) == 1


@pytest.mark.parametrize("replacement", [
    b"garbage<<<\n",
    b"<html><head><title>Not found</title></head><body><p>No such page here, sorry about "
    b"that: the file you asked for has gone.</p></body></html>",
])
def test_a_feed_file_that_is_no_feed_any_more_is_an_error_and_keeps_the_feed(
        library: Library, tmp_path: Path, replacement: bytes) -> None:
    # a feed file overwritten by an error page or a half-written download was read as an
    # article: the feed took the file's name and gained that article
    path = tmp_path / "live.xml"
    path.write_bytes(feed_xml(2, title="Live"))
    library.add([str(path)])
    path.write_bytes(replacement)
    summary = refresh(library)
    assert summary.errors == 1 and "not a feed any more" in summary.failures[0][1]
    (feed,) = library.feeds(subscribed_only=True)
    assert feed.name == "Live" and feed.total == 2
    assert [r.title for r in library.rows(library.view(ArticleQuery()))] == [
        "Entry 0", "Entry 1"]
    path.write_bytes(feed_xml(3, title="Live"))  # a feed again: read as before
    summary = refresh(library)
    assert summary.errors == 0 and len(library.view(ArticleQuery())) == 3


def test_newest_caps_a_huge_feed_keeping_order() -> None:
    from reader.core.models import Article
    from reader.ingest.feeds import newest

    base = datetime(2026, 1, 1, tzinfo=UTC)
    articles = tuple(Article(source="s", key=str(n), published=base + timedelta(days=n % 7))
                     for n in range(20))
    kept = newest(articles, limit=5)
    assert len(kept) == 5
    assert {a.published for a in kept} == {base + timedelta(days=6), base + timedelta(days=5)}
    assert [a.key for a in kept] == sorted((a.key for a in kept), key=int)  # feed order kept
    undated = (Article(source="s", key="u"), *articles)
    assert newest(undated, limit=1)[0].key == "u"
    assert newest(articles) is articles


def _crash_on_feed_0(data: bytes, source: str, url: str, headers: object) -> object:
    from reader.ingest.feeds import parse_feed
    from reader.refresh import _Parsed

    if source.endswith("/feed/0.xml"):
        os._exit(9)  # what the kernel's OOM killer would do to the worker
    feed = parse_feed(data, url=url, source=source)
    return _Parsed(feed.title, feed.articles, feed.warnings, None)


def test_a_crashed_parser_fails_only_its_feed(library: Library, storage: SqliteStorage,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.refresh as module

    monkeypatch.setattr(module, "parse_document", _crash_on_feed_0)
    with Farm(feeds=4, entries=3) as farm:
        library.add([farm.urls[0]])  # stored once, so the refresh below parses it again
        with closing(sqlite3.connect(library.path)) as conn, conn:
            conn.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, "
                         "content_hash = NULL")
        library.import_file(_urls(library, farm.urls[1:]))
        summary = refresh(library)
    assert summary.errors == 1 and "crashed" in summary.failures[0][1]
    assert summary.new_articles == 9
    assert len(library.view(ArticleQuery())) == 12  # feed 0's cached entries are kept


HOSTILE_SERVER = SUPPORT / "hostile_server.py"
BAD = ["/slow-drip", "/slow-headers", "/no-response", "/infinite", "/huge-content-length",
       "/truncated", "/gzip-bomb", "/gzip-bomb-double", "/bad-gzip", "/redirect-loop",
       "/redirect-chain?n=30", "/redirect-file", "/redirect-scheme", "/status/404",
       "/status/410", "/status/500", "/status/503", "/status/429", "/status/429-date",
       "/status/429-garbage", "/status/429-huge", "/status/429-negative",
       "/html-not-feed", "/304-unconditional", "/empty-200", "/bad-chunked",
       "/hostile/feed-billion-laughs.xml", "/hostile/feed-xxe-file.xml",
       "/hostile/feed-not-xml.html"]
# a feed under a wrong label is still a feed; big headers are within httpx's limits
GOOD = ["/ok.xml", "/wrong-type/html", "/wrong-type/octet", "/wrong-type/png",
        "/huge-header", "/charset-mismatch", "/redirect-chain?n=3", "/hostile/feed-title-osc52.xml",
        "/hostile/feed-duplicate-guids.xml", "/hostile/feed-bad-dates.xml"]
EITHER = ["/many-headers"]  # 10,000 headers: fine, or past the deadline on a busy machine


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[str]:
    process = subprocess.Popen([sys.executable, str(HOSTILE_SERVER), "--port", "0",
                                "--duration", "180"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    url = line.split(" on ", 1)[1].split()[0].rstrip("/")
    threading.Thread(target=process.stdout.read, daemon=True).start()
    yield url
    process.terminate()
    process.wait(5)


def test_every_hostile_endpoint_through_refresh(library: Library, storage: SqliteStorage,
                                                hostile_server: str) -> None:
    from reader.sources.http import HttpLimits

    for path in BAD + GOOD + EITHER:
        storage.upsert_feed(hostile_server + path, subscribed=True)
    limits = HttpLimits(deadline=2.0, max_bytes=2**20, connect_timeout=2.0)
    started = time.monotonic()
    summary = refresh(library, limits=limits)
    assert time.monotonic() - started < 30
    failed = {url.removeprefix(hostile_server) for url, _ in summary.failures} - set(EITHER)
    assert failed == set(BAD), (failed ^ set(BAD), summary.failures)
    assert all(message and "\n" not in message and "\x1b" not in message
               for _, message in summary.failures)
    feeds = {f.url.removeprefix(hostile_server): f for f in library.feeds()}
    assert all(feeds[path].total > 0 for path in GOOD)
    assert "410" in (feeds["/status/410"].last_error or "")
    before = len(library.view(ArticleQuery()))
    waiting = [f.id for path, f in feeds.items() if path.startswith("/status/") or
               path in GOOD]
    again = refresh(library, limits=limits, feed_ids=waiting)
    assert again.skipped >= 4  # the 429/503 with a usable Retry-After wait their turn
    assert len(library.view(ArticleQuery())) == before
    assert storage.quick_check() == "ok"


def test_feeds_are_shared_out_without_exceeding_a_hosts_limit() -> None:
    from reader.core.models import FetchState
    from reader.refresh import _Job, _share_out
    from reader.sources.http import HttpLimits

    jobs = [_Job(n, f"http://host{n % 3}.example/{n}.xml", FetchState(), None)
            for n in range(10)]
    shares, limits = _share_out(jobs, 2, HttpLimits(per_host=4))
    assert sorted(j.feed_id for share in shares for j in share) == list(range(10))
    assert limits.per_host == 2  # two workers x 2 connections: still 4 for a host
    for host in range(3):  # every busy host is split between the workers
        counts = [sum(1 for j in share if f"host{host}." in j.url) for share in shares]
        assert max(counts) - min(counts) <= 1
    (alone,), one_limit = _share_out(jobs[:1], 1, HttpLimits(per_host=4))
    assert one_limit.per_host == 4 and alone == [jobs[0]]
