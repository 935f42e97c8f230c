"""The library's script commands, run through ``reader.cli.main`` against loopback servers."""

from __future__ import annotations

import gzip
import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from support.farm import Farm
from support.paths import FIXTURES

from reader.cli import main


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    with Farm(feeds=4, entries=5, hosts=2) as running:
        yield running


@pytest.fixture
def db(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()  # --db never makes its folder
    return tmp_path / "data" / "library.sqlite"


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_refresh_feeds_list_search(capsys: pytest.CaptureFixture[str], db: Path,
                                       farm: Farm) -> None:
    code, out, err = run(capsys, db, "add", "--folder", "Farm", *farm.urls[:2])
    assert code == 0, err
    assert out.splitlines() == ["added Farm feed 0 (5 articles)", "added Farm feed 1 (5 articles)"]
    assert (db.parent / "subscriptions.opml").exists()

    code, out, err = run(capsys, db, "add", *farm.urls[1:])
    assert code == 0
    # one already there is said to be, not "added" again
    assert out.splitlines() == ["already subscribed: Farm feed 1 (5 articles)",
                                "added Farm feed 2 (5 articles)", "added Farm feed 3 (5 articles)"]
    code, out, err = run(capsys, db, "refresh")
    assert code == 0
    assert err.strip().startswith("4 feeds, 0 new articles, 0 errors, ")
    assert out == ""

    code, out, _ = run(capsys, db, "feeds")
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("Farm feed 2  http://") and "5 unread" in lines[0]
    assert any(line.startswith("Farm/Farm feed 0  ") for line in lines)

    code, out, _ = run(capsys, db, "feeds", "--json")
    feeds = json.loads(out)
    assert {f["title"] for f in feeds} == {f"Farm feed {n}" for n in range(4)}
    assert all(f["unread"] == 5 and f["last_error"] is None and f["last_success"]
               for f in feeds)

    code, out, _ = run(capsys, db, "list", "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 3
    code, out, _ = run(capsys, db, "list", "--json", "--feed", farm.urls[1])
    items = json.loads(out)
    assert len(items) == 5
    first = items[0]
    assert set(first) >= {"source", "title", "author", "url", "published", "body", "id", "feed",
                          "read", "starred"}
    assert first["source"] == farm.urls[1] and first["feed"] == "Farm feed 1"
    assert first["published"].endswith("+00:00") and first["read"] is False
    dates = [i["published"] for i in items]
    assert dates == sorted(dates, reverse=True)

    code, out, _ = run(capsys, db, "search", "--json", first["title"].split()[-1])
    assert any(i["id"] == first["id"] for i in json.loads(out))
    for odd in ('"', "AND", "*", "NEAR(", '"unclosed'):
        code, out, err = run(capsys, db, "search", odd)
        assert code == 0 and err == ""


def test_list_filters(capsys: pytest.CaptureFixture[str], db: Path, farm: Farm) -> None:
    from reader.core.models import ArticleQuery
    from reader.library import Library

    run(capsys, db, "add", farm.urls[0])
    with Library.open(db) as lib:
        ids = lib.view(ArticleQuery())
        lib.mark_read(ids[:2])
        lib.star([ids[4]])
    code, out, _ = run(capsys, db, "list", "--unread")
    assert len(out.splitlines()) == 3
    code, out, _ = run(capsys, db, "list", "--starred", "--json")
    (starred,) = json.loads(out)
    assert starred["starred"] is True and starred["id"] == ids[4]
    code, out, err = run(capsys, db, "list", "--feed", "http://nowhere.example/")
    assert code == 1 and err.startswith("reader: no such feed")


def test_remove(capsys: pytest.CaptureFixture[str], db: Path, farm: Farm) -> None:
    run(capsys, db, "add", farm.urls[0])
    code, out, _ = run(capsys, db, "remove", farm.urls[0])
    assert code == 0 and out == "removed 1 subscription\n"
    code, out, err = run(capsys, db, "remove", farm.urls[0])
    assert code == 1 and err.startswith("reader: not subscribed: ")
    assert "Traceback" not in err
    code, out, _ = run(capsys, db, "feeds")
    assert out.startswith("no subscriptions yet")


def test_db_and_config_after_the_subcommand(capsys: pytest.CaptureFixture[str], db: Path,
                                            tmp_path: Path, farm: Farm) -> None:
    """`reader add URL --db x` once said "unrecognized arguments"; given before and after,
    the one before is not overwritten by the subcommand's absent option."""
    assert main(["add", farm.urls[0], "--db", str(db)]) == 0
    assert main(["feeds", "--db", str(db), "--config", str(tmp_path / "none.toml")]) == 0
    assert farm.urls[0] in capsys.readouterr().out
    assert main(["--db", str(db), "account", "list"]) == 0
    assert main(["account", "list", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "feeds"]) == 0
    assert farm.urls[0] in capsys.readouterr().out


def test_import_local_restores_the_folders_of_a_librarys_own_list(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, farm: Farm) -> None:
    """A library's subscriptions.opml moved to a new library: its web feeds came back, its
    local folders were dropped. They come back with --local (only then: a list from
    elsewhere never names this disk); one that is not on this machine is said."""
    from reader.core.paths import subscriptions_path

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "one.txt").write_text("A title\n\nA paragraph of the article body here.\n")
    gone = tmp_path / "gone"
    gone.mkdir()
    run(capsys, db, "add", "--folder", "Farm", farm.urls[0])
    run(capsys, db, "add", str(articles), str(gone))
    gone.rmdir()
    own = subscriptions_path(db)
    fresh = tmp_path / "fresh.sqlite"

    code, out, err = run(capsys, fresh, "import", str(own))
    assert code == 0 and out.startswith("imported 1 feed ")
    assert "a local path: reader import --local" in err
    code, out, err = run(capsys, fresh, "import", "--local", str(own))
    assert code == 0 and out.startswith("imported 1 feed (1 already subscribed)")
    assert err == f"reader: skipped {gone} (no such file or folder here)\n"
    code, out, _ = run(capsys, fresh, "feeds", "--json")
    listed = {feed["url"]: feed for feed in json.loads(out)}
    assert set(listed) == {farm.urls[0], str(articles)}
    assert listed[farm.urls[0]]["folder"] == "Farm"


def test_import_local_keeps_what_a_plain_import_keeps(capsys: pytest.CaptureFixture[str],
                                                     db: Path, tmp_path: Path) -> None:
    """--local read the list as the library's own file only: a web feed spelled `xmlurl`
    and the warnings of a plain import were dropped without a word."""
    folder = tmp_path / "articles"
    folder.mkdir()
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="Tech"><outline text="A" xmlurl="https://a.example/feed"/></outline>'
        '<outline text="C" xmlUrl="javascript:alert(1)"/>'
        f'<outline type="directory" text="arts" xmlUrl="{folder.as_uri()}"/>'
        '<outline text="F" xmlUrl="file://elsewhere.example/etc"/>'
        "</body></opml>", encoding="utf-8")
    code, out, err = run(capsys, db, "import", "--local", str(opml))
    assert code == 0 and out.startswith("imported 2 feeds ")
    assert "skipped javascript:alert(1) (not an http/https URL)" in err
    code, out, _ = run(capsys, db, "feeds", "--json")
    listed = {feed["url"]: feed for feed in json.loads(out)}
    assert set(listed) == {"https://a.example/feed", str(folder)}  # not another host's /etc
    assert listed["https://a.example/feed"]["folder"] == "Tech"


