"""Running a coroutine from synchronous code."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``factory()`` makes to the end and return its result.

    From a thread that already runs an event loop (a Textual async worker by mistake)
    it runs in a thread of its own; exceptions reach the caller either way.
    """
    import asyncio  # here: a command that never runs a coroutine is 5% quicker to start

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    box: list[T] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            box.append(asyncio.run(factory()))
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=worker, name="reader-run-sync")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return box[0]
