#!/usr/bin/env python3
"""Evaluation sets of sites in neither shared set, in the shared sets' layout.

    python benchmarks/make_unseen_sets.py [--readability GIT_DIR] [--trafilatura GIT_DIR]
                                          [--out DIR]

The extractor and the cleaner are also judged on pages of sites that are in neither
../shared/eval/scrapinghub nor ../shared/eval/wcxb-dev. Nothing is tuned on these sets, so
they are scored as they are, with no cross-validation. Two public test suites give them
(git checkouts or bare mirrors, read with ``git show``; Apache-2.0 both):

- ``readability-tests``: mozilla/readability's ``test/test-pages/<name>/``. The ground
  truth is the visible text of ``expected.html``, one paragraph per block: Readability.js's
  own extraction, a reference rather than a person's reading. Its hand-written fixtures
  (pages under FIXTURE_BYTES, made to test one rule) are not pages of a site and are left
  out.
- ``trafilatura-eval``: adbar/trafilatura's ``tests/evaldata.json`` and the pages it names:
  no full ground truth, only ``with`` / ``without`` snippets that a correct extraction
  must contain / must not contain, scored as trafilatura's own evaluation scores them
  (``snippet_counts``). It is trafilatura's tuning set, so it favours trafilatura.

Every page whose registered domain occurs in a shared set is left out (a page of
Readability's whose site is not written in it is matched by its test name). Each set gets
``html/<id>.html.gz`` (UTF-8), ``ground-truth.json`` (``{id: {"articleBody", "url",
"domain", ...}}``; the snippet set has ``with`` / ``without`` instead of ``articleBody``) and
``text_dumps/<id>.txt``, the naive dump of make_layout_dumps.py. Default output:
``~/.cache/reader-bench/unseen/<set>/``; make_layout_dumps.py, bench_text_clean.py and
bench_html_extract.py find the sets there by name.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_layout_dumps as dumps  # noqa: E402

READABILITY = Path("/work/.mirror/mozilla+readability/repo")
TRAFILATURA = Path("/work/.mirror/adbar+trafilatura/repo")
SETS = ("readability-tests", "trafilatura-eval")
# Readability's unit-test fixtures are a few hand-written kilobytes; its saved pages of
# real sites are 10 KB and more.
FIXTURE_BYTES = 5000


# --------------------------------------------------------------------------- sites


def registered_domain(url: str) -> str:
    """``www1.folha.uol.com.br`` -> ``uol.com.br`` (the public suffix list), or ''."""
    from tld import get_fld  # installed with trafilatura (courlan needs it)

    return get_fld(url, fix_protocol=True, fail_silently=True) or ""


def shared_domains() -> tuple[set[str], set[str]]:
    """The registered domains of both shared sets, and their names without the suffix."""
    domains = set()
    for name in dumps.DATASETS:
        truth = json.loads((dumps.EVAL / name / "ground-truth.json").read_text("utf-8"))
        for item in truth.values():
            domains |= {registered_domain(item.get(k) or "") for k in ("domain", "url")}
    domains.discard("")
    return domains, {d.split(".")[0] for d in domains}


# --------------------------------------------------------------------------- reading


def git_files(repo: Path, folder: str) -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "-z", "--name-only", "HEAD", folder],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return [name.decode("utf-8") for name in listed.split(b"\0") if name]


def git_show(repo: Path, path: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True, check=True
    ).stdout


def git_about(repo: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "log", "-1", "--format=%H (%cs)"],
        capture_output=True, check=True, text=True,
    ).stdout.strip()  # fmt: skip


_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", re.IGNORECASE)


def as_utf8(raw: bytes) -> tuple[str, bool]:
    """The page as text, and whether it had to be converted: the declared charset first,
    then trafilatura's guess. A converted page's declarations are rewritten to utf-8, so a
    reader of the saved file does not decode it twice."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(raw[:4096])
    try:
        text = raw.decode(declared.group(1).decode("ascii")) if declared else None
    except (LookupError, UnicodeDecodeError):
        text = None
    if text is None:
        from trafilatura.utils import decode_file

        text = decode_file(raw)
    head, rest = text[:4096], text[4096:]
    return re.sub(r"(?i)(<meta[^>]+charset=[\"']?)[\w.:-]+", r"\1utf-8", head) + rest, True


# --------------------------------------------------------------------------- the two sets


Entry = tuple[str, str, dict[str, object]]  # id, html, ground-truth entry


def readability_pages(repo: Path, shared: tuple[set[str], set[str]]) -> Iterator[Entry]:
    import lxml.html

    domains, names = shared
    root = "test/test-pages/"
    tests = sorted({path[len(root) :].split("/")[0] for path in git_files(repo, root)})
    fixtures, seen, converted = 0, [], 0
    for name in tests:
        raw = git_show(repo, f"{root}{name}/source.html")
        if len(raw) < FIXTURE_BYTES:
            fixtures += 1
            continue
        html, was_converted = as_utf8(raw)
        converted += was_converted
        page = lxml.html.document_fromstring(html)
        declared = page.xpath(
            "//link[@rel='canonical']/@href | //meta[@property='og:url' or @name='og:url' "
            "or @name='twitter:url']/@content | //base/@href"
        )
        url = next((u.strip() for u in declared if urlsplit(u.strip()).hostname), "")
        domain = registered_domain(url)
        site = re.sub(r"-\d+$", "", name)  # "nytimes-3" -> "nytimes"
        named = {site, *site.split("-")}  # "google-sre-book" names google
        if domain in domains or (not domain and named & names):
            seen.append(domain or site)
            continue
        expected, _ = as_utf8(git_show(repo, f"{root}{name}/expected.html"))
        metadata = json.loads(git_show(repo, f"{root}{name}/expected-metadata.json") or b"{}")
        body = "\n\n".join(dumps.naive(expected).splitlines())
        yield name, html, {
            "articleBody": body, "url": url, "domain": domain or site,
            "title": metadata.get("title") or "",
        }  # fmt: skip
    print(f"readability-tests: {len(tests)} test pages; left out {fixtures} hand-written "
          f"fixtures (< {FIXTURE_BYTES} bytes) and {len(seen)} of sites in a shared set "
          f"({', '.join(sorted(seen))}); {converted} converted to UTF-8")  # fmt: skip


