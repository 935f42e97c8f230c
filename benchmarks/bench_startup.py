#!/usr/bin/env python3
"""Time to first paint of ``reader`` on a 400-article library, beside a bare Textual app.

    python benchmarks/bench_startup.py [--runs 5] [--other-reader PATH] [--importtime]

Builds a library of 8 feed files x 50 articles (``reader add``; no refresh on start), then,
in turns in one run, times from launch to the first screen in a tmux pane
(``../shared/bench/ttfp.py``'s
measure) for:

* a bare Textual app: an ``App`` whose ``compose`` yields one ``Static``;
* ``reader``, until the list shows the newest article (``reader list``'s first row);
* ``--other-reader``: another installation's ``reader`` command (e.g. an older checkout),
  on a copy of the same library, for a before/after in the same run.

Prints each median (of ``--runs``) and the ratio to the bare app (target: <= 1.5).
``--autogroup``: each program's session is given this script's own priority (run it under
``nice -n -10``, as root, to lower the noise of a shared machine). With the kernel's
autogroups on, a tmux pane is a session of its own that competes at priority 0 whatever
its processes' nice value: only its autogroup's priority counts against other sessions.
``--importtime`` also prints the modules that take longest to import before the first
paint (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))
from installed import compile_reader  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TTFP = ROOT.parent / "shared" / "bench" / "ttfp.py"
TOPICS = ("harbour", "council budget", "rail strike", "glacier", "school vote", "ferry",
          "museum", "bridge repairs", "festival", "flood defences")
BARE_APP = '''
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("bare app ready")


Bare().run()
'''


def load_ttfp() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ttfp", TTFP)
    if spec is None or spec.loader is None:
        raise SystemExit(f"no {TTFP}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_feeds(folder: Path) -> list[Path]:
    """8 RSS files of 50 articles each: the library every reader measured is made from."""
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 11, 30, 12, tzinfo=UTC)
    paths = []
    for f in range(8):
        items = []
        for e in range(50):
            title = f"Story {e} of desk {f}: news about the {TOPICS[(f + e) % len(TOPICS)]}"
            body = "".join(f"<p>{f'Paragraph {p} of story {e}, with words to read.' * 6}</p>"
                           for p in range(6))
            items.append(
                f"<item><title>{escape(title)}</title>"
                f"<link>https://feeds.example/{f}/{e}.html</link><guid>{f}-{e}</guid>"
                f"<author>A. Writer</author>"
                f"<pubDate>{format_datetime(start - timedelta(minutes=37 * e + 5 * f))}"
                f"</pubDate><description>{escape(body)}</description></item>")
        path = folder / f"desk-{f}.xml"
        path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel>'
                        f"<title>Desk {f}</title><link>https://feeds.example/</link>"
                        f"{''.join(items)}</channel></rss>", encoding="utf-8")
        paths.append(path)
    return paths


def build(reader: list[str], db: Path, feeds: list[Path], env: dict[str, str]) -> None:
    """The library, made by that reader itself (``reader add``): an older one cannot open
    a newer one's database."""
    subprocess.run([*reader, "--db", str(db), "add", *map(str, feeds)], env=env, check=True,
                   capture_output=True)


def newest_title(reader: list[str], db: Path, env: dict[str, str]) -> str:
    out = subprocess.run([*reader, "--db", str(db), "list", "--limit", "1", "--json"],
                         capture_output=True, text=True, env=env, check=True).stdout
    return str(json.loads(out)[0]["title"])


def options(expect: str) -> argparse.Namespace:
    return argparse.Namespace(expect=expect, keys="", expect_after="", cols=120, rows=40,
                              term="xterm-256color", poll_ms=5, timeout=30, settle=0.5)


def first_paints(ttfp: ModuleType, programs: dict[str, tuple[list[str], str]],
                 runs: int) -> dict[str, list[float]]:
    """Each program's time to first paint (until its screen shows the pattern given with
    it), ``runs`` times, the programs in turns so that the machine's moods fall on all."""
    times: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, (command, expect) in programs.items():
            first, _, shown = ttfp.one_run(command, options(expect))
            if first is None:
                print(shown)
                raise SystemExit(f"{name} never showed {expect!r}")
            times[name].append(first)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--other-reader", type=Path,
                        help="another installation's reader command, timed beside this one")
    parser.add_argument("--importtime", action="store_true")
    parser.add_argument("--autogroup", action="store_true",
                        help="run each program with its session at this script's priority")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        raise SystemExit("needs tmux")
    compile_reader()  # time the reader as installed (with bytecode), see installed.py
    ttfp = load_ttfp()
    work = Path(tempfile.mkdtemp(prefix="reader-startup-"))
    db = work / "library.sqlite"
    feeds = write_feeds(work / "feeds")
    config = work / "config.toml"
    config.write_text("[refresh]\non_start = false\ninterval_minutes = 0\n", encoding="utf-8")
    env = {**os.environ, "READER_CONFIG": str(config), "PYTHONDONTWRITEBYTECODE": ""}
    script = Path(sys.executable).with_name("reader")
    reader = [str(script)] if script.exists() else [sys.executable, "-m", "reader"]
    build(reader, db, feeds, env)
    title = newest_title(reader, db, env)
    bare = work / "bare.py"
    bare.write_text(BARE_APP, encoding="utf-8")
    envs = " ".join(f"{k}={v}" for k, v in (("READER_CONFIG", str(config)),))
    programs: dict[str, tuple[list[str], str]] = {
        "bare Textual app": ([sys.executable, str(bare)], "bare app ready"),
        "reader": (["env", envs, *reader, "--db", str(db)], re.escape(title[:20])),
    }
    if args.other_reader:
        other_db = work / "other.sqlite"
        build([str(args.other_reader)], other_db, feeds, env)
        if newest_title([str(args.other_reader)], other_db, env) != title:
            raise SystemExit("the other reader's library does not open on the same article")
        programs["other reader"] = (["env", envs, str(args.other_reader), "--db",
                                     str(other_db)], re.escape(title[:20]))
    if args.autogroup:
        # the same for every program: the shell's start is in each one's time
        priority = str(os.nice(0))
        wrap = ["sh", "-c", 'echo "$0" > /proc/self/autogroup && exec "$@"', priority]
        programs = {name: ([*wrap, *command], expect)
                    for name, (command, expect) in programs.items()}
    times = first_paints(ttfp, programs, args.runs)
    bare_median = statistics.median(times["bare Textual app"])
    print(f"first paint, 400 articles, 120x40, median of {args.runs} (runs in turns):")
    for name, values in times.items():
        median = statistics.median(values)
        runs = " ".join(f"{v:.3f}" for v in values)
        print(f"  {name:18} {median:.3f} s  ({median / bare_median:.2f}x bare)  runs: {runs}")
    ratio = statistics.median(times["reader"]) / bare_median
    print(f"reader / bare app: {ratio:.2f}x (target <= 1.5x): "
          f"{'within target' if ratio <= 1.5 else 'NOT within target'}")
    if args.importtime:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import reader.cli, reader.tui.app"],
            capture_output=True, text=True, env=env)
        rows = []
        for line in result.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                rows.append((int(parts[1]), parts[2].rstrip()))
        print("slowest imports (cumulative us):")
        for cumulative, name in sorted(rows, reverse=True)[:25]:
            print(f"  {cumulative:>8} {name}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
