#!/usr/bin/env python3
"""Write a directory of N distinct plain-text page dumps that share their site's chrome.

    python benchmarks/make_dumps.py DIR --count 20000 [--sites 4] [--seed 7]

Each dump looks like what a naive scraper saves of a news page (see
``../shared/examples/palmyra-dump.txt``): an icon-sprite junk line, the site's menus, a
date line in the site's own format, the title twice, the body paragraphs with a
"READ MORE" teaser between them, then share buttons, related links and a footer. Every
site (up to 5) has its own chrome; every article has its own title and body.

Files are named ``NNNNN-<site>.txt`` so that the sites interleave in sorted order, and
``manifest.json`` (written next to the directory, not in it) records each file's title,
date and first body paragraph for quality checks. Only the standard library.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at "
    "which but have an they you were her she there been one all we their has would when if so "
    "no will council minister report market city river energy school people study data court "
    "budget plan election vote storm health hospital research climate water price bank policy "
    "police station village harbour railway museum festival garden library bridge mountain "
    "island forest coast farmers union strike talks treaty border army ministry statement "
    "officials spokesman region province governor mayor residents protest rally company shares "
    "profits losses investors growth inflation rates exports imports factory workers wages "
    "teachers pupils exams doctors nurses patients vaccine virus outbreak scientists telescope "
    "satellite launch rocket orbit football league season coach striker goal match stadium"
).split()
NAMES = ("Anna Petrova", "John Miller", "Maria Garcia", "Li Wei", "Ahmed Hassan", "Sofia Rossi",
         "Tom Becker", "Yuki Tanaka", "Olga Ivanova", "Pierre Martin", "Grace Okafor")
PLACES = ("Aleppo", "Lagos", "Bergen", "Valparaiso", "Osaka", "Tbilisi", "Quito", "Dundee",
          "Gdansk", "Mombasa", "Hobart", "Tromso", "Cusco", "Varna", "Split", "Kochi")


@dataclass(frozen=True)
class Site:
    name: str
    sprite: str  # the icon-sprite junk line
    menus: tuple[str, ...]
    date_format: str  # strftime
    teaser: str  # "READ MORE: {}" style
    share: tuple[str, ...]
    footer: tuple[str, ...]


SITES = (
    Site(
        name="worldtoday",
        sprite="icon bookmark-bicon bookmarkicon cameraicon checkicon chevron downicon chevron "
               "lefticon chevron righticon closeicon v-compressicon downloadicon editicon "
               "fbicon fileicon filtericon mailicon moveicon-musicicon mutedicon okicon "
               "v-pauseicon searchicon shareicon sign inicon sign upicon tagicon trashicon "
               "twicon vkicon yticon wticon fm",
        menus=("News", "World News", "Business", "Op-ed", "Sport", "Shows", "Podcasts"),
        date_format="%d %b, %Y %H:%M",
        teaser="READ MORE: {}",
        share=("Share", "Facebook", "Twitter", "Telegram", "Email"),
        footer=("Trends", "Subscribe to our newsletter",
                "© Autonomous Nonprofit Organization World Today, 2005–2026. All rights reserved.",
                "This website uses cookies. Read our policy about cookies."),
    ),
    Site(
        name="dailyherald",
        sprite="svg-sprite-arrow-left svg-sprite-arrow-right svg-sprite-close svg-sprite-menu "
               "svg-sprite-search svg-sprite-user svg-sprite-facebook svg-sprite-twitter "
               "svg-sprite-whatsapp svg-sprite-email svg-sprite-print svg-sprite-comment",
        menus=("Home", "UK", "World", "Politics", "Money", "Culture", "Travel", "Sign in"),
        date_format="Published: %A %d %B %Y",
        teaser="Read more: {}",
        share=("Share this article", "WhatsApp", "Print", "Comments (0)"),
        footer=("Most read", "Contact us", "Terms and conditions", "Privacy notice",
                "Daily Herald Ltd is a member of the Independent Press Standards Organisation.",
                "Copyright 2026 Daily Herald Ltd."),
    ),
    Site(
        name="technews",
        sprite="ico-rss ico-menu ico-x ico-mastodon ico-github ico-moon ico-sun ico-chevron",
        menus=("Latest", "Reviews", "Science", "Gadgets", "Security", "Deals", "Newsletter"),
        date_format="%m/%d/%Y | %I:%M %p",
        teaser="RELATED: {}",
        share=("Copy link", "Share on X", "Share on Mastodon", "Share on LinkedIn"),
        footer=("About us", "Advertise", "Careers", "Ethics policy", "Affiliate disclosure",
                "TechNews is part of Future Media Group. © 2026"),
    ),
    Site(
        name="coastgazette",
        sprite="fa-bars fa-search fa-facebook-f fa-instagram fa-youtube fa-envelope fa-rss "
               "fa-print",
        menus=("Local", "Weather", "Obituaries", "Sports", "Opinion", "Classifieds", "e-Edition"),
        date_format="Posted %B %d, %Y at %H:%M",
        teaser="SEE ALSO: {}",
        share=("Tweet", "Pin it", "Email this story", "Print this story"),
        footer=("Coast Gazette, 12 Harbour Road", "Subscriber services", "Place an ad",
                "Copyright © 2026 Coast Gazette Media. All rights reserved.",
                "Powered by NewsEngine"),
    ),
    Site(
        name="metroportal",
        sprite="i-logo i-burger i-user i-lang i-search i-close i-up i-down i-vk i-ok i-tg",
        menus=("Metro", "Economy", "Society", "Incidents", "Auto", "Real estate", "Photo"),
        date_format="%Y-%m-%d %H:%M",
        teaser="ALSO READ: {}",
        share=("Share:", "VK", "OK", "Telegram", "Copy"),
        footer=("Editorial office", "Advertising", "Mass media registration certificate No 77-1234",
                "Use of materials requires a hyperlink to metroportal.",
                "18+"),
    ),
)


def sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    # names, places and numbers make each article distinct and realistic
    if rng.random() < 0.6:
        words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 98000)))
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    if rng.random() < 0.15:
        return f"\u201c{text},\u201d {rng.choice(NAMES)} said."
    return text + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))


def title(rng: random.Random) -> str:
    words = [rng.choice(WORDS[40:]) for _ in range(rng.randint(4, 8))]
    words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    text = " ".join(words)
    return text[0].upper() + text[1:]


def dump(site: Site, number: int, seed: int) -> tuple[str, dict[str, object]]:
    """The text of one dump and what a perfect cleaner would take out of it."""
    rng = random.Random(f"{seed}:{site.name}:{number}")
    headline = title(rng)
    when = datetime(2026, 1, 1, 6, 0) - timedelta(minutes=number * 37 + rng.randint(0, 30))
    body = [paragraph(rng) for _ in range(rng.randint(5, 12))]
    teaser = site.teaser.format(title(rng))
    lines: list[str] = [site.sprite]
    lines += site.menus
    lines += [when.strftime(site.date_format), "", headline, "", headline, ""]
    middle = len(body) // 2
    for index, para in enumerate(body):
        if index == middle:
            lines += [teaser, ""]
        lines += [para, ""]
    lines += site.share
    lines += ["", "Related stories"] + [title(rng) for _ in range(3)] + [""]
    lines += site.footer
    text = "\n".join(lines) + "\n"
    expected = {"site": site.name, "title": headline, "published": when.isoformat(),
                "first": body[0], "last": body[-1], "paragraphs": len(body)}
    return text, expected


def make(directory: Path, count: int, *, sites: int = 4, seed: int = 7,
         manifest: Path | None = None) -> dict[str, dict[str, object]]:
    """Write ``count`` dumps into ``directory`` (created); returns the manifest."""
    if not 1 <= sites <= len(SITES):
        raise ValueError(f"sites must be 1..{len(SITES)}")
    directory.mkdir(parents=True, exist_ok=True)
    chosen = SITES[:sites]
    entries: dict[str, dict[str, object]] = {}
    # same mtime for every file: a rerun writes identical bytes and stamps
    stamp = time.mktime((2026, 1, 1, 0, 0, 0, 0, 0, -1))
    for number in range(count):
        site = chosen[number % len(chosen)]
        name = f"{number:05d}-{site.name}.txt"
        text, expected = dump(site, number, seed)
        path = directory / name
        data = text.encode("utf-8")
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            path.write_bytes(data)
        os.utime(path, (stamp, stamp))
        entries[name] = expected
    target = manifest or directory.with_name(directory.name + ".manifest.json")
    target.write_text(json.dumps(entries, indent=0), encoding="utf-8")
    return entries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--sites", type=int, default=4, help=f"1..{len(SITES)} sites")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    start = time.perf_counter()
    make(a.directory, a.count, sites=a.sites, seed=a.seed)
    print(f"wrote {a.count} dumps of {a.sites} sites to {a.directory} in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
