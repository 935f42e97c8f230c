"""A command that waits for a folder cleans it itself where one core is idle, rather than
fork one worker; the articles come in the same order as from the workers."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

import pytest

import reader.ingest.folders as folders
from reader.ingest.specs import load_directory

STORY = ("Story number {n} about the harbour\n\n"
         "The council met on a Tuesday to discuss the harbour budget and the bridge, "
         "and the engineers were heard out in full before the vote on story {n}.\n")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for n in range(23):
        (tmp_path / f"{n:02}.txt").write_text(STORY.format(n=n), encoding="utf-8")
    monkeypatch.setattr(folders, "PARALLEL_FILES", 4)
    monkeypatch.setattr(folders, "CHUNK_FILES", 2)
    return tmp_path


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The worker count of each process pool started."""
    started: list[int] = []
    real = concurrent.futures.ProcessPoolExecutor

    def counted(workers: int, **options: Any) -> concurrent.futures.ProcessPoolExecutor:
        started.append(workers)
        return real(workers, **options)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", counted)
    return started


def _titles(folder: Path, *, here: bool) -> list[str | None]:
    titles: list[str | None] = []
    folders.load_folder(folder, here=here, on_batch=lambda batch: titles.extend(
        file.result.title for file in batch))
    return titles


def test_with_one_idle_core_a_command_cleans_the_folder_without_a_worker(
    folder: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folders, "idle_workers", lambda: 1)
    titles = [result.title for result in load_directory(folder)]  # as ``reader dump``
    assert pools == []
    assert titles == [f"Story number {n} about the harbour" for n in range(23)]
    assert _titles(folder, here=False) == titles  # the interface's way: by a worker
    assert pools == [1]


def test_with_two_idle_cores_a_command_has_its_folder_cleaned_by_two_workers_in_order(
    folder: Path, pools: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folders, "idle_workers", lambda: 2)
    titles = _titles(folder, here=True)
    assert pools == [2]  # the wall time of two cleaners
    assert titles == [f"Story number {n} about the harbour" for n in range(23)]
