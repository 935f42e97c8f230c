"""The library in one SQLite file (stdlib ``sqlite3``).

WAL so a refresh from cron and the TUI can share the file; ``BEGIN IMMEDIATE`` around every
write so two writers queue on the busy timeout instead of failing half-way; one connection
per thread because the TUI calls from worker threads. FTS5 indexes title and body through
an external-content table kept in step by triggers.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from reader.core.errors import StorageError, one_line
from reader.core.models import (
    Article,
    ArticleQuery,
    ArticleRow,
    BodyState,
    FeedInfo,
    FeedKind,
    FetchOutcome,
    FetchState,
    FileStamp,
    MemberFeed,
    Sort,
    SourceKind,
    StoredArticle,
    Subscription,
)
from reader.core.sanitize import redact_password
from reader.core.words import count_words, excluded_words, search_text, search_tokens

if TYPE_CHECKING:  # (the sync types are imported when syncing, not at every start)
    from reader.core.sync import (
        Account,
        FlagUpdate,
        JournalEntry,
        RemoteFeed,
        SecretKind,
        SyncedArticle,
    )

APPLICATION_ID = 0x52445231  # "RDR1": tells our file apart from any other SQLite database
BUSY_TIMEOUT_MS = 5000
# A full quick_check reads every page; past this size a cheaper probe is done at open so that
# the first paint stays fast on a 100k-article library.
FULL_CHECK_MAX_BYTES = 4 * 1024 * 1024
FULL_CHECK_EVERY = timedelta(days=1)
_CHUNK = 900  # bound parameters per IN (...) list
# SQLite's integers are 64-bit and Python's unbounded: a number a person typed (an id, a
# --limit) past it raised OverflowError as it was bound to a query.
_SQL_INT_MAX = 2**63 - 1
CLEANER_KEY = "file_cleaner"  # meta, ":" and a source's key: the cleaner that made its articles
# SQLite VM steps between looks at "cancelled" (~4 ms of work): each look takes the GIL,
# which a thread may wait 5 ms for while the interface paints
_CANCEL_CHECK_STEPS = 200_000
# A search's page read in the index's date order (_matches_by_date_key) gives way to the
# usual query after _KEY_BUDGET looks, _KEY_CHECK_STEPS steps apart (~4 ms in all): the
# filters keep too few of the matches
_KEY_CHECK_STEPS = 20_000
_KEY_BUDGET = 10

# The search index lists articles by date. Its rowid is a "date key": the article's second
# (sort_ts, biased and clamped to 33 bits) above the article id's low 30 bits. As sort_ts
# holds whole seconds, that is the list's own order (sort_ts, then id, both newest first).
# FTS5 walks a term's rows in rowid order, so a search's newest matches come first: a page
# of 81,000 hits is read in 3 ms without the rest, where collecting them all to sort by
# date took 10 ms, and all of them, in order, in 12 ms instead of 56.
# Ids stay below 2**30 (SQLite counts them up from 1 a row at a time).
_KEY_ID_BITS = 30
_KEY_ID_MASK = (1 << _KEY_ID_BITS) - 1
_KEY_TS_BIAS = 1 << 31  # second 0 of the key: December 1901
_KEY_TS_MAX = (1 << 33) - 1  # its last second: year 2174
# sort_ts is kept within the key's seconds, so both order dates alike (and absurd ones last
# or first, by id)
_SORT_TS_MIN = -_KEY_TS_BIAS
_SORT_TS_MAX = _KEY_TS_MAX - _KEY_TS_BIAS


def _date_key_sql(row: str) -> str:
    """SQL for the search index's rowid of ``row`` (``old``, ``new`` or a table alias)."""
    return (f"((max(0, min(CAST({row}.sort_ts AS INTEGER) + {_KEY_TS_BIAS}, {_KEY_TS_MAX}))"
            f" << {_KEY_ID_BITS}) | ({row}.id & {_KEY_ID_MASK}))")


def _key_second(sort_ts: float) -> int:
    """The second part of a date key, as _date_key_sql computes it (CAST truncates)."""
    return max(0, min(int(sort_ts) + _KEY_TS_BIAS, _KEY_TS_MAX))


# The SQL function that gives the search index its text (core.words.search_text); every
# connection has it, as the index's triggers call it.
SEARCH_TEXT_SQL = "reader_search_text"


def _search_text(text: str | None) -> str | None:
    return text if text is None else search_text(text)


