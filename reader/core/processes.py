"""Worker processes: how many, how they are started, and how they end."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from multiprocessing.context import BaseContext

WORKER_PROCESSES = 2  # for CPU-bound work (parsing, cleaning): this machine class has 2 cores


def idle_workers(most: int = WORKER_PROCESSES) -> int:
    """How many CPU-bound workers to start: one per core idle now (the load average says
    how many are busy), at least one, at most ``most``.

    A worker on a core that is busy anyway gains no time and costs some: over the 181
    news pages on 2 cores at a load of 4-5, two workers took 11% more CPU than one and
    finished later (6.3 s against 5.7 s, medians of 6), as they and the machine's other
    processes take the caches and the cores from each other.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average here: assume the cores are idle
        busy = 0.0
    return max(1, min(most, round(cores - busy)))


def worker_context() -> BaseContext:
    """fork where there is one: it costs milliseconds and the workers inherit the imports.

    spawn and forkserver start a fresh interpreter that re-imports the main module, which
    costs a second per worker and re-runs any unguarded script. The workers run only their
    own code (a new event loop and HTTP client, the parsers, the folder cleaner), which
    takes no lock another thread of the parent could hold; a worker that hangs anyway is
    killed by its caller after a grace period.
    """
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


# held back while a worker forks, until the worker has made them its own: SIGINT ignored,
# the others given their default (a forked worker inherits the interface's handlers: the
# terminal driver's SIGCONT one, run in a worker by the shell's `fg` after Ctrl+Z, started
# application mode there, reading the keys from the terminal or dying without a loop)
_HELD = {signal.SIGINT} | {getattr(signal, name) for name in (
    "SIGTERM", "SIGHUP", "SIGCONT", "SIGTSTP", "SIGWINCH", "SIGTTIN", "SIGTTOU")
    if hasattr(signal, name)}


@contextmanager
def forking() -> Iterator[None]:
    """Around starting workers: SIGINT (with SIGTERM and SIGHUP) is held back in this
    thread, so a worker forked now starts with them blocked and cannot be interrupted
    before :func:`worker_started` runs.

    Ctrl+C in a terminal goes to the whole process group; the parent alone decides what
    it means (it stops its workers), a worker never dies with a traceback of its own.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """While workers are forked and at work: what this process holds now is set aside from
    its garbage collections (``gc.freeze``, a constant-time move), and so from its forked
    workers' collections. A full collection walks every object, writing to its header: in
    a worker, or in this process while a worker shares its memory, that copies the memory
    page by page. A process that has frozen its heap itself (the interface, once it is
    up) is left to it."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def worker_started() -> None:
    """First thing in a worker process: Ctrl+C is the parent's to handle, and the worker
    ends with the parent (Linux: PR_SET_PDEATHSIG), even one killed or ended at once.

    The other signals held back while it forked (SIGTERM, SIGHUP, the terminal's job
    control and resize signals) take their default again, and the signal wake-up of the
    parent's event loop is let go: a forked worker inherits both, so the SIGTERM that ends
    a worker woke the parent's loop as if the parent had been sent it (the interface quit,
    143), and the `fg` after Ctrl+Z ran the terminal driver's SIGCONT handler in it.
    What it inherits is set aside from its garbage collections (see :func:`frozen_heap`)."""
    gc.freeze()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for signum in _HELD - {signal.SIGINT}:
            signal.signal(signum, signal.SIG_DFL)
        try:
            signal.set_wakeup_fd(-1)
        except (ValueError, OSError):
            pass
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere a worker left alone finishes its task and exits


def end_workers(pool: Executor) -> None:
    """Shut a process pool down and stop its workers now, whatever they are doing.

    Python 3.14 has ``terminate_workers``; before it, the pool's own table of processes
    (which ``shutdown`` empties: it is read first). The pool's manager thread is then
    waited for, briefly: one left running as the interpreter exits can write to a pipe
    already closed and print a traceback over the user's shell. A worker stopped half way
    through sending a large result leaves that thread waiting for the rest, which only the
    end of the pipe (the parent's copy of its write end closed) ends.
    """
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    for process in processes:
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass
    for process in processes:
        try:
            process.join(timeout=1)
        except (OSError, AttributeError, AssertionError):
            pass
    writer = getattr(results, "_writer", None)
    if writer is not None and not any(p.is_alive() for p in processes):
        try:
            writer.close()  # a half-read result now ends in EOF, not a wait for ever
        except OSError:
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None:
        manager.join(timeout=2)  # (never for ever: at worst it is left, as it used to be)
