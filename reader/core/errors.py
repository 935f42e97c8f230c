"""One exception root; every message is a single line a person can act on."""

from __future__ import annotations

from reader.core.sanitize import clean_line, redact_password


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


#: the errors log is started afresh past this size (the previous one kept as errors.log.1)
ERRORS_LOG_LIMIT = 1_000_000


def unexpected(error: BaseException, what: str) -> str:
    """The one line to show for an error that is a bug, not bad input ("refresh failed
    (KeyError; details in ~/.local/state/reader-tui/log/errors.log)"); its traceback is
    appended to the errors log so that it can be reported. A seatbelt that keeps one
    source's bug from stopping the others calls this instead of hiding the traceback."""
    where = log_unexpected(error, what)
    kind = type(error).__name__
    return f"{what} failed ({kind}; details in {where})" if where else f"{what} failed ({kind})"


def log_unexpected(error: BaseException, what: str) -> str | None:
    """Append ``error``'s traceback to the errors log; the log's path as shown to a person
    (``~/...``), or None when it cannot be written."""
    import traceback
    from datetime import UTC, datetime

    from reader.core.paths import errors_log_path
    from reader.core.sanitize import strip_controls
    from reader.core.version import __version__

    try:
        path = errors_log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > ERRORS_LOG_LIMIT:
            path.replace(path.with_name(path.name + ".1"))
        when = datetime.now(UTC).isoformat(timespec="seconds")
        # the traceback may quote a feed's text: no escape sequence may reach a `cat`
        trace = strip_controls("".join(traceback.format_exception(error)))
        with path.open("a", encoding="utf-8", errors="replace") as log:
            log.write(f"--- {when} reader {__version__}: {clean_line(what)}\n{trace}\n")
    except OSError:
        return None
    return shown_errors_log()


def shown_path(path: object) -> str:
    """A file's path as shown to a person: ``~/...`` under the home folder, on one line."""
    from pathlib import Path

    text, home = str(path), str(Path.home()).rstrip("/")
    if home and text.startswith(home + "/"):
        text = "~" + text[len(home):]
    return clean_line(text) or ""


def shown_errors_log() -> str:
    """The errors log's path as shown to a person: ``~/...`` under the home folder."""
    from reader.core.paths import errors_log_path

    return shown_path(errors_log_path()) or "the errors log"


def one_line(error: BaseException | None) -> str:
    """An error as one line a person can read: its message without control characters or
    line breaks (at most 400 characters), else the error's kind."""
    if error is None:
        return "unknown error"
    return redact_password(clean_line(str(error), limit=400) or type(error).__name__)


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
