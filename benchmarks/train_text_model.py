"""Fit the plain-text cleaner's line model on many layouts and sites, and cross-validate it.

    python benchmarks/train_text_model.py [--datasets scrapinghub wcxb-dev]
        [--layouts naive lynx-100 ...] [--sample N] [--folds 10] [--write]

Needs numpy and scikit-learn (training only; the reader itself uses neither) and the
dumps written by ``benchmarks/make_layout_dumps.py``. Every dump is cut into blocks by
the layout normaliser, exactly as the reader does; a block is labelled body when enough
of its 4-token shingles occur in the page's ground truth. The two logistic stages are
fitted with every dump weighing the same (as the scorer weighs pages), the second on the
scores of the first. Environment variables reweigh the fit, for this script and for
bench_text_clean.py's folds alike (which imports it): ``OTHER_TYPES`` (a page that is
not an article, 0.3), ``TYPE_WEIGHTS`` (per page type, over OTHER_TYPES),
``DATASET_WEIGHTS`` and ``LAYOUT_WEIGHTS`` (1 unless named), e.g.
``DATASET_WEIGHTS=scrapinghub=8 OTHER_TYPES=0.6``. ``FEATURES_VERSION`` reuses the
features cached for an earlier version of the cleaner (a folder name under
``features/``): only right when what changed since is stage two alone.

Only the TRAIN layouts of make_layout_dumps.py are ever fitted on; the HELD_OUT ones
(tools the model never sees) are only cleaned and scored. Quality is measured with folds
grouped by site (the ``domain`` of wcxb-dev, the url's host for scrapinghub), so no dump
is cleaned by a model that saw any page of its site in any layout. ``--write`` fits on
every page of every TRAIN layout and writes ``reader/cleaning/text_model.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import pickle
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_layout_dumps as dumps  # noqa: E402

from reader.cleaning import text as cleaner  # noqa: E402

SHINGLE = 4
# A block is body when this share of its shingles occurs in the ground truth.
LABEL_SHARE = float(os.environ.get("LABEL_SHARE", "0.3"))
# Weight of each plain-file variant of a naive dump (see Dump.variants), relative to it.
AUGMENT = float(os.environ.get("AUGMENT", "0.1"))
# Weight of a page of another type than article, relative to an article.
OTHER_TYPES = float(os.environ.get("OTHER_TYPES", "0.3"))


def _weights(spec: str) -> dict[str, float]:
    """``"scrapinghub=2,naive=1.5"`` -> {"scrapinghub": 2.0, "naive": 1.5}."""
    out = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            sys.exit(f"train_text_model: {part!r} is not name=weight (in {spec!r})")
    return out


# Weight of every dump of a dataset, relative to the others' (1 unless named), as the sum
# of its dumps' weights; of every dump of a layout, the same way; and of a page of a type
# that is not article (OTHER_TYPES unless named).
DATASET_WEIGHTS = _weights(os.environ.get("DATASET_WEIGHTS", ""))
LAYOUT_WEIGHTS = _weights(os.environ.get("LAYOUT_WEIGHTS", ""))
TYPE_WEIGHTS = _weights(os.environ.get("TYPE_WEIGHTS", ""))


def dump_weight(dump: Dump) -> float:
    """What one dump (its blocks' weights sum to 1) weighs in the fit."""
    page = dump.page
    kind = 1.0 if page.page_type == "article" else TYPE_WEIGHTS.get(page.page_type, OTHER_TYPES)
    return (dump.weight * kind * DATASET_WEIGHTS.get(page.dataset, 1.0)
            * LAYOUT_WEIGHTS.get(dump.layout, 1.0))


def load_scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score", dumps.EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- pages


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a shared set: its ground truth and what it is."""

    dataset: str
    id: str
    site: str
    page_type: str
    truth: str
    title: str = ""  # the headline, where the set's ground truth has one


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def load_pages(datasets: Iterable[str]) -> list[Page]:
    pages = []
    for dataset in datasets:
        truth = json.loads((dumps.dataset_dir(dataset) / "ground-truth.json").read_text("utf-8"))
        for key, item in sorted(truth.items()):
            site = item.get("domain") or host(item.get("url") or "") or key
            pages.append(
                Page(dataset, key, site.removeprefix("www."), item.get("page_type", "article"),
                     item.get("articleBody") or "", item.get("title") or "")
            )
    return pages


def dump_path(out: Path, page: Page, layout: str) -> Path:
    return dumps.layout_dir(out, page.dataset, layout) / f"{page.id}.txt"


# --------------------------------------------------------------------------- labels


def shingles(tokens: list[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def label_units(units: Sequence[cleaner._Unit], truth: str, scorer) -> tuple[list[int], list[int]]:  # type: ignore[no-untyped-def]
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


@dataclass(slots=True)
class Dump:
    """One page in one layout, cut into blocks, with the model's rows and labels."""

    page: Page
    layout: str
    rows: np.ndarray
    y: np.ndarray
    w: np.ndarray
    shapes: list[list[float]]
    weight: float = 1.0  # relative to a whole dump of an article
    augmented: list[Dump] = field(default_factory=list)

    @classmethod
    def make(cls, page: Page, layout: str, text: str, scorer, weight: float = 1.0) -> Dump:  # type: ignore[no-untyped-def]
        units = cleaner._units(cleaner._split_lines(text))
        picked, gaps = cleaner._scored(units)
        rows = cleaner._features(units, picked, gaps, frozenset())
        labels, sizes = label_units(units, page.truth, scorer)
        y = np.array([labels[i] for i in picked], dtype=np.int8)
        per_unit = np.minimum(np.array([sizes[i] for i in picked], dtype=float), 400) + 1.0
        w = (per_unit / per_unit.sum()).astype(np.float32) if len(picked) else per_unit
        n_shape = len(cleaner.FEATURE_NAMES)
        width = len(cleaner.STAGE1_NAMES)
        dump = cls(page, layout, np.array(rows, dtype=np.float32).reshape(len(rows), width), y,
                   w, [[*r[:n_shape], r[-1]] for r in rows], weight)
        if layout == "naive" and weight == 1.0 and page.page_type == "article":
            dump.augmented = cls.variants(page, text, units, labels, scorer)
        return dump

    @classmethod
    def variants(cls, page: Page, text: str, units, labels, scorer) -> list[Dump]:  # type: ignore[no-untyped-def]
        """The same article as a plain file would hold it: cut after its last body line,
        and also cut to start at the headline. Whole-page dumps never end with the
        article, so without these the model learns that the end of a text is chrome."""
        body = [i for i, y in enumerate(labels) if y]
        if not body:
            return []
        lines = cleaner._split_lines(text)
        end = units[body[-1]].last + 1
        start = units[max(0, body[0] - 3)].first
        return [
            cls.make(page, "naive", "\n".join(part), scorer, AUGMENT)
            for part in (lines[:end], lines[start:end])
        ]


def load_dumps(
    pages: Sequence[Page], layouts: Sequence[str], out: Path, scorer, sample: int | None = None,  # type: ignore[no-untyped-def]
) -> list[Dump]:
    """Featurised dumps of ``pages`` in ``layouts``; with ``sample``, that many layouts
    per page (drawn at random, always including the naive one)."""
    rng = random.Random(13)
    started = time.perf_counter()
    featurised = {
        (dataset, layout): _featurised(dataset, layout, pages, out, scorer)
        for dataset in sorted({p.dataset for p in pages})
        for layout in layouts
    }
    made = []
    for page in pages:
        chosen = list(layouts)
        if sample is not None and len(chosen) > sample:
            others = [name for name in chosen if name != "naive"]
            chosen = (["naive"] if "naive" in chosen else []) + rng.sample(
                others, sample - ("naive" in chosen)
            )
        for layout in chosen:
            dump = featurised[(page.dataset, layout)].get(page.id)
            if dump is not None:
                made.append(dump)
    print(f"features: {len(made)} dumps, {sum(len(d.y) for d in made)} blocks, "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return made


def _code_version() -> str:
    """What the features depend on: the cleaner's code as it was when this process began."""
    version = hashlib.sha256(str(LABEL_SHARE).encode())
    for name in ("text.py", "layout.py", "textdates.py", "stopwords.json"):
        version.update((ROOT / "reader" / "cleaning" / name).read_bytes())
    return version.hexdigest()[:16]


# FEATURES_VERSION names another cache of features to use: for a change to stage two
# alone, which leaves every stage-one row and label as it was (the rows are not checked).
CODE_VERSION = os.environ.get("FEATURES_VERSION") or _code_version()


def _featurised(  # type: ignore[no-untyped-def]
    dataset: str, layout: str, pages: Sequence[Page], out: Path, scorer
) -> dict[str, Dump]:
    """Every page of ``dataset`` in ``layout``, featurised; kept on disk between runs for
    as long as the cleaner's code and the labelling are the same."""
    cache = out.parent / "features" / CODE_VERSION / f"{dataset}-{layout}.pickle"
    if cache.exists():
        with cache.open("rb") as handle:
            return pickle.load(handle)  # type: ignore[no-any-return]  # noqa: S301 - our own file
    made = {}
    for page in pages:
        path = dump_path(out, page, layout)
        if page.dataset == dataset and path.exists():
            made[page.id] = Dump.make(page, layout, path.read_text("utf-8"), scorer)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as handle:
        pickle.dump(made, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return made


# --------------------------------------------------------------------------- fitting


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((x - mean) / scale, y, sample_weight=w * len(w) / w.sum())
    coef = model.coef_[0] / scale
    bias = float(model.intercept_[0] - (model.coef_[0] * mean / scale).sum())
    return coef, bias


def train(dumps_: Sequence[Dump], settings: dict[str, float]) -> cleaner._Model:
    """Fit the two stages in turn; the second learns from the scores of the first."""
    every = [v for d in dumps_ for v in (d, *d.augmented) if len(d.y)]
    y = np.concatenate([d.y for d in every])
    # Pages that are not articles (forums, listings, products...) teach what main content
    # is elsewhere, but the reader is for articles: they weigh less.
    w = np.concatenate([d.w * dump_weight(d) for d in every])
    x1 = np.vstack([d.rows for d in every])
    w1, b1 = fit(x1, y, w, settings["c1"])
    del x1
    rows2 = [
        np.array(cleaner._stage2(list(d.rows.astype(float) @ w1 + b1), d.shapes),
                 dtype=np.float32).reshape(len(d.y), -1)
        for d in every
    ]
    w2, b2 = fit(np.vstack(rows2), y, w, settings["c2"])
    return cleaner._Model(
        tuple(map(float, w1)),
        b1,
        tuple(map(float, w2)),
        b2,
        settings["threshold"],
        settings["block_in"],
        settings["block_out"],
        settings["gap_cost"],
    )


# --------------------------------------------------------------------------- predicting


def clean_as_a_user(path: Path, model: cleaner._Model) -> str:
    """The body ``reader dump --format json PATH`` prints, cleaned with ``model``."""
    from reader.ingest.load import load_path

    shipped = cleaner._model
    cleaner._model = lambda: model  # type: ignore[assignment]
    try:
        result = load_path(path, source=str(path))
    finally:
        cleaner._model = shipped  # type: ignore[assignment]
    return result.articles[0].body if result.articles else ""


def fold_of(sites: Iterable[str], folds: int) -> dict[str, int]:
    """Sites dealt round-robin after sorting by a fixed hash, so folds are stable and mixed."""
    order = sorted(set(sites), key=lambda s: (hash_str(s), s))
    return {s: i % folds for i, s in enumerate(order)}


def hash_str(text: str) -> int:
    value = 0
    for ch in text:
        value = (value * 131 + ord(ch)) % 1_000_003
    return value


Predictions = dict[tuple[str, str, str], str]  # (dataset, layout, id) -> body


def cross_validate(
    pages: Sequence[Page],
    train_dumps: Sequence[Dump],
    layouts: Sequence[str],
    out: Path,
    settings: dict[str, float],
    folds: int,
    progress: Callable[[str], None] = lambda s: None,
    models: Path | None = None,
) -> Predictions:
    """The body of every page in every layout, each cleaned by a model fitted without any
    page of its site (and never on a HELD_OUT layout). With ``models`` (a folder), each
    fold's model is saved there, or read from there when it already is."""
    fold = fold_of((p.site for p in pages), folds)
    preds: Predictions = {}
    for k in range(folds):
        started = time.perf_counter()
        saved = models / f"fold-{k}-of-{folds}.json" if models else None
        if saved is not None and saved.exists():
            # Fitted before on the same folds: only the decoding is tried again.
            model = replace(cleaner._model_from(json.loads(saved.read_text("utf-8"))),
                            threshold=settings["threshold"], block_in=settings["block_in"],
                            block_out=settings["block_out"], gap_cost=settings["gap_cost"])
        else:
            model = train([d for d in train_dumps if fold[d.page.site] != k], settings)
            if saved is not None:
                saved.parent.mkdir(parents=True, exist_ok=True)
                saved.write_text(json.dumps(model_json(model, "fold model")), "utf-8")
        tested = [p for p in pages if fold[p.site] == k]
        for page in tested:
            for layout in layouts:
                path = dump_path(out, page, layout)
                if path.exists():
                    preds[(page.dataset, layout, page.id)] = clean_as_a_user(path, model)
        took = time.perf_counter() - started
        progress(f"fold {k + 1}/{folds}: {len(tested)} pages, {took:.0f} s")
    return preds


# The settings the shipped model was fitted with; the benchmark cross-validates with them.
SETTINGS: dict[str, float] = {
    "c1": 1.0,
    "c2": 1.0,
    "threshold": 0.3,
    "block_in": 0.3,
    "block_out": 0.8,
    "gap_cost": 4.0,
}
FOLDS = 10


def model_json(model: cleaner._Model, about: str) -> dict[str, object]:
    return {
        "_about": about,
        "features1": list(cleaner.STAGE1_NAMES),
        "features2": list(cleaner.STAGE2_NAMES),
        "w1": [round(v, 6) for v in model.w1],
        "b1": round(model.b1, 6),
        "w2": [round(v, 6) for v in model.w2],
        "b2": round(model.b2, 6),
        "threshold": model.threshold,
        "block_in": model.block_in,
        "block_out": model.block_out,
        "gap_cost": model.gap_cost,
    }


def write_model(model: cleaner._Model, about: str) -> None:
    text = json.dumps(model_json(model, about), indent=1) + "\n"
    cleaner.MODEL_PATH.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=dumps.DEFAULT_OUT, help="the dumps' folder")
    ap.add_argument("--datasets", nargs="+", default=list(dumps.DATASETS))
    ap.add_argument("--layouts", nargs="+", default=list(dumps.TRAIN))
    ap.add_argument("--sample", type=int, help="train on this many layouts of each page")
    ap.add_argument("--write", action="store_true", help="fit on everything, write the model")
    for key, value in SETTINGS.items():
        ap.add_argument(f"--{key.replace('_', '-')}", type=float, default=value)
    args = ap.parse_args()
    unknown = set(args.layouts) - set(dumps.TRAIN)
    if unknown:
        ap.error(f"not TRAIN layouts: {', '.join(sorted(unknown))}")
    settings = {key: getattr(args, key) for key in SETTINGS}
    scorer = load_scorer()
    pages = load_pages(args.datasets)
    train_dumps = load_dumps(pages, args.layouts, args.out, scorer, args.sample)
    if args.write:
        model = train(train_dumps, settings)
        write_model(
            model,
            f"Plain-text cleaner block model; fitted by benchmarks/train_text_model.py on "
            f"{len(train_dumps)} dumps of {len(pages)} pages ({', '.join(args.datasets)}) in "
            f"{len(set(d.layout for d in train_dumps))} layouts. Quality: "
            "benchmarks/bench_text_clean.py (cross-validated by site).",
        )
        print(f"wrote {cleaner.MODEL_PATH}")
    else:
        print("nothing written; the quality tables are benchmarks/bench_text_clean.py's")


if __name__ == "__main__":
    # Run as the importable module, so that the features it caches unpickle anywhere.
    import train_text_model

    train_text_model.main()