def test_refresh_says_a_reason_many_feeds_share_once(capsys: pytest.CaptureFixture[str],
                                                     db: Path, farm: Farm) -> None:
    # a full disk printed one line per feed (287 alike); so would a 404 on a moved site
    run(capsys, db, "add", farm.urls[0])
    urls = db.parent / "urls"
    missing = [f"{farm.base}/feed/{900 + n}.xml" for n in range(5)]
    urls.write_text("\n".join([*missing, f"{farm.base}/feed/999.xml"]) + "\n")
    run(capsys, db, "import", str(urls))
    code, out, err = run(capsys, db, "refresh")
    assert code == 1
    shown = sorted(m for m in err.splitlines() if "could not refresh" in m)
    assert len(shown) == 1 and shown[0].startswith("reader: could not refresh 6 feeds (")
    assert shown[0].endswith(" and 4 more): HTTP 404 Not Found")
    assert err.splitlines()[-1].startswith("7 feeds, 0 new articles, 6 errors, ")


def test_refresh_reports_failures_and_exits_1(capsys: pytest.CaptureFixture[str], db: Path,
                                              farm: Farm) -> None:
    run(capsys, db, "add", farm.urls[0])
    urls = db.parent / "urls"
    urls.write_text(f"{farm.base}/feed/999.xml\n")
    run(capsys, db, "import", str(urls))
    code, out, err = run(capsys, db, "refresh")
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"reader: could not refresh {farm.base}/feed/999.xml: HTTP 404 Not Found"
    assert lines[-1].startswith("2 feeds, 0 new articles, 1 error, ")
    code, out, _ = run(capsys, db, "feeds")
    assert "error: " in out


def test_add_web_page_finds_its_feed(capsys: pytest.CaptureFixture[str], db: Path,
                                     tmp_path: Path) -> None:
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "index.html").write_text(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
        "</head><body>hello</body></html>")
    (tmp_path / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Found feed</title>'
        "<item><title>One</title><guid>1</guid><description>x</description></item>"
        "</channel></rss>")

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        code, out, err = run(capsys, db, "add", base + "/index.html")
        assert code == 0, err
        assert out == "added Found feed (1 article)\n"
        code, out, _ = run(capsys, db, "feeds", "--json")
        assert json.loads(out)[0]["url"] == base + "/feed.xml"
    finally:
        server.shutdown()
        server.server_close()


