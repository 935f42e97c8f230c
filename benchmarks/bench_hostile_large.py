"""The large hostile cases of issue 6: each within 60 s and 500 MB, through `reader dump` and
through the loaders.

    /work/venv/bin/python benchmarks/bench_hostile_large.py [--out DIR] [--keep]

Builds the big and special files with ``tests/support/make_corpus.py --large`` (a 100k-entry
feed, a quadratic entity blowup, 100k-deep HTML, a 10 MB single line, a 1 MB title and a
hostile directory with a FIFO, a /dev/zero link, a symlink loop and hostile names) into a
temporary folder, then runs every case twice in a child process with an address-space cap
(2 GiB) and a timeout: ``python -m reader dump --format json CASE``, and the loader
(``reader.sources.load.load_path`` / ``load_directory``) alone. Prints wall time, CPU time
and peak RSS (``ru_maxrss`` of the child, from ``wait4``) per case and says which exceed
the budget; exits 1 when any does, or when a run crashes (traceback) or hangs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
from reader.sources.load import load_directory, load_path
path = Path(sys.argv[1])
results = list(load_directory(path)) if path.is_dir() else [load_path(path)]
articles = sum(len(r.articles) for r in results)
errors = [r.error for r in results if r.error]
longest = max((len(a.body) + len(a.title or '') for r in results for a in r.articles), default=0)
print(f"{len(results)} results, {articles} articles, {len(errors)} errors, longest {longest} chars")
for error in errors[:8]:
    print("  error:", error)
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def run(args: list[str], env: dict[str, str], timeout: float = TIMEOUT) -> dict[str, object]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(
            args,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
            preexec_fn=_limit,
            start_new_session=True,
        )
        hung = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                hung = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    return {
        "rc": proc.returncode,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "hung": hung,
        "stdout": stdout,
        "stderr": stderr,
    }


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
    dead = "http://127.0.0.1:9"
    env = {
        **os.environ,
        "READER_DB": str(home / "library.sqlite"),
        "READER_CONFIG": str(home / "config.toml"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "HTTP_PROXY": dead,
        "HTTPS_PROXY": dead,
        "http_proxy": dead,
        "https_proxy": dead,
        "LC_ALL": "C.UTF-8",
    }
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
            r = run(cmd, env, args.timeout)
            problems = []
            if r["hung"]:
                problems.append(f"HUNG (killed after {args.timeout:.0f} s)")
            if r["wall"] > TIME_BUDGET:  # type: ignore[operator]
                # wall clock is the budget; CPU is printed too, for a busy machine
                problems.append(f"over {TIME_BUDGET:.0f} s")
            if r["rss_mb"] > RSS_BUDGET_MB:  # type: ignore[operator]
                problems.append(f"over {RSS_BUDGET_MB} MB")
            if b"Traceback" in r["stderr"] or b"MemoryError" in r["stderr"]:  # type: ignore[operator]
                problems.append("CRASH")
            if r["rc"] not in (0, 1):
                problems.append(f"exit {r['rc']}")
            if label == "dump":
                bad = controls(r["stdout"]) + controls(r["stderr"])  # type: ignore[arg-type]
                if bad:
                    problems.append(f"{bad} control characters in the output")
            verdict = "FAIL: " + ", ".join(problems) if problems else "ok"
            failed |= bool(problems)
            stderr_lines = r["stderr"].decode("utf-8", "replace").splitlines()  # type: ignore[union-attr]
            stdout_first = r["stdout"].decode("utf-8", "replace").splitlines()[:1]  # type: ignore[union-attr]
            note = (
                stdout_first[0]
                if label == "loader" and stdout_first
                else f"{len(r['stdout'])} bytes out, {len(stderr_lines)} stderr lines"
            )  # type: ignore[arg-type]
            print(
                f"{case:30s} {label:6s} {r['rc']:>3} {r['wall']:7.1f} {r['cpu']:7.1f} "
                f"{r['rss_mb']:7.0f}  {verdict}; {note}",
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
