"""Running a coroutine from synchronous code."""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

#: how often a run under stop_when asks whether it is to stop (seconds)
STOP_POLL = 0.1

_here = threading.local()


@contextmanager
def stop_when(cancelled: Callable[[], bool]) -> Iterator[None]:
    """Every run_sync in this thread, inside the block, is cancelled once ``cancelled()``
    is true (an interface's worker whose app quits), as Ctrl+C cancels a command's: its
    threads and worker processes stop and what was stored stays stored. The block then
    ends quietly; a cancellation asked for by nobody still propagates."""
    outer = getattr(_here, "cancelled", None)
    _here.cancelled = cancelled
    try:
        yield
    except BaseException as error:
        import asyncio

        if not (isinstance(error, asyncio.CancelledError) and cancelled()):
            raise
    finally:
        _here.cancelled = outer


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``factory()`` makes to the end and return its result.

    From a thread that already runs an event loop (a Textual async worker by mistake)
    it runs in a thread of its own; exceptions reach the caller either way. Under
    stop_when it raises asyncio.CancelledError once asked to stop.
    """
    import asyncio  # here: a command that never runs a coroutine is 5% quicker to start

    cancelled = getattr(_here, "cancelled", None)

    def start() -> Coroutine[Any, Any, T]:
        return factory() if cancelled is None else _until(factory(), cancelled)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(start())
    box: list[T] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            box.append(asyncio.run(start()))
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=worker, name="reader-run-sync")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return box[0]


async def _until(coroutine: Coroutine[Any, Any, T], cancelled: Callable[[], bool]) -> T:
    """``coroutine``'s result, or its cancellation once ``cancelled()`` is true."""
    import asyncio

    task = asyncio.ensure_future(coroutine)
    while not task.done():
        if cancelled():
            task.cancel()
            break
        await asyncio.wait({task}, timeout=STOP_POLL)
    return await task