def site_url(key: str, file: str) -> str:
    """The page's own address: evaldata's key, unwrapped from the Wayback Machine; a key
    that is no URL (``hard::zeit.de.zugverkehr.html``) is read from the file's name."""
    url = key[key.find("http") :] if "http" in key else ""
    wayback = re.match(r"https?://web\.archive\.org/web/[^/]+/(.+)", url)
    if wayback:
        url = wayback.group(1)
    if urlsplit(url).hostname:
        return url
    labels = re.split(r"[-_ ]", file.removesuffix(".html"))[0].split(".")
    for end in range(2, len(labels) + 1):  # the shortest prefix that is a domain
        if registered_domain(".".join(labels[:end])):
            return "http://" + ".".join(labels[:end]) + "/"
    return ""


def trafilatura_pages(repo: Path, shared: tuple[set[str], set[str]]) -> Iterator[Entry]:
    domains, _ = shared
    evaldata = json.loads(git_show(repo, "tests/evaldata.json"))
    stored = {  # file names as evaldata writes them (NFC) -> path in the repository
        unicodedata.normalize("NFC", path.rsplit("/", 1)[1]): path
        for folder in ("tests/eval", "tests/cache")
        for path in git_files(repo, folder)
    }
    missing, seen, converted, ids = 0, [], 0, set()
    for key, item in sorted(evaldata.items()):
        path = stored.get(unicodedata.normalize("NFC", item["file"]))
        if path is None:
            missing += 1
            continue
        url = site_url(key, item["file"])
        domain = registered_domain(url)
        if domain in domains:
            seen.append(domain)
            continue
        html, was_converted = as_utf8(git_show(repo, path))
        converted += was_converted
        page_id = re.sub(r"[^\w.-]+", "_", item["file"].removesuffix(".html"))[:80]
        while page_id in ids:
            page_id += "_"
        ids.add(page_id)
        yield page_id, html, {
            "url": url, "domain": domain or page_id,
            "with": item["with"], "without": item["without"],
        }  # fmt: skip
    print(f"trafilatura-eval: {len(evaldata)} annotated pages; {missing} not in the "
          f"repository, {len(seen)} of sites in a shared set left out "
          f"({', '.join(sorted(seen))}); {converted} converted to UTF-8")  # fmt: skip


def snippet_counts(item: dict[str, object], text: str) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of one page, as trafilatura's tests/eval_common.py counts them:
    whitespace-normalised substring matching; a ``with`` snippet found is a true positive,
    a ``without`` snippet found a false positive. Sum them over the pages, then
    accuracy = (tp + tn) / all, precision, recall and F1 as usual."""

    def norm(snippet: str) -> str:
        return re.sub(r"\s+", " ", snippet).strip()

    found = norm(text)
    with_, without = list(item.get("with") or ()), list(item.get("without") or ())
    tp = sum(norm(s) in found for s in with_)
    fp = sum(norm(s) in found for s in without)
    return tp, fp, len(with_) - tp, len(without) - fp


# --------------------------------------------------------------------------- writing


def write_set(out: Path, name: str, pages: Iterator[Entry], source: str) -> int:
    folder = out / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "html").mkdir(parents=True)
    (folder / "text_dumps").mkdir()
    truth = {}
    for page_id, html, entry in pages:
        (folder / "html" / f"{page_id}.html.gz").write_bytes(
            gzip.compress(html.encode("utf-8"), mtime=0)
        )
        (folder / "text_dumps" / f"{page_id}.txt").write_text(dumps.naive(html), "utf-8")
        truth[page_id] = entry
    (folder / "ground-truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), "utf-8"
    )
    (folder / "SOURCE.txt").write_text(source, "utf-8")
    print(f"  wrote {len(truth)} pages to {folder}")
    return len(truth)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readability", type=Path, default=READABILITY,
                    help="mozilla/readability: a checkout or a bare mirror")
    ap.add_argument("--trafilatura", type=Path, default=TRAFILATURA,
                    help="adbar/trafilatura: a checkout or a bare mirror")
    ap.add_argument("--out", type=Path, default=dumps.UNSEEN)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    args = ap.parse_args(argv)
    shared = shared_domains()
    made = "made by benchmarks/make_unseen_sets.py; pages of sites in a shared set left out\n"
    if "readability-tests" in args.sets:
        write_set(args.out, "readability-tests", readability_pages(args.readability, shared),
                  f"mozilla/readability @ {git_about(args.readability)}, test/test-pages/, "
                  "Apache-2.0.\narticleBody: the visible text of expected.html (Readability.js's "
                  f"extraction, not a person's).\n{made}")  # fmt: skip
    if "trafilatura-eval" in args.sets:
        write_set(args.out, "trafilatura-eval", trafilatura_pages(args.trafilatura, shared),
                  f"adbar/trafilatura @ {git_about(args.trafilatura)}, tests/evaldata.json and "
                  "tests/eval, tests/cache, Apache-2.0.\nNo articleBody: with / without "
                  f"snippets only (trafilatura's own tuning set).\n{made}")  # fmt: skip


if __name__ == "__main__":
    main()
