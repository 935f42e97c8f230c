"""Article extraction quality and speed: the reader against plain trafilatura, same run.

    python benchmarks/bench_html_extract.py [DATASET_DIR] [--per-item] [--predictions OUT.json]

DATASET_DIR (default ``../shared/eval/scrapinghub``) holds ``html/<id>.html.gz`` and
``ground-truth.json``; scoring uses ``../shared/eval/score.py`` (the benchmark's metric:
4-token shingles over \\w+ tokens). The reader's body is scored as a reader shows it: the
Markdown's visible text, i.e. link targets are not counted as words of the article (the raw
Markdown score is printed too). Both extractors run on the same pages in the same process,
interleaved page by page, so machine load affects both alike.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reader.cleaning.html import extract_article  # noqa: E402

_LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()\s]*\))*\)")


def visible_text(markdown: str) -> str:
    """The words a reader sees: inline link targets removed, the rest left as is."""
    return _LINK_TARGET.sub("]", markdown)


def load_scorer(dataset: Path) -> ModuleType:
    path = dataset.parent / "score.py"
    spec = importlib.util.spec_from_file_location("extraction_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"no scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", nargs="?", default="../shared/eval/scrapinghub", type=Path)
    parser.add_argument("--per-item", action="store_true", help="per-page F1 of both")
    parser.add_argument("--predictions", type=Path, help="write the reader's bodies here")
    args = parser.parse_args(argv)

    scorer = load_scorer(args.dataset)
    truth = scorer.load_ground_truth(args.dataset)
    pages = {
        path.name.removesuffix(".html.gz"): gzip.decompress(path.read_bytes())
        for path in sorted((args.dataset / "html").glob("*.html.gz"))
    }
    urls = json.loads((args.dataset / "ground-truth.json").read_text("utf-8"))

    ours: dict[str, str] = {}
    theirs: dict[str, str] = {}
    t_ours = t_theirs = 0.0
    for page_id, data in pages.items():
        html = data.decode("utf-8", "replace")
        url = urls.get(page_id, {}).get("url")
        start = time.perf_counter()
        theirs[page_id] = trafilatura.extract(html, include_comments=False) or ""
        middle = time.perf_counter()
        ours[page_id] = extract_article(html, url=url).body
        t_theirs += middle - start
        t_ours += time.perf_counter() - middle

    rows: list[tuple[str, dict[str, Any], float]] = [
        ("reader", scorer.score(truth, {k: visible_text(v) for k, v in ours.items()})[0], t_ours),
        ("reader (raw Markdown)", scorer.score(truth, ours)[0], t_ours),
        ("trafilatura 2.x", scorer.score(truth, theirs)[0], t_theirs),
    ]
    print(f"{len(pages)} pages from {args.dataset}")
    print(
        f"{'extractor':<24} {'F1':>6} {'P':>6} {'R':>6} {'itemF1':>7} {'empty':>6} {'pages/s':>8}"
    )
    for name, res, seconds in rows:
        print(
            f"{name:<24} {res['f1']:6.3f} {res['precision']:6.3f} {res['recall']:6.3f} "
            f"{res['mean_item_f1']:7.3f} {res['n_empty_pred']:6d} {len(pages) / seconds:8.1f}"
        )
    print(f"throughput ratio reader/trafilatura: {t_theirs / t_ours:.2f}")

    if args.per_item:
        ours_items = scorer.score(truth, {k: visible_text(v) for k, v in ours.items()})[1]
        theirs_items = scorer.score(truth, theirs)[1]
        for page_id in sorted(truth, key=lambda k: ours_items[k]["f1"] - theirs_items[k]["f1"]):
            a, b = ours_items[page_id]["f1"], theirs_items[page_id]["f1"]
            print(f"{page_id[:12]} reader {a:.3f} trafilatura {b:.3f} {a - b:+.3f}")
    if args.predictions:
        args.predictions.write_text(json.dumps(ours, ensure_ascii=False, indent=1), "utf-8")


if __name__ == "__main__":
    main()
