"""The SQLite storage: schema, upserts, views, search, corruption, several writers."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.paths import FIXTURES

from reader.core.errors import StorageError
from reader.core.models import Article, ArticleQuery, FeedKind, FetchState, Sort
from reader.storage.sqlite import (
    APPLICATION_ID,
    MIGRATIONS,
    SEARCH_TEXT_SQL,
    SqliteStorage,
    _date_key_sql,
    _search_text,
    _statements,
    _view_sql,
    fts_query,
)

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _connect(storage: SqliteStorage) -> sqlite3.Connection:
    """A connection of the test's own to the library file, in autocommit mode, with the
    function the search index's triggers call."""
    conn = sqlite3.connect(storage.path, isolation_level=None)
    conn.create_function(SEARCH_TEXT_SQL, 1, _search_text, deterministic=True)
    return conn


def article(key: str, *, title: str | None = None, body: str = "some body text",
            hours: int | None = 0) -> Article:
    published = None if hours is None else BASE + timedelta(hours=hours)
    return Article(source="http://example.org/feed.xml", key=key, title=title or f"Title {key}",
                   body=body, published=published, url=f"http://example.org/{key}")


@pytest.fixture
def storage(tmp_path: Path) -> SqliteStorage:
    store, salvage = SqliteStorage.open(tmp_path / "lib.sqlite")
    assert salvage is None
    yield store
    store.close()


