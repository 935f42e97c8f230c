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


def about(name: str, message: str) -> str:
    """``message`` about ``name`` as "NAME: reason", naming it once: a message that names it
    already stays as it is (never "Could not add URL: URL: connection failed")."""
    return message if not name or name in message else f"{name}: {message}"


def one_line(error: BaseException | None) -> str:
    """An error as one line a person can read: its message without control characters or
    line breaks (at most 400 characters), else the error's kind."""
    if error is None:
        return "unknown error"
    return clean_line(str(error), limit=400) or type(error).__name__


def network_reason(error: BaseException) -> str | None:
    """Why a connection failed, in words ("host not found", "connection refused"), read
    from the operating system's error in the exception's chain; None when there is none.

    "[Errno -2] Name or service not known" tells a person less than "host not found".
    """
    import socket

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            if current.errno == socket.EAI_AGAIN:
                return "host name lookup failed (no answer from DNS; offline?)"
            return "host not found"
        name = type(current).__name__
        if name == "SSLCertVerificationError":
            detail = getattr(current, "verify_message", None)
            return f"TLS certificate refused ({detail})" if detail else \
                "TLS certificate refused"
        if name == "SSLError":
            return "TLS handshake failed (is it an https server?)"
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(current, TimeoutError):
            return "timed out"
        if isinstance(current, OSError) and current.errno in _ERRNO_WORDS:
            return _ERRNO_WORDS[current.errno]
        current = current.__cause__ or current.__context__
    return None


def _errno_words() -> dict[int, str]:
    import errno

    return {errno.ENETUNREACH: "network unreachable (offline?)",
            errno.EHOSTUNREACH: "host unreachable", errno.ECONNREFUSED: "connection refused",
            errno.ECONNRESET: "connection reset by the server",
            errno.ETIMEDOUT: "timed out", errno.ECONNABORTED: "connection aborted"}


_ERRNO_WORDS = _errno_words()
