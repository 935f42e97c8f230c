#!/usr/bin/env python3
"""Fill a test feed server with the loopback feed farm, then time the sync client on it.

    sudo tests/servers/ttrss-up.sh --reset        # an empty account
    python benchmarks/sync_fill.py                # 200 feeds x 50 entries, from the project root
    python benchmarks/sync_fill.py --sync-only    # the account is filled: time the client only
    python benchmarks/sync_fill.py --server freshrss    # the same on tests/servers/freshrss-up.sh's

Starts ``../shared/bench/feedfarm.py`` on 127.0.0.1 (a fixed port, so the feed URLs are the
same from run to run and a second fill subscribes nothing new), subscribes every farm feed
(``subscribeToFeed``: tt-rss fetches each URL once to check it), then makes tt-rss fetch
them with ``updateFeed`` from ``--workers`` sessions at once (PHP's built-in server runs 4
workers), and checks that the account holds feeds x entries articles. FreshRSS fetches a
feed as it subscribes to it (``subscription/edit``), so there is no second step. The subscriptions
stay (the sync benchmarks need them; the farm need not run for a sync: the articles are in
tt-rss's database).

Then, on the filled account, what a sync costs on the client's side (no storage yet):
a first sync (every article with its content, then the unread and starred ids) and an
unchanged one (articles since the cursor, then the ids again): wall time, CPU time of this
process, requests. Prints one line per step; run it where nothing else is busy, and compare
ratios taken in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.core.errors import SyncError  # noqa: E402
from reader.core.sync import SyncClient  # noqa: E402
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


async def sync(server: Server) -> None:
    cursor: str | None = None
    known: frozenset[str] = frozenset()
    for name in ("first", "unchanged"):
        async with server.client() as client:
            wall, cpu = time.perf_counter(), time.process_time()
            count = size = 0
            seen: list[str] = []
            async for page in client.articles(cursor, known=known):
                seen.extend(a.id for a in page.articles)
                count += len(page.articles)
                size += sum(len(a.content) for a in page.articles)
                cursor = page.cursor or cursor
            listed = time.perf_counter() - wall
            state = await client.state()
            known = known | frozenset(seen)
            print(f"{name} sync: {time.perf_counter() - wall:.2f} s wall "
                  f"({listed:.2f} s articles, the rest unread/starred ids), "
                  f"{time.process_time() - cpu:.2f} s CPU here, {requests(client)} requests, "
                  f"{count} articles ({size / 2**20:.1f} MB of content), "
                  f"{len(state.unread)} unread, {len(state.starred)} starred")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["ttrss", "freshrss"], default="ttrss")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=1)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sync-only", action="store_true")
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
        asyncio.run(sync(server))
    except SyncError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
