"""The headline the reader picks for a plain-text dump, in every layout, against the truth.

    python benchmarks/bench_text_titles.py [--datasets wcxb-dev readability-tests]
        [--layouts naive w3m-100 ... html] [--wrong N] [--json FILE]

The layout ``html`` is the saved page itself (each set's ``html/ID.html.gz``, opened as a
user opens a saved page: no address given), for the headline of the HTML extractor.

Needs the dumps of ``benchmarks/make_layout_dumps.py`` (and, for ``readability-tests``,
the set of ``benchmarks/make_unseen_sets.py``). Every title is what a user gets:
``reader dump --format json FILE`` with no options (the same loader, in process), so a
dump without a headline found shows its file name, as the article list does.

The truth is the ``title`` of each set's ground-truth.json: wcxb-dev has one for every
page; scrapinghub has none (skipped); readability-tests has Readability.js's expected
title (its pages are only measured, never tuned on). For each dataset, page type
(wcxb-dev's articles, then its other types together) and layout: exact matches (case,
spacing and punctuation aside), mean token F1, the share clearly wrong (token F1 < 0.3),
the share showing the file name, and the share with a list bullet, a table border or
Markdown markup left in the title.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_layout_dumps as dumps  # noqa: E402
import train_text_model as trainer  # noqa: E402

from reader.ingest.load import load_path  # noqa: E402

CLEARLY_WRONG = 0.3
# What no headline carries: a list bullet or quote mark opening it, a table's borders,
# Markdown's heading, emphasis or link markup.
MARKER = re.compile(
    r"^\s*(?:[•◦▪▫‣⁃∙○●□■►▸*+\-·>]\s|#{1,6}\s)|[\u2500-\u257f]|\*\*|__|\]\(|"
    r"^\s*\||\|\s*$|\+-{2,}|-{2,}\+"
)
# Scripts written without spaces: each character is a token.
_DENSE = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff"
_TOKEN = re.compile(f"[{_DENSE}]|[^\\W{_DENSE}]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def token_f1(got: str, truth: str) -> float:
    a, b = Counter(tokens(got)), Counter(tokens(truth))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


HTML = "html"


def page_path(out: Path, page: trainer.Page, layout: str, scratch: Path) -> Path:
    """The file a user would open: a dump of this layout, or the saved page (unzipped)."""
    if layout != HTML:
        return trainer.dump_path(out, page, layout)
    saved = dumps.dataset_dir(page.dataset) / "html" / f"{page.id}.html.gz"
    path = scratch / f"{page.id}.html"
    if saved.exists():
        path.write_bytes(gzip.decompress(saved.read_bytes()))
    return path


def picked_title(path: Path) -> tuple[str, bool]:
    """The title ``reader dump`` shows for the dump at ``path``, and whether it is the
    file name (no headline found)."""
    result = load_path(path, source=str(path))
    if not result.articles:
        return "", True
    title = result.articles[0].title or ""
    return title, title == path.stem


def score(rows: list[tuple[str, str, bool]]) -> dict[str, float]:
    """Figures for (picked, truth, fallback) rows."""
    f1s = [token_f1(got, truth) for got, truth, _ in rows]
    n = len(rows)
    return {
        "pages": n,
        "exact": sum(tokens(got) == tokens(truth) for got, truth, _ in rows) / n,
        "token_f1": statistics.fmean(f1s),
        "wrong": sum(f < CLEARLY_WRONG for f in f1s) / n,
        "file_name": sum(fallback for _, _, fallback in rows) / n,
        "marker": sum(MARKER.search(got) is not None for got, _, _ in rows) / n,
    }


def table(title: str, figures: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print("| layout | pages | exact | token F1 | clearly wrong | file name | marker left |")
    print("|---|---|---|---|---|---|---|")
    for layout, f in figures.items():
        held = (" (held out)" if layout in dumps.HELD_OUT
                else " (not fitted on)" if layout in dumps.DEVELOPMENT else "")
        print(f"| {layout}{held} | {f['pages']} | {f['exact']:.3f} | {f['token_f1']:.3f} | "
              f"{f['wrong']:.3f} | {f['file_name']:.3f} | {f['marker']:.3f} |")
    if len(figures) > 1:
        n = sum(f["pages"] for f in figures.values())
        mean = {k: sum(f[k] * f["pages"] for f in figures.values()) / n
                for k in ("exact", "token_f1", "wrong", "file_name", "marker")}
        print(f"| all layouts | {n} | {mean['exact']:.3f} | {mean['token_f1']:.3f} | "
              f"{mean['wrong']:.3f} | {mean['file_name']:.3f} | {mean['marker']:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=dumps.DEFAULT_OUT, help="the dumps' folder")
    ap.add_argument("--datasets", nargs="+", default=["wcxb-dev", "readability-tests"])
    ap.add_argument("--layouts", nargs="+", default=list(dumps.LAYOUTS),
                    help=f"dump layouts, or {HTML!r} for the saved pages themselves")
    ap.add_argument("--wrong", type=int, default=0, metavar="N",
                    help="print N clearly wrong titles of each layout (articles)")
    ap.add_argument("--json", type=Path, help="write every figure here")
    args = ap.parse_args()
    everything: dict[str, dict[str, float]] = {}
    for dataset in args.datasets:
        pages = trainer.load_pages([dataset])
        if not any(page.title for page in pages):
            print(f"\n{dataset}: its ground truth has no titles, skipped")
            continue
        groups: dict[str, dict[str, list[tuple[str, str, bool]]]] = {}
        wrong: dict[str, list[str]] = {}
        scratch = Path(tempfile.mkdtemp(prefix="bench-titles-"))
        for layout in args.layouts:
            for page in pages:
                path = page_path(args.out, page, layout, scratch)
                if not page.title or not path.exists():
                    continue
                got, fallback = picked_title(path)
                group = "article" if page.page_type == "article" else "other types"
                groups.setdefault(group, {}).setdefault(layout, []).append(
                    (got, page.title, fallback)
                )
                if group == "article" and token_f1(got, page.title) < CLEARLY_WRONG:
                    wrong.setdefault(layout, []).append(
                        f"  {page.id}: {got!r}  (truth {page.title!r})"
                    )
        shutil.rmtree(scratch, ignore_errors=True)
        for group in sorted(groups, key=lambda g: g != "article"):
            figures = {layout: score(rows) for layout, rows in groups[group].items()}
            everything.update({f"{dataset}/{group}/{k}": v for k, v in figures.items()})
            table(f"{dataset}, {group}: titles of `reader dump`", figures)
        for layout, lines in wrong.items():
            if args.wrong:
                print(f"\n{dataset} {layout}: clearly wrong ({len(lines)})")
                print("\n".join(lines[: args.wrong]))
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
