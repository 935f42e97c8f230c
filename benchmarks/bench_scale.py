#!/usr/bin/env python3
"""100,000 articles stay instant (issue 7): builds the data and prints every figure.

    python benchmarks/bench_scale.py            # the issue's sizes (about 10 minutes)
    python benchmarks/bench_scale.py --quick    # small sizes, a smoke run
    python benchmarks/bench_scale.py --reuse    # keep the library and dumps of the last run

Run from the project root. What it does:

1. A library of ``--feeds x --entries`` articles: the feed farm
   (``../shared/bench/feedfarm.py``) serves them, ``reader --db DB import`` takes its OPML
   and ``reader --db DB refresh`` fetches them (timed). When the refresh fails or is
   incomplete the library is built through the Library/Storage API from the farm's own
   generator instead (``--build api`` asks for that); the table says which.
2. Time to first paint of ``reader --db DB`` with ``../shared/bench/ttfp.py`` until the
   feed titles ("Farm feed") show (refresh on start off in a tmp config).
3. CPU per key press, headless (``App.run_test()``, ``time.process_time`` of the whole
   process per press, worker threads included): ``j`` 100 times, then ``G``/``g``
   alternating 100 times, each until its row is drawn.
4. Search: ``ttfp.py --keys '/ h a r b o u r'``, from the last key until the status line
   shows the result count with "filter: harbour" (it is only updated when the results are in
   the list).
5. Peak memory (VmHWM) of the reader in a tmux pane on that library, after first paint,
   moving, jumping, a search and clearing it; and of the headless run.
6. A directory of ``--dumps`` plain-text dumps (``benchmarks/make_dumps.py``): ``reader
   DIR`` with a fresh library until rows show (three fresh runs); then one run until all
   are cleaned and cached, with j/k sent every 0.5 s and each key's effect (the cursor line
   changing) timed; then the second open, until the whole list shows.

Only the standard library, tmux and the project. Every figure is printed with its target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import compile_reader  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
FEEDFARM = SHARED / "feedfarm.py"
TTFP = SHARED / "ttfp.py"
PYTHON = sys.executable
READER = str(Path(sys.executable).with_name("reader"))
SEARCH_WORD = "harbour"  # one of feedfarm.WORDS: about 1 in 3 farm articles holds it
COLS, ROWS = 120, 40

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


# ---------------------------------------------------------------------------- results


@dataclass
class Figure:
    name: str
    value: float | None  # None: not measured (error)
    unit: str
    target: float | None = None  # value <= target passes
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if self.value is None:
            return "FAIL"
        return "PASS" if self.value <= self.target else "FAIL"

    def line(self) -> str:
        shown = "n/a" if self.value is None else _fmt(self.value, self.unit)
        target = "" if self.target is None else "<= " + _fmt(self.target, self.unit)
        return f"{self.name:<46} {shown:>12} {target:>12}  {self.verdict:<4}  {self.note}"


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit == "%":
        return f"{value:.1f} %"
    return f"{value:g} {unit}".strip()


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print("  " + figure.line(), flush=True)
        return figure

    def table(self) -> str:
        head = f"{'figure':<46} {'measured':>12} {'target':>12}  {'':<4}  note"
        rows = [head, "-" * len(head)] + [f.line() for f in self.figures]
        return "\n".join(rows)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path) -> Path:
    """Refresh neither on start nor periodically: the figures are of reading, not fetching."""
    path.write_text("[refresh]\non_start = false\ninterval_minutes = 0\n", encoding="utf-8")
    return path


def remove_db(db: Path) -> None:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    (db.parent / "subscriptions.opml").unlink(missing_ok=True)


def article_count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def _status_line(screen: str) -> str:
    """The reader's status line (the one before the key bar) of a printed screen."""
    lines = [line.strip() for line in screen.splitlines() if "articles" in line]
    return lines[-1][:100] if lines else "?"


def parse_ttfp(output: str) -> tuple[float | None, list[float], float | None, list[float]]:
    first = re.search(r"first paint s: median ([\d.]+)\s+runs ([\d. ]+)", output)
    after = re.search(r"after keys s: median ([\d.]+)\s+runs ([\d. ]+)", output)

    def runs(match: re.Match[str] | None) -> list[float]:
        return [float(x) for x in match.group(2).split()] if match else []

    return (float(first.group(1)) if first else None, runs(first),
            float(after.group(1)) if after else None, runs(after))


