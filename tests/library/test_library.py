"""The Library facade: opening, sources opened once, views, read state, undo, recovery."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from support.paths import FIXTURES, ROOT

from reader.core.errors import SourceError
from reader.core.models import ArticleQuery, FeedKind, SourceKind, SourceOutcome
from reader.core.paths import db_path, subscriptions_path
from reader.intake import Intake
from reader.library import Library
from reader.storage.sqlite import SqliteStorage

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local feed</title><link>http://example.org/</link>
<item><title>First entry</title><guid>e1</guid><link>http://example.org/1</link>
<pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate><description>one river</description></item>
<item><title>Second entry</title><guid>e2</guid><link>http://example.org/2</link>
<pubDate>Tue, 03 Nov 2026 10:00:00 +0000</pubDate><description>two river</description></item>
</channel></rss>
"""


def note(title: str, body: str) -> str:
    return f"# {title}\n\n{body}\n\nSecond paragraph about {title.lower()}.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "articles"
    (root / "sub").mkdir(parents=True)
    for n in range(5):
        body = " ".join(f"word{n}x{m}" for m in range(40))  # distinct: shared lines are chrome
        (root / f"story-{n}.md").write_text(note(f"Story number {n}", body))
    (root / "sub" / "feed.xml").write_bytes(RSS)
    (root / ".hidden.md").write_text("secret")
    return root


