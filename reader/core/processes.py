"""Worker processes: how many, and how they are started."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

WORKER_PROCESSES = 2  # for CPU-bound work (parsing, cleaning): this machine class has 2 cores


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