def test_add_errors(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, db, "add", str(tmp_path / "missing"), "ftp://x/feed")
    assert code == 1
    assert err.splitlines() == [
        f"reader: could not add {tmp_path / 'missing'}: no such file or directory",
        "reader: could not add ftp://x/feed: not an http(s) URL",
    ]
    opml = tmp_path / "list.opml"
    opml.write_text('<opml version="2.0"><body><outline text="A" '
                    'xmlUrl="https://a.example/rss"/></body></opml>')
    code, out, err = run(capsys, db, "add", str(opml))
    assert code == 1
    # was "could not add PATH is an OPML list: use reader import"
    assert err.splitlines() == [
        f"reader: could not add {opml}: an OPML list of feeds: reader import {opml} adds them"]


def test_opml_import_export_round_trip(capsys: pytest.CaptureFixture[str], db: Path,
                                       tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="Top" xmlUrl="https://top.example/feed.xml"/>'
        '<outline text="News"><outline text="A &amp; B" xmlUrl="https://a.example/rss"/>'
        '<outline text="C" xmlUrl="https://c.example/atom"/></outline>'
        '<outline text="Tech"><outline text="D" xmlUrl="https://d.example/feed"/></outline>'
        '<outline text="Bad" xmlUrl="exec:rm -rf /"/>'
        "</body></opml>")
    code, out, err = run(capsys, db, "import", str(opml))
    assert code == 0
    assert out.startswith("imported 4 feeds (0 already subscribed)")
    assert "exec:" in err
    code, exported, _ = run(capsys, db, "export")
    first = _outlines(exported)
    assert first == {("https://top.example/feed.xml", None, "Top"),
                     ("https://a.example/rss", "News", "A & B"),
                     ("https://c.example/atom", "News", "C"),
                     ("https://d.example/feed", "Tech", "D")}
    again = tmp_path / "again.sqlite"
    (tmp_path / "out.opml").write_text(exported)
    code, out, _ = run(capsys, again, "import", str(tmp_path / "out.opml"))
    assert out.startswith("imported 4 feeds")
    code, exported_again, _ = run(capsys, again, "export")
    assert _outlines(exported_again) == first
    code, out, _ = run(capsys, db, "import", str(opml))
    assert out.startswith("imported 0 feeds (4 already subscribed)")


def test_a_name_xml_cannot_carry_never_spoils_the_lists_written(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    # U+FFFE and U+FFFF (a feed's "&#xFFFE;" gives one) are text to Python but no XML
    # character: written into the export and the subscriptions.opml kept beside the
    # library, they made both unreadable, and a damaged library was then rebuilt with none
    # of its subscriptions.
    urls = tmp_path / "urls"
    urls.write_text('https://a.example/feed "~Alpha\ufffe one" News\uffff\n'
                    'https://b.example/feed "~Beta"\n', encoding="utf-8")
    assert run(capsys, db, "import", str(urls))[0] == 0
    code, exported, _ = run(capsys, db, "export")
    assert _outlines(exported) == {("https://a.example/feed", "News", "Alpha one"),
                                   ("https://b.example/feed", None, "Beta")}
    kept = db.parent / "subscriptions.opml"
    assert "\ufffe" not in kept.read_text(encoding="utf-8")
    # as an earlier version wrote it: the rebuild reads it all the same
    kept.write_text(kept.read_text(encoding="utf-8").replace("Beta", "Be\uffffta"),
                    encoding="utf-8")
    db.write_bytes(b"not a database at all" * 100)
    for extra in ("-wal", "-shm"):
        db.with_name(db.name + extra).unlink(missing_ok=True)
    code, out, err = run(capsys, db, "feeds")
    assert "2 subscriptions" in err and "could not be read" not in err
    assert sorted(line.split("  ")[1] for line in out.splitlines()) == [
        "https://a.example/feed", "https://b.example/feed"]


def _outlines(text: str) -> set[tuple[str, str | None, str | None]]:
    root = ET.fromstring(text)
    assert root.get("version") == "2.0"
    found: set[tuple[str, str | None, str | None]] = set()
    body = root.find("body")
    assert body is not None
    for top in body:
        if top.get("xmlUrl"):
            found.add((top.get("xmlUrl") or "", None, top.get("text")))
        for child in top:
            found.add((child.get("xmlUrl") or "", top.get("text"), child.get("text")))
    return found


def test_newsboat_urls_import(capsys: pytest.CaptureFixture[str], db: Path,
                              tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    marker = tmp_path / "pwned"
    urls.write_text(
        "# my feeds\n"
        "https://a.example/feed.xml news \"~Alpha News\"\n"
        "https://b.example/rss tech linux\n"
        "https://c.example/atom\n"
        f'"exec:touch {marker}" scripts\n'
        f'"filter:touch {marker}:https://d.example/feed" news\n'
        '"query:Unread Articles:unread = \\"yes\\""\n'
        "https://a.example/feed.xml duplicate\n"
        "\n")
    code, out, err = run(capsys, db, "import", str(urls))
    assert code == 0
    assert out.startswith("imported 3 feeds")
    warnings = err.splitlines()
    assert len(warnings) == 3 and all("never run" in w for w in warnings)
    assert not marker.exists()
    code, out, _ = run(capsys, db, "feeds", "--json")
    feeds = {f["url"]: f for f in json.loads(out)}
    assert feeds["https://a.example/feed.xml"]["title"] == "Alpha News"
    assert feeds["https://a.example/feed.xml"]["folder"] == "news"
    assert feeds["https://b.example/rss"]["folder"] == "tech"
    assert feeds["https://c.example/atom"]["folder"] is None


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "cp1252"])
def test_a_list_written_by_a_windows_editor_is_read_whole(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, codec: str) -> None:
    # Notepad's UTF-8 begins with a BOM, its "Unicode" is UTF-16: the BOM made the first URL
    # "not an http(s) URL" (the message showing nothing wrong with it), UTF-16 skipped every
    # line, and a Latin-1 name came out as "Caf\ufffd"; a UTF-16 OPML was read as a urls file.
    urls = tmp_path / "urls"
    urls.write_bytes('https://a.example/feed.xml news "~Café"\r\nhttps://b.example/rss\r\n'
                     .encode(codec))
    opml = tmp_path / "list.opml"
    opml.write_bytes(f'<?xml version="1.0" encoding="{codec.removesuffix("-sig")}"?>\n'
                     '<opml version="2.0"><body><outline text="Déjà" '
                     'xmlUrl="https://c.example/atom"/></body></opml>\n'.encode(codec))
    for args in ([str(urls)], [str(opml)], ["--local", str(opml)]):
        code, out, err = run(capsys, db, "import", *args)
        assert (code, err) == (0, ""), args
    code, out, _ = run(capsys, db, "feeds", "--json")
    feeds = {f["url"]: f["title"] for f in json.loads(out)}
    assert feeds == {"https://a.example/feed.xml": "Café",
                     "https://b.example/rss": "https://b.example/rss",
                     "https://c.example/atom": "Déjà"}


