#!/usr/bin/env python3
"""Two installed readers side by side in one run: refresh and first paint, interleaved.

    python benchmarks/bench_versions.py --a before=/tmp/v1/bin/reader --b after=.venv/bin/reader

For a change that must not change the speed (a refactor), against the commit before it:
install each in its own virtual environment (``pip install .`` compiles the bytecode, as a
user's install does) and give both ``reader`` commands. In one run, on one machine:

* refresh: the loopback feed farm (``../shared/bench/feedfarm.py``, 200 feeds x 50 entries,
  50 ms latency, 20 hosts); per round, each reader imports the farm into a fresh library and
  refreshes it twice (the first fills it, the second finds every feed unchanged);
* first paint: one library of ``--feeds x --entries`` articles (100,000 by default) built
  through the storage API of the reader this script imports; ``ttfp.py`` times each reader
  until the feed titles show, one run of each in turn.

The order alternates every round (A B, B A, ...), so load from elsewhere on a shared machine
falls on both alike. Prints every run, the medians and the ratio B/A.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import build_by_api, write_config  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def named_command(value: str) -> tuple[str, str]:
    name, sep, command = value.partition("=")
    if not sep or not Path(command).exists():
        raise argparse.ArgumentTypeError(f"expected NAME=/path/to/reader, got {value!r}")
    return name, command


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}")
    return elapsed


def refresh_rounds(readers: list[tuple[str, str]], rounds: int, work: Path) -> dict[str, dict]:
    port = free_port()
    urls_file = work / "urls.txt"
    farm = subprocess.Popen(
        [sys.executable, str(SHARED / "feedfarm.py"), "--feeds", "200", "--entries", "50",
         "--latency-ms", "50", "--hosts", "20", "--port", str(port), "--max-seconds", "3600",
         "--urls-file", str(urls_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if urls_file.exists() and urls_file.stat().st_size:
                break
            time.sleep(0.1)
        for url in urls_file.read_text().split():  # warm the farm's generator and caches
            urllib.request.urlopen(url, timeout=10).read()
        times: dict[str, dict[str, list[float]]] = {
            name: {"first": [], "unchanged": []} for name, _ in readers}
        for round_ in range(rounds):
            order = readers if round_ % 2 == 0 else readers[::-1]
            for name, command in order:
                db = work / f"refresh-{name}-{round_}.sqlite"
                env = dict(os.environ, READER_CONFIG=str(write_config(work / "config.toml")))
                subprocess.run([command, "--db", str(db), "import", str(urls_file)], env=env,
                               check=True, capture_output=True)
                first = timed([command, "--db", str(db), "refresh", "--quiet"], env)
                unchanged = timed([command, "--db", str(db), "refresh", "--quiet"], env)
                times[name]["first"].append(first)
                times[name]["unchanged"].append(unchanged)
                print(f"  round {round_ + 1} {name}: first {first:.2f} s, "
                      f"unchanged {unchanged:.2f} s", flush=True)
        return times
    finally:
        farm.terminate()
        farm.wait()


def first_paint_rounds(readers: list[tuple[str, str]], rounds: int, db: Path,
                       config: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name, _ in readers}
    env = dict(os.environ, READER_CONFIG=str(config))
    for round_ in range(-1, rounds):  # round -1 warms the page cache and is not counted
        order = readers if round_ % 2 == 0 else readers[::-1]
        for name, command in order:
            done = subprocess.run(
                [sys.executable, str(SHARED / "ttfp.py"), "--expect", "Farm feed", "--runs", "1",
                 "--timeout", "60", "--", command, "--db", str(db)],
                env=env, capture_output=True, text=True)
            match = re.search(r"first paint s: median ([0-9.]+)", done.stdout)
            if match is None:
                raise SystemExit(f"ttfp of {name} failed: {done.stdout[-300:]}{done.stderr[-300:]}")
            if round_ >= 0:
                times[name].append(float(match.group(1)))
                print(f"  round {round_ + 1} {name}: {times[name][-1]:.3f} s", flush=True)
    return times


def report(title: str, series: dict[str, list[float]], names: list[str]) -> None:
    a, b = (statistics.median(series[name]) for name in names)
    print(f"{title}: {names[0]} {a:.3f} s, {names[1]} {b:.3f} s (medians of "
          f"{len(series[names[0]])}), {names[1]}/{names[0]} = {b / a:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", type=named_command, required=True, metavar="NAME=READER")
    parser.add_argument("--b", type=named_command, required=True, metavar="NAME=READER")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=2000, help="first-paint library's feeds")
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--skip-refresh", action="store_true")
    parser.add_argument("--skip-paint", action="store_true")
    args = parser.parse_args()
    if not shutil.which("tmux") and not args.skip_paint:
        raise SystemExit("first paint needs tmux (or pass --skip-paint)")
    readers = [args.a, args.b]
    names = [name for name, _ in readers]
    work = Path(tempfile.mkdtemp(prefix="bench-versions-"))
    try:
        if not args.skip_refresh:
            print("refresh, 200 feeds x 50 entries, 50 ms latency:", flush=True)
            times = refresh_rounds(readers, args.rounds, work)
            for kind in ("first", "unchanged"):
                report(f"refresh ({kind})", {n: times[n][kind] for n in names}, names)
        if not args.skip_paint:
            db = work / "paint.sqlite"
            built = build_by_api(db, args.feeds, args.entries)
            print(f"first paint, {args.feeds * args.entries:,} articles "
                  f"(library built in {built:.0f} s):", flush=True)
            config = write_config(work / "paint.toml")
            report("first paint", first_paint_rounds(readers, args.rounds, db, config), names)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
