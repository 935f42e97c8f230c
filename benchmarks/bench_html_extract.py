"""HTML extraction: the reader beside plain trafilatura on both shared sets, in one run.

    python benchmarks/bench_html_extract.py                    # quality, cross-validation, speed
    python benchmarks/bench_html_extract.py --sets scrapinghub --no-cv
    python benchmarks/bench_html_extract.py --per-item wcxb-dev   # pages, worst first
    python benchmarks/bench_html_extract.py --sets readability-tests trafilatura-eval
    python benchmarks/bench_html_extract.py --speed-only --rounds 2

Quality is measured as a user meets it: ``reader dump --format json`` over a set's html/
folder with default options, the body's visible text scored (link targets are not words),
beside ``trafilatura.extract(html, include_comments=False)`` over the same files in a
process of its own. The scorer is ../shared/eval/score.py (4-token shingles over \\w+
tokens, per page, then averaged); wcxb-dev is also reported per page type.

Cross-validation (``--no-cv`` skips it): the extraction rules (``ExtractionRules``: the
switches and thresholds of what is done around trafilatura) are chosen on the training
folds, by coordinate ascent from the shipped defaults, and scored on the held-out fold.
Folds are grouped by site (the domain) over both sets pooled, so no page is scored with
rules chosen on its own site. The held-out scores are pooled per set and page type.

Sites in neither shared set (the sets of ``make_unseen_sets.py``, build them first): nothing
is tuned on them, so they are scored as they are, never cross-validated. readability-tests
is scored like the shared sets; trafilatura-eval has only ``with`` / ``without`` snippets,
scored as trafilatura's own evaluation does (pooled over pages: accuracy is the share of
snippets right, found or absent as they should be), against the text the reader's Markdown
body shows once rendered (no "[", "](url)", "**" or "`" of its syntax).

Speed: both commands over scrapinghub's 181 pages, start-up included, as CPU time of the
whole process tree (the reader cleans a big folder in worker processes; the machine is
shared, so wall time is printed but not compared), in the order A B B A per round.
``--workers N`` runs the reader as if N cores were idle (the folder loader asks the load
average otherwise); ``--baseline DIR`` runs another source tree of the reader (a worktree
of the commit before) in the same rounds, A B C C B A, for a before and after side by side.
"""

from __future__ import annotations

import argparse
import compileall
import dataclasses
import gzip
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_unseen_sets as unseen  # noqa: E402
from installed import compile_reader  # noqa: E402

from reader.cleaning.html import DEFAULT_RULES, ExtractionRules, _draft  # noqa: E402
from reader.cleaning.markdown import visible_text  # noqa: E402

SETS = ("scrapinghub", "wcxb-dev")
SNIPPETS = ("trafilatura-eval",)  # sets with no full ground truth: with / without snippets
TYPES = ("article", "forum", "documentation", "service", "listing", "collection", "product")

# trafilatura alone, in a process of its own: the files named on stdin, {name: text} out.
TRAFILATURA = """
import gzip, json, sys
import trafilatura
out = {}
for path in sys.stdin.read().split("\\n"):
    if path:
        html = gzip.decompress(open(path, "rb").read()).decode("utf-8", "replace")
        out[path] = trafilatura.extract(html, include_comments=False) or ""
json.dump(out, sys.stdout)
"""


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    key: str  # "<set>/<id>"
    set: str
    kind: str  # page type; scrapinghub pages are all articles
    domain: str
    path: Path
    truth: str
    snippets: dict[str, list[str]] | None = None  # with / without, where there is no truth