def test_schema_pragmas(storage: SqliteStorage) -> None:
    conn = sqlite3.connect(storage.path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    # foreign keys are on: removing a feed removes its articles
    feed_id = storage.upsert_feed("http://fk/feed")
    storage.upsert_articles(feed_id, [Article(source="s", key="k", title="t")])
    storage.remove_feed(feed_id)
    assert storage.article_count() == 0


def test_feed_crud(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed", title="A", subscribed=True, folder="News")
    assert storage.upsert_feed("http://a/feed", title="A2") == feed_id
    info = storage.feed_by_url("http://a/feed")
    assert info is not None
    assert (info.title, info.folder, info.subscribed, info.kind) == ("A2", "News", True,
                                                                     FeedKind.FEED)
    storage.record_fetch(feed_id, state=FetchState(etag='"x"', last_modified="lm"), error=None,
                         when=BASE)
    storage.record_fetch(feed_id, state=None, error="timed out", when=BASE)
    state = storage.fetch_state(feed_id)
    assert (state.etag, state.last_modified) == ('"x"', "lm")  # a failure keeps validators
    info = storage.feed(feed_id)
    assert info is not None and info.last_error == "timed out" and info.last_success == BASE
    storage.remove_feed(feed_id)
    assert storage.feeds() == []


def test_upsert_identity_and_update_in_place(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    assert storage.upsert_articles(feed_id, [article("1"), article("2")]) == 2
    ids = storage.article_ids(ArticleQuery())
    storage.set_read([ids[0]], True)
    storage.set_starred([ids[0]], True)
    assert storage.upsert_articles(feed_id, [article("1", title="New title"), article("2")]) == 0
    assert list(storage.article_ids(ArticleQuery())) == list(ids)
    stored = storage.get(ids[0])
    assert stored is not None
    assert stored.read and stored.starred  # state survives the update
    assert {r.title for r in storage.rows(ids)} == {"New title", "Title 2"}


def test_duplicate_keys_in_one_batch_last_wins(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    new = storage.upsert_articles(feed_id, [article("dup", title="first"),
                                            article("dup", title="second")])
    assert new == 1
    (only,) = storage.rows(storage.article_ids(ArticleQuery()))
    assert only.title == "second"
    # the same again is deterministic and does not duplicate
    storage.upsert_articles(feed_id, [article("dup", title="first"),
                                      article("dup", title="second")])
    assert len(storage.article_ids(ArticleQuery())) == 1


def test_same_key_in_two_feeds_is_two_articles(storage: SqliteStorage) -> None:
    a = storage.upsert_feed("http://a/feed")
    b = storage.upsert_feed("http://b/feed")
    storage.upsert_many([(a, [article("1")]), (b, [article("1")])])
    assert len(storage.article_ids(ArticleQuery())) == 2


def test_feeds_sort_by_names_with_digits_int_refuses(storage: SqliteStorage) -> None:
    # The natural sort read each run of \\d as a number, then asked str.isdigit(), which is
    # also true of "²": a feed named "Area 51²" made every list of feeds (reader feeds,
    # export, the subscriptions.opml written after each change) end in a ValueError.
    for url, title in (("http://a/f", "Area 51\u00b2"), ("http://b/f", "Area 9"),
                       ("http://c/f", "Area \u0663\u0660"), ("http://d/f", "x10\u2076")):
        storage.upsert_feed(url, title=title, subscribed=True, folder="Top \u2460")
    names = [feed.name for feed in storage.feeds(subscribed_only=True)]
    assert names == ["Area 9", "Area \u0663\u0660", "Area 51\u00b2", "x10\u2076"]


def test_views_order_and_filters(storage: SqliteStorage) -> None:
    a = storage.upsert_feed("http://a/feed", title="Alpha", subscribed=True)
    b = storage.upsert_feed("/tmp/some/file.txt", title="Beta", kind=FeedKind.FILE)
    storage.upsert_articles(a, [article("old", hours=1), article("new", hours=5),
                                article("undated", hours=None)])
    storage.upsert_articles(b, [article("mid", hours=3)])
    ids = storage.article_ids(ArticleQuery())
    titles = [r.title for r in storage.rows(ids)]
    assert titles == ["Title undated", "Title new", "Title mid", "Title old"]
    assert [r.title for r in storage.rows(storage.article_ids(
        ArticleQuery(subscribed_only=True)))] == ["Title undated", "Title new", "Title old"]
    assert len(storage.article_ids(ArticleQuery(feed_ids=(b,)))) == 1
    assert len(storage.article_ids(ArticleQuery(feed_ids=(a, b)))) == 4
    assert len(storage.article_ids(ArticleQuery(feed_ids=()))) == 0
    storage.set_read(ids[:2], True)
    storage.set_starred(ids[3:], True)
    assert list(storage.article_ids(ArticleQuery(unread_only=True))) == list(ids[2:])
    assert list(storage.article_ids(ArticleQuery(starred_only=True))) == list(ids[3:])
    assert storage.read_states(ids) == {ids[0]: True, ids[1]: True, ids[2]: False,
                                        ids[3]: False}
    since = ArticleQuery(since=BASE + timedelta(hours=2), until=BASE + timedelta(hours=4))
    assert [r.title for r in storage.rows(storage.article_ids(since))] == ["Title mid"]
    by_title = storage.rows(storage.article_ids(ArticleQuery(sort=Sort.TITLE)))
    assert [r.title for r in by_title] == sorted(r.title or "" for r in by_title)
    by_feed = storage.rows(storage.article_ids(ArticleQuery(sort=Sort.FEED)))
    assert [r.feed_name for r in by_feed] == ["Alpha"] * 3 + ["Beta"]
    assert len(storage.article_ids(ArticleQuery(limit=2))) == 2


def test_rows_keep_the_order_asked_for(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [article(str(n), hours=n) for n in range(5)])
    ids = list(storage.article_ids(ArticleQuery()))
    wanted = [ids[3], ids[0], 999999, ids[2]]
    assert [r.id for r in storage.rows(wanted)] == [ids[3], ids[0], ids[2]]


@pytest.mark.parametrize("text", ['"', "AND", "*", "NEAR(", "OR OR", "-x", "a:b", "''",
                                  '"unclosed phrase', "col:umn", "(", ")", "^", "NOT", "+",
                                  # a NUL (pasted) cut FTS5's query: "unterminated string"
                                  "\x00x", 'a"\x00b', "x\x00", "\x01\x7f\x9bcolumn"])
def test_search_never_a_syntax_error(storage: SqliteStorage, text: str) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [article("1", body="AND NEAR the x a b column")])
    storage.article_ids(ArticleQuery(text=text))
    storage.article_ids(ArticleQuery(text=text, prefix=True, sort=Sort.RANK))


def test_search_words_and_phrases(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [
        article("1", title="City council", body="the city council met on the river"),
        article("2", title="Rivers", body="council of the city, river trips"),
        article("3", title="Other", body="nothing here"),
    ])

    def titles(text: str, **kw: object) -> set[str | None]:
        return {r.title for r in storage.rows(storage.article_ids(ArticleQuery(text=text, **kw)))}

    assert titles("council river") == {"City council", "Rivers"}
    assert titles('"city council"') == {"City council"}
    assert titles("nothing AND here") == set()  # AND is a word to look for, not an operator
    assert titles("counc", prefix=True) == {"City council", "Rivers"}
    assert titles("counc") == set()
    assert titles("Café") == set()
    assert titles("  ") == set()
    # a control character (a NUL pasted into the search) stands between words
    assert titles("city\x00council") == {"City council", "Rivers"}
    assert titles('"city\x00council"') == {"City council"}
    # edits are searchable: the triggers keep the index in step
    storage.upsert_articles(feed_id, [article("3", title="Other", body="a café by the river")])
    assert titles("cafe") == {"Other"}
    assert len(storage.article_ids(ArticleQuery(text="river", sort=Sort.RANK))) == 3


def test_a_word_written_with_a_minus_is_left_out_of_a_search(storage: SqliteStorage) -> None:
    """"storm -flood" found the articles holding storm and flood alike (the "-" was dropped,
    its word searched for): it leaves out those that hold flood, as a search engine does;
    "-flood" alone lists every article but those."""
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [
        article("1", title="Storm and flood", body="the storm brought a flood", hours=1),
        article("2", title="Storm only", body="a storm at sea", hours=2),
        article("3", title="Flood only", body="the river flood", hours=3),
        article("4", title="Calm", body="an e-mail about rain", hours=4),
    ])

    def titles(text: str, **kw: object) -> set[str | None]:
        return {r.title for r in storage.rows(storage.article_ids(ArticleQuery(text=text, **kw)))}

    for kw in ({}, {"limit": 10}, {"sort": Sort.RANK}, {"sort": Sort.TITLE}):
        assert titles("storm -flood", **kw) == {"Storm only"}, kw
        assert titles("-flood", **kw) == {"Storm only", "Calm"}, kw
        assert titles("-flood -storm", **kw) == {"Calm"}, kw
    assert titles("storm -flood -sea") == set()
    assert titles("stor -flood", prefix=True) == {"Storm only"}
    assert titles("e-mail") == {"Calm"}  # a "-" inside a word is text
    assert titles('"-flood"') == {"Storm and flood", "Flood only"}  # and inside a phrase
    assert titles("- --") == set()  # nothing to find or leave out
    assert fts_query("storm -flood -rain") == '"storm" NOT ("flood" OR "rain")'
    assert fts_query("-flood") is None


def test_a_phrase_written_with_a_minus_is_left_out_of_a_search(storage: SqliteStorage) -> None:
    """'storm -"storm surge"' found nothing: the phrase was split at its space, its first
    word ('"storm') left out and its second ('surge"') searched for; the phrase is left out
    whole, as a search engine does."""
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [
        article("1", title="Storm surge", body="the storm surge came", hours=1),
        article("2", title="Storm at sea", body="a storm at sea, then a surge", hours=2),
        article("3", title="Calm", body="no wind", hours=3),
    ])

    def titles(text: str, **kw: object) -> set[str | None]:
        return {r.title for r in storage.rows(storage.article_ids(ArticleQuery(text=text, **kw)))}

    for kw in ({}, {"limit": 10}, {"sort": Sort.RANK}):
        assert titles('storm -"storm surge"', **kw) == {"Storm at sea"}, kw
        assert titles('-"storm surge"', **kw) == {"Storm at sea", "Calm"}, kw
        assert titles('storm -"storm surge', **kw) == {"Storm at sea"}, kw  # still typing
    assert fts_query('storm -"storm surge"') == '"storm" NOT ("storm surge")'


def test_search_finds_a_word_inside_a_run_of_an_unspaced_script(
        storage: SqliteStorage) -> None:
    # FTS5 reads a run of Chinese, Japanese, Thai or Korean syllables as one word: "東京"
    # found nothing in "東京都の天気", nor "서울" in "서울에서"
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [
        article("ja", title="天気予報", body="東京都の天気は晴れ。iPhone用のアプリ"),
        article("ko", title="뉴스", body="서울에서 비가 온다"),
        article("th", title="ข่าว", body="ภาษาไทยเป็นภาษาราชการ"),
        article("en", title="Weather", body="Tokyo weather is fine"),
    ])

    def titles(text: str, **kw: object) -> set[str | None]:
        return {r.title for r in storage.rows(storage.article_ids(ArticleQuery(text=text, **kw)))}

    assert titles("東京") == {"天気予報"}
    assert titles("天気", prefix=True) == {"天気予報"}  # the title, and inside the body
    assert titles("京都の") == {"天気予報"}
    assert titles("東都") == set()  # a phrase: the characters side by side
    assert titles("用") == {"天気予報"}
    assert titles("iPhone") == {"天気予報"}
    assert titles("서울") == {"뉴스"}
    assert titles("ภาษา") == {"ข่าว"}
    assert titles("Tokyo weather") == {"Weather"}
    # an edit and a delete find the text to take out of the index as it was put in
    storage.upsert_articles(feed_id, [article("ja", title="天気予報", body="大阪の天気")])
    assert titles("東京") == set() and titles("大阪") == {"天気予報"}
    _fts_intact(storage)


