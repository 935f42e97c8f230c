#!/usr/bin/env python3
"""The article list stays instant at 100,000 articles: CPU per key press, measured headless.

    python benchmarks/bench_tui.py                     # 1000 feeds x 100 entries
    python benchmarks/bench_tui.py --feeds 200 --entries 50 --presses 50

Builds (once, cached in the temp folder) a library like the feed farm's, runs the app with
``App.run_test()`` and prints, per kind of key press, the process CPU time it costs (all
threads: the row fetching workers count) until the screen has been updated:

- ``j``/``k`` moving one row (target <= 16 ms), ``G`` jumping to the last row and ``g`` back
  to the first (target <= 50 ms);
- the list's first paint (ids loaded and the visible rows drawn) in wall time;
- a search: wall time from the last key to the list drawn with the first results,
  debounce included (target <= 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.core.config import Config  # noqa: E402
from reader.core.models import Article, BodyState, SourceKind  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.storage.sqlite import SqliteStorage  # noqa: E402
from reader.tui.app import ReaderApp  # noqa: E402
from reader.tui.widgets.article_list import ArticleList  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import compile_reader  # noqa: E402

TOPICS = ("river council budget school market energy harbour railway museum festival "
          "weather election hospital library bridge garden orchestra university stadium "
          "airport forest coffee theatre science").split()
_SYLLABLES = "ka lo mi re tu sa ne vo pi da ru fe zo li ba mo".split()
# 4,096 made-up words: a body word matches about 1.5 % of the articles, as real words do
VOCABULARY = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES]
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def build(path: Path, feeds: int, entries: int) -> float:
    start = time.perf_counter()
    storage, _ = SqliteStorage.open(path)
    batch: list[tuple[int, list[Article]]] = []
    for f in range(feeds):
        url = f"http://127.0.0.1:8765/feed/{f}.xml"
        feed_id = storage.upsert_feed(url, title=f"Farm feed {f}", subscribed=True,
                                      folder=f"Folder {f % 10}")
        articles = []
        for e in range(entries):
            words = " ".join(VOCABULARY[(f * 7919 + e * 104729 + k * 7907) % len(VOCABULARY)]
                             for k in range(60))
            articles.append(Article(
                source=url, key=f"{f}-{e}", title=f"Farm feed {f}: entry {e} about "
                f"{TOPICS[(f + e) % len(TOPICS)]}", author="By Writer",
                url=f"http://127.0.0.1:8765/article/{f}/{e}.html",
                published=BASE - timedelta(minutes=f * 13 + e * 97),
                body=f"{words}.\n\nSecond paragraph of entry {e} of feed {f}.",
                body_state=BodyState.SUMMARY if f % 3 == 0 else BodyState.FULL,
                kind=SourceKind.FEED))
        batch.append((feed_id, articles))
        if len(batch) >= 50:
            storage.upsert_many(batch)
            batch = []
    if batch:
        storage.upsert_many(batch)
    storage.close()
    return time.perf_counter() - start


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def presses(pilot: Any, key: str, count: int, *, reset: str | None = None) -> list[float]:
    """CPU ms per press of ``key`` (``reset`` pressed before each one, not counted)."""
    costs = []
    for _ in range(count):
        if reset:
            await pilot.press(reset)
            await settle(pilot)
        before = time.process_time()
        await pilot.press(key)
        await pilot.app.workers.wait_for_complete()  # rows fetched off the UI thread count too
        await pilot.pause()
        costs.append((time.process_time() - before) * 1000)
    return costs


def report(name: str, costs: list[float], target: float | None) -> None:
    verdict = "" if target is None else ("  ok" if statistics.median(costs) <= target
                                         else "  OVER TARGET")
    print(f"{name:<28} median {statistics.median(costs):7.2f} ms   mean "
          f"{statistics.mean(costs):7.2f} ms   max {max(costs):7.2f} ms"
          + (f"   target <= {target:.0f} ms" if target else "") + verdict)


async def run(path: Path, count: int, size: tuple[int, int]) -> None:
    library = Library.open(path)
    app = ReaderApp(library=library, config=Config(refresh_on_start=False,
                                                   refresh_interval_minutes=0))
    start = time.perf_counter()
    async with app.run_test(size=size) as pilot:
        articles = app.query_one(ArticleList)
        while not articles.ids or articles.cached_row(articles.ids[0]) is None:
            await asyncio.sleep(0.005)
        await pilot.pause()
        print(f"{'list first paint':<28} {(time.perf_counter() - start) * 1000:7.1f} ms wall "
              f"({len(articles.ids):,} articles)")
        await settle(pilot)
        report("j (one row down)", await presses(pilot, "j", count), 16)
        report("k (one row up)", await presses(pilot, "k", count), 16)
        report("G (last row)", await presses(pilot, "G", count, reset="g"), 50)
        report("g (first row)", await presses(pilot, "g", count, reset="G"), 50)
        assert articles.cursor == 0
        await pilot.press("G")
        await settle(pilot)
        assert articles.cursor == len(articles.ids) - 1
        await pilot.press("g")
        await settle(pilot)

        latencies = []
        painted: list[tuple[float, int, bool]] = []
        original = ArticleList.render_lines

        def render_lines(self: ArticleList, crop: Any) -> Any:
            strips = original(self, crop)
            first = self.ids[0] if self.ids else None
            ready = first is not None and self.cached_row(first) is not None
            painted.append((time.perf_counter(), len(self.ids), ready))
            return strips

        ArticleList.render_lines = render_lines  # type: ignore[method-assign]
        for word in ("kalomi", "harbour", "zobamo"):
            expected = len(library.view(app.current_query().__class__(
                text=word, prefix=True, subscribed_only=True)))
            await pilot.press("slash", *word[:-1])
            await settle(pilot)
            painted.clear()
            before = time.perf_counter()
            await pilot.press(word[-1])
            while not any(n == expected and ready for _, n, ready in painted):
                await asyncio.sleep(0.001)
            drawn = next(t for t, n, ready in painted if n == expected and ready)
            latencies.append((drawn - before) * 1000)
            hits = expected
            await pilot.press("escape")
            await settle(pilot)
        ArticleList.render_lines = original  # type: ignore[method-assign]
        report(f"search, wall ({hits:,} hits)", latencies, 100)
    library.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak memory (VmHWM)':<28} {peak:7.1f} MB (this process, 100k ids and the app)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=100)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS")
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    compile_reader()  # time the reader as installed (with bytecode), see installed.py
    path = Path(tempfile.gettempdir()) / f"reader-bench-tui-v2-{args.feeds}x{args.entries}.sqlite"
    if args.rebuild or not path.exists():
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
        print(f"building {args.feeds * args.entries:,} articles in {path} ...", flush=True)
        print(f"built in {build(path, args.feeds, args.entries):.1f} s (run again for the "
              "memory figure without the build)")
    cols, rows = (int(n) for n in args.size.split("x"))
    asyncio.run(run(path, args.presses, (cols, rows)))


if __name__ == "__main__":
    main()
