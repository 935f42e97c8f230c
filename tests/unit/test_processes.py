from __future__ import annotations

import os

import pytest

from reader.core import processes


@pytest.mark.parametrize(
    ("cores", "load", "workers"),
    [(2, 0.0, 2), (2, 0.4, 2), (2, 1.2, 1), (2, 4.5, 1), (8, 0.0, 2), (1, 0.0, 1)],
)
def test_workers_are_started_for_the_idle_cores_only(
    monkeypatch: pytest.MonkeyPatch, cores: int, load: float, workers: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert processes.idle_workers(2) == workers


def test_no_load_average_means_idle_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable() -> tuple[float, float, float]:
        raise OSError("no load average")

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "getloadavg", unavailable)
    assert processes.idle_workers(2) == 2
