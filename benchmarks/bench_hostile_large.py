"""The large hostile cases of issue 6: each within 60 s and 500 MB, through `reader dump` and
through the loaders.

    /work/venv/bin/python benchmarks/bench_hostile_large.py [--out DIR] [--keep]

Builds the big and special files with ``tests/support/make_corpus.py --large`` (a 100k-entry
feed, a quadratic entity blowup, 100k-deep HTML, a 10 MB single line, a 1 MB title and a
hostile directory with a FIFO, a /dev/zero link, a symlink loop and hostile names) into a
temporary folder, then runs every case twice in a child process with an address-space cap
(2 GiB) and a timeout: ``python -m reader dump --format json CASE``, and the loader
(``reader.ingest.load.load_path`` /
``reader.ingest.specs.load_directory``) alone. Prints wall time, CPU time
and peak RSS (``ru_maxrss`` of the child, from ``wait4``) per case and says which exceed
the budget; exits 1 when any does, or when a run crashes (traceback) or hangs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support.isolated import isolated_env, run_limited  # noqa: E402 - the tests' own runner

MAKE_CORPUS = ROOT / "tests" / "support" / "make_corpus.py"
TIME_BUDGET = 60.0
RSS_BUDGET_MB = 500
AS_LIMIT = 2 * 2**30
TIMEOUT = 180.0  # a hang is a kill after this long (--timeout)

CASES = [
    "feed-100k-entries.xml",
    "feed-quadratic-blowup.xml",
    "html-deep-nesting-100k.html",
    "file-10mb-one-line.txt",
    "feed-1mb-title.xml",
    "dir-hostile",
]

LOADER = """
import sys
from pathlib import Path
from reader.ingest.load import load_path
from reader.ingest.specs import load_directory
path = Path(sys.argv[1])
results = list(load_directory(path)) if path.is_dir() else [load_path(path)]
articles = sum(len(r.articles) for r in results)
errors = [r.error for r in results if r.error]
longest = max((len(a.body) + len(a.title or '') for r in results for a in r.articles), default=0)
print(f"{len(results)} results, {articles} articles, {len(errors)} errors, longest {longest} chars")
for error in errors[:8]:
    print("  error:", error)
"""


def controls(data: bytes) -> int:
    text = data.decode("utf-8", errors="replace")
    return sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="build the corpus here (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="kill a run after this (s)")
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="hostile-large-"))
    print(f"building the large cases in {out} ...", flush=True)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), "--out", str(out), "--large"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"built in {time.monotonic() - started:.1f} s\n")
    home = Path(tempfile.mkdtemp(prefix="hostile-home-"))
    env = isolated_env(home)
    failed = False
    header = f"{'case':30s} {'path':6s} {'rc':>3s} {'wall s':>7s} {'cpu s':>7s} {'RSS MB':>7s}  verdict / notes"  # noqa: E501
    print(header)
    print("-" * len(header))
    for case in args.case or CASES:
        path = out / "generated" / case
        for label, cmd in (
            ("dump", [sys.executable, "-m", "reader", "dump", "--format", "json", str(path)]),
            ("loader", [sys.executable, "-c", LOADER, str(path)]),
        ):
            r = run_limited(cmd, env=env, timeout=args.timeout, address_space=AS_LIMIT)
            rss_mb = r.maxrss_kb / 1024
            problems = []
            if r.timed_out:
                problems.append(f"HUNG (killed after {args.timeout:.0f} s)")
            if r.seconds > TIME_BUDGET:
                # wall clock is the budget; CPU is printed too, for a busy machine
                problems.append(f"over {TIME_BUDGET:.0f} s")
            if rss_mb > RSS_BUDGET_MB:
                problems.append(f"over {RSS_BUDGET_MB} MB")
            if b"Traceback" in r.stderr or b"MemoryError" in r.stderr:
                problems.append("CRASH")
            if r.returncode not in (0, 1):
                problems.append(f"exit {r.returncode}")
            if label == "dump":
                bad = controls(r.stdout) + controls(r.stderr)
                if bad:
                    problems.append(f"{bad} control characters in the output")
            verdict = "FAIL: " + ", ".join(problems) if problems else "ok"
            failed |= bool(problems)
            stderr_lines = r.stderr.decode("utf-8", "replace").splitlines()
            stdout_first = r.stdout.decode("utf-8", "replace").splitlines()[:1]
            note = (
                stdout_first[0]
                if label == "loader" and stdout_first
                else f"{len(r.stdout)} bytes out, {len(stderr_lines)} stderr lines"
            )
            print(
                f"{case:30s} {label:6s} {r.returncode:>3} {r.seconds:7.1f} {r.cpu:7.1f} "
                f"{rss_mb:7.0f}  {verdict}; {note}",
                flush=True,
            )
            for line in stderr_lines[:4]:
                print(f"{'':40s}| {line[:150]}")
    if not args.keep and args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    print("\nall within budget" if not failed else "\nSOME CASES FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
