#!/usr/bin/env python3
"""What each key of the article list costs at 100,000 articles, for this tree or another:
the keys bench_tui.py does not press (Enter, m, Tab, A, typing a search and a ``-word``).

    python benchmarks/bench_tui_keys.py LIBRARY.sqlite             # this checkout
    PYTHONPATH=/work/wt-base python benchmarks/bench_tui_keys.py --tree /work/wt-base COPY.sqlite

LIBRARY is a library such as bench_tui.py builds (``build`` there; 1000 feeds x 100 entries).
A marks every article read: give each run a fresh copy. Runs the app headless
(``App.run_test()``, 200x50, refresh off) and prints one JSON line: first paint, feeds
known and settled (wall ms from start); then per kind of press the median of ``PRESSES``
(30) presses of the process CPU time (worker threads included) and of the wall time,
each until the app has settled (three rounds of workers done and a pause: ~120 ms of the
wall figures is that wait, so compare walls side by side only). Run two trees in turns, in
one run, for a before and after; note the machine load.
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if "--tree" in sys.argv:  # import the reader of another checkout
    at = sys.argv.index("--tree")
    sys.path.insert(0, sys.argv.pop(at + 1))
    sys.argv.pop(at)
else:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from reader.core.config import Config  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.tui.app import ReaderApp  # noqa: E402
from reader.tui.widgets.article_list import ArticleList  # noqa: E402

N = int(os.environ.get("PRESSES", "30"))
SIZE = tuple(int(x) for x in os.environ.get("SIZE", "200x50").split("x"))


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def timed(pilot: Any, *keys: str) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    await pilot.press(*keys)
    await settle(pilot)
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


async def run(path: Path) -> None:
    out: dict[str, Any] = {}
    library = Library.open(path)
    app = ReaderApp(library=library, config=Config(refresh_on_start=False,
                                                   refresh_interval_minutes=0))
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        articles = app.query_one(ArticleList)
        while not articles.ids or articles.cached_row(articles.ids[0]) is None:
            await asyncio.sleep(0.002)
        await pilot.pause()
        out["first_paint"] = (time.perf_counter() - start) * 1000
        while not app._feeds_known:
            await asyncio.sleep(0.002)
        await pilot.pause()
        out["feeds_known"] = (time.perf_counter() - start) * 1000
        await settle(pilot)
        out["settled"] = (time.perf_counter() - start) * 1000
        res: dict[str, list[tuple[float, float]]] = {}
        for name, keys in (("j", "j"), ("k", "k")):
            res[name] = [await timed(pilot, keys) for _ in range(N)]
        res["enter"] = []
        for _ in range(N // 2):
            app.screen.set_focus(articles)
            await pilot.press("j")
            await settle(pilot)
            res["enter"].append(await timed(pilot, "enter"))
        app.screen.set_focus(articles)
        await settle(pilot)
        res["m"] = [await timed(pilot, "m") for _ in range(N)]
        res["tab"] = [await timed(pilot, "tab") for _ in range(N)]
        app.screen.set_focus(articles)
        await settle(pilot)
        for label, word in (("search", "harbour"), ("search_not", "-harbour")):
            await pilot.press("slash")
            await settle(pilot)
            res[label] = [await timed(pilot, "minus" if ch == "-" else ch) for ch in word]
            out[label + "_status"] = app.status_text
            await pilot.press("escape")
            await settle(pilot)
            app.screen.set_focus(articles)
            await settle(pilot)
        out["status_before_A"] = app.status_text
        res["A"] = [await timed(pilot, "A")]
        out["status_after_A"] = app.status_text
        for k, v in res.items():
            out[k + "_cpu"] = statistics.median(c for c, _ in v)
            out[k + "_wall"] = statistics.median(w for _, w in v)
    library.close()
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1])))
