"""Driving the app in tests: one way to make it, one way to let it settle."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerError, WorkerFailed

from reader.core.config import Config
from reader.library import Library
from reader.tui.app import ReaderApp


class RecordingApp(ReaderApp):
    """The app, with every notification kept for the test to read."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notes: list[tuple[str, dict[str, Any]]] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append((message, kwargs))
        super().notify(message, **kwargs)

    def noted(self, fragment: str) -> bool:
        return any(fragment in message for message, _ in self.notes)


def make_app(library: Library, tmp_path: Path | None = None, **config: Any) -> RecordingApp:
    """The app over ``library``, with no refresh on start or on a timer; ``config`` sets
    any other Config field, ``app_kwargs`` passes arguments to the app itself."""
    app_kwargs = config.pop("app_kwargs", {})
    if tmp_path is not None:
        config.setdefault("download_dir", tmp_path / "saved")
    settings = Config(refresh_on_start=False, refresh_interval_minutes=0, **config)
    config_file = tmp_path / "config.toml" if tmp_path is not None else None
    return RecordingApp(library=library, config=settings, config_file=config_file,
                        **app_kwargs)


async def settle(pilot: Pilot[object], rounds: int = 3) -> None:
    """Let an app's workers finish and their messages land (workers may start more workers)."""
    for _ in range(rounds):
        for worker in list(pilot.app.workers):
            with contextlib.suppress(WorkerCancelled, WorkerError, WorkerFailed):
                await worker.wait()
        await pilot.pause()
