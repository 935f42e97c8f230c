"""One exception root; every message is a single line a person can act on."""

from __future__ import annotations

from reader.core.sanitize import clean_line


class ReaderError(Exception):
    """Root of every error the reader raises on purpose."""


class SourceError(ReaderError):
    """A source (file, directory, feed, OPML list) could not be read or understood."""


class FetchError(SourceError):
    """An HTTP fetch failed: timeout, status, size cap, redirect policy, bad encoding."""


class FeedError(SourceError):
    """The bytes are not a usable feed (or were refused, e.g. entity declarations)."""


class StorageError(ReaderError):
    """The library database could not be opened, read or written."""


class ConfigError(ReaderError):
    """The configuration file is invalid (the message names the line and the key)."""


class SyncError(ReaderError):
    """A feed server could not be reached, or refused or garbled a request.

    The message names the server first: "tt-rss at 127.0.0.1:8280: timed out after 30 s".
    """


class SyncAuthError(SyncError):
    """The server refused the credentials (wrong password, unknown user, API disabled)."""


#: what an empty or blank source is told (``reader add ''`` once subscribed the current folder)
EMPTY_SOURCE = "an empty source: name a file, a folder or a feed URL"


def one_line(error: BaseException | None) -> str:
    """An error as one line a person can read: its message without control characters or
    line breaks (at most 400 characters), else the error's kind."""
    if error is None:
        return "unknown error"
    return clean_line(str(error), limit=400) or type(error).__name__
