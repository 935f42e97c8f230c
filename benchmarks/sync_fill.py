#!/usr/bin/env python3
"""Fill a test feed server with the loopback feed farm, then time `reader sync` of it beside
`reader refresh` of the same feeds fetched directly.

    sudo tests/servers/ttrss-up.sh --reset        # an empty account
    python benchmarks/sync_fill.py                # 200 feeds x 50 entries, from the project root
    python benchmarks/sync_fill.py --sync-only    # the account is filled: measure only
    python benchmarks/sync_fill.py --server freshrss    # the same on tests/servers/freshrss-up.sh's

Starts ``../shared/bench/feedfarm.py`` on 127.0.0.1 (a fixed port, so the feed URLs are the
same from run to run and a second fill subscribes nothing new), subscribes every farm feed
(``subscribeToFeed``: tt-rss fetches each URL once to check it), then makes tt-rss fetch
them with ``updateFeed`` from ``--workers`` sessions at once (PHP's built-in server runs 4
workers), and checks that the account holds feeds x entries articles. FreshRSS fetches a
feed as it subscribes to it (``subscription/edit``), so there is no second step. The subscriptions
stay (the sync benchmarks need them; the farm need not run for a sync: the articles are in
tt-rss's database).

Then ``--rounds`` rounds, alternating, each in a new library: the library syncs the filled
account (``Library.sync``: subscriptions, every article with its content cleaned and stored,
the unread and starred ids) and syncs it again with nothing changed; then a library
subscribed to the same 200 feeds refreshes them from the farm itself (``Library.refresh``),
first and unchanged (conditional GETs). Wall time, CPU time of this process (the refresh's
fetch workers are other processes), requests (the server's, from the client; the farm's,
from its /stats), new articles; medians, and the ratios of the medians. Run it where nothing
else is busy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.errors import SyncError  # noqa: E402
from reader.core.sync import SyncClient  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.sync import GReaderClient, TtrssClient  # noqa: E402

FEEDFARM = ROOT.parent / "shared" / "bench" / "feedfarm.py"


class Server:
    """The server's address from READER_<NAME>_* or its start-up script's state file."""

    def __init__(self, name: str) -> None:
        self.name = name
        prefix = f"READER_{name.upper()}_"
        values = {k: os.environ[prefix + k] for k in ("URL", "USER", "PASSWORD")
                  if prefix + k in os.environ}
        if "URL" not in values:
            state = Path(os.environ.get(f"{name.upper()}_STATE", f"/tmp/reader-{name}")) / "env"
            try:
                for line in state.read_text(encoding="utf-8").splitlines():
                    key, _, value = line.partition("=")
                    values.setdefault(key.removeprefix(prefix), value)
            except OSError:
                sys.exit(f"no {name}: run tests/servers/{name}-up.sh first")
        self.url = values["URL"]
        self.user, self.password = values.get("USER", "sync"), values.get("PASSWORD", "syncpass")

    def client(self) -> SyncClient:
        if self.name == "ttrss":
            return TtrssClient(self.url, self.user, self.password)
        return GReaderClient(self.url, self.user, self.password)


def requests(client: SyncClient) -> int:
    return client.requests if isinstance(client, TtrssClient | GReaderClient) else 0


def start_farm(args: argparse.Namespace) -> subprocess.Popen[bytes]:
    farm = subprocess.Popen(
        [sys.executable, str(FEEDFARM), "--feeds", str(args.feeds), "--entries",
         str(args.entries), "--port", str(args.port), "--hosts", str(args.hosts),
         "--latency-ms", str(args.latency_ms), "--max-seconds", "1800"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/stats", timeout=1).read()
            return farm
        except OSError:
            time.sleep(0.1)
    farm.kill()
    sys.exit(f"the feed farm did not start on port {args.port}")


def farm_urls(args: argparse.Namespace) -> list[str]:
    return [f"http://127.0.0.{f % args.hosts + 1}:{args.port}/feed/{f}.xml"
            for f in range(args.feeds)]


async def fill(args: argparse.Namespace, server: Server) -> None:
    urls = farm_urls(args)
    async with server.client() as client:
        started = time.perf_counter()
        feeds = []
        for feed_url in urls:
            if isinstance(client, TtrssClient):  # fetched below, from several sessions
                feeds.append(await client.subscribe(feed_url, fetch=False))
            else:
                feeds.append(await client.subscribe(feed_url))
        print(f"subscribe {len(feeds)} feeds: {time.perf_counter() - started:.1f} s, "
              f"{requests(client)} requests")
        before = await client.unread_count()
    if server.name != "ttrss":
        print(f"unread after subscribing: {before} (expected {args.feeds * args.entries})")
        return

    queue: asyncio.Queue[str] = asyncio.Queue()
    for feed in feeds:
        queue.put_nowait(feed.id)

    async def worker() -> None:
        async with server.client() as session:
            assert isinstance(session, TtrssClient)
            while not queue.empty():
                await session.update_feed(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(args.workers)))
    took = time.perf_counter() - started
    async with server.client() as client:
        after = await client.unread_count()
    print(f"updateFeed x {len(feeds)} with {args.workers} sessions: {took:.1f} s "
          f"({took / max(1, len(feeds)) * args.workers:.2f} s a feed); unread {before} -> {after}"
          f" (expected {args.feeds * args.entries} in all)")


@dataclass
class Run:
    seconds: float
    cpu: float
    requests: int
    articles: int


def median_line(name: str, runs: list[Run]) -> str:
    return (f"{name}: {median(r.seconds for r in runs):.2f} s wall, "
            f"{median(r.cpu for r in runs):.2f} s CPU here, "
            f"{median(r.requests for r in runs):.0f} requests, "
            f"{median(r.articles for r in runs):.0f} new articles "
            f"(median of {len(runs)}: {', '.join(f'{r.seconds:.1f}' for r in runs)} s)")


async def sync_round(server: Server, folder: Path) -> tuple[Run, Run]:
    """A new library syncs the filled account: first, then again with nothing changed."""
    secret = folder / "password"
    secret.write_text(server.password + "\n")
    library = Library.open(folder / "library.sqlite")
    try:
        kind = "ttrss" if server.name == "ttrss" else "greader"
        await library.add_account(kind, server.url, server.user, password_file=str(secret))
        runs = []
        for _ in ("first", "unchanged"):
            wall, cpu = time.perf_counter(), time.process_time()
            [report] = await library.sync()
            if report.error:
                sys.exit(f"sync failed: {report.error}")
            runs.append(Run(time.perf_counter() - wall, time.process_time() - cpu,
                            report.requests, report.new_articles))
        return runs[0], runs[1]
    finally:
        library.close()


def farm_requests(args: argparse.Namespace, reset: bool = False) -> int:
    path = "/stats/reset" if reset else "/stats"
    with urllib.request.urlopen(f"http://127.0.0.1:{args.port}{path}", timeout=5) as answer:
        counts = json.load(answer)
    return sum(v for k, v in counts.items() if isinstance(v, int) and k != "uptime")


def refresh_round(args: argparse.Namespace, folder: Path) -> tuple[Run, Run]:
    """A new library subscribed to the same feeds fetches them itself: first, unchanged."""
    listed = folder / "urls"
    listed.write_text("\n".join(farm_urls(args)) + "\n")
    library = Library.open(folder / "library.sqlite")
    try:
        library.import_file(listed)
        runs = []
        for _ in ("first", "unchanged"):
            farm_requests(args, reset=True)
            wall, cpu = time.perf_counter(), time.process_time()
            summary = asyncio.run(library.refresh())
            took, spent = time.perf_counter() - wall, time.process_time() - cpu
            if summary.errors:
                sys.exit(f"refresh failed: {summary.failures[:3]}")
            runs.append(Run(took, spent, farm_requests(args), summary.new_articles))
        return runs[0], runs[1]
    finally:
        library.close()


def measure(args: argparse.Namespace, server: Server) -> None:
    """Rounds of (sync first, sync unchanged) and (refresh first, refresh unchanged),
    alternating, each in a new library; medians."""
    results: dict[str, list[Run]] = {}
    farm = start_farm(args)
    try:
        for number in range(args.rounds):
            with tempfile.TemporaryDirectory(prefix="sync-bench-") as folder:
                first, again = asyncio.run(sync_round(server, Path(folder)))
            results.setdefault("sync first", []).append(first)
            results.setdefault("sync unchanged", []).append(again)
            with tempfile.TemporaryDirectory(prefix="refresh-bench-") as folder:
                first, again = refresh_round(args, Path(folder))
            results.setdefault("refresh first", []).append(first)
            results.setdefault("refresh unchanged", []).append(again)
            print(f"round {number + 1}: " + ", ".join(
                f"{name} {runs[-1].seconds:.1f} s" for name, runs in results.items()),
                flush=True)
    finally:
        farm.terminate()
        farm.wait(10)
    for name, runs in results.items():
        print(median_line(name, runs))
    ratio = median(r.seconds for r in results["sync first"]) / max(
        1e-9, median(r.seconds for r in results["refresh first"]))
    ratio_again = median(r.seconds for r in results["sync unchanged"]) / max(
        1e-9, median(r.seconds for r in results["refresh unchanged"]))
    print(f"sync / refresh: first {ratio:.2f}x, unchanged {ratio_again:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["ttrss", "freshrss"], default="ttrss")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sync-only", action="store_true",
                        help="the account is filled already: measure only")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = Server(args.server)
    try:
        if not args.sync_only:
            farm = start_farm(args)
            try:
                asyncio.run(fill(args, server))
            finally:
                farm.terminate()
                farm.wait(10)
        measure(args, server)
    except SyncError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
