#!/usr/bin/env python3
"""What indexing articles of scripts written without spaces costs: the search index's text
(core.words.search_text) of generated Chinese, Thai and mixed bodies, and storing
``--articles`` Chinese articles in a new library.

    python benchmarks/bench_search_index.py [--articles 10000] [--chars 3000]

Prints the median of ``--runs`` passes over the bodies, per article, and the store's time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.core.models import Article  # noqa: E402
from reader.core.words import search_text  # noqa: E402
from reader.storage.sqlite import SqliteStorage  # noqa: E402


def bodies(chars: int, count: int, rng: random.Random) -> dict[str, list[str]]:
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    thai = ["ภาษา", "ไทย", "ที่", "น้ำ", "ผู้"]
    return {
        "chinese": ["".join(rng.choices(han, k=chars)) for _ in range(count)],
        "thai": ["".join(rng.choices(thai, k=chars // 3)) for _ in range(count)],
        "mixed": [" ".join("".join(rng.choices(han, k=rng.randint(1, 8))) + " and more"
                           for _ in range(chars // 8)) for _ in range(count)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    for name, texts in bodies(args.chars, 200, rng).items():
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            for text in texts:
                search_text(text)
            times.append((time.perf_counter() - start) / len(texts))
        print(f"search_text {name:8} {statistics.median(times) * 1e6:8.0f} us an article")
    chinese = bodies(args.chars, 1, rng)["chinese"][0]
    with tempfile.TemporaryDirectory() as folder:
        storage, _ = SqliteStorage.open(Path(folder) / "library.sqlite")
        feed = storage.upsert_feed("https://example.org/feed.xml", subscribed=True)
        articles = [Article(source="https://example.org/feed.xml", key=str(n), title=f"東京 {n}",
                            body=chinese[n % 7:] + chinese[:n % 7]) for n in range(args.articles)]
        start = time.perf_counter()
        storage.upsert_articles(feed, articles)
        print(f"store {args.articles} Chinese articles of {args.chars} characters: "
              f"{time.perf_counter() - start:.1f} s")
        storage.close()


if __name__ == "__main__":
    main()