def ttfp(command: Sequence[str], *, expect: str, runs: int, keys: str = "",
         expect_after: str = "", timeout: float = 60) -> tuple[str, tuple[Any, ...]]:
    args = [PYTHON, str(TTFP), "--expect", expect, "--runs", str(runs), "--timeout",
            str(timeout), "--cols", str(COLS), "--rows", str(ROWS)]
    if keys:
        # --show prints the last screen, which holds the result count
        args += ["--keys", keys, "--expect-after", expect_after, "--show"]
    args += ["--", *command]
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    output = done.stdout + done.stderr
    return output, parse_ttfp(output)


class Pane:
    """A program in a detached tmux pane (what ttfp.py does, kept open for inspection)."""

    def __init__(self, command: Sequence[str]) -> None:
        self.session = "scale-" + uuid.uuid4().hex[:8]
        # the pane stays after the program exits, so a crash leaves its traceback to read
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", str(COLS),
                        "-y", str(ROWS)], check=True)
        subprocess.run(["tmux", "set-option", "-t", self.session, "remain-on-exit", "on"],
                       check=True)
        subprocess.run(["tmux", "respawn-pane", "-k", "-t", self.session,
                        shlex.join(["env", "TERM=xterm-256color", *command])], check=True)
        self.started = time.perf_counter()
        pid = subprocess.run(["tmux", "display", "-p", "-t", self.session, "#{pane_pid}"],
                             capture_output=True, text=True).stdout.strip()
        self.pid = int(pid) if pid.isdigit() else None

    def screen(self, styled: bool = False) -> str:
        args = ["tmux", "capture-pane", "-p", "-t", self.session] + (["-e"] if styled else [])
        return subprocess.run(args, capture_output=True, text=True).stdout

    def wait(self, pattern: str, timeout: float, poll: float = 0.01) -> float | None:
        regex = re.compile(pattern)
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if regex.search(self.screen()):
                return time.perf_counter() - start
            time.sleep(poll)
        return None

    def dead(self) -> bool:
        return self.pid is None or not Path(f"/proc/{self.pid}").exists()

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", self.session, key], check=True)

    def cpu_s(self) -> float | None:
        """User + system CPU seconds of the program so far (all its threads)."""
        if not self.pid:
            return None
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def vmhwm_mb(self) -> float | None:
        return vmhwm_mb(self.pid) if self.pid else None

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)
        time.sleep(0.5)


def vmhwm_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


# ---------------------------------------------------------------------------- 1. the library


