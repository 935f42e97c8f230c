#!/usr/bin/env python3
"""reader refresh against newsboat, side by side, on the loopback feed farm.

    python benchmarks/bench_refresh.py            # from the project root

Starts ``../shared/bench/feedfarm.py`` (200 feeds x 50 entries, 50 ms latency, 20 loopback
hosts), warms it, then in the same run:

* newsboat (``reload-threads 8``): three ``-x reload`` runs on a fresh cache;
* reader: ``import`` the same URLs, then three ``refresh`` runs on a fresh library (the
  first fills an empty library, the next two find nothing changed: the farm's ``/stats``
  must show a 304 for every feed);
* time to first paint of both TUIs on those 10,000 articles (``../shared/bench/ttfp.py``).

Prints the medians, the peak memory (VmHWM, through ``/usr/bin/time``) and the ratios
against the targets of issue 4. The machines are shared and noisy: compare the ratios of
one run, never absolute times across days.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import compile_reader  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
FEEDFARM = SHARED / "feedfarm.py"
TTFP = SHARED / "ttfp.py"
TIME = "/usr/bin/time"


@dataclass
class Run:
    seconds: float
    peak_mb: float | None
    code: int
    stderr: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timed(cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time from here, peak RSS (VmHWM) from /usr/bin/time when it is there."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        wrapped = [TIME, "-f", "%M", "-o", report.name, *cmd] if Path(TIME).exists() else cmd
        start = time.perf_counter()
        done = subprocess.run(wrapped, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - start
        peak = None
        text = Path(report.name).read_text().strip().splitlines()
        if text and text[-1].isdigit():
            peak = int(text[-1]) / 1024
    return Run(seconds, peak, done.returncode, done.stderr)


def stats(port: int, *, reset: bool = False) -> dict[str, int]:
    url = f"http://127.0.0.1:{port}/stats" + ("/reset" if reset else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        data: dict[str, int] = json.loads(response.read())
    return data


def start_farm(args: argparse.Namespace, work: Path, port: int) -> subprocess.Popen[str]:
    urls = work / "urls.txt"
    farm = subprocess.Popen(
        [sys.executable, str(FEEDFARM), "--feeds", str(args.feeds), "--entries",
         str(args.entries), "--latency-ms", str(args.latency_ms), "--hosts", str(args.hosts),
         "--port", str(port), "--max-seconds", "1800", "--urls-file", str(urls)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert farm.stdout is not None
    line = farm.stdout.readline()
    if "feedfarm" not in line:
        raise SystemExit(f"feedfarm did not start: {line.strip()}")
    return farm


def warm(urls: list[str], port: int) -> None:
    """Every feed generated once, so neither program pays for the farm's first build."""
    def fetch(chunk: list[str]) -> None:
        for url in chunk:
            with urllib.request.urlopen(url, timeout=30) as response:
                response.read()

    threads = [threading.Thread(target=fetch, args=(urls[n::16],)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats(port, reset=True)


def ensure_newsboat() -> str | None:
    found = shutil.which("newsboat")
    if found:
        return found
    print("newsboat missing: apt-get install -y newsboat", flush=True)
    subprocess.run(["apt-get", "install", "-y", "newsboat"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return shutil.which("newsboat")


def reader_command() -> list[str]:
    script = Path(sys.executable).with_name("reader")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reader"]


def tui_available() -> bool:
    probe = ("import reader.tui.app as app; import sys; "
             "sys.exit(0 if hasattr(app, 'run_tui') else 1)")
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT,
                          capture_output=True).returncode == 0


def ttfp(cmd: list[str], runs: int, cwd: Path) -> float | None:
    done = subprocess.run(
        [sys.executable, str(TTFP), "--expect", "Farm feed 3", "--runs", str(runs), "--", *cmd],
        cwd=cwd, capture_output=True, text=True)
    match = re.search(r"first paint s: median ([0-9.]+)", done.stdout)
    if match is None:
        print("  ttfp failed: " + (done.stdout.strip().splitlines() or ["?"])[0])
        return None
    return float(match.group(1))


def tui_peak_mb(cmd: list[str], cwd: Path, *, seconds: float = 4.0) -> float | None:
    """VmHWM of a TUI that ran for a few seconds in a tmux pane (after its first screen)."""
    session = f"peak-{os.getpid()}-{time.monotonic_ns()}"
    started = subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                              "-c", str(cwd), "env", "TERM=xterm-256color", *cmd],
                             capture_output=True)
    if started.returncode != 0:
        return None
    try:
        time.sleep(seconds)
        pid = subprocess.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"],
                             capture_output=True, text=True).stdout.strip()
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else None
    except (OSError, ValueError):
        return None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def check_library(db: Path, expected: int) -> str:
    conn = sqlite3.connect(db)
    try:
        count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        searchable = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'council'").fetchone()[0]
    finally:
        conn.close()
    verdict = "ok" if count == expected and searchable > 0 else "INCOMPLETE"
    return f"{count} articles stored, {searchable} match 'council' ({verdict})"


def ratio_line(label: str, ours: float | None, theirs: float | None, target: float) -> str:
    if ours is None or theirs is None or theirs <= 0:
        return f"{label}: n/a"
    ratio = ours / theirs
    verdict = "PASS" if ratio <= target else "FAIL"
    return f"{label}: {ours:.2f} s / {theirs:.2f} s = {ratio:.2f}x (target <= {target}x) {verdict}"


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MB"


