"""Quality and speed of the plain-text cleaner on dumps of many layouts and sites.

    python benchmarks/bench_text_clean.py [--datasets scrapinghub wcxb-dev] [--layouts ...]
        [--folds 10] [--sample N] [--no-cv] [--speed-only] [--baseline REF] [--json FILE]
        [--same-as REF]

Needs the dumps of ``benchmarks/make_layout_dumps.py`` (the naive layout is the shared
``text_dumps/`` itself), and numpy and scikit-learn for the cross-validation.

Every body is what a user gets: ``reader dump --format json FILE`` with no options (the
same loader, in process), its ``body`` scored with ``../shared/eval/score.py``. The
figures that count are cross-validated: each page is cleaned by a model fitted without
any page of its site, in any layout (10 folds grouped by site; see train_text_model.py),
and HELD_OUT layouts (tools never trained on) are only ever cleaned. For each dataset,
page type and layout the table gives F1, precision, recall, mean item F1 and empty
bodies, with the raw dump's F1 and mean item F1 beside them (the dump as it is, no
cleaning).

Sites in neither shared set (``--datasets readability-tests``, made by make_unseen_sets.py,
its layouts by make_layout_dumps.py): never trained on, so the shipped model cleans them
and nothing is cross-validated.

Speed: dumps per second of one core's CPU time, cleaning the naive scrapinghub dumps,
median of 3 runs, side by side in one process with the cleaner as it was before the
layout normaliser (``--baseline``, a git revision), and for each layout; given a revision
that has the normaliser, it is timed with that revision's normaliser, on every layout.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import make_layout_dumps as dumps  # noqa: E402

from reader.cleaning import text as cleaner  # noqa: E402

# The last revision whose cleaner knew only the one-line-per-block layout.
BASELINE = "9fceab5"
ARTICLE_TYPES = ("article",)


def load_scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score", dumps.EVAL / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git_show(ref: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{ref}:{path}"], capture_output=True, check=True,
        text=True,
    ).stdout


def baseline_cleaner(ref: str) -> tuple[Callable[[str], object], bool]:
    """``clean_dump`` as it was at ``ref``, with that revision's model and, from the
    revision that has one, its layout normaliser; and whether it has one."""
    source = git_show(ref, "reader/cleaning/text.py")
    has_layout = "from reader.cleaning.layout import" in source
    if has_layout:
        load_module("layout_before", git_show(ref, "reader/cleaning/layout.py"))
        source = source.replace("from reader.cleaning.layout import", "from layout_before import")
    module = load_module("text_before", source)
    if has_layout and module.blocks.__module__ != "layout_before":
        sys.exit(f"{ref}: its text.py imports the normaliser another way; cannot time it")
    model = module._model_from(json.loads(git_show(ref, "reader/cleaning/text_model.json")))
    module._model = lambda: model
    module.clean_dump("warm up the model and stopword caches")
    return module.clean_dump, has_layout


def load_module(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    # Beside the current modules, so the revision's reads its data files (stopwords).
    module.__file__ = str(ROOT / "reader" / "cleaning" / f"{name}.py")
    sys.modules[name] = module  # dataclasses and imports look the module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


# --------------------------------------------------------------------------- speed


def speed(ref: str, runs: int = 3) -> None:
    folder = dumps.EVAL / "scrapinghub" / "text_dumps"
    texts = [p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))]
    if not texts:
        sys.exit(f"no dumps in {folder}: the shared evaluation data is not beside this checkout")
    before, has_layout = baseline_cleaner(ref)
    cleaner.clean_dump("warm up the model and stopword caches")
    b, n = side_by_side(texts, before, runs)
    print(f"\nspeed, {len(texts)} naive scrapinghub dumps, dumps/s of one core's CPU "
          f"(median of {runs}, side by side in one process):")
    label = "cleaner" if has_layout else "cleaner before the normaliser"
    print(f"  {label} ({ref}): {b:.0f}/s   now: {n:.0f}/s   ratio now/before: {n / b:.2f}")


def side_by_side(
    texts: Sequence[str], before: Callable[[str], object] | None, runs: int
) -> tuple[float, float]:
    """Median dumps/s of one core's CPU of ``before`` (nan without one) and of the current
    cleaner, timed in turn on the same dumps."""
    rates: dict[str, list[float]] = {"before": [math.nan], "now": []}
    cleaners = (("now", cleaner.clean_dump),)
    if before is not None:
        rates["before"], cleaners = [], (("before", before), *cleaners)
    for _ in range(runs):
        for name, clean in cleaners:
            started = time.process_time()
            for text in texts:
                clean(text)
            rates[name].append(len(texts) / (time.process_time() - started))
    return statistics.median(rates["before"]), statistics.median(rates["now"])


def speed_by_layout(out: Path, layouts: Sequence[str], ref: str, limit: int = 181) -> None:
    """Each layout's speed, side by side with the cleaner at ``ref`` when that revision
    has the layout normaliser (the one before it reads every layout as one line a block)."""
    before, has_layout = baseline_cleaner(ref)
    if not has_layout:  # it would read every layout as one line a block: no comparison
        before = None
    also = f", beside the cleaner at {ref}" if before else ""
    print(f"\nspeed by layout (scrapinghub, dumps/s of one core's CPU, median of 3{also}):")
    for layout in layouts:
        folder = dumps.layout_dir(out, "scrapinghub", layout)
        texts = [p.read_text("utf-8") for p in sorted(folder.glob("*.txt"))[:limit]]
        if not texts:
            continue
        b, n = side_by_side(texts, before, 3)
        beside = f"   {ref}: {b:5.0f}/s   ratio {n / b:.2f}" if before else ""
        print(f"  {layout:18} {n:5.0f}/s{beside}")


# --------------------------------------------------------------------------- identity


def same_output(out: Path, datasets: Sequence[str], layouts: Sequence[str], ref: str) -> bool:
    """Whether every dump of ``datasets`` x ``layouts`` cleans to the same result (title,
    author, date, body, lines and which were kept) as at ``ref``, with ``ref``'s own model:
    how a change meant to alter no output (a speed-up, a tidy) is shown to alter none."""
    from dataclasses import fields

    before, _ = baseline_cleaner(ref)
    compared, differ = 0, []
    for dataset in datasets:
        for layout in layouts:
            for path in sorted(dumps.layout_dir(out, dataset, layout).glob("*.txt")):
                text = path.read_text("utf-8", errors="replace")
                old, new = before(text), cleaner.clean_dump(text)
                names = [f.name for f in fields(new)]  # type: ignore[arg-type]
                if [getattr(old, n, None) for n in names] != [getattr(new, n) for n in names]:
                    differ.append(f"{dataset}/{layout}/{path.name}")
                compared += 1
    print(f"\nsame output as {ref}: {compared - len(differ)} of {compared} dumps")
    for name in differ[:20]:
        print(f"  differs: {name}")
    return compared > 0 and not differ


# --------------------------------------------------------------------------- quality


def table(title: str, rows: list[tuple[str, dict, dict, int]]) -> None:  # type: ignore[type-arg]
    print(f"\n{title}")
    print("| layout | pages | F1 | P | R | item F1 | empty | raw F1 | raw item F1 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for layout, res, raw, n in rows:
        held = (" (held out)" if layout in dumps.HELD_OUT
                else " (not fitted on)" if layout in dumps.DEVELOPMENT else "")
        print(
            f"| {layout}{held} | {n} | {res['f1']:.3f} | {res['precision']:.3f} | "
            f"{res['recall']:.3f} | {res['mean_item_f1']:.3f} | {res['n_empty_pred']} | "
            f"{raw['f1']:.3f} | {raw['mean_item_f1']:.3f} |"
        )


def report(pages, preds, layouts, out: Path, scorer, label: str) -> dict:  # type: ignore[no-untyped-def]
    """Print the tables; return every figure as a dict for --json."""
    figures: dict[str, dict] = {}  # type: ignore[type-arg]
    groups: dict[tuple[str, str], list] = {}  # type: ignore[type-arg]
    for page in pages:
        groups.setdefault((page.dataset, page.page_type), []).append(page)
    order = sorted(groups, key=lambda g: (g[0], g[1] not in ARTICLE_TYPES, g[1]))
    for dataset, page_type in order:
        group = groups[(dataset, page_type)]
        rows = []
        for layout in layouts:
            have = [p for p in group if (dataset, layout, p.id) in preds]
            if not have:
                continue
            truth = {p.id: p.truth for p in have}
            got = {p.id: preds[(dataset, layout, p.id)] for p in have}
            raw = {p.id: dumps_text(out, p, layout) for p in have}
            res, _ = scorer.score(truth, got)
            raw_res, _ = scorer.score(truth, raw)
            rows.append((layout, res, raw_res, len(have)))
            figures[f"{dataset}/{page_type}/{layout}"] = {"cleaned": res, "raw": raw_res}
        name = dataset if dataset == "scrapinghub" else f"{dataset}, {page_type}"
        table(f"{name} ({label})", rows)
    return figures


def dumps_text(out: Path, page, layout: str) -> str:  # type: ignore[no-untyped-def]
    from train_text_model import dump_path

    return dump_path(out, page, layout).read_text("utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=dumps.DEFAULT_OUT, help="the dumps' folder")
    ap.add_argument("--datasets", nargs="+", default=list(dumps.DATASETS))
    ap.add_argument("--layouts", nargs="+", default=list(dumps.LAYOUTS),
                    help="layouts to clean and score (those in TRAIN are also fitted on)")
    ap.add_argument("--train-layouts", nargs="+", help="fit on these instead")
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--sample", type=int, help="train each fold on this many layouts per page")
    ap.add_argument("--no-cv", action="store_true", help="score the shipped model in-sample")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--baseline", default=BASELINE, help="git revision to time against")
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--fold-models", type=Path,
                    help="save each fold's model in this folder, or reuse those there")
    ap.add_argument("--preds", type=Path, help="write every body here (JSON)")
    ap.add_argument("--same-as", metavar="REF",
                    help="only check that every dump cleans as it did at this git revision")
    args = ap.parse_args()
    if args.same_as:
        sys.exit(0 if same_output(args.out, args.datasets, args.layouts, args.same_as) else 1)
    speed(args.baseline)
    if args.speed_only:
        speed_by_layout(args.out, args.layouts, args.baseline)
        return
    import train_text_model as trainer

    scorer = load_scorer()
    pages = trainer.load_pages(args.datasets)
    shared = set(args.datasets) & set(dumps.DATASETS)
    if args.no_cv or not shared:
        model = cleaner._model()
        preds = {
            (p.dataset, layout, p.id): trainer.clean_as_a_user(path, model)
            for p in pages
            for layout in args.layouts
            if (path := trainer.dump_path(args.out, p, layout)).exists()
        }
        label = (
            "shipped model, in-sample: NOT the figure that counts" if shared
            else "shipped model; sites in neither shared set, never trained on"
        )  # fmt: skip
    else:
        train_layouts = args.train_layouts or [n for n in args.layouts if n in dumps.TRAIN]
        if set(train_layouts) - set(dumps.TRAIN):
            ap.error("only TRAIN layouts can be fitted on")
        reuse = args.fold_models and all(
            (args.fold_models / f"fold-{k}-of-{args.folds}.json").exists()
            for k in range(args.folds)
        )
        train_dumps = [] if reuse else trainer.load_dumps(
            pages, train_layouts, args.out, scorer, args.sample
        )
        preds = trainer.cross_validate(
            pages, train_dumps, args.layouts, args.out, trainer.SETTINGS, args.folds,
            progress=lambda line: print(line, file=sys.stderr), models=args.fold_models,
        )
        label = f"cross-validated, {args.folds} folds grouped by site"
    figures = report(pages, preds, args.layouts, args.out, scorer, label)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if args.preds:
        args.preds.write_text(
            json.dumps({"/".join(k): v for k, v in preds.items()}, ensure_ascii=False),
            encoding="utf-8",
        )
    speed_by_layout(args.out, args.layouts, args.baseline)


if __name__ == "__main__":
    main()