def test_db_path_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_DB", str(tmp_path / "env.sqlite"))
    assert db_path(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"
    assert db_path(None) == tmp_path / "env.sqlite"
    monkeypatch.delenv("READER_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert db_path(None) == tmp_path / "data" / "reader-tui" / "library.sqlite"


def test_open_folder_progressively_and_cached(library: Library, folder: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.ingest.folders as module

    monkeypatch.setattr(module, "BATCH_FILES", 2)
    seen: list[SourceOutcome] = []
    outcomes = library.open_sources([str(folder)], on_result=seen.append)
    assert [o.done for o in seen] == [False, False, False, True]
    (outcome,) = outcomes
    assert outcome.error is None and outcome.new == 7 and outcome.total == 7
    ids = library.view(ArticleQuery(feed_ids=(outcome.feed_id or 0,)))
    titles = {r.title for r in library.rows(ids)}
    assert {"Story number 0", "First entry", "Second entry"} <= titles
    assert len(library.search("word3x7")) == 1
    names = {r.feed_name for r in library.rows(ids)}
    assert names == {"articles", "Local feed"}
    # nothing in the library view: opened, not subscribed
    assert len(library.view(ArticleQuery(subscribed_only=True))) == 0
    # a second open cleans nothing again
    import reader.ingest.load as load

    def boom(*args: object, **kwargs: object) -> object:
        raise AssertionError("re-cleaned an unchanged file")

    monkeypatch.setattr(load, "load_bytes", boom)
    (again,) = library.open_sources([str(folder)])
    assert again.new == 0 and again.total == 7
    monkeypatch.undo()
    # a changed file is cleaned again and updated in place
    changed = folder / "story-1.md"
    changed.write_text(note("Story number one, revised", "other words " * 30))
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
    (third,) = library.open_sources([str(folder)])
    assert third.new == 0 and third.total == 7
    titles = {r.title for r in library.rows(library.view(ArticleQuery()))}
    assert "Story number one, revised" in titles and "Story number 1" not in titles
    assert not library.search("word1x7")


def test_read_state_is_remembered_across_opens(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "lib.sqlite"
    with Library.open(path) as lib:
        lib.open_sources([str(folder / "story-2.md")])
        (article_id,) = lib.view(ArticleQuery())
        lib.mark_read([article_id])
    with Library.open(path) as lib:
        (outcome,) = lib.open_sources([str(folder / "story-2.md")])
        assert outcome.total == 1
        (row,) = lib.rows(lib.view(ArticleQuery()))
        assert row.read and row.id == article_id


def test_open_file_feed_and_stdin_and_missing(library: Library, folder: Path) -> None:
    outcomes = library.open_sources(
        [str(folder / "sub" / "feed.xml"), "-", str(folder / "nope.md")],
        stdin=io.BytesIO(RSS.replace(b"Local feed", b"Piped feed")))
    feed, piped, missing = outcomes
    assert feed.title == "Local feed" and feed.new == 2
    info = library.feed(feed.feed_id or 0)
    assert info is not None and info.kind is FeedKind.FEED and not info.subscribed
    assert piped.error is None and piped.new == 2 and piped.title == "Piped feed"
    assert missing.error is not None and "no such file" in missing.error
    assert missing.feed_id is None


def test_empty_stdin_does_not_show_the_last_piped_article(library: Library) -> None:
    # each pipe is a new document: a failed read has no cached version to fall back on
    (first,) = library.open_sources(["-"], stdin=io.BytesIO(RSS))
    assert first.error is None and first.feed_id is not None
    (empty,) = library.open_sources(["-"], stdin=io.BytesIO(b""))
    assert empty.error is not None and "empty" in empty.error
    assert empty.feed_id is None and empty.total == 0


def test_open_source_that_fails_keeps_the_others(library: Library, tmp_path: Path,
                                                 folder: Path) -> None:
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    outcomes = library.open_sources([str(binary), str(folder / "story-0.md")])
    assert outcomes[0].error is not None
    assert outcomes[1].error is None and outcomes[1].new == 1


def test_mark_read_star_mark_all_and_undo(library: Library, folder: Path) -> None:
    (outcome,) = library.open_sources([str(folder)])
    ids = list(library.view(ArticleQuery()))
    assert library.mark_read(ids[:2]) == 2
    assert library.mark_read(ids[:2]) == 0  # nothing changed: nothing to undo either
    assert library.star([ids[3]]) == 1
    assert library.read_states(ids[:3]) == {ids[0]: True, ids[1]: True, ids[2]: False}
    assert library.mark_all_read(outcome.feed_id) == len(ids) - 2
    assert not library.view(ArticleQuery(unread_only=True))
    assert library.undo()  # the mark-all
    assert len(library.view(ArticleQuery(unread_only=True))) == len(ids) - 2
    assert library.undo()  # the star
    assert not library.view(ArticleQuery(starred_only=True))
    assert library.undo()  # the first two reads
    assert len(library.view(ArticleQuery(unread_only=True))) == len(ids)
    assert not library.undo()
    stored = library.get(ids[0])
    assert stored is not None and stored.article.title
    library.set_read_position(ids[0], 0.5)
    assert (library.get(ids[0]) or stored).read_position == 0.5
    library.set_always_full_text(outcome.feed_id or 0, True)
    assert (library.feed(outcome.feed_id or 0) or pytest.fail()).always_full_text


def test_add_folder_and_remove(library: Library, folder: Path) -> None:
    (outcome,) = library.add([str(folder)], folder="Local")
    assert outcome.error is None and outcome.new == 7
    (feed,) = library.feeds(subscribed_only=True)
    assert feed.kind is FeedKind.DIRECTORY and feed.folder == "Local" and feed.unread == 7
    opml = (library.path.parent / "subscriptions.opml").read_text()
    assert folder.as_uri() in opml
    assert library.remove([str(folder)]) == 1
    assert library.feeds(subscribed_only=True) == []
    with pytest.raises(SourceError, match="not subscribed"):
        library.remove(["http://example.org/nothing"])


@pytest.mark.parametrize("name", ["cache-corrupt.sqlite", "cache-not-sqlite.sqlite"])
def test_damaged_library_is_replaced_with_subscriptions_back(tmp_path: Path, folder: Path,
                                                             name: str) -> None:
    path = tmp_path / "library.sqlite"
    with Library.open(path) as lib:
        lib.add([str(folder)], folder="Mine")
        lib.import_file(_urls_file(tmp_path))
    shutil.copy(FIXTURES / name, path)
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    with Library.open(path) as lib:
        assert len(lib.messages) == 1
        assert "moved aside to library.sqlite.corrupt-" in lib.messages[0]
        feeds = {f.url: f for f in lib.feeds(subscribed_only=True)}
        assert set(feeds) == {str(folder), "https://example.org/a.xml"}
        assert feeds[str(folder)].folder == "Mine"
        assert feeds[str(folder)].kind is FeedKind.DIRECTORY
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("library.sqlite.corrupt-")]
    assert len(moved) == 1 and moved[0].read_bytes() == (FIXTURES / name).read_bytes()
    # and it stays healthy: no second message on the next open
    with Library.open(path) as lib:
        assert lib.messages == []


def _urls_file(tmp_path: Path) -> Path:
    urls = tmp_path / "urls"
    urls.write_text("https://example.org/a.xml news\n")
    return urls


def test_an_import_subscribes_in_batches_and_counts_what_was_there(
        library: Library, storage: SqliteStorage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.library as library_module

    monkeypatch.setattr(library_module, "IMPORT_BATCH", 3)  # several batches, one split pair
    library.import_file(_urls_file(tmp_path))  # a.xml, subscribed already
    storage.upsert_feed("https://example.org/b.xml", title="Seen once", subscribed=False)
    urls = tmp_path / "more"
    urls.write_text("https://example.org/a.xml\n"
                    'https://example.org/b.xml tech "~Bee"\n'
                    "https://example.org/c.xml\n"
                    "https://example.org/d.xml\n"
                    "https://example.org/c.xml again\n"  # the list gives it twice
                    "https://example.org/e.xml\n", encoding="utf-8")
    writes = []
    monkeypatch.setattr(storage, "subscribe_feeds",
                        lambda feeds, real=storage.subscribe_feeds: writes.append(len(feeds))
                        or real(feeds))
    report = library.import_file(urls)
    assert (report.added, report.existing) == (4, 1)  # c.xml once: the list dropped the copy
    assert writes == [3, 2]  # a transaction per batch, not per feed
    feeds = {f.url: f for f in library.feeds(subscribed_only=True)}
    assert sorted(feeds) == [f"https://example.org/{n}.xml" for n in "abcde"]
    assert (feeds["https://example.org/b.xml"].display_name,
            feeds["https://example.org/b.xml"].folder) == ("Bee", "tech")
    again = library.import_file(urls)
    assert (again.added, again.existing) == (0, 5)


def test_open_feed_urls_and_an_opml_list(library: Library) -> None:
    from support.farm import Farm

    with Farm(feeds=3, entries=4) as farm:
        outcomes = library.open_sources([farm.urls[0], farm.base + "/opml"])
        by_spec = {o.spec: o for o in outcomes}
        assert by_spec[farm.urls[0]].new == 4
        assert by_spec[farm.base + "/opml"].error is None
        assert {o.title for o in outcomes if o.feed_id} == {"Farm feed 0", "Farm feed 1",
                                                             "Farm feed 2"}
        assert len(library.view(ArticleQuery())) == 12
        assert library.feeds(subscribed_only=True) == []
        # opened again: a conditional GET, the cache is what is shown
        farm.stats(reset=True)
        (again,) = library.open_sources([farm.urls[0]])
        assert again.error is None and again.total == 4 and again.new == 0
        assert farm.stats() == {"304": 1}
        failed = library.open_sources([farm.base + "/feed/99.xml"])
        assert failed[0].error is not None and "404" in failed[0].error


def test_full_text_fetches_and_keeps_the_page(library: Library, storage: SqliteStorage) -> None:
    import asyncio

    from support.farm import Farm

    from reader.core.errors import FetchError
    from reader.core.models import BodyState

    with Farm(feeds=1, entries=2) as farm:  # feed 0 carries summaries only
        library.open_sources([farm.urls[0]])
        first = library.view(ArticleQuery())[0]
        stored = library.get(first)
        assert stored is not None and stored.body_state is BodyState.SUMMARY
        full = asyncio.run(library.full_text(first))
        assert full.full_body and len(full.full_body) > len(stored.article.body)
        assert "Cookies help us" not in full.full_body
        assert full.body_state is BodyState.FULL
        second = library.view(ArticleQuery())[1]
        with sqlite3.connect(library.path) as conn:
            conn.execute("UPDATE articles SET url = ? WHERE id = ?",
                         (farm.base + "/article/0/99.html", second))
        with pytest.raises(FetchError):
            asyncio.run(library.full_text(second))
        kept = library.get(second)
        assert kept is not None and kept.full_body is None and kept.article.body


def test_folder_with_a_name_that_is_not_utf8(library: Library, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"note-\xfe.md"), "wb") as handle:
        handle.write(b"# Odd name\n\nThe file name is not UTF-8.\n")
    (outcome,) = library.open_sources([str(folder)])
    assert outcome.error is None and outcome.new == 1
    (again,) = library.open_sources([str(folder)])
    assert again.new == 0 and again.total == 1  # cached under its displayable name


def test_an_unexpected_failure_in_one_source_spares_the_others(
        library: Library, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.intake as module

    real = module.Intake.local

    def flaky(self: object, spec: str) -> object:
        if spec.endswith("story-0.md"):
            raise RuntimeError("boom")
        return real(self, spec)  # type: ignore[arg-type]

    monkeypatch.setattr(module.Intake, "local", flaky)
    bad, good = library.open_sources([str(folder / "story-0.md"), str(folder / "story-1.md")])
    assert bad.error is not None and "RuntimeError" in bad.error
    assert good.error is None and good.new == 1


def test_big_folder_is_cleaned_by_workers_and_can_be_cancelled(
        library: Library, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.ingest.folders as module

    monkeypatch.setattr(module, "PARALLEL_FILES", 2)
    monkeypatch.setattr(module, "CHUNK_FILES", 2)
    monkeypatch.setattr(module, "BATCH_FILES", 2)
    seen: list[SourceOutcome] = []
    (outcome,) = library.open_sources(
        [str(folder)], on_result=seen.append,
        cancelled=lambda: sum(1 for o in seen if not o.done) >= 1)
    assert 0 < outcome.total < 7  # stopped after the first batch
    (rest,) = library.open_sources([str(folder)])
    assert rest.total == 7 and rest.new == 7 - outcome.total
    titles = {r.title for r in library.rows(library.view(ArticleQuery()))}
    assert {"Story number 4", "First entry", "Second entry"} <= titles


def test_a_new_folder_shows_its_first_files_before_the_rest_is_read(
        library: Library, storage: SqliteStorage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.ingest.folders as module

    monkeypatch.setattr(module, "QUICK_FILES", 3)
    big = tmp_path / "many"
    big.mkdir()
    for n in range(10):
        (big / f"{n:02d}.md").write_text(note(f"Note {n}", "Some words of the note."))
    stored_when_the_full_pass_began: list[int] = []
    survey = module.survey

    def spy(paths: Sequence[Path]) -> tuple[frozenset[str], frozenset[SourceKind]]:
        stored_when_the_full_pass_began.append(storage.article_count())
        return survey(paths)

    monkeypatch.setattr(module, "survey", spy)
    seen: list[SourceOutcome] = []
    (outcome,) = library.open_sources([str(big)], on_result=seen.append)
    assert stored_when_the_full_pass_began == [3]  # on screen before the full pass
    assert seen[0].new == 3 and not seen[0].done
    assert outcome.new == 10 and outcome.total == 10  # cleaned again, not twice over
    feed_id = outcome.feed_id
    assert feed_id is not None and len(storage.file_stamps(feed_id)) == 10
    # the second open shows the cached folder before walking it
    seen.clear()
    walked: list[int] = []
    original = module.walk

    def walk_spy(directory: Path):  # type: ignore[no-untyped-def]
        walked.append(len(seen))
        return original(directory)

    monkeypatch.setattr(module, "walk", walk_spy)
    (again,) = library.open_sources([str(big)], on_result=seen.append)
    assert walked == [1] and seen[0].feed_id == feed_id and not seen[0].done
    assert again.new == 0 and again.total == 10


def test_a_deleted_library_gets_its_subscriptions_back(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite"
    with Library.open(path) as lib:
        lib.import_file(_urls_file(tmp_path))
    for name in ("library.sqlite", "library.sqlite-wal", "library.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with Library.open(path) as lib:
        assert [f.url for f in lib.feeds(subscribed_only=True)] == ["https://example.org/a.xml"]
        assert lib.messages == ["A new library was started with the 1 subscription of "
                                "subscriptions.opml."]


def test_a_folder_opened_by_relative_path_is_the_same_source(
        library: Library, storage: SqliteStorage, folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.parent)
    (first,) = library.open_sources([folder.name])
    (second,) = library.open_sources([str(folder)])
    assert first.feed_id == second.feed_id and second.new == 0
    (feed,) = library.feeds()
    feed_info = library.feed(first.feed_id or 0)
    assert feed_info is not None
    rescan = Intake(storage).directory(Path(feed_info.url), spec=feed_info.url)
    assert rescan.new == 0
    assert len(library.view(ArticleQuery())) == 7


def test_subscription_copies_of_two_libraries_in_one_folder(tmp_path: Path) -> None:
    from reader.core.paths import subscriptions_path

    assert subscriptions_path(tmp_path / "library.sqlite") == tmp_path / "subscriptions.opml"
    assert subscriptions_path(tmp_path / "work.db") == tmp_path / "work.subscriptions.opml"
    with Library.open(tmp_path / "work.db") as lib:
        lib.import_file(_urls_file(tmp_path))
    with Library.open(tmp_path / "other.db") as lib:
        assert lib.feeds() == [] and lib.messages == []


def test_sample_feeds_open_cleanly(library: Library) -> None:
    """The demo folder: every source loads, and its OPML naming the feeds beside it is quiet."""
    samples = ROOT / "sample_feeds"
    outcomes = library.open_sources([str(samples)])
    assert [o.error for o in outcomes if o.error] == []
    assert [w for o in outcomes for w in o.warnings] == []
    assert len(library.view(ArticleQuery())) == 15


def test_the_primer_skips_folders_the_library_has_cleaned(library: Library, folder: Path,
                                                          tmp_path: Path) -> None:
    from reader import priming

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "a.md").write_text(note("A", "Words of a."))
    library.open_sources([str(folder)])
    primer = priming.start([str(folder), str(fresh)], library.path)
    assert primer is not None
    try:
        assert primer.take(os.path.abspath(folder)) == []  # known: shown from the library
        cleaned = primer.take(os.path.abspath(fresh))
        assert cleaned is not None and [file.result.articles[0].title
                                        for file in cleaned] == ["A"]
    finally:
        primer.close()


def test_an_upgraded_cleaner_cleans_the_library_again_keeping_its_state(
        library: Library, storage: SqliteStorage, folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import reader.ingest.folders as folders
    import reader.ingest.load as load
    import reader.intake as intake
    from reader.core.models import LoadResult

    lone = folder.parent / "lone.md"
    lone.write_text(note("A lone note", "Words of the lone note, enough of them to keep."))
    (opened, lone_opened) = library.open_sources([str(folder), str(lone)])
    assert opened.feed_id is not None and lone_opened.feed_id is not None
    by_title = {row.title: row.id for row in library.rows(library.view(ArticleQuery()))}
    kept = [by_title["Story number 3"], by_title["A lone note"]]
    library.mark_read(kept)
    library.star(kept)
    library.set_read_position(kept[0], 0.5)
    unread = by_title["Story number 4"]

    cleaned = load.load_bytes

    def better(*args: object, **kwargs: object) -> LoadResult:
        result = cleaned(*args, **kwargs)  # type: ignore[arg-type]
        return dataclasses.replace(result, articles=tuple(
            dataclasses.replace(a, body=a.body.replace("Second paragraph", "Better paragraph"))
            for a in result.articles))

    # the same files, the same cleaner: nothing is cleaned again
    monkeypatch.setattr(folders, "load_bytes", better)
    monkeypatch.setattr(load, "load_bytes", better)
    library.open_sources([str(folder), str(lone)])
    assert "Better paragraph" not in (storage.get(kept[0]) or _missing()).article.body

    # an upgrade: every file is cleaned again, updated in place with its state kept
    monkeypatch.setattr(intake, "cleaner_fingerprint", lambda: "c1:upgraded")
    seen: list[SourceOutcome] = []
    (again, lone_again) = library.open_sources([str(folder), str(lone)], on_result=seen.append)
    assert seen[0].feed_id == opened.feed_id and not seen[0].done  # shown at once, as before
    assert again.new == 0 and again.total == 7 and lone_again.total == 1
    for article_id in kept:
        stored = storage.get(article_id) or _missing()
        assert "Better paragraph about" in stored.article.body
        assert stored.read and stored.starred
    assert (storage.get(kept[0]) or _missing()).read_position == 0.5
    unread_now = storage.get(unread) or _missing()
    assert "Better paragraph" in unread_now.article.body and not unread_now.read
    assert len(library.search("better")) == 6  # the search index follows the new bodies
    assert storage.meta(f"file_cleaner:{folder}") == "c1:upgraded"
    assert all(stamp.size >= 0 for stamp in storage.file_stamps(opened.feed_id).values())

    # cleaned once: the next open finds every stamp fresh again
    def boom(*args: object, **kwargs: object) -> object:
        raise AssertionError("re-cleaned an unchanged file")

    monkeypatch.setattr(folders, "load_bytes", boom)
    monkeypatch.setattr(load, "load_bytes", boom)
    (third, _) = library.open_sources([str(folder), str(lone)])
    assert third.new == 0 and third.error is None


def test_a_running_older_reader_does_not_take_the_library_back(
        storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.intake as intake
    from reader.core.models import FileStamp

    folder_a = storage.upsert_feed("/tmp/a", kind=FeedKind.DIRECTORY)
    folder_b = storage.upsert_feed("/tmp/b", kind=FeedKind.DIRECTORY)
    storage.record_files(folder_a, [("/tmp/a/1", FileStamp(1, 2))])
    storage.record_files(folder_b, [("/tmp/b/1", FileStamp(1, 2))])
    monkeypatch.setattr(intake, "cleaner_fingerprint", lambda: "c1:new")
    # this (newer) reader opens folder a: cleaned again; b is left to when it is opened
    assert intake.restamp(storage, "/tmp/a") == 1
    storage.record_files(folder_a, [("/tmp/a/1", FileStamp(1, 2))])
    # an older reader still running takes folder b and stamps it with its cleaning ...
    assert storage.forget_file_stamps("/tmp/b", cleaner="c1:old") == 1
    storage.record_files(folder_b, [("/tmp/b/1", FileStamp(1, 2))])
    # ... which this reader cleans again when it opens b, whatever the older one did
    assert intake.restamp(storage, "/tmp/b") == 1
    # and it looks once per source: the two do not take folder a from each other for ever
    assert storage.forget_file_stamps("/tmp/a", cleaner="c1:old") == 1
    storage.record_files(folder_a, [("/tmp/a/1", FileStamp(1, 2))])
    assert intake.restamp(storage, "/tmp/a") == 0
    assert storage.file_stamps(folder_a) == {"/tmp/a/1": FileStamp(1, 2)}


def test_a_busy_library_keeps_its_stamps_and_is_asked_again(
        storage: SqliteStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    import reader.intake as intake
    from reader.core.errors import StorageError

    monkeypatch.setattr(intake, "cleaner_fingerprint", lambda: "c1:busy")

    def locked(source: str, *, cleaner: str) -> int:
        raise StorageError("library database: database is locked")

    monkeypatch.setattr(storage, "forget_file_stamps", locked)
    assert intake.restamp(storage, "/tmp/c") == 0  # no error: the cached file still opens
    monkeypatch.undo()
    monkeypatch.setattr(intake, "cleaner_fingerprint", lambda: "c1:busy")
    storage.forget_file_stamps("/tmp/c", cleaner="c1:older")
    assert storage.meta("file_cleaner:/tmp/c") == "c1:older"
    intake.restamp(storage, "/tmp/c")  # asked again, this time it answers
    assert storage.meta("file_cleaner:/tmp/c") == "c1:busy"


def _missing() -> Any:
    raise AssertionError("the article is gone")


def _night_trains(library: Library, tmp_path: Path) -> int:
    """A library of one feed with one article, 'Night trains'; its id."""
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>'
                    "<item><title>Night trains</title><guid>a</guid>"
                    "<description>Trains again.</description></item></channel></rss>",
                    encoding="utf-8")
    library.add([str(feed)])
    (article_id,) = library.view(ArticleQuery())
    return article_id


def test_a_save_that_fails_half_way_leaves_no_file(library: Library, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # A full disk: the name was taken (O_EXCL) and the write failed, leaving an empty
    # night-trains.md; the save once there was room went to night-trains-2.md beside it.
    import errno
    from typing import IO

    article_id = _night_trains(library, tmp_path)
    folder = tmp_path / "saved"
    real_open = Path.open

    class Full:  # the file made, then no room for its bytes
        def __init__(self, handle: IO[bytes]) -> None:
            self.handle = handle

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def full_disk(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]
        return Full(handle) if mode == "xb" else handle

    monkeypatch.setattr(Path, "open", full_disk)
    with pytest.raises(SourceError, match="no space left on device"):
        library.save_markdown(article_id, folder)
    assert list(folder.iterdir()) == []
    monkeypatch.setattr(Path, "open", real_open)
    saved, before = library.save_markdown(article_id, folder)
    assert saved.name == "night-trains.md" and not before


def test_saving_markdown_where_a_file_stands_says_so(library: Library, tmp_path: Path) -> None:
    # mkdir's "File exists" was all it said when download_dir named a file
    article_id = _night_trains(library, tmp_path)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    with pytest.raises(SourceError, match=r"notes.txt: it is a file, not a folder"):
        library.save_markdown(article_id, blocker)
    with pytest.raises(SourceError, match=r"notes.txt/saved: a file is in its path"):
        library.save_markdown(article_id, blocker / "saved")
    saved, before = library.save_markdown(article_id, tmp_path / "saved")
    assert saved.read_text(encoding="utf-8").startswith("---\ntitle: \"Night trains\"")
    assert not before
    # saved again: the same file, said to be there already (it made a copy each time)
    assert library.save_markdown(article_id, tmp_path / "saved") == (saved, True)
    saved.write_text("my notes on it", encoding="utf-8")  # changed since: a new copy
    again, before = library.save_markdown(article_id, tmp_path / "saved")
    assert again.name == "night-trains-2.md" and not before
    assert saved.read_text(encoding="utf-8") == "my notes on it"


def test_an_empty_folder_is_said_to_be(library: Library, tmp_path: Path) -> None:
    # `reader dump` says "no files in it"; the interface showed an empty list in silence
    empty = tmp_path / "empty"
    empty.mkdir()
    (outcome,) = library.open_sources([str(empty)])
    assert outcome.error is None
    assert outcome.warnings == (f"{empty}: no articles in it (no files)",)
    (empty / "a.md").write_text("# A note\n\nSome text.\n", encoding="utf-8")
    (outcome,) = library.open_sources([str(empty)])
    assert outcome.warnings == () and outcome.total == 1


def test_one_feed_spelled_with_another_case_or_a_fragment_is_one_subscription(
        library: Library, tmp_path: Path) -> None:
    # 'HTTP://host/feed' and 'http://host/feed#top' ask the server for the very same
    # feed: each was subscribed again, and every article showed up two or three times
    from support.farm import Farm

    with Farm(feeds=1, entries=2) as farm:
        url = farm.urls[0]
        same = [url.replace("http://", "HTTP://"), url + "#top",
                url.replace("127.0.0.1", "127.0.0.1").replace("http://", "Http://") + "#"]
        library.add([url])
        outcomes = library.add(same)
        assert all(o.subscribed_before for o in outcomes), outcomes
        assert [f.url for f in library.feeds(subscribed_only=True)] == [url]
        listing = tmp_path / "list.opml"
        listing.write_text(
            '<opml version="2.0"><body>'
            + "".join(f'<outline type="rss" text="x" xmlUrl="{u}"/>'
                      for u in [url.replace("http://", "HTTPS://"),
                                url.replace("http://", "https://") + "#a"])
            + "</body></opml>", encoding="utf-8")
        report = library.import_file(listing)
        assert report.added == 1
        assert any("duplicate" in w for w in report.warnings)
        found = library.find_feed(url.replace("http://", "HTTP://") + "#top")  # reader list --feed
        assert found is not None and found.url == url
        assert library.remove([url.upper().replace("/FEED/0.XML", "/feed/0.xml")]) == 1


def test_a_feed_kept_under_another_spelling_is_not_subscribed_again(
        library: Library, storage: SqliteStorage, tmp_path: Path) -> None:
    from support.farm import Farm

    with Farm(feeds=1, entries=2) as farm:
        older = farm.urls[0].replace("http://", "HTTP://") + "#top"  # as kept before
        storage.upsert_feed(older, subscribed=True)
        assert all(o.subscribed_before for o in library.add([farm.urls[0]]))
        listing = tmp_path / "urls"
        listing.write_text(farm.urls[0] + "\n", encoding="utf-8")
        assert library.import_file(listing).added == 0
        assert [f.url for f in library.feeds(subscribed_only=True)] == [older]


def test_standard_input_is_never_a_subscription(library: Library, storage: SqliteStorage,
                                                tmp_path: Path) -> None:
    # 'echo x | reader add -' subscribed "stdin:-", and from then on every add, import and
    # remove ended in a traceback (its subscriptions.opml line: "relative path can't be
    # expressed as a file URI"); in the interface's add dialog "-" read the terminal
    outcomes = Intake(storage, subscribe=True, stdin=io.BytesIO(b"Title\n\nA body.\n")).run(["-"])
    assert [o.feed_id for o in outcomes] == [None]
    assert outcomes[0].error is not None and "standard input" in outcomes[0].error
    assert library.feeds(subscribed_only=True) == []
    # a library that has one already writes its list all the same
    storage.upsert_feed("stdin:-", subscribed=True, kind=FeedKind.FILE)
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(note("Alpha", "Some words about alpha."), encoding="utf-8")
    library.add([str(folder)])
    listing = subscriptions_path(library.path).read_text(encoding="utf-8")
    assert folder.as_uri() in listing and "stdin" not in listing


def test_a_feed_kept_under_another_spelling_is_found_and_removed_by_any(
        library: Library, storage: SqliteStorage) -> None:
    # add and import found it; reader list --feed and reader remove said it was not there
    older = "HTTP://News.example.org/feed#top"  # as kept before feed_address
    storage.upsert_feed(older, subscribed=True)
    for spelling in ("http://news.example.org/feed", "http://NEWS.example.org/feed#latest"):
        found = library.find_feed(spelling)
        assert found is not None and found.url == older
    assert library.remove(["http://news.example.org/feed"]) == 1
    assert library.feeds(subscribed_only=True) == []