def test_fts_query_quotes_every_token() -> None:
    assert fts_query('a "b c" NEAR(') == '"a" "b c" "NEAR("'
    assert fts_query('say "x""y') == '"say" "x" "y"'
    assert fts_query("***") is None
    assert fts_query("clim", prefix=True) == '"clim"*'
    assert fts_query("cli", prefix=True) == '"cli"*'
    # shorter words typed so far are whole words: "c*" matches most of a library, slowly
    assert fts_query("c", prefix=True) == '"c"'
    assert fts_query("cl", prefix=True) == '"cl"'
    assert fts_query("climate cl", prefix=True) == '"climate" "cl"'
    assert fts_query('"whole phrase"', prefix=True) == '"whole phrase"'


def test_many_rows_id_query(storage: SqliteStorage) -> None:
    """100k articles: the id query, a search and the visible rows (correctness, not timing)."""
    feed_ids = [storage.upsert_feed(f"http://f/{n}", subscribed=True) for n in range(100)]
    conn = _connect(storage)
    conn.execute("BEGIN")
    # a bulk load written straight to the table, indexed once at the end
    conn.executemany(
        "INSERT INTO articles (feed_id, key, source, title, body, sort_ts, first_seen) "
        "VALUES (?, ?, '', ?, ?, ?, 0)",
        ((feed_ids[n % 100], f"k{n}", f"title {n}", "needle" if n % 1000 == 0 else "hay",
          float(n)) for n in range(100_000)))
    storage._index_new(conn, 0)
    conn.execute("COMMIT")
    ids = storage.article_ids(ArticleQuery())
    assert len(ids) == 100_000
    # sort_ts grows with the id: newest first is the ids downwards, every one of them (the
    # ids come back as one JSON array aggregated over the ordered query)
    assert list(ids) == sorted(ids, reverse=True)
    assert len(storage.article_ids(ArticleQuery(feed_ids=(feed_ids[7],)))) == 1000
    assert len(storage.article_ids(ArticleQuery(text="needle"))) == 100
    assert len(storage.rows(ids[50_000:50_060])) == 60


def test_prune_keeps_starred_unread_and_tombstones(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [article("old-read"), article("old-starred"),
                                      article("old-unread"), article("new-read", hours=24 * 400)])
    rows = {r.title: r.id for r in storage.rows(storage.article_ids(ArticleQuery()))}
    storage.set_read([rows["Title old-read"], rows["Title old-starred"],
                      rows["Title new-read"]], True)
    storage.set_starred([rows["Title old-starred"]], True)
    assert storage.prune(older_than=BASE + timedelta(days=30)) == 1
    left = {r.title for r in storage.rows(storage.article_ids(ArticleQuery()))}
    assert left == {"Title old-starred", "Title old-unread", "Title new-read"}
    # the feed still lists it: it must not come back as a new unread article
    assert storage.upsert_articles(feed_id, [article("old-read")]) == 0
    assert len(storage.article_ids(ArticleQuery())) == 3


def test_full_body_position_and_undated_keep_their_place(storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [article("x", hours=None)])
    (article_id,) = storage.article_ids(ArticleQuery())
    storage.set_full_body(article_id, "the whole text")
    storage.set_read_position(article_id, 2.5)
    storage.upsert_articles(feed_id, [article("x", hours=None, body="changed summary")])
    stored = storage.get(article_id)
    assert stored is not None
    assert stored.full_body == "the whole text" and stored.read_position == 1.0
    assert stored.article.body == "changed summary"


