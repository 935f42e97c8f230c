#!/usr/bin/env python3
"""Time to first paint of ``reader FOLDER`` on a folder opened before, for this checkout
and another one, in turns; and what the cleaner's fingerprint costs a process.

    python benchmarks/bench_reopen.py [--runs 5] [--dumps 2000] [--other /work/main]

A folder of ``--dumps`` plain-text dumps (``benchmarks/make_dumps.py``) is loaded once into
a library of each checkout (``reader add``, by that checkout itself), then ``reader --db DB
FOLDER`` is timed until its newest article shows (``../shared/bench/ttfp.py``'s measure).
Nothing is cleaned again on these opens: the time is the library's, plus the look at the
fingerprint (``reader.intake.restamp``) that comes before a known folder is shown. Both
run as ``python -m reader`` with PYTHONPATH set to their tree, compiled to bytecode first.
Prints each median and the runs.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

from bench_startup import first_paints, load_ttfp

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINT = ("import time; t = time.perf_counter(); "
               "from reader.ingest.fingerprint import cleaner_fingerprint; cleaner_fingerprint(); "
               "print(time.perf_counter() - t)")


def run(tree: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "reader", *args], capture_output=True,
                          text=True, check=True, env={**env, "PYTHONPATH": str(tree)}).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dumps", type=int, default=2000)
    parser.add_argument("--other", type=Path, help="another checkout's root, timed beside")
    args = parser.parse_args()
    if not shutil.which("tmux"):
        raise SystemExit("needs tmux")
    ttfp = load_ttfp()
    with tempfile.TemporaryDirectory(prefix="reader-reopen-") as scratch:
        reopen(Path(scratch), args, ttfp)
    return 0


def reopen(work: Path, args: argparse.Namespace, ttfp: ModuleType) -> None:
    """Time the first paint of a folder reopened, in ``work`` (removed after, whatever
    happens)."""
    folder = work / "dumps"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_dumps.py"), str(folder),
                    "--count", str(args.dumps)], check=True, capture_output=True)
    config = work / "config.toml"
    config.write_text("[refresh]\non_start = false\ninterval_minutes = 0\n", encoding="utf-8")
    env = {**os.environ, "READER_CONFIG": str(config), "PYTHONDONTWRITEBYTECODE": ""}
    trees = {"this checkout": ROOT}
    if args.other:
        trees["other checkout"] = args.other.resolve()
    programs: dict[str, tuple[list[str], str]] = {}
    for name, tree in trees.items():
        compileall.compile_dir(tree / "reader", quiet=1)
        db = work / f"{len(programs)}.sqlite"
        run(tree, "--db", str(db), "add", str(folder), env=env)
        newest = run(tree, "--db", str(db), "list", "--limit", "1", "--json", env=env)
        title = str(json.loads(newest)[0]["title"])
        programs[name] = (["env", f"PYTHONPATH={tree}", f"READER_CONFIG={config}",
                           sys.executable, "-m", "reader", "--db", str(db), str(folder)],
                          re.escape(title[:20]))
    times = first_paints(ttfp, programs, args.runs)
    print(f"first paint of a folder of {args.dumps} dumps opened before, "
          f"median of {args.runs} (in turns):")
    for name, values in times.items():
        runs = " ".join(f"{v:.3f}" for v in values)
        print(f"  {name:15} {statistics.median(values):.3f} s  runs: {runs}")
    costs = [float(subprocess.run([sys.executable, "-c", FINGERPRINT], capture_output=True,
                                  text=True, check=True, env={**env, "PYTHONPATH": str(ROOT)},
                                  ).stdout) for _ in range(args.runs)]
    print(f"fingerprint, import and first computation: {statistics.median(costs) * 1000:.1f} ms "
          f"(median of {args.runs})")


if __name__ == "__main__":
    sys.exit(main())
