"""A bug caught by a seatbelt is one line on the screen and a traceback in the errors log."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.errors import ERRORS_LOG_LIMIT, unexpected
from reader.core.paths import errors_log_path


def raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:  # noqa: BLE001 - the test wants the traceback
        return caught


def test_the_line_names_the_log_and_the_log_holds_the_traceback() -> None:
    line = unexpected(raised(KeyError("title\x1b[2J")), "refresh")
    assert line.startswith("refresh failed (KeyError; details in ")
    assert "errors.log" in line and "\n" not in line
    log = errors_log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "in raised" in log
    assert "KeyError" in log and "\x1b" not in log  # a `cat` of the log runs no escape


def test_a_full_log_is_started_afresh_and_the_old_one_kept() -> None:
    path = errors_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x" * (ERRORS_LOG_LIMIT + 1))
    unexpected(raised(ValueError("boom")), "sync")
    assert path.stat().st_size < 10_000
    assert path.with_name("errors.log.1").stat().st_size > ERRORS_LOG_LIMIT


def test_an_unwritable_log_still_gives_the_line(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr("reader.core.paths.errors_log_path",
                        lambda: blocker / "log" / "errors.log")
    assert unexpected(raised(KeyError("k")), "reading") == "reading failed (KeyError)"


def test_a_loader_bug_is_one_source_error_with_the_log(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    from reader.ingest import load

    def broken(*args: object, **kwargs: object) -> None:
        raise IndexError("a loader bug")

    monkeypatch.setattr(load, "_load_bytes", broken)
    page = tmp_path / "page.txt"
    page.write_text("Some words here.\n")
    result = load.load_path(page)
    assert result.error is not None and ": reading failed (IndexError; details in " in result.error
    assert "a loader bug" in errors_log_path().read_text(encoding="utf-8")
