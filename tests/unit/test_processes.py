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


def test_ending_a_worker_is_not_a_signal_to_its_parent() -> None:
    """A forked worker inherited the parent's SIGTERM handler and its event loop's signal
    wake-up: the SIGTERM that ended the worker ran the parent's handler (the interface,
    which quits on SIGTERM, quit with 143 when q stopped a folder's workers)."""
    import subprocess
    import sys
    from pathlib import Path

    script = r'''
import asyncio, signal, time
from concurrent.futures import ProcessPoolExecutor
from reader.core.processes import end_workers, forking, worker_context, worker_started

async def main():
    heard = []
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, heard.append, "TERM")
    pool = ProcessPoolExecutor(1, mp_context=worker_context(), initializer=worker_started)
    with forking():
        started = pool.submit(time.sleep, 0.3)
    await asyncio.sleep(0.1)
    started.result()  # the worker runs: it has made its signals its own
    pool.submit(time.sleep, 30)
    await asyncio.sleep(0.2)
    end_workers(pool)
    await asyncio.sleep(0.5)
    print("heard" if heard else "quiet")

asyncio.run(main())
'''
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          check=False)
    assert done.stdout.strip() == "quiet", done.stderr


def test_a_worker_drops_the_interfaces_job_control_handlers() -> None:
    """A forked worker kept the terminal driver's SIGCONT, SIGTSTP and SIGWINCH handlers:
    the shell's `fg` after Ctrl+Z (SIGCONT to the whole process group) ran the driver's
    resume in the worker, which then read the keys too, or died without an event loop."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    script = r'''
import signal
from concurrent.futures import ProcessPoolExecutor
from reader.core.processes import forking, worker_context, worker_started

def handler(*_):
    pass

names = ("SIGCONT", "SIGTSTP", "SIGWINCH", "SIGTERM", "SIGHUP")
for name in names:
    signal.signal(getattr(signal, name), handler)

def handlers():
    return sorted(name for name in names
                  if signal.getsignal(getattr(signal, name)) is not signal.SIG_DFL)

pool = ProcessPoolExecutor(1, mp_context=worker_context(), initializer=worker_started)
with forking():
    found = pool.submit(handlers)
print(",".join(found.result()) or "none")
pool.shutdown()
'''
    if not hasattr(signal, "SIGCONT"):
        return
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          check=False)
    assert done.stdout.strip() == "none", (done.stdout, done.stderr)


def test_ending_workers_leaves_no_pool_thread_behind() -> None:
    """A pool shut down without waiting left its threads to the interpreter's exit, where
    one wrote to a pipe already closed: `OSError: Bad file descriptor` printed over the
    shell after `q`. Ending the workers stops a busy one and waits for the threads."""
    import threading
    import time
    from concurrent.futures import ProcessPoolExecutor

    from reader.core.processes import end_workers, worker_context

    before = set(threading.enumerate())
    pool = ProcessPoolExecutor(1, mp_context=worker_context())
    busy = pool.submit(time.sleep, 30)
    time.sleep(0.2)
    start = time.monotonic()
    end_workers(pool)
    assert time.monotonic() - start < 10  # not the 30 s the task would take
    assert busy.done()
    assert set(threading.enumerate()) <= before


def _large_result(_: int) -> bytes:
    import time

    time.sleep(0.05)
    return b"y" * 200_000  # more than a pipe holds: the worker is stopped mid-send


def test_ending_workers_that_are_sending_a_large_result_does_not_hang() -> None:
    """A worker stopped half way through sending a result left the pool's manager thread
    waiting for the rest for ever, and `q` while a folder was cleaned froze the app."""
    import threading
    import time
    from concurrent.futures import ProcessPoolExecutor

    from reader.core.processes import end_workers, forking, worker_context, worker_started

    for round_ in range(8):
        pool = ProcessPoolExecutor(2, mp_context=worker_context(), initializer=worker_started)
        with forking():
            for index in range(20):
                pool.submit(_large_result, index)
        time.sleep(round_ % 7 * 0.013)
        ending = threading.Thread(target=end_workers, args=(pool,), daemon=True)
        ending.start()
        ending.join(timeout=15)
        assert not ending.is_alive(), f"end_workers hung in round {round_}"


def test_the_heap_is_frozen_while_workers_run_and_given_back() -> None:
    """What the process holds is set aside from collections while its workers fork and
    work (a full collection in a worker copied the parent's memory page by page), and
    given back after; a heap the process froze itself (the interface) is left frozen."""
    import subprocess
    import sys
    from pathlib import Path

    script = r'''
import gc
from reader.core.processes import frozen_heap
before = gc.get_freeze_count()
with frozen_heap():
    during = gc.get_freeze_count()
after = gc.get_freeze_count()
gc.freeze()
own = gc.get_freeze_count()
with frozen_heap():
    pass
print(before == 0, during > 0, after == 0, gc.get_freeze_count() == own)
'''
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          check=False)
    assert done.stdout.split() == ["True"] * 4, done.stderr
