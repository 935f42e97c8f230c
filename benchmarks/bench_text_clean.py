"""Quality and speed of the plain-text cleaner on the whole-page dumps.

    /work/venv/bin/python benchmarks/bench_text_clean.py [DATASET_DIR] [--per-item] [--no-cv]

DATASET_DIR defaults to ../shared/eval/scrapinghub (it needs text_dumps/,
ground-truth.json, and ../score.py beside it). Prints F1, precision, recall, mean item F1,
empty bodies and pages/s for the shipped model. Because that model's weights were fitted
on these same pages, it also prints the figure that counts: the cross-validated one,
where each page is cleaned by a model fitted without any page of its site (10 folds
grouped by the url's domain; needs numpy and scikit-learn, see train_text_model.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.cleaning.text import clean_dump  # noqa: E402

DEFAULT_DATA = Path("../shared/eval/scrapinghub")


def load_module(name: str, path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def report(label: str, res: dict[str, float]) -> None:
    print(
        f"{label}: F1={res['f1']:.3f} precision={res['precision']:.3f} "
        f"recall={res['recall']:.3f} mean_item_f1={res['mean_item_f1']:.3f} "
        f"empty={res['n_empty_pred']}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--per-item", action="store_true", help="list the 20 worst pages")
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validated figures")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs (best is reported)")
    args = ap.parse_args()
    dataset: Path = args.dataset
    scorer = load_module("score", dataset.parent / "score.py")
    truth = scorer.load_ground_truth(dataset)
    texts = {
        key: (dataset / "text_dumps" / f"{key}.txt").read_text(encoding="utf-8")
        for key in sorted(truth)
    }
    clean_dump("warm up the model and stopword caches")
    # CPU time is what one core spends; wall time also counts waiting for a busy machine.
    best = best_wall = float("inf")
    preds: dict[str, str] = {}
    for _ in range(max(1, args.repeat)):
        started, started_wall = time.process_time(), time.perf_counter()
        preds = {key: clean_dump(text).body for key, text in texts.items()}
        best = min(best, time.process_time() - started)
        best_wall = min(best_wall, time.perf_counter() - started_wall)
    res, per_item = scorer.score(truth, preds)
    print(f"pages={len(texts)} dataset={dataset}")
    report("shipped model (in-sample)", res)
    print(
        f"speed: {len(texts) / best:.0f} pages/s of one core's CPU time "
        f"({len(texts) / best_wall:.0f} by the wall clock; best of {args.repeat})"
    )
    if args.per_item:
        for key, v in sorted(per_item.items(), key=lambda kv: kv[1]["f1"])[:20]:
            print(f"  {key[:16]} P={v['precision']:.2f} R={v['recall']:.2f} F1={v['f1']:.2f}")
    if args.no_cv:
        return
    try:
        trainer = load_module("train_text_model", ROOT / "benchmarks" / "train_text_model.py")
    except ImportError as exc:
        print(f"cross-validated: skipped ({exc}; pip install numpy scikit-learn)")
        return
    pages = trainer.load_pages(dataset, scorer)
    cv = trainer.cross_validate(pages, scorer, **trainer.SETTINGS)
    cv_res, _ = scorer.score(truth, cv)
    report(f"cross-validated ({trainer.SETTINGS['folds']} folds grouped by site) [COUNTS]", cv_res)


if __name__ == "__main__":
    main()