def start_farm(feeds: int, entries: int, port: int) -> subprocess.Popen[str]:
    farm = subprocess.Popen(
        [PYTHON, str(FEEDFARM), "--feeds", str(feeds), "--entries", str(entries), "--port",
         str(port), "--hosts", "1", "--max-seconds", "900"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert farm.stdout is not None
    line = farm.stdout.readline()
    if "feedfarm:" not in line:
        farm.kill()
        raise RuntimeError(f"the feed farm did not start: {line.strip()}")
    return farm


def build_by_refresh(db: Path, config: Path, work: Path, feeds: int, entries: int,
                     timeout: float) -> tuple[float | None, str]:
    """Import the farm's OPML and refresh; returns (refresh seconds, note)."""
    port = free_port()
    farm = start_farm(feeds, entries, port)
    try:
        opml = work / "farm.opml"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/opml", timeout=30) as answer:
            opml.write_bytes(answer.read())
        base = [READER, "--db", str(db), "--config", str(config)]
        imported = subprocess.run([*base, "import", str(opml)], capture_output=True, text=True)
        if imported.returncode != 0:
            return None, f"import failed: {imported.stderr.strip()[-200:]}"
        say(f"  refreshing {feeds} feeds x {entries} entries from the farm (port {port}) ...")
        start = time.perf_counter()
        try:
            refreshed = subprocess.run([*base, "refresh", "--quiet"], capture_output=True,
                                       text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"refresh did not finish within {timeout:.0f} s"
        seconds = time.perf_counter() - start
        summary = (refreshed.stderr.strip().splitlines() or [""])[-1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=10) as answer:
            stats = json.loads(answer.read())
        note = f"{summary}; farm answers {stats}"
        if refreshed.returncode != 0:
            return None, f"refresh exit {refreshed.returncode}: {note}"
        return seconds, note
    finally:
        farm.terminate()
        farm.wait(10)


def build_by_api(db: Path, feeds: int, entries: int) -> float:
    """The farm's articles (same generator, titles, dates and words) stored directly."""
    from datetime import timedelta

    sys.path.insert(0, str(SHARED))
    from feedfarm import Farm

    from reader.core.models import Article, BodyState, SourceKind

    start = time.perf_counter()
    farm = Farm(feeds, entries, 8765)
    from reader.storage.sqlite import SqliteStorage

    storage, _ = SqliteStorage.open(db)
    batch: list[tuple[int, list[Article]]] = []
    for f in range(feeds):
        url = f"{farm.base(f)}/feed/{f}.xml"
        feed_id = storage.upsert_feed(url, title=f"Farm feed {f}", subscribed=True)
        articles = []
        for e in range(entries):
            title, _, body = farm.article(f, e)
            summary = f % 3 == 0
            articles.append(Article(
                source=url, key=f"farm-{f}-{e}" if f % 2 == 0 else f"urn:farm:{f}:{e}",
                title=title, author=f"Writer {e % 5}" if f % 2 else None,
                url=f"{farm.base(f)}/article/{f}/{e}.html",
                published=farm.start + timedelta(hours=f * 7 + e * 13),
                body="\n\n".join(body[:1] if summary else body),
                body_state=BodyState.SUMMARY if summary else BodyState.FULL,
                kind=SourceKind.FEED, feed_title=f"Farm feed {f}"))
        batch.append((feed_id, articles))
        if len(batch) >= 50:
            storage.upsert_many(batch)
            batch = []
    if batch:
        storage.upsert_many(batch)
    storage.close()
    return time.perf_counter() - start


def ensure_library(a: argparse.Namespace, work: Path, config: Path, report: Report) -> Path:
    sys.path.insert(0, str(SHARED))
    folder = work / f"farm-{a.feeds}x{a.entries}"  # subscriptions.opml goes next to the db
    folder.mkdir(exist_ok=True)
    db = folder / "library.sqlite"
    marker = folder / "built.json"
    wanted = a.feeds * a.entries
    reused = a.reuse and marker.exists() and article_count(db) == wanted
    if reused:
        info = json.loads(marker.read_text())
        say(f"reusing {db} ({wanted:,} articles, built by {info['method']})")
    else:
        remove_db(db)
        info = {"method": "api", "refresh_s": None, "note": ""}
        if a.build == "refresh":
            seconds, note = build_by_refresh(db, config, work, a.feeds, a.entries,
                                             a.refresh_timeout)
            count = article_count(db)
            info.update(refresh_s=seconds, note=note)
            if seconds is not None and count == wanted:
                info["method"] = "refresh"
            else:
                info["note"] = f"refresh unusable ({count:,} of {wanted:,} stored; {note}); " \
                               "built through the Storage API instead"
                say("  " + info["note"])
                remove_db(db)
        if info["method"] == "api":
            say(f"  building {wanted:,} articles through the Storage API ...")
            info["build_s"] = build_by_api(db, a.feeds, a.entries)
        marker.write_text(json.dumps(info))
    report.add(Figure("library articles", float(wanted), "articles",
                      note=f"built by {info['method']}" + (" (reused)" if reused else "")))
    if info.get("refresh_s") is not None or info["method"] == "refresh":
        report.add(Figure(f"reader refresh of {a.feeds} feeds (empty library)",
                          info.get("refresh_s"), "s", note=str(info.get("note", ""))[:160]))
    elif info.get("note"):
        report.add(Figure("reader refresh (empty library)", None, "s",
                          note=str(info["note"])[:200]))
    return db


# ---------------------------------------------------------------------------- 3. headless keys


async def headless_keys(db: Path, presses: int) -> dict[str, Any]:
    from reader.core.config import Config
    from reader.library import Library
    from reader.tui.app import ReaderApp
    from reader.tui.widgets.article_list import ArticleList

    library = Library.open(db)
    app = ReaderApp(library=library, config=Config(refresh_on_start=False,
                                                   refresh_interval_minutes=0))
    result: dict[str, Any] = {}
    wall = time.perf_counter()
    async with app.run_test(size=(COLS, ROWS)) as pilot:
        articles = app.query_one(ArticleList)
        deadline = time.monotonic() + 120
        while not articles.ids or articles.cached_row(articles.ids[0]) is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the list never showed its first rows")
            await asyncio.sleep(0.005)
        result["list_ready_wall_s"] = time.perf_counter() - wall
        total = library.article_count()
        while len(articles.ids) < total:  # the first page shows first; then the whole list
            if time.monotonic() > deadline:
                raise RuntimeError(f"the list never held all {total:,} articles")
            await asyncio.sleep(0.005)
        result["ids"] = len(articles.ids)
        for _ in range(3):  # the feeds pane's counts and any other start-up work
            await app.workers.wait_for_complete()
            await pilot.pause()

        async def press(key: str) -> float:
            # the key, any worker it started (a jump fetches its rows), the rows arriving,
            # then one pause: every widget's queue drained and the screen updated. Each
            # pause costs the harness ~4 ms here (a callback through all 17 widgets), so
            # there is one, after the work; the unbound-key baseline shows what is left.
            before = time.process_time()
            await pilot.press(key)
            await app.workers.wait_for_complete()  # the row fetch of a jump counts
            spins = 0
            while articles.cached_row(articles.ids[articles.cursor]) is None and spins < 2000:
                await asyncio.sleep(0.001)  # rows arrive through call_from_thread
                spins += 1
            await pilot.pause()
            return (time.process_time() - before) * 1000

        # an unbound key: what the harness and Textual's key dispatch cost without a repaint
        result["noop_ms"] = [await press("x") for _ in range(presses)]
        result["j_ms"] = [await press("j") for _ in range(presses)]
        result["j_cursor_ok"] = articles.cursor == presses
        jumps: list[float] = []
        jump_ok = True
        for n in range(presses):
            key = "G" if n % 2 == 0 else "g"
            jumps.append(await press(key))
            want = len(articles.ids) - 1 if key == "G" else 0
            jump_ok = jump_ok and articles.cursor == want \
                and articles.cached_row(articles.ids[want]) is not None
        result["jump_ms"] = jumps
        result["jump_ok"] = jump_ok
    library.close()
    result["vmhwm_mb"] = vmhwm_mb(os.getpid())
    return result


def run_headless(db: Path, presses: int) -> dict[str, Any]:
    done = subprocess.run([PYTHON, __file__, "--headless", str(db), "--presses", str(presses)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"headless run failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def cpu_figures(name: str, costs: list[float], target: float, report: Report,
                correct: bool) -> None:
    mean = statistics.mean(costs)
    ordered = sorted(costs)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    report.add(Figure(name, mean, "ms", target,
                      note=f"mean of {len(costs)}; median {statistics.median(costs):.2f}, "
                           f"p95 {p95:.2f}, max {max(costs):.2f} ms"
                           + ("" if correct else "; WRONG cursor/row after the keys")))


def settled_search(command: Sequence[str], runs: int,
                   complete: list[float]) -> tuple[list[float], str]:
    """The search typed 1 s after the first paint (keys one by one, as ttfp.py sends them),
    timed from the last key until the status line shows the first results ("200+
    articles"), and (into ``complete``) until it shows the whole count."""
    pane = Pane(command)
    times: list[float] = []
    try:
        if pane.wait("Farm feed", 60) is None:
            return times, "never painted"
        for _ in range(runs):
            time.sleep(1.0)
            pane.keys("/", *SEARCH_WORD)
            start = time.perf_counter()
            # the first page ("200+ articles") or, for a small result, the whole of it
            took = pane.wait(rf"[\d,]+\+? articles? \S filter: {SEARCH_WORD}", 20,
                             poll=0.005)
            if took is None:
                return times, "no results within 20 s: " + pane.screen()[-200:]
            times.append(time.perf_counter() - start)
            whole = pane.wait(rf"[\d,]+ articles? \S filter: {SEARCH_WORD}", 20, poll=0.005)
            if whole is not None:
                complete.append(time.perf_counter() - start)
            pane.keys("Escape")
        return times, ""
    finally:
        pane.close()


# ---------------------------------------------------------------------------- 5. memory


def tmux_memory(command: Sequence[str], expect: str) -> tuple[float | None, str]:
    pane = Pane(command)
    try:
        if pane.wait(expect, 60) is None:
            return None, "never painted: " + pane.screen()[-300:]
        pane.keys(*(["j"] * 20), "G")
        time.sleep(0.5)
        pane.keys("g")
        time.sleep(0.5)
        pane.keys("/", *SEARCH_WORD)
        found = pane.wait(r"filter: " + SEARCH_WORD, 20)
        pane.keys("Escape")
        time.sleep(0.5)
        pane.keys("U")
        time.sleep(1.0)
        pane.keys("U", "t")
        time.sleep(1.0)
        pane.keys("t", "t")
        time.sleep(1.0)
        return pane.vmhwm_mb(), ("first paint, 20 j, G, g, search, Esc, U, sort by feed/title"
                                 + ("" if found is not None else "; search never showed"))
    finally:
        pane.close()


# ---------------------------------------------------------------------------- 6. the dumps


_SGR_BG = re.compile(r"\x1b\[[0-9;]*48;(?:5;\d+|2;\d+;\d+;\d+)[0-9;]*m")


def _backgrounds(styled: str) -> list[set[str]]:
    return [set(_SGR_BG.findall(line)) for line in styled.splitlines()]


class CursorWatch:
    """Which screen line carries the article list's cursor, from the styled screen.

    The cursor's background is the one that moves when ``j`` is pressed; it is learnt once.
    """

    def __init__(self, pane: Pane) -> None:
        self.pane = pane
        self.code: str | None = None

    def state(self) -> tuple[int, str] | None:
        styled = self.pane.screen(styled=True)
        plain = self.pane.screen().splitlines()
        if self.code is None:
            return None
        lines = [i for i, codes in enumerate(_backgrounds(styled)) if self.code in codes]
        if len(lines) != 1:
            return None
        line = lines[0]
        return line, plain[line] if line < len(plain) else ""

    def learn(self) -> bool:
        before = _backgrounds(self.pane.screen(styled=True))
        self.pane.keys("j")
        time.sleep(0.5)
        after = _backgrounds(self.pane.screen(styled=True))
        self.pane.keys("k")
        time.sleep(0.3)

        def unique(rows: list[set[str]]) -> dict[str, int]:
            where: dict[str, list[int]] = {}
            for i, codes in enumerate(rows[:-2]):  # not the status and key lines
                for code in codes:
                    where.setdefault(code, []).append(i)
            return {c: lines[0] for c, lines in where.items() if len(lines) == 1}

        was, now = unique(before), unique(after)
        moved = [c for c in was if c in now and now[c] == was[c] + 1]
        if moved:
            self.code = moved[0]
        return self.code is not None


def dumps_first_paint(command: list[str], db: Path, runs: int) -> tuple[list[float], str]:
    times: list[float] = []
    output = ""
    for _ in range(runs):
        remove_db(db)
        output, (first, _, _, _) = ttfp(command, expect=r"\b[1-9][\d,]* articles?\b", runs=1)
        if first is None:
            break
        times.append(first)
    return times, output


@dataclass
class LoadRun:
    seconds: float | None = None
    keys_sent: int = 0
    keys_seen: int = 0
    latencies: list[float] = field(default_factory=list)
    vmhwm: float | None = None
    first_wall: float | None = None
    first_cpu: float | None = None
    cpu: float | None = None
    final: str = ""
    note: str = ""


def dumps_full_load(command: list[str], db: Path, count: int, timeout: float) -> LoadRun:
    remove_db(db)
    run = LoadRun()
    pane = Pane(command)
    done = re.compile(rf"\b{count:,} articles\b")
    try:
        run.first_wall = pane.wait(r"\b[1-9][\d,]* articles?\b", 60, poll=0.005)
        if run.first_wall is None:
            run.note = "no rows within 60 s"
            return run
        run.first_cpu = pane.cpu_s()
        watch = CursorWatch(pane)
        direction = "j"
        next_key = time.perf_counter()
        while time.perf_counter() - pane.started < timeout:
            if pane.dead():
                run.note = "THE READER EXITED while loading: " + " / ".join(
                    line.strip() for line in pane.screen().splitlines() if line.strip())[-600:]
                break
            screen = pane.screen()
            status = screen.splitlines()[-2] if len(screen.splitlines()) >= 2 else ""
            if done.search(screen) and "Loading" not in status:
                run.seconds = time.perf_counter() - pane.started
                run.cpu = pane.cpu_s()
                break
            now = time.perf_counter()
            if now < next_key:
                time.sleep(min(0.02, next_key - now))
                continue
            next_key = now + 0.5
            if watch.code is None:
                # learnt once a few rows show (the first batch may be a single row)
                if re.search(r"\b([3-9]|[1-9]\d[\d,]*) articles\b", screen) and watch.learn():
                    next_key = time.perf_counter() + 0.5
                continue
            before = watch.state()
            if before is None:
                continue  # the cursor is not on screen this instant: no key to judge
            pane.keys(direction)
            sent = time.perf_counter()
            run.keys_sent += 1
            direction = "k" if direction == "j" else "j"
            while time.perf_counter() - sent < 0.5:
                after = watch.state()
                # another article under the cursor: the key took effect (a view reload
                # during loading may move the cursor line, never change its article)
                if after is not None and after[1] != before[1]:
                    run.keys_seen += 1
                    run.latencies.append(time.perf_counter() - sent)
                    break
                time.sleep(0.005)
        run.vmhwm = pane.vmhwm_mb()
        if run.cpu is None:
            run.cpu = pane.cpu_s()
        run.final = pane.screen()
        if run.seconds is None and not run.note:
            run.note = f"not all loaded within {timeout:.0f} s"
        if watch.code is None:
            run.note += "; the cursor line was never found: keys not checked"
        return run
    finally:
        pane.close()


def dump_quality(db: Path, manifest: Path) -> dict[str, float]:
    """How well the dumps were cleaned: titles, dates, first paragraphs, chrome left in."""
    from make_dumps import SITES

    expected = json.loads(manifest.read_text())
    chrome = {s.name: (s.footer[-1], s.share[0], s.sprite[:30]) for s in SITES}
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT source, title, body, published FROM articles").fetchall()
    conn.close()
    n = titles = dates = firsts = lasts = leaks = 0
    for source, title, body, published in rows:
        item = expected.get(Path(source).name)
        if item is None:
            continue
        n += 1
        titles += title == item["title"]
        # the day: not every site's date line carries the time
        dates += bool(published) and str(published)[:10] == str(item["published"])[:10]
        firsts += body.lstrip().startswith(str(item["first"])[:60])
        lasts += str(item["last"])[-60:] in body
        leaks += any(piece in body for piece in chrome[str(item["site"])])
    if not n:
        return {"articles": 0}
    return {"articles": n, "title_ok": 100 * titles / n, "date_ok": 100 * dates / n,
            "first_ok": 100 * firsts / n, "last_ok": 100 * lasts / n,
            "chrome_left": 100 * leaks / n}


# ---------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    ap.add_argument("--feeds", type=int)
    ap.add_argument("--entries", type=int)
    ap.add_argument("--dumps", type=int)
    ap.add_argument("--presses", type=int)
    ap.add_argument("--runs", type=int, help="ttfp runs (5)")
    ap.add_argument("--build", choices=("refresh", "api"), default="refresh")
    ap.add_argument("--refresh-timeout", type=float, default=850)
    ap.add_argument("--load-timeout", type=float, default=400,
                    help="give up waiting for the dumps after this many seconds")
    ap.add_argument("--work", type=Path, help="where the data goes (a tmp folder)")
    ap.add_argument("--reuse", action="store_true",
                    help="keep a library of the right size and the dumps from a last run")
    ap.add_argument("--skip", default="", help="comma list of steps to skip: "
                    "library,ttfp,keys,search,memory,dumps")
    ap.add_argument("--headless", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.headless:
        print(json.dumps(asyncio.run(headless_keys(a.headless, a.presses or 100))))
        return 0
    a.feeds = a.feeds or (40 if a.quick else 1000)
    a.entries = a.entries or (50 if a.quick else 100)
    a.dumps = a.dumps or (600 if a.quick else 20000)
    a.presses = a.presses or (20 if a.quick else 100)
    a.runs = a.runs or (2 if a.quick else 5)
    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    compile_reader()  # time the reader as installed (with bytecode), see installed.py
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed (apt-get install tmux)")
    work = a.work or Path(tempfile.gettempdir()) / ("reader-bench-scale" + ("-quick" if a.quick
                                                                              else ""))
    work.mkdir(parents=True, exist_ok=True)
    config = write_config(work / "config.toml")
    report = Report()
    total = a.feeds * a.entries
    print(f"bench_scale: {total:,} articles ({a.feeds} x {a.entries}), {a.dumps:,} dumps, "
          f"{os.cpu_count()} cores, work folder {work}, load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)

    say("1. the library")
    db = ensure_library(a, work, config, report)
    reader = [READER, "--db", str(db), "--config", str(config)]

    if "ttfp" not in skip:
        say("2. time to first paint")
        output, (first, runs, _, _) = ttfp(reader, expect="Farm feed", runs=a.runs)
        report.add(Figure(f"first paint, {total:,} articles (ttfp median)", first, "s", 1.0,
                          note="runs " + " ".join(f"{x:.3f}" for x in runs)
                          if first is not None else output.strip()[-200:]))

        cpus = []
        for _ in range(3):
            pane = Pane(reader)
            try:
                if pane.wait("Farm feed", 60, poll=0.005) is not None:
                    cpus.append(pane.cpu_s() or 0.0)
            finally:
                pane.close()
        report.add(Figure("  CPU of the reader until first paint", statistics.median(cpus)
                          if cpus else None, "s", note="median of 3; user+sys from "
                          "/proc/PID/stat (10 ms ticks): what the paint costs on an idle "
                          "machine, near enough"))

    if "keys" not in skip:
        say(f"3. CPU per key press, headless, {a.presses} presses each")
        try:
            headless = run_headless(db, a.presses)
            cpu_figures("j: one row down, CPU per press", headless["j_ms"], 16, report,
                        headless["j_cursor_ok"])
            cpu_figures("G/g: jump last/first, CPU per press", headless["jump_ms"], 50, report,
                        headless["jump_ok"])
            report.add(Figure("  baseline: an unbound key, CPU per press",
                              statistics.mean(headless["noop_ms"]), "ms",
                              note="run_test harness + key dispatch, nothing redrawn; median "
                              f"{statistics.median(headless['noop_ms']):.2f} ms"))
            report.add(Figure("headless run peak memory (VmHWM)", headless["vmhwm_mb"], "MB",
                              250, note=f"{headless['ids']:,} ids; list ready in "
                              f"{headless['list_ready_wall_s']:.2f} s wall under run_test"))
        except Exception as error:  # noqa: BLE001 - the other figures still count
            report.add(Figure("CPU per key press", None, "ms", 16, note=str(error)[-300:]))

    if "search" not in skip:
        say(f"4. search for {SEARCH_WORD!r}")
        keys = " ".join(["/", *SEARCH_WORD])
        output, (_, _, after, runs) = ttfp(
            reader, expect="Farm feed", runs=a.runs, keys=keys,
            expect_after=rf"[\d,]+\+? articles? \S filter: {SEARCH_WORD}")
        hits = re.findall(rf"([\d,]+\+?) articles? \S filter: {SEARCH_WORD}", output)
        report.add(Figure(f"search '{SEARCH_WORD}': first results after last key", after, "s",
                          0.1, note=(f"{hits[-1] if hits else '?'} hits; runs "
                                     + " ".join(f"{x:.3f}" for x in runs))
                          if after is not None else
                          "never showed: keys typed at first paint are lost (the status line "
                          "read: " + _status_line(output) + ")"))
        complete: list[float] = []
        times, note = settled_search(reader, 3, complete)
        report.add(Figure(f"search '{SEARCH_WORD}', typed 1 s after first paint",
                          statistics.median(times) if times else None, "s", 0.1,
                          note=("runs " + " ".join(f"{x:.3f}" for x in times)) if times
                          else note))
        if complete:
            report.add(Figure("  the same, until every match is listed and counted",
                              statistics.median(complete), "s",
                              note="runs " + " ".join(f"{x:.3f}" for x in complete)))

    if "memory" not in skip:
        say("5. peak memory of the reader in tmux")
        peak, note = tmux_memory(reader, "Farm feed")
        report.add(Figure(f"peak memory (VmHWM), {total:,} articles", peak, "MB", 250,
                          note=note))

    if "dumps" not in skip:
        from make_dumps import make

        say(f"6. a directory of {a.dumps:,} text dumps")
        folder = work / f"dumps-{a.dumps}"
        manifest = work / f"dumps-{a.dumps}.manifest.json"
        if not (a.reuse and manifest.exists()
                and sum(1 for _ in folder.glob("*.txt")) == a.dumps):
            start = time.perf_counter()
            make(folder, a.dumps, manifest=manifest)
            say(f"  wrote {a.dumps:,} dumps in {time.perf_counter() - start:.1f} s")
        (work / "dumps-library").mkdir(exist_ok=True)
        ddb = work / "dumps-library" / "library.sqlite"
        command = [READER, "--db", str(ddb), "--config", str(config), str(folder)]
        firsts, output = dumps_first_paint(command, ddb, 3 if not a.quick else 2)
        report.add(Figure(f"{a.dumps:,} dumps: list on screen, fresh library", 
                          statistics.median(firsts) if firsts else None, "s", 1.0,
                          note=("fresh runs " + " ".join(f"{x:.3f}" for x in firsts))
                          if firsts else output.strip()[-300:]))
        run = dumps_full_load(command, ddb, a.dumps, a.load_timeout)
        report.add(Figure("  CPU of the reader until the first rows", run.first_cpu, "s",
                          note=f"wall {run.first_wall or 0:.3f} s in that run"))
        stored = article_count(ddb)
        report.add(Figure(f"{a.dumps:,} dumps: all cleaned and cached", run.seconds, "s", 100,
                          note=(run.note + "; " if run.note else "until the status shows them "
                                "all, loading over; ") + f"{stored:,} stored, reader CPU "
                          f"{run.cpu or 0:.1f} s ({1000 * (run.cpu or 0) / max(1, stored):.1f} "
                          "ms a file)"))
        lat = sorted(run.latencies)
        missed = run.keys_sent - run.keys_seen
        report.add(Figure("  keys without a visible effect within 0.5 s", float(missed), "keys",
                          0, note=f"{run.keys_seen} of {run.keys_sent} j/k answered; latency "
                          + (f"median {statistics.median(lat) * 1000:.0f} ms, max "
                             f"{lat[-1] * 1000:.0f} ms" if lat else "n/a")))
        report.add(Figure("  peak memory while loading (VmHWM)", run.vmhwm, "MB", 250))
        stored = article_count(ddb)
        quality = dump_quality(ddb, manifest) if stored else {}
        if quality.get("articles"):
            report.add(Figure("  cleaned: title exact", quality["title_ok"], "%",
                              note=f"of {quality['articles']:,}; date (day) "
                              f"{quality['date_ok']:.1f} %"
                              f", first paragraph {quality['first_ok']:.1f} %, last "
                              f"{quality['last_ok']:.1f} %"))
            report.add(Figure("  cleaned: chrome left in the body", quality["chrome_left"],
                              "%", note="footer, share or sprite line found in the body"))
        if stored == a.dumps:
            output, (second, runs, _, _) = ttfp(command, expect=rf"\b{a.dumps:,} articles\b",
                                                runs=3 if not a.quick else 2)
            report.add(Figure(f"{a.dumps:,} dumps: second open, whole list", second, "s", 1.0,
                              note=("runs " + " ".join(f"{x:.3f}" for x in runs))
                              if second is not None else output.strip()[-300:]))
        else:
            report.add(Figure(f"{a.dumps:,} dumps: second open", None, "s", 1.0,
                              note=f"only {stored:,} of {a.dumps:,} stored"))

    print()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores (wall-clock figures are inflated when it is above that)")
    print(report.table())
    failed = [f for f in report.figures if f.verdict == "FAIL"]
    print(f"\n{len(failed)} figure(s) over target" if failed else "\nall figures within target")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