def fmt(run: Run) -> str:
    peak = f", peak {run.peak_mb:.0f} MB" if run.peak_mb is not None else ""
    status = "" if run.code == 0 else f", exit {run.code}"
    return f"{run.seconds:.2f} s{peak}{status}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--ttfp-runs", type=int, default=5)
    parser.add_argument("--skip-newsboat", action="store_true")
    parser.add_argument("--skip-ttfp", action="store_true")
    args = parser.parse_args()
    compile_reader()  # time the reader as installed (with bytecode), see installed.py
    if not FEEDFARM.exists():
        raise SystemExit(f"{FEEDFARM} not found: run from the project root next to ../shared")

    work = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    port = free_port()
    farm = start_farm(args, work, port)
    try:
        urls_file = work / "urls.txt"
        urls = urls_file.read_text().split()
        print(f"farm: {len(urls)} feeds x {args.entries} entries, {args.latency_ms:g} ms latency, "
              f"{args.hosts} loopback hosts, port {port}; work dir {work}", flush=True)
        warm(urls, port)
        expected = len(urls) * args.entries

        newsboat_runs: list[Run] = []
        newsboat = None if args.skip_newsboat else ensure_newsboat()
        config = work / "newsboat.conf"
        config.write_text("reload-threads 8\n")
        nb_cache = work / "newsboat-cache.db"
        if newsboat:
            for n in range(3):
                run = timed([newsboat, "-u", str(urls_file), "-c", str(nb_cache), "-C",
                             str(config), "-x", "reload"], cwd=work)
                newsboat_runs.append(run)
                print(f"newsboat reload {n + 1}: {fmt(run)}", flush=True)
        else:
            print("newsboat: skipped (not installed)")

        reader = reader_command()
        db = work / "library.sqlite"
        env = dict(os.environ, READER_DB=str(db))
        subprocess.run([*reader, "--db", str(db), "import", str(urls_file)], cwd=work, env=env,
                       check=True, stdout=subprocess.DEVNULL)
        reader_runs: list[Run] = []
        counts: list[dict[str, int]] = []
        for n in range(3):
            stats(port, reset=True)
            run = timed([*reader, "--db", str(db), "refresh"], cwd=work, env=env)
            counts.append(stats(port))
            reader_runs.append(run)
            summary = run.stderr.strip().splitlines()[-1:] or ["?"]
            print(f"reader refresh {n + 1}: {fmt(run)}  [{summary[0]}]  farm answers {counts[-1]}",
                  flush=True)
            if n == 0:
                print(f"  after the first refresh: {check_library(db, expected)}")
        unchanged_304 = all(c.get("304", 0) == len(urls) and len(c) == 1 for c in counts[1:])
        print(f"unchanged refreshes: {'a 304 for every feed' if unchanged_304 else 'NOT all 304'}"
              f" ({counts[1:]})")

        nb_ttfp = reader_ttfp = None
        nb_tui_peak = reader_tui_peak = None
        if not args.skip_ttfp and shutil.which("tmux"):
            if newsboat:
                nb_cmd = [newsboat, "-u", str(urls_file), "-c", str(nb_cache), "-C", str(config)]
                nb_ttfp = ttfp(nb_cmd, args.ttfp_runs, work)
                nb_tui_peak = tui_peak_mb(nb_cmd, work)
                print(f"newsboat ttfp: median {nb_ttfp} s, peak {_mb(nb_tui_peak)}")
            if tui_available():
                reader_cmd = [*reader, "--db", str(db)]
                reader_ttfp = ttfp(reader_cmd, args.ttfp_runs, work)
                reader_tui_peak = tui_peak_mb(reader_cmd, work)
                print(f"reader ttfp: median {reader_ttfp} s, peak {_mb(reader_tui_peak)}")
            else:
                print("ttfp: skipped (TUI not available)")
        else:
            print("ttfp: skipped (tmux missing or --skip-ttfp)")

        print()
        print("== results ==")
        nb_first = newsboat_runs[0].seconds if newsboat_runs else None
        nb_third = newsboat_runs[2].seconds if len(newsboat_runs) > 2 else None
        unchanged = statistics.median(r.seconds for r in reader_runs[1:])
        print(ratio_line("first refresh vs newsboat's first reload", reader_runs[0].seconds,
                         nb_first, 0.6))
        print(ratio_line("unchanged refresh (median of 2) vs newsboat's third reload", unchanged,
                         nb_third, 0.3))
        print(ratio_line("time to first paint", reader_ttfp, nb_ttfp, 0.6))
        nb_peak = max((r.peak_mb or 0 for r in newsboat_runs), default=0)
        rd_peak = max((r.peak_mb or 0 for r in reader_runs), default=0)
        print(f"peak memory (VmHWM) of a reload/refresh: newsboat {nb_peak:.0f} MB, "
              f"reader {rd_peak:.0f} MB (largest process)")
        print(f"peak memory (VmHWM) of the TUI with the 10,000 articles: newsboat "
              f"{_mb(nb_tui_peak)}, reader {_mb(reader_tui_peak)}")
        print(f"304 for every feed on the unchanged refreshes: {'yes' if unchanged_304 else 'NO'}")
        return 0
    finally:
        farm.terminate()
        try:
            farm.wait(5)
        except subprocess.TimeoutExpired:
            farm.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