def test_one_latin1_byte_does_not_decode_a_utf8_list_as_windows_1252(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    # One stray Latin-1 byte (a comment typed in another terminal) made the whole UTF-8
    # list windows-1252: every folder and name came out as mojibake ("ÐÐ¾Ð²Ð¾ÑÑ‚Ð¸") and a
    # non-ASCII address was subscribed to as another address, without a word.
    urls = tmp_path / "urls"
    urls.write_bytes('https://a.example/feed.xml "~Новости"\nhttps://пример.example/rss\n'
                     .encode() + b"# caf\xe9 \"~x\"\nhttps://b.example/rss \"~Caf\xe9\"\n")
    code, out, err = run(capsys, db, "import", str(urls))
    assert code == 0, err
    code, out, _ = run(capsys, db, "feeds", "--json")
    feeds = {f["url"]: f["title"] for f in json.loads(out)}
    assert feeds["https://a.example/feed.xml"] == "Новости"
    assert feeds["https://b.example/rss"] == "Café"
    assert any("пример" in url or "xn--" in url for url in feeds), feeds


def test_import_errors(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, _, err = run(capsys, db, "import", str(tmp_path / "missing.opml"))
    assert (code, err) == (1, f"reader: could not import {tmp_path / 'missing.opml'}: "
                              "no such file or directory\n")
    # read as any source is: a device, a FIFO, a folder or a binary file is one line, exit 1
    # (/dev/zero was read until memory ran out, a FIFO waited for ever, a binary file's
    # bytes were listed as skipped URLs and "imported 0 feeds")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    binary = tmp_path / "urls"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    for path, why in [("/dev/zero", "not a regular file (device)"),
                      (str(fifo), "not a regular file (named pipe)"),
                      (str(tmp_path), "is a directory"),
                      (str(binary), "not a subscription list")]:
        code, out, err = run(capsys, db, "import", path)
        assert code == 1 and out == "" and len(err.splitlines()) == 1, (path, err)
        assert err.startswith(f"reader: could not import {path}: {why}"), err
    # an OPML list's skipped entries are said once each, "skipped" once
    listed = tmp_path / "list.opml"
    listed.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                      '<outline text="Rel" xmlUrl="relative.rss"/>'
                      '<outline text="Ok" xmlUrl="https://example.org/feed.xml"/>'
                      "</body></opml>", encoding="utf-8")
    code, out, err = run(capsys, db, "import", str(listed))
    assert code == 0 and out.startswith("imported 1 feed ")
    assert err == "reader: skipped relative.rss (not an http/https URL)\n"
    gzipped = tmp_path / "list.opml.gz"
    gzipped.write_bytes(gzip.compress(listed.read_bytes()))
    code, out, err = run(capsys, db, "import", str(gzipped))  # opened as any source is
    assert code == 0 and out.startswith("imported 0 feeds (1 already subscribed)")
    hostile = FIXTURES / "hostile"
    if (hostile / "opml-xxe.opml").exists():
        code, _, err = run(capsys, db, "import", str(hostile / "opml-xxe.opml"))
        assert code == 1 and "Traceback" not in err


