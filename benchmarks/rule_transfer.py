"""Which extraction rules carry over to other sites: a protocol that never reads the held-out sets.

    python benchmarks/rule_transfer.py            # drafts cached under ~/.cache/reader-bench/

Each rule of ``ExtractionRules`` (each switch turned off alone, each threshold at each value
of the benchmark's grid) is compared with the shipped defaults and with plain trafilatura
(``trafilatura.extract(html, include_comments=False)``), page by page, on groups of the two
shared sets that stand in for "sites not tuned on":

- each dataset on its own (scrapinghub's news pages, wcxb-dev), so a rule chosen on one is
  judged on the other (leave one dataset out; also the coordinate ascent of
  ``bench_html_extract.py`` run on one set and scored on the other);
- wcxb-dev per page type, and per cluster of sites: top-level domain (.com, .org/.net,
  country domains), the page's language (``<html lang>``: English or not), and the CMS its
  markup names (WordPress, Drupal, Shopify, ... or none found).

For every group it prints the pooled F1 and the sites (a site's pages' mean F1) where a
variant does better or worse than the defaults by more than .005, and where the defaults do
better or worse than trafilatura. A rule whose sign flips from group to group fits its
training sites rather than pages in general.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
import pickle
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_html_extract as bench  # noqa: E402

from reader.cleaning.html import DEFAULT_RULES, ExtractionRules, _draft  # noqa: E402
from reader.cleaning.markdown import visible_text  # noqa: E402

CACHE = Path.home() / ".cache" / "reader-bench" / "rule-transfer"
EVAL = ROOT.parent / "shared" / "eval"
MARGIN = 0.005  # a site's F1 must move by more than this to count as a win or a loss

_CMS = (
    ("wordpress", re.compile(rb"wp-content|wp-includes|content=\"WordPress", re.I)),
    ("drupal", re.compile(rb"drupal", re.I)),
    ("shopify", re.compile(rb"cdn\.shopify|Shopify\.theme", re.I)),
    ("squarespace", re.compile(rb"squarespace", re.I)),
    ("wix", re.compile(rb"wixstatic|_wixCIDX", re.I)),
    ("discourse", re.compile(rb"discourse", re.I)),
    ("ghost", re.compile(rb"content=\"Ghost", re.I)),
    ("next/react", re.compile(rb"__NEXT_DATA__|data-reactroot|_next/static", re.I)),
)
_LANG = re.compile(rb"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.I)


def cms(html: bytes) -> str:
    for name, pattern in _CMS:
        if pattern.search(html):
            return name
    return "none found"


def tld_cluster(domain: str) -> str:
    tld = domain.rsplit(".", 1)[-1].lower()
    if tld == "com":
        return ".com"
    if tld in ("org", "net", "edu", "gov", "io", "dev", "co", "ai", "app"):
        return ".org/.net/other generic"
    return "country TLD"


def language(html: bytes) -> str:
    found = _LANG.search(html[:5000])
    return "lang en" if found is None or found.group(1).lower() == b"en" else "lang not en"


# Values beyond the benchmark's grid: link_max_letters 0 turns the link-only rule wholly off.
EXTRA: dict[str, tuple[Any, ...]] = {
    "link_max_letters": (0,),
    "byline": (False,),
    "top_titles": (False,),
    "top_date_lines": (False,),
    "link_only_inside": (False,),
    "link_sentences_inside": (False,),
}


def variants() -> list[tuple[str, Any]]:
    out = []
    grid = {**bench.GRID, **{k: v for k, v in EXTRA.items() if k not in bench.GRID}}
    for name, values in grid.items():
        for value in values + (EXTRA.get(name, ()) if name in bench.GRID else ()):
            if value != getattr(DEFAULT_RULES, name):
                out.append((name, value))
    return out


def _source_hash() -> str:
    digest = hashlib.sha1()
    for path in sorted((ROOT / "reader" / "cleaning").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_drafts(pages: list[bench.Page], html: dict[str, bytes]) -> dict[tuple[Any, ...], dict]:
    """Drafts of every page with the defaults and with each pre-trafilatura switch off."""
    CACHE.mkdir(parents=True, exist_ok=True)
    configs = [tuple(getattr(DEFAULT_RULES, n) for n in bench.BEFORE_TRAFILATURA)]
    for i, _name in enumerate(bench.BEFORE_TRAFILATURA):
        switches = list(configs[0])
        switches[i] = not switches[i]
        configs.append(tuple(switches))
    out = {}
    # Drafts depend only on what runs up to trafilatura; READER_DRAFTS reuses a cache made
    # before a change to the tidying alone.
    source = os.environ.get("READER_DRAFTS") or _source_hash()
    for switches in configs:
        tag = "".join("1" if s else "0" for s in switches)
        path = CACHE / f"drafts-{source}-{tag}.pickle"
        if path.exists():
            out[switches] = pickle.loads(path.read_bytes())
            continue
        start = time.process_time()
        rules = dataclasses.replace(
            DEFAULT_RULES, **dict(zip(bench.BEFORE_TRAFILATURA, switches, strict=True))
        )
        drafts = {p.key: _draft(html[p.key], url=None, rules=rules) for p in pages}
        path.write_bytes(pickle.dumps(drafts))
        print(f"  drafts {tag}: {time.process_time() - start:.0f} s CPU", flush=True)
        out[switches] = drafts
    return out


def load_trafilatura(pages: list[bench.Page], html: dict[str, bytes]) -> dict[str, str]:
    import trafilatura

    path = CACHE / "trafilatura.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    out = {
        p.key: trafilatura.extract(html[p.key].decode("utf-8", "replace"), include_comments=False)
        or ""
        for p in pages
    }
    path.write_bytes(pickle.dumps(out))
    return out


def main() -> None:
    scorer = bench.load_scorer(EVAL)
    pages = bench.load_pages(EVAL, bench.SETS, Path("/nonexistent"))
    html = {p.key: gzip.decompress(p.path.read_bytes()) for p in pages}
    drafts = load_drafts(pages, html)
    traf = load_trafilatura(pages, html)
    print("drafts ready", flush=True)
    analyse(scorer, pages, html, drafts, traf)


class Scores:
    """Per-page (tp, fp, fn) of a rule set, from the cached drafts; each body scored once."""

    def __init__(self, scorer: Any, pages: list[bench.Page], drafts: dict) -> None:
        self.scorer, self.pages, self.drafts = scorer, pages, drafts
        self.known: dict[str, dict[str, bench.Triple]] = defaultdict(dict)
        self.results: dict[ExtractionRules, dict[str, bench.Triple]] = {}

    def triples(self, rules: ExtractionRules) -> dict[str, bench.Triple]:
        if rules not in self.results:
            switches = tuple(getattr(rules, n) for n in bench.BEFORE_TRAFILATURA)
            drafts = self.drafts[switches]
            out = {}
            for p in self.pages:
                body = drafts[p.key].finish(rules).body
                known = self.known[p.key]
                if body not in known:
                    known[body] = self.scorer.tp_fp_fn(p.truth, visible_text(body))
                out[p.key] = known[body]
            self.results[rules] = out
        return self.results[rules]


def page_f1(scorer: Any, t: bench.Triple) -> float:
    return float(scorer.item_f1(scorer.item_precision(*t), scorer.item_recall(*t)))


def make_groups(pages: list[bench.Page], html: dict[str, bytes]) -> dict[str, list[bench.Page]]:
    out: dict[str, list[bench.Page]] = defaultdict(list)
    for p in pages:
        out[p.set].append(p)
        if p.set != "wcxb-dev":
            continue
        out[f"w:{p.kind}"].append(p)
        out[f"w:{tld_cluster(p.domain)}"].append(p)
        out[f"w:{language(html[p.key])}"].append(p)
        out[f"w:cms {cms(html[p.key])}"].append(p)
    return dict(out)


def site_f1(scorer: Any, members: list[bench.Page], triples: dict) -> dict[str, float]:
    by_site: dict[str, list[float]] = defaultdict(list)
    for p in members:
        by_site[f"{p.set}/{p.domain}"].append(page_f1(scorer, triples[p.key]))
    return {site: sum(v) / len(v) for site, v in by_site.items()}


def wins(a: dict[str, float], b: dict[str, float]) -> tuple[int, int]:
    """Sites where a beats b by more than MARGIN, and where it loses by as much."""
    w = sum(1 for s in a if a[s] - b[s] > MARGIN)
    lose = sum(1 for s in a if b[s] - a[s] > MARGIN)
    return w, lose


def pooled(scorer: Any, members: list[bench.Page], triples: dict) -> float:
    return float(scorer.aggregate([triples[p.key] for p in members])["f1"])


def analyse(scorer: Any, pages: list[bench.Page], html: dict[str, bytes], drafts: dict,
            traf: dict[str, str]) -> None:  # fmt: skip
    scores = Scores(scorer, pages, drafts)
    traf_t = {p.key: scorer.tp_fp_fn(p.truth, traf[p.key]) for p in pages}
    default_t = scores.triples(DEFAULT_RULES)
    groups = make_groups(pages, html)
    names = list(groups)
    print("\n== shipped defaults beside trafilatura, per group (sites better/worse by >.005)")
    for g in names:
        m = groups[g]
        d, t = pooled(scorer, m, default_t), pooled(scorer, m, traf_t)
        w, lose = wins(site_f1(scorer, m, default_t), site_f1(scorer, m, traf_t))
        sites = len({p.domain for p in m})
        print(f"  {g:<28}{len(m):>5} pages {sites:>5} sites  reader {d:.4f}  traf {t:.4f}"
              f"  {d - t:+.4f}  sites {w:>3}/{lose:<3}")  # fmt: skip

    print("\n== each rule: effect of the shipped value against the variant (shipped - variant)")
    print("   cell: pooled F1 delta x1000, sites where shipped wins/loses by >.005;"
          " then on the sites the rule changes, shipped vs trafilatura W/L and variant vs traf W/L")
    flips = []
    only = os.environ.get("READER_RULES")
    for name, value in variants():
        if only and name not in only.split(","):
            continue
        rules = dataclasses.replace(DEFAULT_RULES, **{name: value})
        var_t = scores.triples(rules)
        changed = [p for p in pages if var_t[p.key] != default_t[p.key]]
        print(f"\n  {name}={value} (shipped {getattr(DEFAULT_RULES, name)}): "
              f"{len(changed)} pages change")  # fmt: skip
        signs = {}
        for g in names:
            m = groups[g]
            moved = [p for p in m if var_t[p.key] != default_t[p.key]]
            if not moved:
                continue
            delta = pooled(scorer, m, default_t) - pooled(scorer, m, var_t)
            sd, sv, st = (site_f1(scorer, moved, x) for x in (default_t, var_t, traf_t))
            w, lose = wins(sd, sv)
            wt, lt = wins(sd, st)
            wv, lv = wins(sv, st)
            signs[g] = (delta, w, lose)
            print(f"    {g:<28}{len(moved):>4} pages  {delta * 1000:+6.2f}  sites {w:>3}/{lose:<3}"
                  f"  vs traf: shipped {wt:>3}/{lt:<3} variant {wv:>3}/{lv:<3}")  # fmt: skip
        flips.append((name, value, signs))

    print("\n== sign of each rule's effect (shipped - variant) on the two datasets and groups")
    for name, value, signs in flips:
        cells = (f"{signs[g][0] * 1000:+5.1f}" if g in signs else "    ." for g in names)
        print(f"  {name + '=' + str(value):<30}" + " ".join(cells))
    print("  " + " " * 30 + " ".join(g[:5] for g in names))

    if not only or os.environ.get("READER_ASCENT"):
        cross_dataset(scorer, pages, drafts, groups, traf_t, default_t)


def cross_dataset(scorer: Any, pages: list[bench.Page], drafts: dict, groups: dict,
                  traf_t: dict, default_t: dict) -> None:  # fmt: skip
    """The benchmark's coordinate ascent trained on one part, scored on the part left out."""
    evaluator = bench.Evaluator(scorer, pages)
    evaluator.drafts = dict(drafts)
    # The ascent may also switch off the parts of the top-block and link-only rules.
    bench.GRID.update({k: (True, False) for k, v in EXTRA.items() if k not in bench.GRID})
    splits = {
        "train wcxb-dev, test scrapinghub": ("scrapinghub",),
        "train scrapinghub, test wcxb-dev": ("wcxb-dev",),
    }
    for g in groups:
        if g in ("w:article", "w:service", "w:.org/.net/other generic", "w:country TLD"):
            splits[f"train all but {g}, test it"] = (g,)
    print("\n== coordinate ascent trained without a part, scored on it")
    for label, (held,) in splits.items():
        test = groups[held]
        test_keys = {p.key for p in test}
        train = [p.key for p in pages if p.key not in test_keys]
        if held in ("scrapinghub", "wcxb-dev"):
            train = [p.key for p in pages if p.set != held]
        rules = bench.choose_rules(evaluator, train)
        changed = {
            f.name: getattr(rules, f.name)
            for f in dataclasses.fields(rules)
            if getattr(rules, f.name) != getattr(DEFAULT_RULES, f.name)
        }
        t = evaluator.triples(rules)
        shipped = pooled(scorer, test, default_t)
        print(f"  {label}: chose {changed or 'the defaults'}\n"
              f"    held-out F1 {pooled(scorer, test, t):.4f}  shipped {shipped:.4f}"
              f"  traf {pooled(scorer, test, traf_t):.4f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