def load_scorer(eval_dir: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("extraction_score", eval_dir / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no scorer at {eval_dir / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_pages(eval_dir: Path, names: Iterable[str], unseen_dir: Path) -> list[Page]:
    pages = []
    for name in names:
        folder = eval_dir / name if name in SETS else unseen_dir / name
        truth = json.loads((folder / "ground-truth.json").read_text("utf-8"))
        for page_id, entry in sorted(truth.items()):
            host = urlsplit(entry.get("url") or "").hostname or page_id
            pages.append(
                Page(
                    key=f"{name}/{page_id}",
                    set=name,
                    kind=entry.get("page_type") or "article",
                    domain=(entry.get("domain") or host).removeprefix("www."),
                    path=folder / "html" / f"{page_id}.html.gz",
                    truth=entry.get("articleBody") or "",
                    snippets=entry if name in SNIPPETS else None,
                )
            )
    return pages


# -- running both as a user would -----------------------------------------------------------


# ``reader dump`` as if this many cores were idle (the folder loader asks the load average).
WORKERS = """
import sys
import reader.ingest.folders
from reader.cli import main
reader.ingest.folders.idle_workers = lambda: int(sys.argv[1])
raise SystemExit(main(sys.argv[2:]))
"""


def run_reader(
    folder: Path, source: Path = ROOT, workers: int | None = None
) -> tuple[dict[str, str], float, float]:
    """``reader dump --format json FOLDER``: {file name: Markdown body}, CPU and wall seconds.

    ``source``: the source tree of the reader to run; ``workers``: as if so many cores
    were idle."""
    script = Path(sys.executable).with_name("reader")  # the installed command, if any
    program = [str(script)] if script.exists() else [sys.executable, "-m", "reader"]
    if workers is not None:
        program = [sys.executable, "-c", WORKERS, str(workers)]
    command = [*program, "dump", "--format", "json", str(folder)]
    output, cpu, wall = _timed_child(command, None, source)
    bodies = {
        Path(article["source"]).name: article.get("body") or "" for article in json.loads(output)
    }
    return bodies, cpu, wall


def run_trafilatura(folder: Path) -> tuple[dict[str, str], float, float]:
    """trafilatura.extract over every page of FOLDER in one process of its own."""
    paths = "\n".join(str(p) for p in sorted(folder.glob("*.html.gz")))
    output, cpu, wall = _timed_child([sys.executable, "-c", TRAFILATURA], paths)
    return {Path(k).name: v for k, v in json.loads(output).items()}, cpu, wall


def _timed_child(
    command: list[str], stdin: str | None, source: Path = ROOT
) -> tuple[str, float, float]:
    """Run a command; its stdout, and the CPU seconds of it and its children, and wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, input=stdin, capture_output=True, text=True, check=False, cwd=source,
        env={**os.environ, "PYTHONPATH": str(source)},
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, cpu, wall


# -- scoring ----------------------------------------------------------------------------------

Triple = tuple[float, float, float]


def groups(pages: list[Page]) -> dict[str, list[Page]]:
    """Each set, and each page type of wcxb-dev (the only set that has several)."""
    out: dict[str, list[Page]] = {}
    for page in pages:
        out.setdefault(page.set, []).append(page)
    for kind in TYPES:
        members = [p for p in pages if p.set == "wcxb-dev" and p.kind == kind]
        if members:
            out[f"  wcxb-dev {kind}"] = members
    return out


def summary(scorer: ModuleType, triples: list[Triple]) -> dict[str, float]:
    agg: dict[str, float] = scorer.aggregate(triples)
    agg["item_f1"] = sum(
        scorer.item_f1(scorer.item_precision(*t), scorer.item_recall(*t)) for t in triples
    ) / max(len(triples), 1)
    agg["empty"] = sum(1 for t in triples if t[0] + t[1] == 0)
    return agg


def print_table(
    scorer: ModuleType,
    pages: list[Page],
    columns: dict[str, dict[str, Triple]],
    title: str,
) -> None:
    print(f"\n{title}")
    names = list(columns)
    print(f"{'':<24}{'pages':>6}" + "".join(f"{n + ' F1 (P/R) empty':>32}" for n in names)
          + f"{'delta':>8}")  # fmt: skip
    for label, members in groups(pages).items():
        cells = []
        f1s = []
        for name in names:
            res = summary(scorer, [columns[name][p.key] for p in members])
            f1s.append(res["f1"])
            cells.append(
                f"{res['f1']:.3f} ({res['precision']:.3f}/{res['recall']:.3f}) {res['empty']:>3}"
            )
        delta = f"{f1s[0] - f1s[-1]:+.3f}" if len(f1s) > 1 else ""
        print(f"{label:<24}{len(members):>6}" + "".join(f"{c:>32}" for c in cells) + f"{delta:>8}")


# -- cross-validation of the rules ---------------------------------------------------------------

# What each rule may be set to; the switches before trafilatura need drafts of their own.
GRID: dict[str, tuple[Any, ...]] = {
    "merge_split_body": (True, False),
    "embedded_posts": (True, False),
    "embedded_tables": (True, False),
    "hidden_panels": (True, False),
    "noscript_content": (True, False),
    "hidden_in_extract": (True, False),
    "top_blocks": (0, 2, 3, 4),
    "standfirst": (True, False),
    "opening_h1": (True, False),
    # 2.0: only the share test off (a block of links alone is link-only still, with no
    # label allowed); the link-only rule wholly off was measured apart: it helps on 44
    # sites and costs on 33 (news .9751 -> .9724 without it, articles .9443 -> .9439)
    "link_share": (0.8, 0.9, 1.0, 2.0),
    "link_max_letters": (80, 120, 200),
    "label_max_letters": (0, 12),
    "trailers": (True, False),
    "link_lists_in_text": (True, False),
    "link_sentences_inside": (True, False),
    "mixed_list_share": (0.25, 0.5, 2.0),  # 2.0: a list's link-only items always go
    "recall_gain": (0, 1.1, 1.15, 1.2, 1.3, 1.5),  # 0: trafilatura's recall mode never taken
    "recall_keeps": (0, 0.5, 0.8, 0.9),
    "repeated_run_words": (0, 30, 60, 100, 200),  # 0: a repeated run always stays
}
BEFORE_TRAFILATURA = (
    "merge_split_body", "embedded_posts", "embedded_tables", "hidden_panels", "noscript_content",
    "hidden_in_extract",
)  # fmt: skip
FOLDS = 10


class Evaluator:
    """Held-out scores of rule sets, each page's draft made once per pre-trafilatura switch."""

    def __init__(self, scorer: ModuleType, pages: list[Page]) -> None:
        self.scorer = scorer
        self.pages = pages
        self.html = {p.key: gzip.decompress(p.path.read_bytes()) for p in pages}
        self.drafts: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.results: dict[ExtractionRules, dict[str, Triple]] = {}
        self.kind = {p.key: _weighed_kind(p) for p in pages}
        self.scored: dict[str, dict[str, Triple]] = {}

    def triples(self, rules: ExtractionRules) -> dict[str, Triple]:
        if rules not in self.results:
            switches = tuple(getattr(rules, name) for name in BEFORE_TRAFILATURA)
            if switches not in self.drafts:
                print(f"  (drafts with {dict(zip(BEFORE_TRAFILATURA, switches, strict=True))})",
                      flush=True)  # fmt: skip
                # The other rules as shipped: drafts try recall mode where the defaults do.
                shipped = dataclasses.replace(
                    DEFAULT_RULES, **dict(zip(BEFORE_TRAFILATURA, switches, strict=True))
                )
                self.drafts[switches] = {
                    key: _draft(html, url=None, rules=shipped) for key, html in self.html.items()
                }
            drafts = self.drafts[switches]
            self.results[rules] = {
                p.key: self._scored(p, drafts[p.key].finish(rules).body) for p in self.pages
            }
        return self.results[rules]

    def _scored(self, page: Page, body: str) -> Triple:
        # Most rules change few pages' bodies: a body scored once is not scored again.
        known = self.scored.setdefault(page.key, {})
        if body not in known:
            known[body] = self.scorer.tp_fp_fn(page.truth, visible_text(body))
        return known[body]

    def score(self, rules: ExtractionRules, keys: list[str]) -> float:
        """The mean F1 of the kinds of page among ``keys``: news (scrapinghub), articles,
        forums, documentation and the rest of wcxb-dev weigh the same, whatever their size."""
        triples = self.triples(rules)
        by_kind: dict[str, list[Triple]] = {}
        for key in keys:
            by_kind.setdefault(self.kind[key], []).append(triples[key])
        return sum(self.scorer.aggregate(t)["f1"] for t in by_kind.values()) / len(by_kind)


def _weighed_kind(page: Page) -> str:
    if page.set != "wcxb-dev":
        return page.set
    return page.kind if page.kind in ("article", "forum", "documentation") else "other"


def choose_rules(evaluator: Evaluator, keys: list[str]) -> ExtractionRules:
    """Coordinate ascent from the defaults: each rule in turn takes its best value, twice over.

    A change must score better on these pages; ties keep what is there.
    """
    best = DEFAULT_RULES
    best_score = evaluator.score(best, keys)
    for _ in range(2):
        changed = False
        for name, values in GRID.items():
            for value in values:
                if value == getattr(best, name):
                    continue
                candidate = dataclasses.replace(best, **{name: value})
                candidate_score = evaluator.score(candidate, keys)
                if candidate_score > best_score:
                    best, best_score, changed = candidate, candidate_score, True
        if not changed:
            break
    return best


def cross_validate(scorer: ModuleType, pages: list[Page]) -> dict[str, Triple]:
    evaluator = Evaluator(scorer, pages)
    fold_of = {p.key: zlib.crc32(p.domain.encode()) % FOLDS for p in pages}
    held_out: dict[str, Triple] = {}
    for fold in range(FOLDS):
        train = [p.key for p in pages if fold_of[p.key] != fold]
        rules = choose_rules(evaluator, train)
        changed = {
            f.name: getattr(rules, f.name)
            for f in dataclasses.fields(rules)
            if getattr(rules, f.name) != getattr(DEFAULT_RULES, f.name)
        }
        print(f"  fold {fold}: {len(train)} training pages, chose the defaults"
              + (" but " + ", ".join(f"{k}={v}" for k, v in changed.items()) if changed else ""),
              flush=True)  # fmt: skip
        triples = evaluator.triples(rules)
        held_out.update({p.key: triples[p.key] for p in pages if fold_of[p.key] == fold})
    everything = choose_rules(evaluator, [p.key for p in pages])
    if everything != DEFAULT_RULES:
        print(f"  on all pages the ascent would choose: {everything}")
    return held_out


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval",
                        help="folder holding the sets and score.py (default ../shared/eval)")
    parser.add_argument("--unseen", type=Path, default=unseen.dumps.UNSEEN,
                        help="folder of make_unseen_sets.py's sets (default its own)")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS + unseen.SETS)
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--rounds", type=int, default=1, help="speed rounds (A B B A each)")
    parser.add_argument("--speed-only", action="store_true",
                        help="only the speed rounds over scrapinghub (no quality runs)")
    parser.add_argument("--workers", type=int,
                        help="speed rounds: run the reader as if this many cores were idle")
    parser.add_argument("--baseline", type=Path,
                        help="speed rounds: this source tree of the reader too, side by side")
    parser.add_argument("--per-item", choices=[n for n in SETS + unseen.SETS if n not in SNIPPETS],
                        help="per-page F1 of one set, worst first")
    args = parser.parse_args(argv)

    compile_reader()
    if args.speed_only:
        print_speed(Path(args.eval) / "scrapinghub" / "html", args.rounds, args.workers,
                    args.baseline)
        return
    scorer = load_scorer(args.eval)
    pages = load_pages(args.eval, args.sets, args.unseen)
    ours: dict[str, Triple] = {}
    theirs: dict[str, Triple] = {}
    snippets: dict[str, dict[str, tuple[int, int, int, int]]] = {
        "reader": {}, SYNTAX_KEPT: {}, "trafilatura": {}
    }  # fmt: skip
    speed: list[tuple[str, float, float, float, float]] = []
    for name in args.sets:
        members = [p for p in pages if p.set == name]
        folder = members[0].path.parent
        print(f"{name}: reader dump and trafilatura over {len(members)} pages ...", flush=True)
        reader_bodies, cpu_r, wall_r = run_reader(folder)
        traf_bodies, cpu_t, wall_t = run_trafilatura(folder)
        speed.append((name, cpu_r, wall_r, cpu_t, wall_t))
        for page in members:
            body = reader_bodies.get(page.path.name, "")
            got = visible_text(body), traf_bodies.get(page.path.name, "")
            if page.snippets is not None:
                shown = shown_text(body)
                snippets["reader"][page.key] = unseen.snippet_counts(page.snippets, shown)
                snippets[SYNTAX_KEPT][page.key] = unseen.snippet_counts(page.snippets, got[0])
                snippets["trafilatura"][page.key] = unseen.snippet_counts(page.snippets, got[1])
            else:
                ours[page.key] = scorer.tp_fp_fn(page.truth, got[0])
                theirs[page.key] = scorer.tp_fp_fn(page.truth, got[1])

    columns = {"reader": ours, "trafilatura": theirs}
    scored = [p for p in pages if p.snippets is None]
    if scored:
        title = "Shipped extractor (reader dump) beside trafilatura 2.x"
        print_table(scorer, scored, columns, title)
    print_snippets([p for p in pages if p.snippets is not None], snippets)
    shared = [p for p in pages if p.set in SETS]  # the unseen sets are never tuned on
    if shared and not args.no_cv:
        print(f"\nCross-validating the rules ({FOLDS} folds grouped by domain, both sets pooled)",
              flush=True)  # fmt: skip
        held_out = cross_validate(scorer, shared)
        print_table(
            scorer,
            shared,
            {"reader CV": held_out, "trafilatura": theirs},
            "Cross-validated: every page scored with rules chosen without its site",
        )

    if "scrapinghub" in args.sets:
        print_speed(Path(args.eval) / "scrapinghub" / "html", args.rounds, args.workers,
                    args.baseline)
    for name, cpu_r, wall_r, cpu_t, wall_t in speed:
        print(f"  (quality runs, {name}: reader {cpu_r:.1f} s CPU / {wall_r:.1f} s wall, "
              f"trafilatura {cpu_t:.1f} s CPU / {wall_t:.1f} s wall)")  # fmt: skip
    if args.per_item:
        per_item(scorer, [p for p in pages if p.set == args.per_item], ours, theirs)


# Snippets are matched as substrings of the text, so they are matched against what the
# Markdown body shows once rendered (as the issue defines the body's visible text: link
# targets are not words, and neither are the "[", "]", "**", "`", "#" or "> " of its
# syntax), by a CommonMark renderer. The shingle scores need none of this: they count
# \w+ tokens only, which the syntax does not add to (link targets aside, removed by
# visible_text). The second figure is the one this benchmark printed before: the
# visible_text of the body, syntax and all, as substrings.
SYNTAX_KEPT = "reader, Markdown syntax kept"
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def shown_text(markdown: str) -> str:
    """The text a rendered view of the Markdown shows: its HTML rendering's text content."""
    rendered = _MARKDOWN.render(markdown)
    if not rendered.strip():
        return ""
    return str(lxml.html.fromstring(f"<div>{rendered}</div>").text_content())


def print_snippets(
    pages: list[Page], columns: dict[str, dict[str, tuple[int, int, int, int]]]
) -> None:
    """Snippet accuracy, counts pooled over the pages as trafilatura's evaluation pools them."""
    for name in sorted({p.set for p in pages}):
        members = [p for p in pages if p.set == name]
        print(f"\n{name}: {len(members)} pages of sites in neither shared set, snippets "
              "(precision, recall, accuracy, F1 pooled over the snippets)")  # fmt: skip
        accuracy = []
        for engine, counts in columns.items():
            tp, fp, fn, tn = (sum(counts[p.key][i] for p in members) for i in range(4))
            accuracy.append((tp + tn) / max(tp + fp + fn + tn, 1))
            print(f"  {engine:<24} P {tp / max(tp + fp, 1):.3f}  R {tp / max(tp + fn, 1):.3f}  "
                  f"accuracy {accuracy[-1]:.3f}  F1 {2 * tp / max(2 * tp + fp + fn, 1):.3f}  "
                  f"({tp} of {tp + fn} with found, {fp} of {fp + tn} without found)")
        print(f"  accuracy delta reader - trafilatura: {accuracy[0] - accuracy[-1]:+.3f}")


def print_speed(
    folder: Path, rounds: int, workers: int | None = None, baseline: Path | None = None
) -> None:
    """Both commands with their start-up, in the order A B B A (A B C C B A with a
    baseline): drift favours neither."""
    runners: dict[str, Callable[[Path], tuple[dict[str, str], float, float]]] = {
        "reader": lambda f: run_reader(f, ROOT, workers),
    }
    if baseline is not None:
        compileall.compile_dir(baseline / "reader", quiet=1)
        runners["baseline"] = lambda f: run_reader(f, baseline, workers)
    runners["trafilatura"] = run_trafilatura
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in runners}
    order = [*runners, *reversed(runners)]
    for _ in range(max(rounds, 1)):
        for name in order:
            _, cpu, wall = runners[name](folder)
            runs[name].append((cpu, wall))
    n = len(list(folder.glob("*.html.gz")))
    cpu = {k: sorted(c for c, _ in v)[len(v) // 2] for k, v in runs.items()}
    wall = {k: sorted(w for _, w in v)[len(v) // 2] for k, v in runs.items()}
    how = "as shipped (workers by the load average)" if workers is None else (
        f"as if {workers} core{'s' if workers != 1 else ''} were idle")
    print(f"\nSpeed over {n} pages, start-up included (median of {len(runs['reader'])} runs "
          f"each), the reader {how}; load {os.getloadavg()[0]:.1f}")
    for name in runs:
        print(f"  {name:<12} {cpu[name]:6.2f} s CPU  {n / cpu[name]:6.1f} pages/s"
              f"   ({wall[name]:.2f} s wall)")  # fmt: skip
    print(f"  throughput ratio reader/trafilatura (CPU): {cpu['trafilatura'] / cpu['reader']:.2f}")
    if baseline is not None:
        print(f"  throughput ratio baseline/trafilatura (CPU): "
              f"{cpu['trafilatura'] / cpu['baseline']:.2f}")


def per_item(
    scorer: ModuleType, pages: list[Page], ours: dict[str, Triple], theirs: dict[str, Triple]
) -> None:
    def f1(t: Triple) -> float:
        return float(scorer.item_f1(scorer.item_precision(*t), scorer.item_recall(*t)))

    print()
    for page in sorted(pages, key=lambda p: f1(ours[p.key]) - f1(theirs[p.key])):
        a, b = f1(ours[page.key]), f1(theirs[page.key])
        print(f"{page.key:<40} {page.kind:<14} reader {a:.3f} trafilatura {b:.3f} {a - b:+.3f}")


if __name__ == "__main__":
    main()
