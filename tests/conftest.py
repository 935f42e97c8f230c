"""Fixtures for every layer: each test runs with its own XDG folders and library files.

Builders and helpers live in ``tests/support`` (importable as ``support``), never here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.library import Library
from reader.storage.sqlite import SqliteStorage


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user folders."""
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library path of its own, also as READER_DB (for ``reader`` run in-process)."""
    path = tmp_path / "library.sqlite"
    monkeypatch.setenv("READER_DB", str(path))
    return path


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config path of its own (not created), also as READER_CONFIG."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("READER_CONFIG", str(path))
    return path


@pytest.fixture
def storage(db_file: Path) -> Iterator[SqliteStorage]:
    """The storage of an empty library in a tmp folder (the one ``library`` wraps)."""
    opened, _ = SqliteStorage.open(db_file)
    yield opened
    opened.close()


@pytest.fixture
def library(storage: SqliteStorage) -> Library:
    """An empty library in a tmp folder, over ``storage``."""
    return Library(storage)