MIGRATIONS: tuple[str, ...] = (
    # 1: the whole first schema
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'feed',
        title TEXT,
        display_name TEXT,
        folder TEXT,
        subscribed INTEGER NOT NULL DEFAULT 0,
        always_full_text INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        last_modified TEXT,
        retry_after TEXT,
        last_success TEXT,
        last_error TEXT,
        added TEXT NOT NULL
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT,
        author TEXT,
        url TEXT,
        published TEXT,
        sort_ts REAL NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        body_state TEXT NOT NULL DEFAULT 'full',
        kind TEXT NOT NULL DEFAULT 'text',
        enclosures TEXT,
        feed_title TEXT,
        full_body TEXT,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        read_position REAL NOT NULL DEFAULT 0,
        words INTEGER NOT NULL DEFAULT 0,
        first_seen REAL NOT NULL,
        UNIQUE (feed_id, key)
    );
    -- feed_id rides along in the date indexes so a view of some feeds is an index-only scan
    CREATE INDEX articles_by_date ON articles (sort_ts DESC, id DESC, feed_id);
    CREATE INDEX articles_by_feed ON articles (feed_id, sort_ts DESC, id DESC);
    CREATE INDEX articles_unread ON articles (sort_ts DESC, id DESC, feed_id) WHERE read = 0;
    CREATE INDEX articles_starred ON articles (sort_ts DESC, id DESC, feed_id) WHERE starred = 1;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, body, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    -- incremental merging costs a refresh more than it saves a search; segments are merged
    -- when the library is vacuumed instead
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 0);
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO articles_fts (rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    -- keys dropped by retention, so the next refresh does not bring them back as unread
    CREATE TABLE pruned (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        PRIMARY KEY (feed_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE files (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        PRIMARY KEY (feed_id, path)
    ) WITHOUT ROWID;
    -- read/starred state rescued from a corrupt database, applied when the entry comes back
    CREATE TABLE salvaged (
        feed_url TEXT NOT NULL,
        key TEXT NOT NULL,
        read INTEGER NOT NULL,
        starred INTEGER NOT NULL,
        PRIMARY KEY (feed_url, key)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    """,
    # 2: servers without validators send the same body again: parse it only when it changed
    """
    ALTER TABLE feeds ADD COLUMN content_hash TEXT;
    """,
    # 3: unread counts per feed from a small index instead of every article row
    """
    CREATE INDEX IF NOT EXISTS articles_unread_by_feed ON articles (feed_id) WHERE read = 0;
    """,
    # 4: new rows are indexed for search in bulk after each upsert (_index_new), which costs
    # a third of what this per-row trigger did
    """
    DROP TRIGGER IF EXISTS articles_ai;
    """,
    # 5: the search index keyed by date (see _date_key_sql); contentless, as its rowids are no
    # longer the articles' ids. The triggers hand it the old text, which a delete needs.
    f"""
    DROP TRIGGER IF EXISTS articles_ad;
    DROP TRIGGER IF EXISTS articles_au;
    DROP TABLE IF EXISTS articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, body, content='', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 0);
    INSERT INTO articles_fts (rowid, title, body)
        SELECT {_date_key_sql("articles")}, title, body FROM articles;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', {_date_key_sql("old")}, old.title, old.body);
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, body, sort_ts ON articles
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body
      OR {_date_key_sql("old")} != {_date_key_sql("new")}
    BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', {_date_key_sql("old")}, old.title, old.body);
        INSERT INTO articles_fts (rowid, title, body)
        VALUES ({_date_key_sql("new")}, new.title, new.body);
    END;
    """,
    # 6: dates in whole seconds, within the search index's range, so that its order is the
    # list's (articles_au re-keys the rows whose second changes). Undated entries were a
    # millisecond apart in their feed's order, from the time of their fetch (first_seen):
    # they go a second apart from it, in the same order, as _upsert now places them.
    f"""
    UPDATE articles SET sort_ts = max({_SORT_TS_MIN}, min({_SORT_TS_MAX},
        CAST(sort_ts AS INTEGER) - (sort_ts < CAST(sort_ts AS INTEGER))))
    WHERE published IS NOT NULL AND (sort_ts != CAST(sort_ts AS INTEGER)
        OR sort_ts < {_SORT_TS_MIN} OR sort_ts > {_SORT_TS_MAX});
    CREATE TEMP TABLE undated_spread (id INTEGER PRIMARY KEY, second INTEGER NOT NULL);
    INSERT INTO undated_spread
        SELECT id, CAST(first_seen AS INTEGER) - (row_number() OVER (
            PARTITION BY feed_id, first_seen ORDER BY sort_ts DESC, id DESC) - 1)
        FROM articles WHERE published IS NULL;
    UPDATE articles SET sort_ts = (SELECT second FROM undated_spread u WHERE u.id = articles.id)
    WHERE published IS NULL;
    DROP TABLE undated_spread;
    """,
    # 7: accounts on feed servers (reader.sync). An account's subscriptions are feeds bound
    # to it by the server's feed id; its articles are keyed "sync:<account>:<server id>" and
    # listed in `synced` with the flags the server had at the last sync (the base); flag
    # changes made here since are journaled (one per article and flag, the latest) until a
    # sync has sent them. No password is ever stored: `secret` is the password file's path,
    # the command that prints it, or a token the server issued.
    """
    CREATE TABLE IF NOT EXISTS accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        user TEXT NOT NULL,
        secret_kind TEXT NOT NULL,
        secret TEXT NOT NULL,
        cursor TEXT,
        last_sync TEXT,
        last_error TEXT,
        added TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS account_feeds (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        remote_id TEXT NOT NULL,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        PRIMARY KEY (account_id, remote_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS account_feeds_by_feed ON account_feeds (feed_id);
    CREATE TABLE IF NOT EXISTS synced (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        remote_id TEXT NOT NULL,
        server_read INTEGER NOT NULL,
        server_starred INTEGER NOT NULL,
        UNIQUE (account_id, remote_id)
    );
    CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        remote_id TEXT NOT NULL,
        flag TEXT NOT NULL,
        value INTEGER NOT NULL,
        changed TEXT NOT NULL,
        UNIQUE (account_id, remote_id, flag)
    );
    """,
    # 8: the search index reads each character of a script written without spaces (Chinese,
    # Japanese, Thai...) or packing words into syllables (Korean) as a word of its own
    # (SEARCH_TEXT_SQL, core.words.search_text), so that a word inside a run of them is
    # found. The rows holding such text are indexed again; the rest read the same.
    f"""
    DROP TRIGGER IF EXISTS articles_ad;
    DROP TRIGGER IF EXISTS articles_au;
    CREATE TEMP TABLE reindexed AS SELECT id FROM articles
        WHERE {SEARCH_TEXT_SQL}(title) IS NOT title OR {SEARCH_TEXT_SQL}(body) IS NOT body;
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
        SELECT 'delete', {_date_key_sql("articles")}, title, body FROM articles
        WHERE id IN (SELECT id FROM reindexed);
    INSERT INTO articles_fts (rowid, title, body)
        SELECT {_date_key_sql("articles")}, {SEARCH_TEXT_SQL}(title), {SEARCH_TEXT_SQL}(body)
        FROM articles WHERE id IN (SELECT id FROM reindexed);
    DROP TABLE reindexed;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', {_date_key_sql("old")}, {SEARCH_TEXT_SQL}(old.title),
                {SEARCH_TEXT_SQL}(old.body));
    END;
    CREATE TRIGGER articles_au AFTER UPDATE OF title, body, sort_ts ON articles
    WHEN old.title IS NOT new.title OR old.body IS NOT new.body
      OR {_date_key_sql("old")} != {_date_key_sql("new")}
    BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, body)
        VALUES ('delete', {_date_key_sql("old")}, {SEARCH_TEXT_SQL}(old.title),
                {SEARCH_TEXT_SQL}(old.body));
        INSERT INTO articles_fts (rowid, title, body)
        VALUES ({_date_key_sql("new")}, {SEARCH_TEXT_SQL}(new.title),
                {SEARCH_TEXT_SQL}(new.body));
    END;
    """,
    # 9: a connection without SEARCH_TEXT_SQL (a reader of schema 7 still running after the
    # upgrade) cannot add articles either, as it cannot update or delete them: it indexed
    # their text as it is, which the triggers above then took out as search_text reads it.
    # The WHEN is never true, and never calls the function: it only has to exist.
    f"""
    DROP TRIGGER IF EXISTS articles_need_search_text;
    CREATE TRIGGER articles_need_search_text BEFORE INSERT ON articles
    WHEN new.key IS NULL AND {SEARCH_TEXT_SQL}(new.key) IS NOT NULL
    BEGIN
        SELECT 1;
    END;
    """,
)

P = ParamSpec("P")
T = TypeVar("T")
K = TypeVar("K")


def _guard(method: Callable[P, T]) -> Callable[P, T]:
    """sqlite3 errors leave the storage layer as one-line StorageErrors."""

    @wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as error:
            storage = args[0] if args and isinstance(args[0], SqliteStorage) else None
            if _is_corruption(error) and storage is not None:
                storage.suspect()
            if storage is not None and "readonly" in str(error).lower():
                # which file, and what makes it read-only, rather than SQLite's words
                raise StorageError(f"library {storage.path}: cannot write: "
                                   f"{_reason(error, storage.path)}") from error
            raise StorageError(f"library database: {one_line(error)}") from error
        except UnicodeEncodeError as error:
            # text that is not valid UTF-8 (a lone surrogate) cannot be stored as TEXT
            raise StorageError("library database: text that is not valid UTF-8 was "
                               "refused") from error

    return wrapper


def _roll_back(conn: sqlite3.Connection) -> None:
    """Roll back the transaction open, if SQLite has not already: it does so itself on a
    full disk or an I/O error, and a ROLLBACK then fails in words that hide the cause."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _identity(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` (device, inode), or None where there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _timestamp(value: datetime) -> float:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        return aware.timestamp()
    except (OverflowError, ValueError, OSError):
        return 0.0


def _sql_limit(limit: int) -> int:
    """A row count for LIMIT: any count past SQLite's integers is every row."""
    return min(max(0, limit), _SQL_INT_MAX)


def _chunks(ids: Sequence[K], size: int = _CHUNK) -> Iterator[Sequence[K]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key comparing runs of digits as numbers and the rest without case."""
    # isdecimal, as \d and int() read digits (isdigit is also true of "²", which int refuses)
    return tuple((0, int(part)) if part.isdecimal() else (1, part.casefold())
                 for part in _DIGITS.split(text) if part)


# --- search input -------------------------------------------------------------------------

# A word typed so far matches as a prefix from this length on. Shorter prefixes match most
# of a library, and FTS5 merges every word they start before it hands over the first
# match: "h*" took 77 ms at 100,000 articles, "ha*" 23 ms, "har*" 3 ms.
PREFIX_MIN_CHARS = 3
def fts_query(text: str, *, prefix: bool = False) -> str | None:
    """Translate plain words and "quoted phrases" into an FTS5 query that cannot be a syntax error.

    Every token is quoted (so ``AND``, ``NEAR(``, ``*`` and ``-`` are just words); tokens that
    hold no letter or digit are dropped because FTS5 would match nothing with them anyway.
    With ``prefix`` a last plain word of PREFIX_MIN_CHARS or more also matches as a prefix.
    Words and phrases written ``-word``, ``-"a phrase"`` are left out of the matches
    (``NOT``). Returns None when no word to find is left (words only left out: see
    :func:`fts_excluded`).
    """
    parts: list[str] = []
    last_plain = False
    last = ""
    for token, is_phrase in search_tokens(text):
        parts.append(_fts_phrase(token))
        last_plain, last = not is_phrase and search_text(token) == token, token
    if not parts:
        return None
    if prefix and last_plain and len(last) >= PREFIX_MIN_CHARS:
        parts[-1] += "*"
    excluded = fts_excluded(text)
    if excluded is not None:
        parts.append(f"NOT ({excluded})")
    return " ".join(parts)


def fts_excluded(text: str) -> str | None:
    """The FTS5 query matching any word or phrase a search leaves out (``-word``), or None."""
    excluded = [_fts_phrase(word) for word in excluded_words(text)]
    return " OR ".join(excluded) or None


def _fts_phrase(token: str) -> str:
    indexed = search_text(token)  # "東京" is the phrase of its characters, as indexed
    return '"' + indexed.replace('"', '""') + '"'


# --- corruption ---------------------------------------------------------------------------


@dataclass(slots=True)
class Salvage:
    """What could still be read from a database that had to be moved aside."""

    moved_to: Path
    reason: str
    feeds: list[dict[str, Any]] = field(default_factory=list)
    states: list[tuple[str, str, int, int]] = field(default_factory=list)  # url, key, read, star


_CORRUPT_MARKERS = ("not a database", "malformed", "corrupt", "encrypted")


def _reason(error: sqlite3.Error, path: Path) -> str:
    """SQLite's "unable to open database file" in words: what stood in the way."""
    text = str(error).lower()
    if ("unable to open" in text or "readonly" in text) and _read_only_mount(path):
        return "it is on a read-only file system"
    if "unable to open" in text:
        if path.is_dir():
            return "it is a folder"
        if path.is_symlink() and not path.exists():
            return "a symbolic link that leads nowhere (a loop, or a missing folder)"
        if not os.access(path if path.exists() else path.parent, os.R_OK | os.W_OK):
            return "permission denied"
    if "readonly" in text or "unable to open" in text:
        if not os.access(path, os.W_OK) and path.exists():
            return "the file is read-only"
        if not os.access(path.parent, os.W_OK | os.X_OK):
            # SQLite writes its journal beside the library: the file alone being
            # writable is not enough ("attempt to write a readonly database" said otherwise)
            return f"its folder {path.parent} is read-only (the library keeps its journal there)"
    return one_line(error)


def _read_only_mount(path: Path) -> bool:
    """Whether the file system the library is (or would be) on is mounted read-only."""
    try:
        return bool(os.statvfs(path if path.exists() else path.parent).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError, ValueError):
        return False


def _is_corruption(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.DatabaseError) and any(m in text for m in _CORRUPT_MARKERS)


def _suspect_marker(path: Path) -> Path:
    return path.with_name(path.name + "-check")


def _check(conn: sqlite3.Connection, path: Path) -> bool:
    """Raise sqlite3.DatabaseError if the file is not a healthy database.

    A full ``quick_check`` reads every page (160 ms for a 10k-article library on a busy
    machine), too slow for every start of the TUI. So: small files, and any file not
    checked in the last day, get the full check; otherwise a probe touches the schema and
    the first and last pages of the tables, which is what the first screen reads anyway.
    Returns True when the full check ran (and passed).
    """
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    suspect = _suspect_marker(path).exists()
    if size > FULL_CHECK_MAX_BYTES and "meta" in names and not suspect:
        row = conn.execute("SELECT value FROM meta WHERE key = 'last_check'").fetchone()
        last = _parse_iso(row[0]) if row else None
        if last is not None and _now() - last < FULL_CHECK_EVERY:
            for table in ("feeds", "articles"):
                if table in names:
                    conn.execute(f"SELECT * FROM {table} ORDER BY rowid LIMIT 1").fetchall()
                    conn.execute(f"SELECT * FROM {table} ORDER BY rowid DESC LIMIT 1").fetchall()
            return False
    result = conn.execute("PRAGMA quick_check(1)").fetchone()
    if result is None or result[0] != "ok":
        # the check's own report (a tuple of page numbers) is no help to a reader's user
        raise sqlite3.DatabaseError("database disk image is malformed")
    return True


def _salvage(path: Path) -> tuple[list[dict[str, Any]], list[tuple[str, str, int, int]]]:
    """Best effort: each table read on its own, any failure just means less is saved."""
    feeds: list[dict[str, Any]] = []
    states: list[tuple[str, str, int, int]] = []
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return feeds, states
    try:
        try:
            for row in conn.execute(
                "SELECT url, title, display_name, folder, kind FROM feeds WHERE subscribed = 1"
            ):
                feeds.append({"url": row[0], "title": row[1], "display_name": row[2],
                              "folder": row[3], "kind": row[4]})
        except sqlite3.Error:
            pass
        try:
            cursor = conn.execute(
                "SELECT f.url, a.key, a.read, a.starred FROM articles a "
                "JOIN feeds f ON f.id = a.feed_id WHERE a.read = 1 OR a.starred = 1"
            )
            while True:
                try:
                    row = cursor.fetchone()
                except sqlite3.Error:
                    break
                if row is None:
                    break
                states.append((str(row[0]), str(row[1]), int(row[2]), int(row[3])))
        except sqlite3.Error:
            pass
    finally:
        conn.close()
    return feeds, states


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


# --- the storage ---------------------------------------------------------------------------

# In a folder source, a feed file's entries are named after that feed, not the folder.
_FEED_NAME = (
    "CASE WHEN f.kind = 'directory' THEN coalesce(a.feed_title, f.display_name, f.title, f.url) "
    "ELSE coalesce(f.display_name, f.title, a.feed_title, f.url) END"
)
_ROW_COLUMNS = (
    f"a.id, a.feed_id, a.title, {_FEED_NAME}, "
    "a.published, a.read, a.starred, a.words, a.url"
)
_ARTICLE_COLUMNS = (
    f"a.id, a.feed_id, {_FEED_NAME}, a.source, a.key, "
    "a.title, a.author, a.url, a.published, a.body, a.body_state, a.kind, a.enclosures, "
    "a.feed_title, a.full_body, a.read, a.starred, a.read_position, a.words"
)
_FEED_COLUMNS = (
    "f.id, f.url, f.kind, f.title, f.display_name, f.folder, f.subscribed, f.always_full_text, "
    "f.last_success, f.last_error, f.retry_after, "
    "(SELECT min(c.name) FROM account_feeds b JOIN accounts c ON c.id = b.account_id "
    "WHERE b.feed_id = f.id)"
)

_UPSERT = """
INSERT INTO articles (feed_id, key, source, title, author, url, published, sort_ts, body,
                      body_state, kind, enclosures, feed_title, words, first_seen, read, starred)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (feed_id, key) DO UPDATE SET
    source = excluded.source, title = excluded.title, author = excluded.author,
    url = excluded.url, published = excluded.published,
    sort_ts = CASE WHEN excluded.published IS NULL THEN articles.sort_ts
                   ELSE excluded.sort_ts END,
    body = excluded.body, body_state = excluded.body_state, kind = excluded.kind,
    enclosures = excluded.enclosures, feed_title = excluded.feed_title,
    words = CASE WHEN articles.full_body IS NULL THEN excluded.words ELSE articles.words END
WHERE articles.title IS NOT excluded.title OR articles.body IS NOT excluded.body
   OR articles.author IS NOT excluded.author OR articles.url IS NOT excluded.url
   OR articles.published IS NOT excluded.published
   OR articles.body_state IS NOT excluded.body_state
   OR articles.enclosures IS NOT excluded.enclosures
   OR articles.feed_title IS NOT excluded.feed_title
"""


class SqliteStorage:
    """``reader.storage.base.Storage`` over one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._has_salvage: bool | None = None
        self._closed = False
        self.created = False  # True when this open made a new, empty library
        self._identity: tuple[int, int] | None = None  # the file opened: (device, inode)

    # -- opening

    @classmethod
    def open(cls, path: Path) -> tuple[SqliteStorage, Salvage | None]:
        """Open or create the library; a corrupt file is moved aside and salvaged.

        Raises StorageError when the file cannot be opened for another reason (permissions,
        a directory in the way, another application's database).
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(f"cannot create {path.parent}: {error.strerror}") from error
        salvage: Salvage | None = None
        storage = cls(path)
        try:
            storage._prepare()
        except sqlite3.DatabaseError as error:
            storage.close()
            if not _is_corruption(error):
                raise StorageError(f"cannot open the library {path}: {_reason(error, path)}"
                                   ) from error
            feeds, states = _salvage(path)
            try:
                moved = _move_aside(path)
            except OSError as move_error:
                raise StorageError(
                    f"library {path} is damaged and could not be moved aside: "
                    f"{move_error.strerror}") from move_error
            salvage = Salvage(moved_to=moved, reason=one_line(error), feeds=feeds, states=states)
            storage = cls(path)
            try:
                storage._prepare()
            except sqlite3.Error as again:
                storage.close()
                raise StorageError(f"cannot create library {path}: {one_line(again)}") from again
            if states:
                storage._store_salvaged(states)
        return storage, salvage

    def _prepare(self) -> None:
        conn = self._conn()
        checked = _check(conn, self.path)  # before any write: a damaged file is moved as found
        # whose file it is, before any write: another application's database is left as it was
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise StorageError(f"{self.path} is not a reader library (another application's "
                               "database); choose another file with --db")
        if app_id == 0:
            tables = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%'")}
            # a library from before the application id has its feeds and articles
            if tables if version == 0 else not {"feeds", "articles"} <= tables:
                raise StorageError(f"{self.path} is not a reader library (a database with "
                                   "other tables); choose another file with --db")
        # journal_mode is persistent in the file, but setting it takes a lock: only once
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        if version > len(MIGRATIONS):
            raise StorageError(f"{self.path} was written by a newer reader (schema {version}); "
                               "upgrade reader")
        if version < len(MIGRATIONS):
            self._migrate(conn, version)
            self.created = version == 0
        self._identity = _identity(self.path)
        if checked:
            # not waited for: another reader's long write (a refresh) held every start,
            # even `reader list`, for the whole busy timeout (5 s) over a note to itself
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                self.set_meta("last_check", _now().isoformat())
                _suspect_marker(self.path).unlink(missing_ok=True)
            except (StorageError, OSError):
                pass  # a read-only or busy library is still usable; it is checked next time
            finally:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def suspect(self) -> None:
        """A read said "malformed": the next open runs the full check, whatever its date."""
        try:
            _suspect_marker(self.path).touch()
        except OSError:
            pass

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # re-read under the write lock: another process may have migrated meanwhile
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(current, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            conn.execute("COMMIT")
        except BaseException:
            _roll_back(conn)
            raise

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise StorageError("the library is closed")
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                               isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        # NORMAL is durable across application crashes in WAL mode; only a power cut can
        # lose the last commits, never corrupt the file
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.create_function(SEARCH_TEXT_SQL, 1, _search_text, deterministic=True)
        self._local.conn = conn
        with self._lock:
            self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front so it cannot deadlock."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self._identity is not None and _identity(self.path) != self._identity:
                # the connections still write to the file that was there (moved or deleted):
                # every change from now on would be lost without a word
                raise StorageError(f"the library {self.path} was replaced or removed while "
                                   "reader ran: this change is not saved; start reader again")
            yield conn
        except BaseException:
            _roll_back(conn)
            raise
        conn.execute("COMMIT")

    def reconnect(self) -> SqliteStorage:
        """A handle for a forked worker: a connection is never used across a fork, and the
        file was checked and migrated by the open() that made this one."""
        return type(self)(self.path)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()

    # -- feeds

    @_guard
    def upsert_feed(
        self, url: str, *, title: str | None = None, subscribed: bool | None = None,
        folder: str | None = None, display_name: str | None = None,
        kind: FeedKind | None = None,
    ) -> int:
        with self._write() as conn:
            return self._upsert_feed(conn, url, title=title, subscribed=subscribed,
                                     folder=folder, display_name=display_name, kind=kind)

    @staticmethod
    def _upsert_feed(
        conn: sqlite3.Connection, url: str, *, title: str | None, subscribed: bool | None,
        folder: str | None, display_name: str | None, kind: FeedKind | None,
    ) -> int:
        row = conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        if row is None:
            cursor = conn.execute(
                "INSERT INTO feeds (url, kind, title, display_name, folder, subscribed, added)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (url, str(kind or FeedKind.FEED), title, display_name, folder,
                 int(bool(subscribed)), _iso(_now())))
            return int(cursor.lastrowid or 0)
        feed_id = int(row[0])
        updates = {"title": title, "display_name": display_name, "folder": folder,
                   "subscribed": None if subscribed is None else int(subscribed),
                   "kind": None if kind is None else str(kind)}
        sets = [(name, value) for name, value in updates.items() if value is not None]
        if sets:
            conn.execute(
                f"UPDATE feeds SET {', '.join(n + ' = ?' for n, _ in sets)} WHERE id = ?",
                [v for _, v in sets] + [feed_id])
        return feed_id

    @_guard
    def subscribe_feeds(self, feeds: Sequence[Subscription]) -> int:
        with self._write() as conn:
            urls = list(dict.fromkeys(feed.url for feed in feeds))
            subscribed: set[str] = set()
            for start in range(0, len(urls), _CHUNK):
                part = urls[start:start + _CHUNK]
                subscribed.update(row[0] for row in conn.execute(
                    f"SELECT url FROM feeds WHERE subscribed = 1 AND url IN "
                    f"({', '.join('?' * len(part))})", part))
            added = 0
            for feed in feeds:
                if feed.url in subscribed:  # (also a URL the list gives twice)
                    continue
                self._upsert_feed(conn, feed.url, title=feed.title, subscribed=True,
                                  folder=feed.folder, display_name=feed.display_name,
                                  kind=feed.kind)
                subscribed.add(feed.url)
                added += 1
            return added

    @_guard
    def set_folder(self, feed_id: int, folder: str | None) -> None:
        with self._write() as conn:
            conn.execute("UPDATE feeds SET folder = ? WHERE id = ?", (folder, feed_id))

    @_guard
    def remove_feed(self, feed_id: int) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM meta WHERE key = (SELECT ? || ':' || url FROM feeds "
                         "WHERE id = ?)", (CLEANER_KEY, feed_id))
            conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    @_guard
    def unsubscribe(self, feed_id: int) -> None:
        """Keep the articles (their read state is still worth having) but stop refreshing."""
        with self._write() as conn:
            conn.execute("UPDATE feeds SET subscribed = 0 WHERE id = ?", (feed_id,))

    @_guard
    def feeds(self, *, subscribed_only: bool = False, counts: bool = True) -> list[FeedInfo]:
        """Every feed (or the subscribed ones); ``counts=False`` skips the unread/total counts,
        which read the whole article index."""
        where = "WHERE f.subscribed = 1" if subscribed_only else ""
        if counts:
            # two index-only counts per feed: 50 ms at 100k articles, where one GROUP BY
            # over the rows took 190 ms
            sql = (f"SELECT {_FEED_COLUMNS}, "
                   "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id AND a.read = 0), "
                   "(SELECT count(*) FROM articles a WHERE a.feed_id = f.id) FROM feeds f ")
        else:
            sql = f"SELECT {_FEED_COLUMNS}, 0, 0 FROM feeds f "
        conn = self._conn()
        rows = conn.execute(sql + where).fetchall()
        feeds = [self._feed_info(row, row[12], row[13]) for row in rows]
        if counts:
            feeds = self._with_members(conn, feeds)
        # loose feeds first, then by folder; numbers by value, so "Feed 2" comes before "Feed 10"
        feeds.sort(key=lambda f: (f.folder is not None, _natural(f.folder or ""),
                                  _natural(f.name), f.id))
        return feeds

    @staticmethod
    def _with_members(conn: sqlite3.Connection, feeds: list[FeedInfo]) -> list[FeedInfo]:
        """Folder sources with the feed files among their articles (by their titles)."""
        folders = [feed.id for feed in feeds if feed.kind is FeedKind.DIRECTORY]
        if not folders:
            return feeds
        found: dict[int, list[MemberFeed]] = {}
        for chunk in _chunks(folders):
            for feed_id, title, unread, total in conn.execute(
                    "SELECT feed_id, feed_title, sum(read = 0), count(*) FROM articles "
                    f"WHERE feed_id IN ({','.join('?' * len(chunk))}) "
                    "AND feed_title IS NOT NULL GROUP BY feed_id, feed_title", list(chunk)):
                found.setdefault(feed_id, []).append(
                    MemberFeed(title=title, unread=int(unread or 0), total=int(total)))
        return [replace(feed, members=tuple(sorted(found[feed.id],
                                                   key=lambda m: _natural(m.title))))
                if feed.id in found else feed for feed in feeds]

    @staticmethod
    def _feed_info(row: Sequence[Any], unread: int, total: int) -> FeedInfo:
        return FeedInfo(
            id=row[0], url=row[1], kind=FeedKind(row[2]), title=row[3], display_name=row[4],
            folder=row[5], subscribed=bool(row[6]), always_full_text=bool(row[7]),
            unread=int(unread or 0), total=int(total or 0), last_success=_parse_iso(row[8]),
            last_error=row[9], retry_after=_parse_iso(row[10]), account=row[11])

    def _one_feed(self, where: str, value: object) -> FeedInfo | None:
        conn = self._conn()
        row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE {where}",
                           (value,)).fetchone()
        if row is None:
            return None
        counts = conn.execute("SELECT sum(read = 0), count(*) FROM articles WHERE feed_id = ?",
                              (row[0],)).fetchone()
        return self._feed_info(row, counts[0], counts[1])

    @_guard
    def feed_by_url(self, url: str) -> FeedInfo | None:
        return self._one_feed("f.url = ?", url)

    @_guard
    def feed_urls_like(self, prefix: str) -> list[str]:
        # LIKE is case-blind for ASCII letters, as scheme and host are; \ escapes % and _
        pattern = re.sub(r"([\\%_])", r"\\\1", prefix) + "%"
        return [row[0] for row in self._conn().execute(
            "SELECT url FROM feeds WHERE url LIKE ? ESCAPE '\\'", (pattern,))]

    @_guard
    def feed(self, feed_id: int) -> FeedInfo | None:
        return self._one_feed("f.id = ?", feed_id)

    @_guard
    def fetch_state(self, feed_id: int) -> FetchState:
        row = self._conn().execute(
            "SELECT etag, last_modified, retry_after FROM feeds WHERE id = ?",
            (feed_id,)).fetchone()
        if row is None:
            return FetchState()
        return FetchState(etag=row[0], last_modified=row[1], retry_after=_parse_iso(row[2]))

    @_guard
    def fetch_states(self) -> dict[int, FetchState]:
        rows = self._conn().execute(
            "SELECT id, etag, last_modified, retry_after FROM feeds").fetchall()
        return {r[0]: FetchState(etag=r[1], last_modified=r[2], retry_after=_parse_iso(r[3]))
                for r in rows}

    @_guard
    def record_fetch(
        self, feed_id: int, *, state: FetchState | None, error: str | None, when: datetime,
    ) -> None:
        with self._write() as conn:
            self._record_fetch(conn, feed_id, state=state, error=error, when=when)

    @staticmethod
    def _record_fetch(
        conn: sqlite3.Connection, feed_id: int, *, state: FetchState | None,
        error: str | None, when: datetime, title: str | None = None,
    ) -> None:
        retry = _iso(state.retry_after) if state is not None else None
        if error is None:
            conn.execute(
                "UPDATE feeds SET last_success = ?, last_error = NULL, retry_after = ?, "
                "etag = coalesce(?, etag), last_modified = coalesce(?, last_modified), "
                "title = coalesce(?, title) WHERE id = ?",
                (_iso(when), retry, state.etag if state else None,
                 state.last_modified if state else None, title, feed_id))
        else:
            # validators are kept: a failure says nothing about the cached copy
            conn.execute("UPDATE feeds SET last_error = ?, retry_after = ? WHERE id = ?",
                         (error, retry, feed_id))

    @_guard
    def set_feed_option(self, feed_id: int, *, always_full_text: bool) -> None:
        with self._write() as conn:
            conn.execute("UPDATE feeds SET always_full_text = ? WHERE id = ?",
                         (int(always_full_text), feed_id))

    # -- articles: writing

    @_guard
    def upsert_articles(
        self, feed_id: int, articles: Iterable[Article], *, key_prefix: str = "",
    ) -> int:
        with self._write() as conn:
            return self._upsert(conn, feed_id, list(articles), key_prefix)

    @_guard
    def upsert_many(self, batches: Sequence[tuple[int, Sequence[Article]]]) -> dict[int, int]:
        with self._write() as conn:
            return {feed_id: self._upsert(conn, feed_id, articles, "")
                    for feed_id, articles in batches}

    @_guard
    def store_refresh(self, results: Sequence[FetchOutcome], *, when: datetime) -> dict[int, int]:
        """Write a batch of fetch outcomes in one transaction; new-article counts per feed."""
        counts: dict[int, int] = {}
        with self._write() as conn:
            # one search-index pass for the whole batch; a feed given twice would update
            # rows not indexed yet, so the index catches up before its second turn
            unindexed = self._max_article_id(conn)
            for result in results:
                if result.articles:
                    if result.feed_id in counts:
                        unindexed = self._index_new(conn, unindexed)
                    new = self._upsert(conn, result.feed_id, result.articles, "", index=False)
                    counts[result.feed_id] = counts.get(result.feed_id, 0) + new
                self._record_fetch(conn, result.feed_id, state=result.state, error=result.error,
                                   when=when, title=result.title)
                if result.content_hash is not None:
                    conn.execute("UPDATE feeds SET content_hash = ? WHERE id = ?",
                                 (result.content_hash, result.feed_id))
            self._index_new(conn, unindexed)
        return counts

    @_guard
    def content_hashes(self) -> dict[int, str]:
        """The hash of each feed's last parsed body (see FetchOutcome.content_hash)."""
        return {r[0]: r[1] for r in self._conn().execute(
            "SELECT id, content_hash FROM feeds WHERE content_hash IS NOT NULL")}

    @staticmethod
    def _max_article_id(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0])

    def _index_new(self, conn: sqlite3.Connection, after: int) -> int:
        """Add the rows inserted since ``after`` (a max id) to the search index.

        New rows always get ids above the old maximum, and within the write transaction
        no one else inserts. Updates keep their trigger (articles_au), which requires the
        old row to be indexed: call this before a row inserted here can be updated.
        """
        conn.execute("INSERT INTO articles_fts (rowid, title, body) "
                     f"SELECT {_date_key_sql('articles')}, {SEARCH_TEXT_SQL}(title), "
                     f"{SEARCH_TEXT_SQL}(body) FROM articles WHERE id > ?", (after,))
        return self._max_article_id(conn)

    def _upsert(
        self, conn: sqlite3.Connection, feed_id: int, articles: Sequence[Article], prefix: str,
        *, index: bool = True, flags: dict[str, tuple[int, int]] | None = None,
    ) -> int:
        """Insert or update one feed's articles; ``index=False`` leaves the search index of
        new rows to the caller (see _index_new). ``flags``: (read, starred) of new rows by
        key (a feed server's); else unread, unstarred."""
        if not articles:
            return 0
        unindexed = self._max_article_id(conn) if index else 0
        # only these keys are looked up: a folder of 20,000 files is stored in batches,
        # and reading all of its keys for each batch made loading it quadratic
        keys = list({prefix + article.key for article in articles})
        existing = self._keys_in(conn, "articles", feed_id, keys)
        gone = self._keys_in(conn, "pruned", feed_id, keys)
        if flags is None and not prefix:
            existing |= self._rekey_moved(conn, feed_id, articles, existing | gone)
        rescued = flags if flags is not None else self._rescued_states(conn, feed_id)
        now = time.time()
        rows: dict[str, tuple[object, ...]] = {}
        new_keys: set[str] = set()
        for position, article in enumerate(articles):
            key = prefix + article.key
            if key in gone:
                continue
            if key not in existing:
                new_keys.add(key)
            read, starred = rescued.get(key, (0, 0))
            # whole seconds (see _date_key_sql); undated entries keep the feed's order, a
            # second apart: the first listed is the newest
            second = (math.floor(_timestamp(article.published))
                      if article.published is not None else math.floor(now) - position)
            sort_ts = max(_SORT_TS_MIN, min(_SORT_TS_MAX, second))
            # the same key twice: the last one wins (at its own position), and the row is
            # written once, so no row inserted here is updated before it is indexed
            rows.pop(key, None)
            rows[key] = (
                feed_id, key, article.source, article.title, article.author, article.url,
                _iso(article.published), sort_ts, article.body, str(article.body_state),
                str(article.kind), json.dumps(list(article.enclosures))
                if article.enclosures else None, article.feed_title,
                count_words(article.body), now, read, starred)
        conn.executemany(_UPSERT, rows.values())
        if index:
            self._index_new(conn, unindexed)
        if rescued and flags is None:
            conn.executemany("DELETE FROM salvaged WHERE key = ? AND feed_url = "
                             "(SELECT url FROM feeds WHERE id = ?)",
                             [(key, feed_id) for key in rescued])
        return len(new_keys)

    @staticmethod
    def _rekey_moved(conn: sqlite3.Connection, feed_id: int, articles: Sequence[Article],
                     known: set[str]) -> set[str]:
        """Give a new key's entry the row of the same entry under a key the feed no longer
        lists: a feed that makes up its GUIDs afresh at every fetch added every entry again
        each refresh, read ones unread again. The same entry: its link, title and date, or,
        undated, its body too (entries a feed keeps reusing a link and title for differ in
        those). The re-keyed keys come back."""
        listed = {article.key for article in articles}
        fresh = [a for a in articles if a.key not in known and a.url]
        if not fresh:
            return set()
        urls = list({a.url for a in fresh if a.url})
        rows: dict[tuple[str, str | None, str | None], list[tuple[str, str]]] = {}
        for chunk in _chunks(urls):
            for key, url, title, published, body in conn.execute(
                    "SELECT key, url, title, published, body FROM articles WHERE feed_id = ? "
                    f"AND url IN ({','.join('?' * len(chunk))}) "
                    "AND id NOT IN (SELECT article_id FROM synced) ORDER BY id",  # server's ids
                    (feed_id, *chunk)):
                if key not in listed:
                    rows.setdefault((url, title, published), []).append((key, body))
        moved: set[str] = set()
        for article in fresh:
            if article.key in moved:
                continue
            candidates = rows.get((str(article.url), article.title,
                                   _iso(article.published))) or []
            for position, (old_key, body) in enumerate(candidates):
                if article.published is not None or body == article.body:
                    del candidates[position]
                    conn.execute("UPDATE articles SET key = ? WHERE feed_id = ? AND key = ?",
                                 (article.key, feed_id, old_key))
                    moved.add(article.key)
                    break
        return moved

    @staticmethod
    def _keys_in(conn: sqlite3.Connection, table: str, feed_id: int,
                 keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` the feed has in ``table`` (articles, or pruned tombstones)."""
        found: set[str] = set()
        for chunk in _chunks(keys):
            found.update(r[0] for r in conn.execute(
                f"SELECT key FROM {table} WHERE feed_id = ? "  # noqa: S608 - a fixed name
                f"AND key IN ({','.join('?' * len(chunk))})", (feed_id, *chunk)))
        return found

    def _rescued_states(self, conn: sqlite3.Connection, feed_id: int) -> dict[str, tuple[int, int]]:
        if self._has_salvage is None:
            self._has_salvage = conn.execute("SELECT 1 FROM salvaged LIMIT 1").fetchone() \
                is not None
        if not self._has_salvage:
            return {}
        return {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT s.key, s.read, s.starred FROM salvaged s JOIN feeds f ON f.url = s.feed_url "
            "WHERE f.id = ?", (feed_id,))}

    def _store_salvaged(self, states: Sequence[tuple[str, str, int, int]]) -> None:
        with self._write() as conn:
            conn.executemany("INSERT OR REPLACE INTO salvaged VALUES (?, ?, ?, ?)", states)
        self._has_salvage = bool(states)

    @_guard
    def delete_articles(self, feed_id: int, keys: Sequence[str]) -> None:
        with self._write() as conn:
            conn.executemany("DELETE FROM articles WHERE feed_id = ? AND key = ?",
                             [(feed_id, key) for key in keys])

    def _set_flag(self, column: str, ids: Sequence[int], value: bool) -> None:
        """Set a flag; a synced article's change is journaled in the same transaction, so
        that no sync can miss it (see reader.sync.engine)."""
        changed = _iso(_now())
        with self._write() as conn:
            for chunk in _chunks(list(ids)):
                marks = ",".join("?" * len(chunk))
                conn.execute(f"UPDATE articles SET {column} = ? WHERE id IN ({marks})",
                             [int(value), *chunk])
                if self._has_accounts(conn):
                    conn.execute(
                        # REPLACE: the old entry goes, the new one takes the next seq
                        "INSERT OR REPLACE INTO journal (account_id, remote_id, flag, value, "
                        "changed) SELECT account_id, remote_id, ?, ?, ? FROM synced "
                        f"WHERE article_id IN ({marks})",
                        [column, int(value), changed, *chunk])

    @staticmethod
    def _has_accounts(conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    @_guard
    def set_read(self, ids: Sequence[int], read: bool) -> None:
        self._set_flag("read", ids, read)

    @_guard
    def set_starred(self, ids: Sequence[int], starred: bool) -> None:
        self._set_flag("starred", ids, starred)

    @_guard
    def set_full_body(self, article_id: int, body: str | None) -> None:
        """Keep (or with None drop) the article's full text; its word count follows the
        text the reader shows, so the list and the pane agree."""
        with self._write() as conn:
            if body is None:
                row = conn.execute("SELECT body FROM articles WHERE id = ?",
                                   (article_id,)).fetchone()
                words = count_words(row[0]) if row else 0
            else:
                words = count_words(body)
            conn.execute("UPDATE articles SET full_body = ?, words = ? WHERE id = ?",
                         (body, words, article_id))

    @_guard
    def set_read_position(self, article_id: int, position: float) -> None:
        position = min(1.0, max(0.0, position))
        with self._write() as conn:
            conn.execute("UPDATE articles SET read_position = ? WHERE id = ?",
                         (position, article_id))

    @_guard
    def prune(self, *, older_than: datetime) -> int:
        cutoff = _timestamp(older_than)
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO pruned (feed_id, key) SELECT feed_id, key FROM articles "
                "WHERE read = 1 AND starred = 0 AND sort_ts < ?", (cutoff,))
            cursor = conn.execute(
                "DELETE FROM articles WHERE read = 1 AND starred = 0 AND sort_ts < ?", (cutoff,))
            return int(cursor.rowcount)

    @_guard
    def meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @_guard
    def set_meta(self, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @_guard
    def vacuum(self) -> None:
        conn = self._conn()
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        conn.execute("VACUUM")

    # -- accounts on feed servers (reader.sync)

    _ACCOUNT_COLUMNS = ("a.id, a.name, a.kind, a.url, a.user, a.secret_kind, a.secret, a.cursor, "
                        "a.last_sync, a.last_error, "
                        "(SELECT count(*) FROM journal j WHERE j.account_id = a.id)")

    @staticmethod
    def _account(row: Sequence[Any]) -> Account:
        from reader.core.sync import Account, SecretKind

        return Account(id=row[0], name=row[1], kind=row[2], url=row[3], user=row[4],
                       secret_kind=SecretKind(row[5]), secret=row[6], cursor=row[7],
                       last_sync=_parse_iso(row[8]), last_error=row[9], pending=row[10])

    @_guard
    def save_account(self, *, name: str, kind: str, url: str, user: str,
                     secret_kind: SecretKind, secret: str) -> Account:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO accounts (name, kind, url, user, secret_kind, secret, added) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "kind = excluded.kind, url = excluded.url, user = excluded.user, "
                "secret_kind = excluded.secret_kind, secret = excluded.secret, last_error = NULL",
                (name, kind, url, user, str(secret_kind), secret, _iso(_now())))
            row = conn.execute(f"SELECT {self._ACCOUNT_COLUMNS} FROM accounts a WHERE name = ?",
                               (name,)).fetchone()
        return self._account(row)

    @_guard
    def accounts(self) -> list[Account]:
        return [self._account(row) for row in self._conn().execute(
            f"SELECT {self._ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.name")]

    @_guard
    def remove_account(self, account_id: int) -> int:
        """Forget the account, its journal and its feeds' bindings; the feeds only it synced
        are unsubscribed here (their articles stay, as for any unsubscribed feed). How many."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE feeds SET subscribed = 0 WHERE id IN (SELECT feed_id FROM account_feeds "
                "WHERE account_id = ?) AND id NOT IN (SELECT feed_id FROM account_feeds "
                "WHERE account_id != ?)", (account_id, account_id))
            conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
            return int(cursor.rowcount)

    @_guard
    def set_sync_cursor(self, account_id: int, cursor: str) -> None:
        """The cursor of the articles stored (kept once every page up to it is)."""
        with self._write() as conn:
            conn.execute("UPDATE accounts SET cursor = ? WHERE id = ?", (cursor, account_id))

    @_guard
    def record_sync(self, account_id: int, *, when: datetime, error: str | None = None) -> None:
        """A sync's end: ``error`` None, it completed."""
        with self._write() as conn:
            if error is None:
                conn.execute("UPDATE accounts SET last_sync = ?, last_error = NULL WHERE id = ?",
                             (_iso(when), account_id))
            else:
                conn.execute("UPDATE accounts SET last_error = ? WHERE id = ?",
                             (error, account_id))

    @_guard
    def store_account_feeds(self, account_id: int, feeds: Sequence[RemoteFeed], *,
                            complete: bool = True) -> dict[str, int]:
        """The account's subscriptions as the server lists them: each a subscribed feed
        (by URL: one the library had already is bound, not doubled) with the server's title
        and category as its folder. ``complete``: the list is all of them, and a feed the
        server no longer lists is unbound (and unsubscribed, unless another account has it).
        Returns the feed id of each server feed id."""
        bound: dict[str, int] = {}
        with self._write() as conn:
            for feed in feeds:
                row = conn.execute("SELECT id FROM feeds WHERE url = ?", (feed.url,)).fetchone()
                if row is None:
                    feed_id = int(conn.execute(
                        "INSERT INTO feeds (url, kind, title, folder, subscribed, added) "
                        "VALUES (?, 'feed', ?, ?, 1, ?)",
                        (feed.url, feed.title, feed.category, _iso(_now()))).lastrowid or 0)
                else:
                    feed_id = int(row[0])
                    conn.execute("UPDATE feeds SET title = ?, folder = ?, subscribed = 1, "
                                 "kind = 'feed' WHERE id = ?", (feed.title, feed.category, feed_id))
                conn.execute("INSERT OR REPLACE INTO account_feeds VALUES (?, ?, ?)",
                             (account_id, feed.id, feed_id))
                bound[feed.id] = feed_id
            if complete:
                gone = [(r[0], r[1]) for r in conn.execute(
                    "SELECT remote_id, feed_id FROM account_feeds WHERE account_id = ?",
                    (account_id,)) if r[0] not in bound]
                for remote_id, feed_id in gone:
                    self._unbind(conn, account_id, remote_id, feed_id)
        return bound

    @staticmethod
    def _unbind(conn: sqlite3.Connection, account_id: int, remote_id: str, feed_id: int) -> None:
        """The feed is no longer the account's: its articles stay, as local ones (the server
        dropped them: a sync must not read that as "read there")."""
        conn.execute("DELETE FROM account_feeds WHERE account_id = ? AND remote_id = ?",
                     (account_id, remote_id))
        if conn.execute("SELECT 1 FROM account_feeds WHERE account_id = ? AND feed_id = ?",
                        (account_id, feed_id)).fetchone() is not None:
            return  # the server lists the same address under another id: still the account's
        gone = "SELECT id FROM articles WHERE feed_id = ?"
        conn.execute("DELETE FROM journal WHERE account_id = ? AND remote_id IN (SELECT "
                     f"remote_id FROM synced WHERE account_id = ? AND article_id IN ({gone}))",
                     (account_id, account_id, feed_id))
        conn.execute(f"DELETE FROM synced WHERE account_id = ? AND article_id IN ({gone})",
                     (account_id, feed_id))
        if conn.execute("SELECT 1 FROM account_feeds WHERE feed_id = ?",
                        (feed_id,)).fetchone() is None:
            conn.execute("UPDATE feeds SET subscribed = 0 WHERE id = ?", (feed_id,))

    @_guard
    def account_feeds(self, account_id: int) -> dict[str, int]:
        """The server feed id -> feed id of the account's subscriptions."""
        return {r[0]: r[1] for r in self._conn().execute(
            "SELECT remote_id, feed_id FROM account_feeds WHERE account_id = ?", (account_id,))}

    @_guard
    def feed_bindings(self, feed_id: int) -> list[tuple[int, str]]:
        """(account id, server feed id) of each account the feed is synced through."""
        return [(r[0], r[1]) for r in self._conn().execute(
            "SELECT account_id, remote_id FROM account_feeds WHERE feed_id = ?", (feed_id,))]

    @_guard
    def unbind_feed(self, account_id: int, remote_id: str) -> None:
        """The account no longer has the feed (unsubscribed on the server)."""
        with self._write() as conn:
            row = conn.execute("SELECT feed_id FROM account_feeds WHERE account_id = ? AND "
                               "remote_id = ?", (account_id, remote_id)).fetchone()
            if row is not None:
                self._unbind(conn, account_id, remote_id, int(row[0]))

    @_guard
    def store_synced(self, account_id: int,
                     items: Sequence[tuple[int, Article, str, bool, bool]]) -> int:
        """Articles from the server: (feed id, article, server id, read, starred) each.

        Keyed by the server's id; a new one takes the server's flags, and a feed's article
        that the library had from the feed itself (same link, not synced yet) becomes this
        one instead of a second copy. A known one is updated in place, its flags left to
        :meth:`settle_flags`. How many were new."""
        if not items:
            return 0
        new = 0
        with self._write() as conn:
            unindexed = self._max_article_id(conn)
            # one server id is one article: where the server lists it under a second feed
            # (or twice in a page), the first place it was stored keeps it
            placed: dict[str, int] = {}
            for chunk in _chunks(list({remote_id for _, _, remote_id, _, _ in items})):
                placed.update((r[0], r[1]) for r in conn.execute(
                    "SELECT s.remote_id, a.feed_id FROM synced s JOIN articles a ON "
                    "a.id = s.article_id WHERE s.account_id = ? AND s.remote_id IN "
                    f"({','.join('?' * len(chunk))})", (account_id, *chunk)))
            by_feed: dict[int, list[tuple[Article, str, bool, bool]]] = {}
            for feed_id, article, remote_id, read, starred in items:
                if placed.setdefault(remote_id, feed_id) != feed_id:
                    continue
                by_feed.setdefault(feed_id, []).append((article, remote_id, read, starred))
            for feed_id, group in by_feed.items():
                keys = [article.key for article, *_ in group]
                known = self._keys_in(conn, "articles", feed_id, keys)
                fresh = [entry for entry in group if entry[0].key not in known]
                self._adopt_feed_copies(conn, feed_id, fresh)
                flags = {article.key: (int(read), int(starred))
                         for article, _, read, starred in fresh}
                new += self._upsert(conn, feed_id, [a for a, *_ in group], "", index=False,
                                    flags=flags)
                conn.executemany(
                    "INSERT OR IGNORE INTO synced (article_id, account_id, remote_id, "
                    "server_read, server_starred) SELECT id, ?, ?, ?, ? FROM articles "
                    "WHERE feed_id = ? AND key = ?",
                    [(account_id, remote_id, int(read), int(starred), feed_id, article.key)
                     for article, remote_id, read, starred in fresh])
            self._index_new(conn, unindexed)
        return new

    @staticmethod
    def _adopt_feed_copies(conn: sqlite3.Connection, feed_id: int,
                           fresh: Sequence[tuple[Article, str, bool, bool]]) -> None:
        """Re-key the feed's own copies (fetched before the feed was synced) of new synced
        articles, matched by link, so that the article is not listed twice."""
        urls = [article.url for article, *_ in fresh if article.url]
        if not urls:
            return
        copies: dict[str, int] = {}
        for chunk in _chunks(urls):
            copies.update((r[1], r[0]) for r in conn.execute(
                "SELECT a.id, a.url FROM articles a WHERE a.feed_id = ? AND a.url IN "
                f"({','.join('?' * len(chunk))}) AND a.key NOT LIKE 'sync:%' AND NOT EXISTS "
                "(SELECT 1 FROM synced s WHERE s.article_id = a.id)", (feed_id, *chunk)))
        conn.executemany("UPDATE articles SET key = ? WHERE id = ?",
                         [(article.key, copies.pop(article.url)) for article, *_ in fresh
                          if article.url in copies])

    @_guard
    def synced_ids(self, account_id: int) -> set[str]:
        """The server ids of the account's articles the library has."""
        return {r[0] for r in self._conn().execute(
            "SELECT remote_id FROM synced WHERE account_id = ?", (account_id,))}

    @_guard
    def synced_articles(self, account_id: int) -> list[SyncedArticle]:
        from reader.core.sync import SyncedArticle

        return [SyncedArticle(r[0], r[1], r[2], bool(r[3]), bool(r[4]), bool(r[5]),
                              bool(r[6]))
                for r in self._conn().execute(
                    "SELECT s.article_id, s.remote_id, (SELECT b.remote_id FROM account_feeds b "
                    "WHERE b.account_id = s.account_id AND b.feed_id = a.feed_id), a.read, "
                    "a.starred, s.server_read, s.server_starred FROM synced s "
                    "JOIN articles a ON a.id = s.article_id WHERE s.account_id = ?",
                    (account_id,))]

    @_guard
    def journal(self, account_id: int) -> list[JournalEntry]:
        from reader.core.sync import Flag, JournalEntry

        return [JournalEntry(r[0], r[1], Flag(r[2]), bool(r[3]), _parse_iso(r[4]) or _now())
                for r in self._conn().execute(
                    "SELECT seq, remote_id, flag, value, changed FROM journal "
                    "WHERE account_id = ? ORDER BY seq", (account_id,))]

    @_guard
    def settle_flags(self, account_id: int, updates: Sequence[FlagUpdate], *,
                     sent_upto: int) -> None:
        """After a sync: the journal up to ``sent_upto`` (a seq) is on the server; each
        update's flags are the new base, and the article's own unless it was changed here
        since (a journal entry left for that flag). One transaction."""
        from reader.core.sync import Flag

        with self._write() as conn:
            conn.execute("DELETE FROM journal WHERE account_id = ? AND seq <= ?",
                         (account_id, sent_upto))
            pending = {(r[0], r[1]) for r in conn.execute(
                "SELECT remote_id, flag FROM journal WHERE account_id = ?", (account_id,))}
            conn.executemany(
                "UPDATE synced SET server_read = ?, server_starred = ? WHERE article_id = ?",
                [(int(u.read), int(u.starred), u.article_id) for u in updates])
            for column in (Flag.READ, Flag.STARRED):
                rows = []
                for update in updates:
                    if (update.remote_id, str(column)) not in pending:
                        value = int(update.read if column is Flag.READ else update.starred)
                        rows.append((value, update.article_id, value))
                conn.executemany(
                    f"UPDATE articles SET {column} = ? WHERE id = ? AND {column} != ?", rows)

    # -- files of a directory source

    @_guard
    def file_stamps(self, feed_id: int) -> dict[str, FileStamp]:
        return {r[0]: FileStamp(r[1], r[2]) for r in self._conn().execute(
            "SELECT path, size, mtime_ns FROM files WHERE feed_id = ?", (feed_id,))}

    @_guard
    def record_files(
        self, feed_id: int, stamps: Sequence[tuple[str, FileStamp]], *, forget: Sequence[str] = (),
    ) -> None:
        with self._write() as conn:
            conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                             [(feed_id, p, s.size, s.mtime_ns) for p, s in stamps])
            conn.executemany("DELETE FROM files WHERE feed_id = ? AND path = ?",
                             [(feed_id, p) for p in forget])

    @_guard
    def store_files(
        self, feed_id: int, items: Sequence[tuple[str, FileStamp | None, Sequence[Article]]],
        *, drop_keys: Sequence[str] = (),
    ) -> int:
        """Articles of cleaned files plus their stamps in one transaction (a crash in between
        would otherwise leave a file marked clean without its article)."""
        with self._write() as conn:
            conn.executemany("DELETE FROM articles WHERE feed_id = ? AND key = ?",
                             [(feed_id, key) for key in drop_keys])
            # one upsert for the batch (each file's articles have keys of their own)
            new = self._upsert(conn, feed_id, [a for _, _, articles in items for a in articles],
                               "")
            conn.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                             [(feed_id, p, s.size, s.mtime_ns) for p, s, _ in items if s])
            return new

    @_guard
    def forget_file_stamps(self, source: str, *, cleaner: str) -> int:
        key = f"{CLEANER_KEY}:{source}"
        if self.meta(key) == cleaner:  # the usual case, without the write lock
            return 0
        with self._write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] == cleaner:
                return 0  # another process or thread got here first
            # -1 is no file's size: the rows stay (the folder keeps counting as opened
            # before: shown at once, walked for changes, not primed) but none matches
            forgotten = conn.execute(
                "UPDATE files SET size = -1 WHERE size >= 0"
                " AND feed_id = (SELECT id FROM feeds WHERE url = ?)", (source,)
            ).rowcount
            conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, cleaner))
            return int(forgotten)

    # -- articles: reading

    @_guard
    def article_ids(self, query: ArticleQuery, *,
                    cancelled: Callable[[], bool] | None = None) -> Sequence[int]:
        """The ordered ids of a view. When ``cancelled`` turns true the query stops early
        and returns nothing: a search typed on replaces the one still running."""
        conn = self._conn()
        hidden: list[int] = []
        if query.subscribed_only:
            # usually every stored feed is subscribed: then the filter costs nothing at all
            hidden = [r[0] for r in conn.execute("SELECT id FROM feeds WHERE subscribed = 0")]
        if _by_date_key_serves(query):
            listed = self._matches_by_date_key(conn, query, hidden, cancelled)
            if listed is not None:
                return listed
        sql, params = _view_sql(query, hidden)
        if sql is None:
            return array("q")
        return self._ids_of(conn, sql, params, cancelled) or array("q")

    @staticmethod
    def _ids_of(conn: sqlite3.Connection, sql: str, params: Sequence[object],
                cancelled: Callable[[], bool] | None,
                budget: int | None = None) -> Sequence[int] | None:
        """The ids an ordered query lists, as one JSON array.

        Read row by row, the sqlite3 module takes the GIL back for each id (100,000 times),
        each time a wait while the interface paints; this takes it once. (SQLite keeps a
        subquery's ORDER BY under an aggregate over it alone: test_many_rows_id_query checks
        the order of 100,000.) Returns nothing when ``cancelled`` turns true, and None past
        ``budget`` looks at it (_KEY_CHECK_STEPS SQLite steps apart).
        """
        looks = 0

        def stop() -> bool:
            nonlocal looks
            looks += 1
            return (budget is not None and looks > budget) or (
                cancelled is not None and cancelled())

        if cancelled is not None or budget is not None:
            conn.set_progress_handler(
                stop, _KEY_CHECK_STEPS if budget is not None else _CANCEL_CHECK_STEPS)
        try:
            text = conn.execute(f"SELECT json_group_array(id) FROM ({sql})", params).fetchone()[0]
        except sqlite3.OperationalError:
            if cancelled is not None and cancelled():
                return array("q")  # interrupted on purpose; the caller drops the result
            if budget is not None and looks > budget:
                return None
            raise
        finally:
            conn.set_progress_handler(None, 0)
        return array("q", json.loads(text))

    def _matches_by_date_key(self, conn: sqlite3.Connection, query: ArticleQuery,
                             hidden: Sequence[int],
                             cancelled: Callable[[], bool] | None) -> Sequence[int] | None:
        """A search by date read from the search index in its own order, which is the
        list's (see _date_key_sql): a page of it stops after ``query.limit`` matches, and
        the whole of it needs no sort.

        Returns None when a page's filters leave so few of the matches that walking them
        costs more than the usual query (past _KEY_BUDGET looks).
        """
        match = fts_query(query.text or "", prefix=query.prefix)
        if match is None:
            # words only left out ("-storm"): every article but theirs, the usual query
            return None if fts_excluded(query.text or "") is not None else array("q")
        where = ["articles_fts MATCH ?"]
        params: list[object] = [match]
        # dates are whole seconds: sort_ts >= since is key >= ceil(since), and so for until
        if query.since is not None:
            where.append("s.rowid >= ?")
            params.append(_key_second(math.ceil(_timestamp(query.since))) << _KEY_ID_BITS)
        if query.until is not None:
            where.append("s.rowid < ?")
            params.append(_key_second(math.ceil(_timestamp(query.until))) << _KEY_ID_BITS)
        joined = query.unread_only or bool(hidden)
        if query.unread_only:
            where.append("a.read = 0")
        if len(hidden) > _CHUNK:
            where.append("+a.feed_id NOT IN (SELECT id FROM feeds WHERE subscribed = 0)")
        elif hidden:
            where.append(f"+a.feed_id NOT IN ({','.join('?' * len(hidden))})")
            params.extend(hidden)
        sql = f"SELECT s.rowid & {_KEY_ID_MASK} AS id FROM articles_fts s"
        if joined:
            # CROSS JOIN: the index walks first, in its order, whatever the planner guesses
            sql += f" CROSS JOIN articles a ON a.id = (s.rowid & {_KEY_ID_MASK})"
        sql += f" WHERE {' AND '.join(where)} ORDER BY s.rowid DESC"
        if query.limit is not None:
            sql += " LIMIT ?"
            params.append(_sql_limit(query.limit))
        budget = _KEY_BUDGET if joined and query.limit is not None else None
        return self._ids_of(conn, sql, params, cancelled, budget)

    @_guard
    def rows(self, ids: Sequence[int]) -> list[ArticleRow]:
        found: dict[int, ArticleRow] = {}
        conn = self._conn()
        # an id SQLite cannot hold is no article's (and would not bind)
        for chunk in _chunks([i for i in ids if abs(i) <= _SQL_INT_MAX]):
            for r in conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id "
                f"WHERE a.id IN ({','.join('?' * len(chunk))})", list(chunk)):
                found[r[0]] = ArticleRow(
                    id=r[0], feed_id=r[1], title=r[2], feed_name=redact_password(r[3]),
                    published=_parse_iso(r[4]), read=bool(r[5]), starred=bool(r[6]),
                    words=r[7], url=r[8])
        return [found[i] for i in ids if i in found]

    @_guard
    def read_states(self, ids: Sequence[int]) -> dict[int, bool]:
        states: dict[int, bool] = {}
        conn = self._conn()
        for chunk in _chunks(list(ids)):
            states.update((r[0], bool(r[1])) for r in conn.execute(
                f"SELECT id, read FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                list(chunk)))
        return states

    @_guard
    def get(self, article_id: int) -> StoredArticle | None:
        r = self._conn().execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.id = ?", (article_id,)).fetchone()
        if r is None:
            return None
        article = Article(
            source=r[3], key=r[4], title=r[5], author=r[6], url=r[7],
            published=_parse_iso(r[8]), body=r[9], body_state=_enum(BodyState, r[10],
                                                                     BodyState.FULL),
            kind=_enum(SourceKind, r[11], SourceKind.TEXT),
            enclosures=tuple(json.loads(r[12])) if r[12] else (), feed_title=r[13])
        return StoredArticle(
            id=r[0], feed_id=r[1], feed_name=redact_password(r[2]), article=article,
            full_body=r[14],
            read=bool(r[15]), starred=bool(r[16]), read_position=float(r[17]), words=r[18])

    @_guard
    def unread_ids(self, feed_id: int | None, *, subscribed_only: bool = False) -> list[int]:
        sql = "SELECT id FROM articles WHERE read = 0"
        params: tuple[int, ...] = ()
        if feed_id is not None:
            sql, params = sql + " AND feed_id = ?", (feed_id,)
        elif subscribed_only:
            sql += " AND feed_id NOT IN (SELECT id FROM feeds WHERE subscribed = 0)"
        return [r[0] for r in self._conn().execute(sql, params)]

    @_guard
    def starred_states(self, ids: Sequence[int]) -> dict[int, bool]:
        states: dict[int, bool] = {}
        conn = self._conn()
        for chunk in _chunks(list(ids)):
            states.update((r[0], bool(r[1])) for r in conn.execute(
                f"SELECT id, starred FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                list(chunk)))
        return states

    @_guard
    def quick_check(self) -> str:
        return str(self._conn().execute("PRAGMA quick_check").fetchone()[0])

    @_guard
    def article_count(self) -> int:
        return int(self._conn().execute("SELECT count(*) FROM articles").fetchone()[0])


E = TypeVar("E", BodyState, SourceKind)


def _enum(kind: type[E], value: str, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement respects triggers)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _by_date_key_serves(query: ArticleQuery) -> bool:
    """Whether SqliteStorage._matches_by_date_key can list this view: a search by date over
    all feeds (one feed, a folder or the starred keep so few of the matches that the usual
    query is quicker; so may the unread, which only a page risks, within a budget)."""
    return (query.text is not None and query.sort is Sort.DATE and query.feed_ids is None
            and query.folder is None and not query.starred_only
            and (query.limit is not None or not query.unread_only))


def _view_sql(query: ArticleQuery, hidden: Sequence[int] = ()) -> tuple[str | None, list[object]]:
    """The SQL for a view's ordered ids, written so the date indexes serve it."""
    where: list[str] = []
    params: list[object] = []
    joins = ""
    order = "a.sort_ts DESC, a.id DESC"
    if query.feed_ids is not None:
        if not query.feed_ids:
            return None, []
        marks = ",".join("?" * len(query.feed_ids))
        # one feed: its own index; several: scan by date and test feed_id from the index
        column = "a.feed_id" if len(query.feed_ids) == 1 else "+a.feed_id"
        where.append(f"{column} IN ({marks})")
        params.extend(query.feed_ids)
    if query.folder is not None:
        where.append("+a.feed_id IN (SELECT id FROM feeds WHERE folder = ?)")
        params.append(query.folder)
    if query.member is not None:
        where.append("a.feed_title = ?")
        params.append(query.member)
    if len(hidden) > _CHUNK:
        where.append("+a.feed_id NOT IN (SELECT id FROM feeds WHERE subscribed = 0)")
    elif hidden:
        where.append(f"+a.feed_id NOT IN ({','.join('?' * len(hidden))})")
        params.extend(hidden)
    if query.unread_only:
        where.append("a.read = 0")
    if query.starred_only:
        where.append("a.starred = 1")
    if query.since is not None:
        where.append("a.sort_ts >= ?")
        params.append(_timestamp(query.since))
    if query.until is not None:
        where.append("a.sort_ts < ?")
        params.append(_timestamp(query.until))
    if query.text is not None:
        match = fts_query(query.text, prefix=query.prefix)
        excluded = fts_excluded(query.text) if match is None else None
        if match is None and excluded is None:
            return None, []
        if excluded is not None:  # words only left out: every article but theirs
            where.append(f"+a.id NOT IN (SELECT rowid & {_KEY_ID_MASK} FROM articles_fts "
                         "WHERE articles_fts MATCH ?)")
            params.append(excluded)
        elif query.sort is Sort.RANK:
            joins = (f" JOIN (SELECT rowid & {_KEY_ID_MASK} AS rid, rank FROM articles_fts "
                     "WHERE articles_fts MATCH ?) m ON m.rid = a.id")
            params.insert(0, match)
            order = "m.rank, a.sort_ts DESC, a.id DESC"
        else:
            # "+a.id": keep SQLite walking the date index in order (no temporary sort of
            # every hit); measured 307 -> 87 ms for 81k hits in 100k articles
            where.append(f"+a.id IN (SELECT rowid & {_KEY_ID_MASK} FROM articles_fts "
                         "WHERE articles_fts MATCH ?)")
            params.append(match)
    if query.sort is Sort.TITLE:
        order = "a.title IS NULL, a.title COLLATE NOCASE, a.sort_ts DESC, a.id DESC"
    elif query.sort is Sort.FEED:
        joins += " JOIN feeds f ON f.id = a.feed_id"
        # the name each row shows: a folder's feed files by their own titles
        order = f"{_FEED_NAME} COLLATE NOCASE, f.id, a.sort_ts DESC, a.id DESC"
    sql = f"SELECT a.id FROM articles a{joins}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += f" ORDER BY {order}"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(_sql_limit(query.limit))
    return sql, params