def test_corrupt_library_message_on_stderr(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    db.write_bytes((FIXTURES / "cache-not-sqlite.sqlite").read_bytes())
    code, out, err = run(capsys, db, "feeds")
    assert code == 0
    assert err.startswith("reader: library library.sqlite: database damaged (not a database "
                          "file), moved aside to library.sqlite.corrupt-")
    assert err.count("\n") == 1
    code, out, err = run(capsys, db, "feeds")
    assert err == ""


def test_refresh_with_nothing_subscribed(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, out, err = run(capsys, db, "refresh")
    assert code == 0 and "no subscriptions" in err


def test_storage_error_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = run(capsys, blocker / "library.sqlite", "feeds")
    assert code == 1 and err.startswith("reader: ") and len(err.splitlines()) == 1


def test_progress_bar_draws_and_clears() -> None:
    import io

    from reader.cli.commands import _ProgressBar
    from reader.core.models import FeedProgress

    stream = io.StringIO()
    bar = _ProgressBar(stream)
    bar(FeedProgress(feed_id=1, url="u", name="n", done=1, total=4))
    bar(FeedProgress(feed_id=2, url="u", name="n", done=4, total=4))
    bar.clear()
    text = stream.getvalue()
    assert text.startswith("\r\x1b[K[" + "#" * 7) and "1/4 feeds" in text
    assert "4/4 feeds" in text and text.endswith("\r\x1b[K")


@pytest.mark.parametrize("columns", [40, 20, 8])
def test_progress_bar_fits_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch,
                                             columns: int) -> None:
    # 30 cells of bar and the count did not fit 40 columns: the line wrapped and each redraw
    # ("\r") left a stale row behind, one per feed
    import io

    from reader.cli.commands import _ProgressBar
    from reader.core.models import FeedProgress

    stream = io.StringIO()
    bar = _ProgressBar(stream)
    monkeypatch.setattr(bar, "columns", lambda: columns)
    for done in range(1, 12):
        bar(FeedProgress(feed_id=done, url="u", name="n", done=done, total=11))
    drawn = stream.getvalue().split("\r\x1b[K")[1:]
    assert len(drawn) == 11 and all(0 < len(line) < columns for line in drawn)
    assert drawn[-1].endswith("11/11 feeds") or columns < 15


def test_sync_line_fits_a_narrow_terminal_in_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    # an account named in CJK takes two cells a character: cut by characters, the line
    # still wrapped a 40-column terminal and each redraw left a stale row behind
    import io

    from rich.cells import cell_len

    from reader.cli.commands import _SyncLine
    from reader.core.sync import SyncProgress

    stream = io.StringIO()
    line = _SyncLine(stream)
    monkeypatch.setattr(line, "columns", lambda: 40)
    for count in (100, 200, 300):
        line(SyncProgress(account="東京の家のフレッシュアールエスエスのサーバー", stage="articles",
                          articles=count))
    drawn = stream.getvalue().split("\r\x1b[K")[1:]
    assert len(drawn) == 3 and all(0 < cell_len(text) < 40 for text in drawn)
    assert drawn[0].startswith("syncing 東京")


def test_list_and_search_show_the_library_as_reader_does(
        capsys: pytest.CaptureFixture[str], db: Path, farm: Farm, tmp_path: Path) -> None:
    # a removed feed's unread articles stayed in reader list for good (retention drops
    # only read ones), as did a file opened once
    run(capsys, db, "add", farm.urls[0])
    run(capsys, db, "add", farm.urls[1])
    note = tmp_path / "note.txt"
    note.write_text("A note on the glockenspiel\n\n" + "The glockenspiel was quiet today. " * 20)
    from reader.library import Library

    with Library.open(db) as library:  # as "reader note.txt" does
        library.open_sources([str(note)])
    code, out, _ = run(capsys, db, "list", "--json")
    kept = json.loads(out)
    first_feed = [a for a in kept if a["source"] == farm.urls[0]]
    run(capsys, db, "mark", str(first_feed[0]["id"]), "--star")
    run(capsys, db, "remove", farm.urls[0])
    code, out, _ = run(capsys, db, "list", "--json")
    listed = json.loads(out)
    assert {a["source"] for a in listed} == {farm.urls[1]}
    code, out, _ = run(capsys, db, "list", "--starred", "--json")
    assert [a["id"] for a in json.loads(out)] == [first_feed[0]["id"]]  # starred: kept
    run(capsys, db, "remove", farm.urls[1])
    code, out, err = run(capsys, db, "list")
    assert (code, out) == (0, "")
    total = len(kept) + 1  # the note too
    assert err == (f"reader: none in your subscriptions; --all lists {total} of files opened "
                   "once and removed feeds\n")
    code, out, _ = run(capsys, db, "list", "--all", "--json")
    assert {a["source"] for a in json.loads(out)} == {farm.urls[0], farm.urls[1], str(note)}
    code, out, _ = run(capsys, db, "list", "--feed", farm.urls[0], "--json")
    assert len(json.loads(out)) == len(first_feed)  # named: listed
    code, out, _ = run(capsys, db, "search", "glockenspiel")
    assert out == ""
    code, out, _ = run(capsys, db, "search", "--all", "glockenspiel")
    assert "A note on the glockenspiel" in out


def test_list_output_is_sanitised(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    from reader.core.models import Article
    from reader.storage.sqlite import SqliteStorage

    storage, _ = SqliteStorage.open(db)
    with closing(storage):
        feed_id = storage.upsert_feed("http://evil.example/feed", title="Evil\x1b]0;x\x07",
                                      subscribed=True)
        storage.upsert_articles(feed_id, [Article(
            source="http://evil.example/feed", key="1", title="Clear\x1b[2J screen\nnow",
            body="x")])
    code, out, _ = run(capsys, db, "list")
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert len(out.splitlines()) == 1
    code, out, _ = run(capsys, db, "list", "--json")
    assert "\x1b" not in out  # JSON escapes it


def test_a_mistyped_command_is_named(capsys: pytest.CaptureFixture[str], db: Path,
                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # `reader refrsh` said only "refrsh: no such file or directory"
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, db, "refrsh")
    assert (code, out) == (1, "")
    assert err == "reader: refrsh: no such file or directory (did you mean reader refresh?)\n"
    code, out, err = run(capsys, db, "nonsense.txt")
    assert (code, err) == (1, "reader: nonsense.txt: no such file or directory\n")


def test_the_configs_display_names_hold_before_any_refresh(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # [feeds."URL"] display_name took effect only at the next refresh: `reader feeds` (and
    # the interface, with refresh.on_start off) showed the old name until then
    feed = tmp_path / "desk.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
                    "<item><title>One</title><guid>a</guid><description>x</description>"
                    "</item></channel></rss>", encoding="utf-8")
    code, _, err = run(capsys, db, "add", str(feed))
    assert code == 0, err
    config = tmp_path / "config.toml"
    config.write_text(f'[feeds."{feed}"]\ndisplay_name = "My desk"\n', encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    code, out, err = run(capsys, db, "feeds")
    assert (code, err) == (0, "") and out.startswith(f"My desk  {feed}  1 unread")


@pytest.mark.parametrize("command", ["add", "remove"])
def test_a_subscription_list_that_cannot_be_written_is_said(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, command: str) -> None:
    # the subscriptions.opml beside the library (what a damaged library is rebuilt from)
    # failing to be written (a full disk) was kept as a notice that no command printed:
    # the list went stale in silence
    article = tmp_path / "a.txt"
    article.write_text("A title\n\nA body of text long enough to be an article of its own.\n")
    if command == "remove":
        assert run(capsys, db, "add", str(article))[0] == 0
    (db.parent / "subscriptions.opml").unlink(missing_ok=True)
    (db.parent / "subscriptions.opml").mkdir()  # os.replace() onto it fails
    code, _, err = run(capsys, db, command, str(article))
    assert code == 0
    assert "could not write subscriptions.opml" in err, err


def test_import_local_spells_a_path_as_add_keeps_it(capsys: pytest.CaptureFixture[str],
                                                    db: Path, tmp_path: Path) -> None:
    # 'file:///…/sub/../a.txt' was kept as written: a second subscription of a file the
    # library had, listed empty beside it (reader add keeps the absolute path, '..' read)
    article = tmp_path / "a.txt"
    article.write_text("A title\n\nA body of text long enough to be an article of its own.\n")
    (tmp_path / "sub").mkdir()
    assert run(capsys, db, "add", str(article))[0] == 0
    opml = tmp_path / "list.opml"
    roundabout = f"{tmp_path.as_uri()}/sub/../a.txt"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>'
                    f'<outline type="file" text="a" xmlUrl="{roundabout}"/>'
                    "</body></opml>", encoding="utf-8")
    code, out, err = run(capsys, db, "import", "--local", str(opml))
    assert code == 0, err
    code, out, _ = run(capsys, db, "feeds", "--json")
    assert [feed["url"] for feed in json.loads(out)] == [str(article)]


def test_json_output_holds_no_control_a_terminal_would_run(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    # json escapes C0 controls, not DEL and C1 (U+009B is CSI): a library whose text holds
    # them (written by another version or tool) put them raw on the terminal with --json
    import sqlite3

    from reader.storage.sqlite import SEARCH_TEXT_SQL, _search_text

    article = tmp_path / "a.txt"
    article.write_text("A title\n\nA body of text long enough to be an article of its own.\n")
    assert run(capsys, db, "add", str(article))[0] == 0
    hostile = "\x9b2J\x9d0;pwned\x9c \x1b[31m \x7f kept"
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        conn.create_function(SEARCH_TEXT_SQL, 1, _search_text, deterministic=True)
        conn.execute("UPDATE articles SET title = ?, author = ?", (hostile, hostile))
        conn.execute("UPDATE feeds SET title = ?", (hostile,))
    for args in (["list", "--json"], ["feeds", "--json"], ["search", "--json", "kept"],
                 ["dump", "--format", "json", str(article)]):
        code, out, _ = run(capsys, db, *args)
        assert code == 0
        assert not any(0x7F <= ord(char) <= 0x9F or char == "\x1b" for char in out), args
        if args[0] != "dump":
            [item] = json.loads(out)
            assert item["title"] == hostile  # the same text, escaped


def test_import_dash_reads_the_list_from_standard_input(
        capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`reader export | reader import -` (or `curl … | reader import -`) said "could not
    import -: no such file or directory"; "-" is standard input, as for `reader -`."""
    import io
    import sys

    def stdin(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    stdin(b'<?xml version="1.0"?><opml version="2.0"><body>'
          b'<outline text="News"><outline text="A" xmlUrl="https://a.example/rss"/></outline>'
          b'<outline text="B" xmlUrl="https://b.example/feed"/></body></opml>')
    code, out, err = run(capsys, db, "import", "-")
    assert (code, err) == (0, "") and out.startswith("imported 2 feeds (0 already subscribed)")
    stdin(b"https://b.example/feed\nhttps://c.example/atom\n")  # a newsboat urls list
    code, out, _ = run(capsys, db, "import", "-")
    assert code == 0 and out.startswith("imported 1 feed (1 already subscribed)")
    _, exported, _ = run(capsys, db, "export")
    assert {url for url, _, _ in _outlines(exported)} == {
        "https://a.example/rss", "https://b.example/feed", "https://c.example/atom"}
    stdin(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, out, err = run(capsys, db, "import", "-")
    assert code == 1 and out == "" and err.startswith(
        "reader: could not import standard input: not a subscription list")


def test_search_takes_a_word_to_leave_out_without_a_double_dash(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """`reader search -harbour` said "the following arguments are required: words", and
    `reader search -- -harbour` searched for harbour: "-word" leaves the word out, and
    needs no "--"; the options still work before and after it."""
    from support.paths import SAMPLES

    assert run(capsys, db, "add", str(SAMPLES))[0] == 0

    def found(*args: str) -> set[int]:
        code, out, err = run(capsys, db, "search", "--json", *args)
        assert code == 0, err
        return {item["id"] for item in json.loads(out)}

    everything = {item["id"] for item in json.loads(run(capsys, db, "list", "--json")[1])}
    harbour = found("harbour")
    assert harbour and harbour < everything
    assert found("-harbour") == everything - harbour
    assert found("--", "-harbour") == everything - harbour
    assert found("-harbour", "--all") == everything - harbour
    code, out, _ = run(capsys, db, "search", "-harbour", "--js")  # an option, abbreviated
    assert code == 0 and len(json.loads(out)) == len(everything - harbour)
    code, out, _ = run(capsys, db, "search", "-harbour", "--db", str(db))
    assert code == 0 and len(out.splitlines()) == len(everything - harbour)
    assert found("bridge", "-harbour") == found("bridge") - harbour


def test_search_keeps_every_option_of_its_parser_an_option() -> None:
    # the options were a list of their own beside the parser's: one added to the command
    # would have been read as a word to leave out ("--limit" as "-limit")
    from reader.cli import _search_words_last, _subcommand_parser
    from reader.cli.parser import build_command_parser

    search = _subcommand_parser(build_command_parser(), "search")
    search.add_argument("--limit", type=int)
    assert _search_words_last(["search", "storm", "-flood", "--limit", "5"], search) == [
        "search", "storm", "--limit", "5", "--", "-flood"]
    assert _search_words_last(["search", "-flood", "--lim=5", "-h"], search) == [
        "search", "--lim=5", "-h", "--", "-flood"]
    for action in search._actions:
        for option in action.option_strings:
            value = [] if action.nargs == 0 else ["x"]
            assert _search_words_last(["search", option, *value, "-w"], search) == [
                "search", option, *value, "--", "-w"], option


@pytest.mark.parametrize("command", [["import", "-"], ["dump", "-"], ["add", "-"]])
def test_standard_input_closed_is_one_line(capsys: pytest.CaptureFixture[str], db: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           command: list[str]) -> None:
    # `reader import - <&-` (no standard input at all: Python's sys.stdin is None) ended
    # in an AttributeError's traceback
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    code, out, err = run(capsys, db, *command)
    assert code != 0 and err.count("\n") == 1 and "standard input" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [[], ["-"], ["account", "add", "ttrss",
                                              "http://127.0.0.1:9/", "--user", "me"]])
def test_no_standard_input_at_all_is_one_line(capsys: pytest.CaptureFixture[str], db: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              command: list[str]) -> None:
    # `reader <&-` died in Textual's traceback, and `reader account add ...` asked a
    # terminal that was not there for the password with another
    import sys

    monkeypatch.setattr(sys, "stdin", None)
    code, out, err = run(capsys, db, *command)
    assert code == 1 and err.count("\n") == 1, err
    assert "standard input is closed" in err or "no password" in err, err


def test_a_password_in_a_feed_address_is_never_shown(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, farm: Farm) -> None:
    # `reader feeds`, its JSON, the article list and error lines printed
    # 'http://me:s3cret@host/feed' as typed; the address is kept whole for fetching and
    # for the exported list, which is read back to subscribe again.
    fetched = farm.urls[0].replace("http://", "http://me:s3cret@")
    untitled = "https://TOKEN123@private.example/feed.xml"  # a token as the user name
    opml = tmp_path / "in.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                    f'<outline xmlUrl="{untitled}"/></body></opml>')
    assert run(capsys, db, "import", str(opml))[0] == 0
    code, out, err = run(capsys, db, "add", fetched)
    assert code == 0, err
    refused = "http://me:s3cret@127.0.0.1:9/feed.xml"  # nothing listens on port 9
    code, _, failed = run(capsys, db, "add", refused)
    assert code == 1 and "me:***@127.0.0.1:9" in failed
    shown = [out, failed]
    for command in (["feeds"], ["feeds", "--json"], ["list"], ["list", "--json"],
                    ["dump", fetched], ["dump", "--format", "json", fetched],
                    ["dump", "--format", "markdown", fetched]):
        code, out, err = run(capsys, db, *command)
        assert code == 0, (command, err)
        shown += [out, err]
    assert not [text for text in shown if "s3cret" in text or "TOKEN123" in text]
    code, out, _ = run(capsys, db, "feeds")
    assert "https://***@private.example/feed.xml  https://***@private.example/feed.xml" in out
    assert "http://me:***@127.0.0.1" in out
    code, exported, _ = run(capsys, db, "export")
    assert {url for url, _, _ in _outlines(exported)} == {fetched, untitled}
    feeds = json.loads(run(capsys, db, "feeds", "--json")[1])
    # a script names a feed by the address it was given, the password hidden
    assert run(capsys, db, "remove", *(f["url"] for f in feeds))[0] == 0
    assert "no subscriptions yet" in run(capsys, db, "feeds")[1]


@pytest.mark.parametrize("args", [["--db", "-", "list"], ["list", "--db=-"],
                                  ["list", "--config", "-"]])
def test_standard_input_is_no_library(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      args: list[str]) -> None:
    # `reader --db - list` made a library file named "-" in the current folder
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as usage:
        main(args)
    err = capsys.readouterr().err
    assert usage.value.code == 2 and len(err.splitlines()) == 1
    assert "got '-'" in err and "./- names a file called -" in err
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setenv("READER_DB", "-")
    assert main(["list"]) == 1
    assert capsys.readouterr().err.startswith("reader: READER_DB is '-': standard input")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.delenv("READER_DB")
    assert main(["--db", "./-", "list"]) == 0  # a file named "-" when asked for as one
    assert (tmp_path / "-").is_file()


@pytest.mark.skipif(not os.path.exists("/proc/self/mountinfo"), reason="no Linux /proc")
def test_the_systems_folders_are_refused_in_one_line(
        capsys: pytest.CaptureFixture[str], db: Path) -> None:
    # `reader add /proc` walked procfs for 20 s and subscribed to 6,667 "articles"
    code, out, err = run(capsys, db, "add", "/proc")
    assert code == 1 and out == ""
    assert err == ("reader: could not add /proc: the system's proc file system, "
                   "not a folder of articles\n")
    assert "no subscriptions yet" in run(capsys, db, "feeds")[1]
    code, out, err = run(capsys, db, "dump", "/proc/self")
    assert code == 1 and out == ""
    assert err.splitlines() == ["reader: could not load /proc/self: the system's proc file "
                                "system, not a folder of articles"]


def test_a_folder_past_the_walk_cap_is_read_in_part_with_one_warning(
        capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.sources import files

    monkeypatch.setattr(files, "MAX_WALK_FILES", 3)
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"Note {i}\n\nThe body of note number {i}.\n")
    code, out, err = run(capsys, db, "add", str(folder))
    assert code == 0, err
    assert out == "added notes (3 articles)\n"
    assert err == f"reader: {folder}: more than 3 files: only the first 3 were read\n"