def test_file_stamps(storage: SqliteStorage) -> None:
    from reader.core.models import FileStamp

    feed_id = storage.upsert_feed("/tmp/dir", kind=FeedKind.DIRECTORY)
    storage.record_files(feed_id, [("/tmp/dir/a", FileStamp(1, 2))])
    assert storage.file_stamps(feed_id) == {"/tmp/dir/a": FileStamp(1, 2)}
    storage.record_files(feed_id, [], forget=["/tmp/dir/a"])
    assert storage.file_stamps(feed_id) == {}


def test_other_applications_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (a)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not a reader library"):
        SqliteStorage.open(path)
    assert path.exists()


@pytest.mark.parametrize("version", [0, 3])
def test_other_applications_database_is_left_as_it_was(tmp_path: Path, version: int) -> None:
    # refused, but only after it had been switched to WAL journaling (a change kept in the
    # file, which its own application may not read); with a user_version of its own it
    # was taken for an old library: "no such table: articles"
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places (url) VALUES ('http://example.org/')")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="not a reader library"):
        SqliteStorage.open(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]


@pytest.mark.parametrize("name", ["cache-corrupt.sqlite", "cache-not-sqlite.sqlite"])
def test_corrupt_database_is_moved_aside(tmp_path: Path, name: str) -> None:
    path = tmp_path / "lib.sqlite"
    shutil.copy(FIXTURES / name, path)
    original = path.read_bytes()
    store, salvage = SqliteStorage.open(path)
    try:
        assert salvage is not None
        assert salvage.moved_to.name.startswith("lib.sqlite.corrupt-")
        assert salvage.moved_to.read_bytes() == original  # never deleted
        assert store.quick_check() == "ok"
        assert store.feeds() == []
    finally:
        store.close()


def test_salvage_reads_state_from_a_damaged_library(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    store, _ = SqliteStorage.open(path)
    feed_id = store.upsert_feed("http://a/feed", subscribed=True)
    store.upsert_articles(feed_id, [article("1"), article("2")])
    first = store.article_ids(ArticleQuery())[-1]
    store.set_read([first], True)
    store.close()
    # break a page the salvage does not need: the FTS index's data
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 3: page * 4] = b"\xff" * page
    path.write_bytes(bytes(data))
    store, salvage = SqliteStorage.open(path)
    try:
        assert salvage is not None
        # whatever was readable came back; the next refresh applies it
        store_feed = store.upsert_feed("http://a/feed", subscribed=True)
        store.upsert_articles(store_feed, [article("1"), article("2")])
        read = [r.title for r in store.rows(store.article_ids(ArticleQuery())) if r.read]
        assert read in ([], ["Title 1"])
        if salvage.states:
            assert read == ["Title 1"]
    finally:
        store.close()


def _writer(path: str, worker: int, count: int) -> None:
    store, _ = SqliteStorage.open(Path(path))
    feed_id = store.upsert_feed(f"http://w/{worker}")
    for n in range(count):
        store.upsert_articles(feed_id, [article(f"{worker}-{n}")])
        store.upsert_feed("http://shared/feed", title=f"{worker}-{n}")
    store.close()


