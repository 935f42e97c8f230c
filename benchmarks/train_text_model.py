"""Fit the plain-text cleaner's line model and report its cross-validated quality.

    /work/venv/bin/python benchmarks/train_text_model.py [DATASET_DIR] [--write]

Needs numpy and scikit-learn (training only; the reader itself uses neither). Blocks of
each dump are labelled by how many of their 4-token shingles occur in the page's
ground-truth body. The two logistic stages are fitted with every page weighing the
same, as the scorer weighs them, and the second on the scores of the first.
Quality is measured with folds grouped by the site (the domain of the ``url`` field), so
no page is ever scored by a model that saw its site; the decoding thresholds in SETTINGS
were chosen on that cross-validated figure (``--sweep``). ``--write`` then fits on all
pages and writes ``reader/cleaning/text_model.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reader.cleaning import text as cleaner  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "scrapinghub"
SHINGLE = 4
# A block is body when this share of its shingles occurs in the ground truth.
LABEL_SHARE = float(os.environ.get("LABEL_SHARE", "0.3"))
# Within a page a block weighs by its tokens to this power (1: as the scorer counts).
POWER = float(os.environ.get("POWER", "1"))
# Weight of each plain-file variant of a page (see Page.variants), relative to the page.
AUGMENT = float(os.environ.get("AUGMENT", "0.1"))


def load_scorer(dataset: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score", dataset.parent / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def shingles(tokens: list[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def label_units(units: list[cleaner._Unit], truth: str, scorer) -> tuple[list[int], list[int]]:  # type: ignore[no-untyped-def]
    """(label, token count) per unit."""
    truth_tokens = scorer.tokens(truth)
    truth_sh = shingles(truth_tokens)
    short_sh = set()
    for n in (1, 2, 3):
        short_sh |= shingles(truth_tokens, n)
    labels, sizes = [], []
    for unit in units:
        toks = scorer.tokens(unit.text)
        sizes.append(len(toks))
        if len(toks) >= SHINGLE:
            own = [tuple(toks[i : i + SHINGLE]) for i in range(len(toks) - SHINGLE + 1)]
            labels.append(int(sum(s in truth_sh for s in own) >= LABEL_SHARE * len(own)))
        else:
            labels.append(int(bool(toks) and tuple(toks) in short_sh))
    # A short line counts as body only next to body: "More" occurs in any article.
    for i, unit_toks in enumerate(sizes):
        if unit_toks < SHINGLE and labels[i]:
            near = [
                labels[j] for j in (i - 1, i + 1) if 0 <= j < len(labels) and sizes[j] >= SHINGLE
            ]
            labels[i] = int(any(near))
    return labels, sizes


class Page:
    """One dump with its labelled, featurised blocks (only those the model scores)."""

    def __init__(  # type: ignore[no-untyped-def]
        self, key: str, text: str, truth: str, url: str, scorer, weight: float = 1.0
    ) -> None:
        self.key, self.text, self.truth, self.site = key, text, truth, site(url)
        self.scorer = scorer
        units = cleaner._units(cleaner._split_lines(text))
        self.units = units
        self.augmented: list[Page] = []
        picked, gaps = cleaner._scored(units)
        rows = cleaner._features(units, picked, gaps, frozenset())
        self.rows = np.array(rows, dtype=float).reshape(len(rows), -1)
        labels, sizes = label_units(units, truth, scorer)
        self.y = np.array([labels[i] for i in picked], dtype=int)
        sizes_arr = np.array([sizes[i] for i in picked], dtype=float)
        # Each page weighs the same, as in the scorer; within a page, by tokens.
        per_unit = np.minimum(sizes_arr, 400) ** POWER + 1.0
        self.w = weight * per_unit / per_unit.sum()
        self.labels = labels

    def variants(self) -> list[Page]:
        """The same article as a plain file would hold it: cut after its last body line,
        and also cut to start at the headline. Whole-page dumps never end with the
        article, so without these the model learns that the end of a text is chrome."""
        body = [i for i, y in enumerate(self.labels) if y]
        if not body:
            return []
        lines = cleaner._split_lines(self.text)
        end = self.units[body[-1]].last + 1
        start = self.units[max(0, body[0] - 3)].first
        url = "http://" + self.site
        return [
            Page(self.key, "\n".join(part), self.truth, url, self.scorer, AUGMENT)
            for part in (lines[:end], lines[start:end])
        ]


def load_pages(dataset: Path, scorer) -> list[Page]:  # type: ignore[no-untyped-def]
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        text = (dataset / "text_dumps" / f"{key}.txt").read_text(encoding="utf-8")
        page = Page(key, text, item.get("articleBody") or "", item.get("url") or key, scorer)
        page.augmented = page.variants()
        pages.append(page)
    return pages


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w * len(w) / w.sum())
    coef = model.coef_[0] / scale
    bias = float(model.intercept_[0] - (model.coef_[0] * mean / scale).sum())
    return coef, bias


def train(pages: list[Page], c1: float, c2: float, threshold: float) -> cleaner._Model:
    """Fit the two stages in turn; the second learns from the scores of the first."""
    pages = [v for p in pages for v in (p, *p.augmented)]
    y = np.concatenate([p.y for p in pages])
    w = np.concatenate([p.w for p in pages])
    n_shape = len(cleaner.FEATURE_NAMES)
    shapes = [[list(r[:n_shape]) for r in p.rows] for p in pages]

    def next_rows(rows: list[np.ndarray], coef: np.ndarray, bias: float) -> list[np.ndarray]:
        return [
            np.array(cleaner._stage2(list(r @ coef + bias), sh), dtype=float).reshape(len(sh), -1)
            for r, sh in zip(rows, shapes, strict=True)
        ]

    rows1 = [p.rows for p in pages]
    w1, b1 = fit(np.vstack(rows1), y, w, c1)
    rows2 = next_rows(rows1, w1, b1)
    w2, b2 = fit(np.vstack(rows2), y, w, c2)
    return cleaner._Model(
        tuple(map(float, w1)),
        b1,
        tuple(map(float, w2)),
        b2,
        threshold,
    )


def predict(pages: list[Page], model: cleaner._Model) -> dict[str, str]:
    return {p.key: cleaner._clean(p.text, frozenset(), model).body for p in pages}


def cross_validate(  # type: ignore[no-untyped-def]
    pages: list[Page],
    scorer,
    folds: int,
    c1: float,
    c2: float,
    threshold: float,
    block_in: float = 0.5,
    block_out: float = 0.5,
    decoders: list[tuple[float, float, float]] | None = None,
    gap_cost: float = 0.0,
) -> dict[str, str]:
    """Bodies of every page, each cleaned by a model fitted without any page of its site.

    With several ``decoders`` (threshold, block_in, block_out), prints the score of each
    and returns the bodies of the first.
    """
    sites = sorted({p.site for p in pages})
    # Sites dealt round-robin after sorting by a hash, so folds are fixed and mixed.
    order = sorted(sites, key=lambda s: hash_str(s))
    fold_of = {s: i % folds for i, s in enumerate(order)}
    decoders = decoders or [(threshold, block_in, block_out)]
    all_preds: list[dict[str, str]] = [{} for _ in decoders]
    for k in range(folds):
        train_pages = [p for p in pages if fold_of[p.site] != k]
        test_pages = [p for p in pages if fold_of[p.site] == k]
        model = train(train_pages, c1, c2, threshold)
        for preds, (t, b_in, b_out) in zip(all_preds, decoders, strict=True):
            tuned = replace(model, threshold=t, block_in=b_in, block_out=b_out, gap_cost=gap_cost)
            preds.update(predict(test_pages, tuned))
    if len(decoders) > 1:
        gt = {p.key: p.truth for p in pages}
        for preds, dec in zip(all_preds, decoders, strict=True):
            res, _ = scorer.score(gt, preds)
            print(f"  decoder {dec}: F1={res['f1']:.3f} item={res['mean_item_f1']:.3f}")
    return all_preds[0]


def hash_str(text: str) -> int:
    value = 0
    for ch in text:
        value = (value * 131 + ord(ch)) % 1_000_003
    return value


# The settings the shipped model was fitted with; the benchmark cross-validates with them.
SETTINGS = {
    "folds": 10,
    "c1": 1.0,
    "c2": 1.0,
    "threshold": 0.3,
    "block_in": 0.3,
    "block_out": 0.8,
    "gap_cost": 4.0,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=SETTINGS["folds"])
    ap.add_argument("--c1", type=float, default=SETTINGS["c1"])
    ap.add_argument("--c2", type=float, default=SETTINGS["c2"])
    ap.add_argument("--threshold", type=float, default=SETTINGS["threshold"])
    ap.add_argument("--block-in", type=float, default=SETTINGS["block_in"])
    ap.add_argument("--block-out", type=float, default=SETTINGS["block_out"])
    ap.add_argument("--gap-cost", type=float, default=SETTINGS["gap_cost"])
    ap.add_argument("--sweep", action="store_true", help="also score other decoders")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--per-item", action="store_true")
    ap.add_argument("--dump", type=Path, help="write the cross-validated bodies here (JSON)")
    args = ap.parse_args()
    scorer = load_scorer(args.dataset)
    started = time.perf_counter()
    pages = load_pages(args.dataset, scorer)
    print(
        f"features: {time.perf_counter() - started:.1f}s, {sum(len(p.y) for p in pages)} units,"
        f" {len({p.site for p in pages})} sites",
        file=sys.stderr,
    )
    gt = {p.key: p.truth for p in pages}
    decoders = [(args.threshold, args.block_in, args.block_out)]
    if args.sweep:
        decoders += [
            (t, bi, bo) for t in (0.3, 0.35, 0.4) for bi in (0.3, 0.4) for bo in (0.7, 0.9)
        ]
    preds = cross_validate(
        pages,
        scorer,
        args.folds,
        args.c1,
        args.c2,
        args.threshold,
        args.block_in,
        args.block_out,
        decoders,
        args.gap_cost,
    )
    res, per_item = scorer.score(gt, preds)
    if args.dump:
        args.dump.write_text(json.dumps(preds, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"CV ({args.folds} folds grouped by site): F1={res['f1']:.3f} P={res['precision']:.3f} "
        f"R={res['recall']:.3f} mean_item_f1={res['mean_item_f1']:.3f} "
        f"empty={res['n_empty_pred']}"
    )
    if args.per_item:
        worst = sorted(per_item.items(), key=lambda kv: kv[1]["f1"])[:25]
        for key, v in worst:
            print(f"{key[:16]} P={v['precision']:.2f} R={v['recall']:.2f} F1={v['f1']:.2f}")
    if args.write:
        fitted = train(pages, args.c1, args.c2, args.threshold)
        model = replace(
            fitted,
            threshold=args.threshold,
            block_in=args.block_in,
            block_out=args.block_out,
            gap_cost=args.gap_cost,
        )
        data = {
            "_about": "Plain-text cleaner line model; fitted by benchmarks/train_text_model.py "
            f"on {len(pages)} pages. CV F1 {res['f1']:.3f}, mean item F1 "
            f"{res['mean_item_f1']:.3f} ({args.folds} folds grouped by site).",
            "features1": list(cleaner.FEATURE_NAMES + cleaner.CONTEXT_NAMES + cleaner.GAP_NAMES),
            "features2": list(cleaner.STAGE2_NAMES),
            "w1": [round(v, 6) for v in model.w1],
            "b1": round(model.b1, 6),
            "w2": [round(v, 6) for v in model.w2],
            "b2": round(model.b2, 6),
            "threshold": model.threshold,
            "block_in": args.block_in,
            "block_out": args.block_out,
            "gap_cost": args.gap_cost,
        }
        cleaner.MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        full, _ = scorer.score(gt, predict(pages, model))
        print(f"in-sample: F1={full['f1']:.3f} mean_item_f1={full['mean_item_f1']:.3f}")


if __name__ == "__main__":
    main()