def test_two_processes_writing_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    SqliteStorage.open(path)[0].close()
    context = multiprocessing.get_context("fork")  # a fresh SqliteStorage in each
    workers = [context.Process(target=_writer, args=(str(path), w, 150)) for w in range(3)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    store, _ = SqliteStorage.open(path)
    try:
        assert store.article_count() == 450
        assert store.quick_check() == "ok"
    finally:
        store.close()


def test_threads_share_one_storage(storage: SqliteStorage) -> None:
    import threading

    feed_id = storage.upsert_feed("http://a/feed")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for m in range(30):
                storage.upsert_articles(feed_id, [article(f"{n}-{m}")])
                storage.article_ids(ArticleQuery())
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert storage.article_count() == 120


def test_search_terms_for_highlighting() -> None:
    from reader.core.words import search_terms

    assert search_terms('city "river bank" *  NEAR(') == ["city", "river bank", "NEAR("]


def test_big_library_is_fully_checked_daily_or_when_suspect(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.storage.sqlite as module

    monkeypatch.setattr(module, "FULL_CHECK_MAX_BYTES", 0)  # every library counts as big
    path = tmp_path / "lib.sqlite"
    calls: list[str] = []
    real_check = module._check

    def spy(conn: sqlite3.Connection, where: Path) -> bool:
        full = real_check(conn, where)
        calls.append("full" if full else "probe")
        return full

    monkeypatch.setattr(module, "_check", spy)
    for _ in range(2):
        SqliteStorage.open(path)[0].close()
    assert calls == ["full", "probe"]
    store, _ = SqliteStorage.open(path)
    store.suspect()  # what a "malformed" error during a read does
    store.close()
    assert path.with_name("lib.sqlite-check").exists()
    SqliteStorage.open(path)[0].close()
    assert calls[-1] == "full" and not path.with_name("lib.sqlite-check").exists()


def _fts_intact(storage: SqliteStorage) -> None:
    """The search index holds exactly the articles' text under their date keys."""
    conn = _connect(storage)
    # raises "database disk image is malformed" when the index is damaged
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    # the index is contentless, so that check cannot compare it with the rows: an index
    # built afresh from them can
    conn.execute("CREATE VIRTUAL TABLE temp.fresh USING fts5 (title, body, content='', "
                 "tokenize='unicode61 remove_diacritics 2')")
    try:
        conn.execute("INSERT INTO temp.fresh (rowid, title, body) "
                     f"SELECT {_date_key_sql('articles')}, {SEARCH_TEXT_SQL}(title), "
                     f"{SEARCH_TEXT_SQL}(body) FROM articles")
        conn.execute("CREATE VIRTUAL TABLE temp.kept USING fts5vocab(main, articles_fts, "
                     "instance)")
        conn.execute("CREATE VIRTUAL TABLE temp.built USING fts5vocab(temp, fresh, instance)")
        kept = conn.execute("SELECT * FROM temp.kept ORDER BY 1, 2, 3, 4").fetchall()
        built = conn.execute("SELECT * FROM temp.built ORDER BY 1, 2, 3, 4").fetchall()
    finally:
        for table in ("kept", "built", "fresh"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    assert kept == built


def test_search_index_follows_inserts_updates_and_duplicates(storage: SqliteStorage) -> None:
    from reader.core.models import FetchOutcome

    one = storage.upsert_feed("http://a/feed")
    two = storage.upsert_feed("http://b/feed")
    # a feed listing a key twice: one row, the last version, indexed once
    storage.upsert_articles(one, [article("k", body="first draft"), article("x"),
                                  article("k", body="final words")])
    _fts_intact(storage)
    assert len(storage.article_ids(ArticleQuery(text="draft"))) == 0
    assert len(storage.article_ids(ArticleQuery(text="final"))) == 1
    # a refresh batch naming a feed twice, the second time changing what the first inserted
    counts = storage.store_refresh([
        FetchOutcome(feed_id=two, articles=(article("n", body="harbour news"),)),
        FetchOutcome(feed_id=one, articles=(article("k", body="edited again"),)),
        FetchOutcome(feed_id=two, articles=(article("n", body="railway news"),)),
    ], when=BASE)
    _fts_intact(storage)
    assert counts == {two: 1, one: 0}
    assert len(storage.article_ids(ArticleQuery(text="harbour"))) == 0
    assert len(storage.article_ids(ArticleQuery(text="railway"))) == 1
    assert len(storage.article_ids(ArticleQuery(text="edited"))) == 1
    assert len(storage.article_ids(ArticleQuery(text="final"))) == 0
    # a new date moves the article in the index's date order; a deletion takes it out
    storage.upsert_articles(one, [article("k", body="edited again", hours=500)])
    _fts_intact(storage)
    assert list(storage.article_ids(ArticleQuery(text="edited", limit=5))) == list(
        storage.article_ids(ArticleQuery(text="edited")))
    storage.remove_feed(two)
    _fts_intact(storage)
    assert len(storage.article_ids(ArticleQuery(text="railway"))) == 0


def _dated_library(storage: SqliteStorage) -> tuple[int, int]:
    """Three feeds of articles for the search-order tests: many share a second (a feed's
    whole batch), some are dated to the microsecond, undated ones keep their feed's order,
    one feed is unsubscribed, half are read."""
    feeds = [storage.upsert_feed(f"http://f/{n}", subscribed=n != 2) for n in range(3)]
    for n, feed_id in enumerate(feeds):
        batch = []
        for i in range(120):
            item = article(f"k{i}", body=("harbour " if i % 3 else "bridge ") + f"w{i % 7}",
                           hours=None if i % 5 == 0 else (i // 4) - n)
            if item.published is not None and i % 7 == 3:
                item = replace(item, published=item.published + timedelta(microseconds=i))
            batch.append(item)
        storage.upsert_articles(feed_id, batch)
    ids = storage.article_ids(ArticleQuery())
    storage.set_read(ids[::2], True)
    return feeds[0], feeds[2]


def _usual_order(storage: SqliteStorage, query: ArticleQuery) -> list[int]:
    """The view as the date index lists it (ORDER BY sort_ts DESC, id DESC), row by row."""
    conn = _connect(storage)
    hidden = [r[0] for r in conn.execute("SELECT id FROM feeds WHERE subscribed = 0")] \
        if query.subscribed_only else []
    sql, params = _view_sql(query, hidden)
    return [r[0] for r in conn.execute(sql, params)] if sql else []


@pytest.mark.parametrize("filters", [
    {}, {"unread_only": True}, {"subscribed_only": True},
    {"since": BASE + timedelta(hours=3), "until": BASE + timedelta(hours=20)},
    {"since": BASE + timedelta(hours=3, microseconds=1), "until": BASE + timedelta(hours=9)},
    {"since": BASE + timedelta(hours=3, minutes=30), "unread_only": True},
])
@pytest.mark.parametrize("text", ["harbour", "harb", "w3", "bridge w4", "nothing"])
def test_a_search_by_date_is_listed_in_the_index_order_exactly(
        storage: SqliteStorage, filters: dict[str, object], text: str) -> None:
    _dated_library(storage)
    query = ArticleQuery(text=text, prefix=True, **filters)  # type: ignore[arg-type]
    whole = list(storage.article_ids(query))
    assert bool(whole) == (text != "nothing")
    assert whole == _usual_order(storage, query)
    for limit in (1, 7, 40, 1000):
        assert list(storage.article_ids(replace(query, limit=limit))) == whole[:limit]


def test_dates_are_whole_seconds_and_undated_entries_keep_their_feed_order(
        storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [
        article("a", hours=None), article("b", hours=None), article("c", hours=None),
        replace(article("d"), published=BASE + timedelta(microseconds=999_999))])
    ids = storage.article_ids(ArticleQuery())
    assert [r.title for r in storage.rows(ids)] == ["Title a", "Title b", "Title c", "Title d"]
    stamps = [r[0] for r in _connect(storage).execute("SELECT sort_ts FROM articles")]
    assert all(stamp == int(stamp) for stamp in stamps)


def test_a_search_page_read_in_date_order_gives_way_when_filters_keep_few(
        storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.storage.sqlite

    _dated_library(storage)
    query = ArticleQuery(text="harbour", unread_only=True, limit=20)
    expected = list(storage.article_ids(query))
    storage.set_read(storage.article_ids(ArticleQuery()), True)
    storage.set_read(expected[-2:], False)  # two unread matches, far down the index
    walked: list[object] = []
    original = SqliteStorage._matches_by_date_key

    def spy(self: SqliteStorage, *args: object) -> object:
        result = original(self, *args)  # type: ignore[arg-type]
        walked.append(result)
        return result

    monkeypatch.setattr(SqliteStorage, "_matches_by_date_key", spy)
    monkeypatch.setattr(reader.storage.sqlite, "_KEY_CHECK_STEPS", 50)
    monkeypatch.setattr(reader.storage.sqlite, "_KEY_BUDGET", 2)
    assert list(storage.article_ids(query)) == expected[-2:]
    assert walked == [None]  # the walk stopped and the usual query answered


def test_a_cancelled_view_query_stops_and_returns_nothing(
        storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.storage.sqlite

    monkeypatch.setattr(reader.storage.sqlite, "_CANCEL_CHECK_STEPS", 100)
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [article(f"k{n}", body="harbour") for n in range(3000)])
    polls: list[int] = []

    def cancelled() -> bool:
        polls.append(1)
        return len(polls) > 1  # the second look finds the search replaced

    assert len(storage.article_ids(ArticleQuery(text="harbour"), cancelled=cancelled)) == 0
    assert len(polls) >= 2
    # the connection is usable afterwards, with no handler left behind
    assert len(storage.article_ids(ArticleQuery(text="harbour"))) == 3000
    assert len(storage.article_ids(ArticleQuery(text="harbour"),
                                   cancelled=lambda: False)) == 3000


def test_a_schema_4_library_gets_its_search_index_keyed_by_date(tmp_path: Path) -> None:
    path = tmp_path / "v4.sqlite"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("INSERT INTO feeds (url, subscribed, added) VALUES ('http://a/feed', 1, '')")
    conn.executemany(
        "INSERT INTO articles (feed_id, key, source, title, body, published, sort_ts, "
        "first_seen) VALUES (1, ?, '', ?, ?, ?, ?, ?)",
        [(f"k{n}", f"Title {n}", "harbour" if n % 2 else "bridge", "(dated)",
          1_700_000_000 + n % 10 + (0.25 if n == 7 else 0), 1_700_000_000)
         for n in range(50)]
        # undated entries of one fetch, then a millisecond apart in their feed's order from
        # the time of the fetch; this one crosses a second
        + [(f"u{n}", f"Undated {n}", "harbour", None, 1_700_000_101.0025 - n * 0.001,
            1_700_000_101.0025) for n in range(10)])
    # schema 4 indexed rows under their ids, in bulk (its _index_new)
    conn.execute("INSERT INTO articles_fts (rowid, title, body) "
                 "SELECT id, title, body FROM articles")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()
    storage, salvage = SqliteStorage.open(path)
    try:
        assert salvage is None
        _fts_intact(storage)
        # schema 6: whole seconds, the undated ones a second apart in the same order
        undated = [r.title for r in storage.rows(storage.article_ids(ArticleQuery()))][:10]
        assert undated == [f"Undated {n}" for n in range(10)]
        assert all(r[0] == int(r[0]) for r in _connect(storage).execute(
            "SELECT sort_ts FROM articles"))
        whole = list(storage.article_ids(ArticleQuery(text="harbour")))
        assert len(whole) == 35 and whole == _usual_order(storage, ArticleQuery(text="harbour"))
        assert list(storage.article_ids(ArticleQuery(text="harbour", limit=5))) == whole[:5]
        ranked = storage.article_ids(ArticleQuery(text="harbour", sort=Sort.RANK))
        assert sorted(ranked) == sorted(whole)
    finally:
        storage.close()


def test_a_schema_7_library_has_its_unspaced_scripts_indexed_again(tmp_path: Path) -> None:
    path = tmp_path / "v7.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:7]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("INSERT INTO feeds (url, subscribed, added) VALUES ('http://a/feed', 1, '')")
    rows = [("ja", "天気", "東京都の天気"), ("en", "Weather", "Tokyo weather"),
            ("mixed", "Café", "naïve café, “quoted”")]
    for n, (key, title, body) in enumerate(rows):
        conn.execute("INSERT INTO articles (feed_id, key, source, title, body, sort_ts, "
                     "first_seen) VALUES (1, ?, '', ?, ?, ?, ?)",
                     (key, title, body, 1_700_000_000 + n, 1_700_000_000))
    # schema 7 indexed each row's text as it is (its _index_new)
    conn.execute("INSERT INTO articles_fts (rowid, title, body) "
                 f"SELECT {_date_key_sql('articles')}, title, body FROM articles")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    storage, salvage = SqliteStorage.open(path)
    try:
        assert salvage is None
        _fts_intact(storage)

        def titles(text: str) -> set[str | None]:
            return {r.title for r in storage.rows(storage.article_ids(ArticleQuery(text=text)))}

        assert titles("東京") == {"天気"}
        assert titles("tokyo") == {"Weather"} and titles("cafe") == {"Café"}
        # and the triggers of schema 8 take a row out as it went in
        storage.upsert_articles(1, [Article(source="", key="ja", title="天気", body="大阪")])
        assert titles("東京") == set() and titles("大阪") == {"天気"}
        _fts_intact(storage)
    finally:
        storage.close()


def test_a_connection_without_the_search_function_cannot_add_articles(
        storage: SqliteStorage) -> None:
    # a reader started before the upgrade to schema 8 (a session left open) kept adding
    # rows and indexing their text as it is: a Chinese title went in as one word, and the
    # trigger's delete of it later took out words that were never there. Its updates and
    # deletes fail for want of the function; now its inserts do too, before any harm.
    feed_id = storage.upsert_feed("http://a/feed")
    storage.upsert_articles(feed_id, [article("1", title="天気", body="東京都の天気")])
    old = sqlite3.connect(storage.path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match=SEARCH_TEXT_SQL):
            old.execute("INSERT INTO articles (feed_id, key, source, title, body, sort_ts, "
                        "first_seen) VALUES (?, '2', '', '大阪', '大阪の天気', 1, 1)",
                        (feed_id,))
    finally:
        old.close()
    _fts_intact(storage)


def test_absurd_dates_stay_in_the_index_range_and_both_orders_agree(
        storage: SqliteStorage) -> None:
    feed_id = storage.upsert_feed("http://a/feed", subscribed=True)
    storage.upsert_articles(feed_id, [
        replace(article(key, body="harbour"), published=when) for key, when in (
            ("year1", datetime(1, 1, 1, tzinfo=UTC)), ("1800", datetime(1800, 5, 1, tzinfo=UTC)),
            ("now", BASE), ("9000", datetime(9000, 1, 1, tzinfo=UTC)))])
    query = ArticleQuery(text="harbour")
    assert list(storage.article_ids(query)) == _usual_order(storage, query)
    assert [r.title for r in storage.rows(storage.article_ids(query))][1] == "Title now"
    # dates are kept from December 1901 to 2174: year 1 and 1800 are listed as 1901
    old = ArticleQuery(text="harbour", until=datetime(1902, 1, 1, tzinfo=UTC))
    assert list(storage.article_ids(old)) == _usual_order(storage, old)
    assert len(_usual_order(storage, old)) == 2
    _fts_intact(storage)


def test_file_stamps_are_forgotten_for_another_cleaner(storage: SqliteStorage) -> None:
    from reader.core.models import FileStamp

    feed_id = storage.upsert_feed("/tmp/dir", kind=FeedKind.DIRECTORY)
    other = storage.upsert_feed("/tmp/file.md", kind=FeedKind.FILE)
    storage.record_files(feed_id, [("/tmp/dir/a", FileStamp(1, 2)),
                                   ("/tmp/dir/b", FileStamp(3, 4))])
    storage.record_files(other, [("/tmp/file.md", FileStamp(5, 6))])
    # no fingerprint kept yet (a library from before them): cleaned again, this source only
    assert storage.forget_file_stamps("/tmp/dir", cleaner="c1:one") == 2
    stale = storage.file_stamps(feed_id)
    assert set(stale) == {"/tmp/dir/a", "/tmp/dir/b"}  # still listed: opened before
    assert FileStamp(1, 2) not in stale.values()
    assert storage.meta("file_cleaner:/tmp/dir") == "c1:one"
    assert storage.file_stamps(other)["/tmp/file.md"] == FileStamp(5, 6)  # not opened yet
    storage.record_files(feed_id, [("/tmp/dir/a", FileStamp(1, 2))])
    assert storage.forget_file_stamps("/tmp/dir", cleaner="c1:one") == 0  # the same cleaner
    assert storage.file_stamps(feed_id)["/tmp/dir/a"] == FileStamp(1, 2)
    assert storage.forget_file_stamps("/tmp/dir", cleaner="c1:two") == 1  # b was stale still
    assert storage.forget_file_stamps("/tmp/file.md", cleaner="c1:two") == 1
    assert storage.file_stamps(other)["/tmp/file.md"] != FileStamp(5, 6)
    # a source not in the library yet: its cleaner is kept, nothing to forget
    assert storage.forget_file_stamps("/tmp/new", cleaner="c1:two") == 0
    assert storage.meta("file_cleaner:/tmp/new") == "c1:two"
    storage.remove_feed(other)  # a source removed takes its fingerprint along
    assert storage.meta("file_cleaner:/tmp/file.md") is None
    assert storage.meta("file_cleaner:/tmp/dir") == "c1:two"


@pytest.mark.parametrize(("writable", "reason"), [
    ({"folder"}, "the file is read-only"),
    ({"file"}, "its folder {folder} is read-only (the library keeps its journal there)"),
])
def test_a_read_only_library_says_which_file_and_why(
        storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch, writable: set[str],
        reason: str) -> None:
    # "library database: attempt to write a readonly database" named neither the file nor
    # the folder, whose being read-only is as fatal (SQLite writes its journal there).
    # Permissions are pretended: they do not bind root, who runs the CI.
    import os

    path = storage.path
    real_access = os.access

    def access(target: object, mode: int) -> bool:
        if Path(str(target)) == path:
            return "file" in writable
        if Path(str(target)) == path.parent:
            return "folder" in writable
        return real_access(target, mode)  # type: ignore[arg-type]

    def refused(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(os, "access", access)
    real_conn = storage._conn
    monkeypatch.setattr(storage, "_conn", lambda: _Refusing(real_conn(), refused))
    with pytest.raises(StorageError) as raised:
        storage.set_read([1], True)
    assert str(raised.value) == (f"library {path}: cannot write: "
                                 + reason.format(folder=path.parent))


class _Refusing:
    """A connection whose every statement fails as SQLite fails on a read-only file."""

    def __init__(self, conn: sqlite3.Connection, refused: object) -> None:
        self._conn = conn
        self.execute = self.executemany = self.executescript = refused

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)

    def __enter__(self) -> _Refusing:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None


def test_opening_does_not_wait_on_another_readers_write(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # the open's note of its check ("last_check") waited out the whole busy timeout while
    # another reader wrote (a refresh): every start, `reader list` too, took 5 s more
    import threading

    import reader.storage.sqlite as sqlite_module

    path = tmp_path / "library.sqlite"
    SqliteStorage.open(path)[0].close()
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_MS", 600_000)  # a wait would be seen
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE meta SET value = value")
    opened: list[SqliteStorage] = []
    thread = threading.Thread(target=lambda: opened.append(SqliteStorage.open(path)[0]),
                              daemon=True)
    try:
        thread.start()
        thread.join(60)
        assert opened, "the open waited for the other reader's write"
        assert opened[0].feeds() == []  # and it reads
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        thread.join(5)
        for storage in opened:
            storage.close()


def test_entries_whose_guids_change_at_every_fetch_do_not_pile_up(
        storage: SqliteStorage) -> None:
    # a feed that made up its GUIDs afresh at every fetch got every entry again each
    # refresh: 20 entries, 50 refreshes a day, a thousand copies, the read ones unread
    feed_id = storage.upsert_feed("http://example.org/feed.xml", subscribed=True)

    def fetch(number: int) -> list[Article]:
        return [replace(article(f"x{n}"), key=f"guid-{number}-{n}") for n in range(3)] + [
            replace(article(f"u{n}", hours=None, body=f"undated {n}"), key=f"u-{number}-{n}")
            for n in range(2)]

    assert storage.upsert_articles(feed_id, fetch(1)) == 5
    first = storage.article_ids(ArticleQuery())
    storage.set_read(first[:2], True)
    for number in (2, 3):
        assert storage.upsert_articles(feed_id, fetch(number)) == 0
    assert sorted(storage.article_ids(ArticleQuery())) == sorted(first)
    assert sum(r.read for r in storage.rows(first)) == 2
    assert len(storage.article_ids(ArticleQuery(text="undated"))) == 2
    # entries a feed keeps one link and title for are not taken for one another: another
    # date, or undated with another body, is another entry
    again = [replace(article("x0", hours=5), key="next-day"),
             replace(article("u0", hours=None, body="another text"), key="u-other")]
    assert storage.upsert_articles(feed_id, again) == 2
    assert storage.article_count() == 7


def test_a_library_replaced_while_open_refuses_changes_in_words(tmp_path: Path) -> None:
    # a library restored from a backup (mv) under a running reader: its connections kept
    # writing to the file moved away, and every article marked read after was lost
    path = tmp_path / "lib.sqlite"
    storage, _ = SqliteStorage.open(path)
    try:
        feed_id = storage.upsert_feed("http://a/feed", subscribed=True)
        storage.upsert_articles(feed_id, [article("k1")])
        [first] = storage.article_ids(ArticleQuery())
        other, _ = SqliteStorage.open(tmp_path / "backup.sqlite")
        other.close()
        os.replace(tmp_path / "backup.sqlite", path)
        with pytest.raises(StorageError) as caught:
            storage.set_read([first], True)
        assert str(caught.value) == (
            f"the library {path} was replaced or removed while reader ran: this change is "
            "not saved; start reader again")
        path.unlink()
        with pytest.raises(StorageError):
            storage.set_read([first], True)
    finally:
        storage.close()



_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from reader.core.errors import StorageError
from reader.core.models import Article
from reader.storage.sqlite import SqliteStorage
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
storage, _ = SqliteStorage.open(Path(sys.argv[1]))
feed_id = storage.upsert_feed("http://a/feed", subscribed=True)
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY))
big = [Article(source="s", key=f"k{n}", title="t", body="harbour " * 2000) for n in range(200)]
try:
    storage.upsert_articles(feed_id, big)
except StorageError as error:
    print(error)
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
print(storage.upsert_articles(feed_id, big[:2]))
"""


def test_a_full_disk_is_said_as_such(tmp_path: Path) -> None:
    # SQLite rolls a transaction back itself when the disk fills; the ROLLBACK after it
    # failed in turn, and a refresh said 'cannot rollback - no transaction is active' for
    # every feed, never that the disk was full (a file size limit stands in for the disk)
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _FULL_DISK, str(tmp_path / "lib.sqlite")],
                          capture_output=True, text=True, timeout=60, check=False)
    said, stored = done.stdout.splitlines()
    # ENOSPC is "database or disk is full"; the size limit's EFBIG, an I/O error
    assert said in ("library database: database or disk is full",
                    "library database: disk I/O error")
    assert stored == "2"  # and the library takes the next write


def test_feed_urls_like_is_blind_to_ascii_case_only(storage: SqliteStorage) -> None:
    for url in ("HTTP://A.example/f_1%20", "http://a.example/fx1%20#top", "http://b.example/"):
        storage.upsert_feed(url)
    assert storage.feed_urls_like("http://a.example/f_1%20") == ["HTTP://A.example/f_1%20"]
    assert sorted(storage.feed_urls_like("http://a.example/")) == [
        "HTTP://A.example/f_1%20", "http://a.example/fx1%20#top"]


def test_a_library_on_a_read_only_file_system_is_said_to_be(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a library on a file system mounted read-only: "permission denied" sent people to chmod
    import os as os_module

    from reader.storage import sqlite as sqlite_module

    path = tmp_path / "library.sqlite"
    path.write_bytes(b"")
    real = os_module.statvfs(tmp_path)

    class ReadOnly:
        f_flag = real.f_flag | os_module.ST_RDONLY

    monkeypatch.setattr(sqlite_module.os, "statvfs", lambda _: ReadOnly())
    monkeypatch.setattr(sqlite_module.os, "access", lambda *_a, **_k: False)
    for text in ("unable to open database file", "attempt to write a readonly database"):
        reason = sqlite_module._reason(sqlite3.OperationalError(text), path)
        assert reason == "it is on a read-only file system"


def test_a_library_path_that_is_a_symlink_loop_is_said_to_be(tmp_path: Path) -> None:
    # "unable to open database file", SQLite's words, said nothing of the loop
    loop = tmp_path / "a.sqlite"
    loop.symlink_to(tmp_path / "b.sqlite")
    (tmp_path / "b.sqlite").symlink_to(loop)
    astray = tmp_path / "c.sqlite"
    astray.symlink_to(tmp_path / "gone" / "library.sqlite")
    for path in (loop, astray):
        with pytest.raises(StorageError, match="a symbolic link that leads nowhere"):
            SqliteStorage.open(path)
