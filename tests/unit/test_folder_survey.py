"""The folder survey reads each file once, and a gzipped dump whole (its chrome counts)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

import reader.ingest.folders as folders
from reader.core.models import SourceKind
from reader.sources.sniff import SNIFF_BYTES

MENU = "Home\nNews\nSport\nWeather\n"


def _dump(n: int, filler: int = 0) -> str:
    story = f"A story number {n} about the harbour, told in full sentences for a reader.\n"
    return MENU + story + "x " * filler + "\n" + MENU


def test_each_plain_file_is_read_once_and_a_gzipped_dump_past_its_head_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = []
    for n in range(3):
        path = tmp_path / f"{n}.txt"
        path.write_text(_dump(n))
        paths.append(path)
    big = tmp_path / "big.txt.gz"  # its head is cut at SNIFF_BYTES when sniffed
    big.write_bytes(gzip.compress(_dump(9, filler=SNIFF_BYTES).encode()))
    paths.append(big)
    reads: list[tuple[str, int | None]] = []
    read_file = folders.read_file

    def counted(path: Path, **options: int) -> bytes:
        reads.append((path.name, options.get("head")))
        return read_file(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(folders, "read_file", counted)
    chrome, kinds = folders.survey(paths)
    assert kinds == {SourceKind.TEXT}
    assert [name for name, _ in reads].count("0.txt") == 1
    assert reads.count(("big.txt.gz", SNIFF_BYTES)) == 1 and reads.count(("big.txt.gz", None)) == 1
    assert {"home", "news", "sport", "weather"} <= {line.lower() for line in chrome}


FETCHED = ("Title: Story {n}\nURL Source: https://news.example.org/story/{n}\n\n"
           "Markdown Content:\n# Story {n}\n\n"
           "The council met on {day} about the {place}, and heard the engineers out in "
           "full before it voted on the plans for the {season}.\n\n"
           "Our journalism is funded by readers like you, and every contribution, big or "
           "small, helps us keep reporting on the issues that matter to this city.\n\n"
           "The vote was {vote}, and the plans go to the {whom} next week for a signature, "
           "the clerk said after the meeting had ended late in the {when}.\n")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
PLACES = ("harbour bridge", "old library", "tram depot", "river wall", "market hall", "dam")
SEASONS = ("spring", "summer", "autumn", "winter", "holidays", "new year")


def test_markdown_pages_cleaned_as_dumps_teach_the_folder_its_chrome(tmp_path: Path) -> None:
    # A fetched page written as Markdown ("URL Source:" in its header) is cleaned as a
    # dump: the lines the folder's pages repeat are learnt from it as from a .txt dump.
    for n in range(6):
        text = FETCHED.format(n=n, day=DAYS[n], place=PLACES[n], season=SEASONS[n],
                              vote=("close", "won", "lost", "late", "split", "put off")[n],
                              whom=("mayor", "board", "court", "state", "press", "city")[n],
                              when=("evening", "night", "day", "week", "month", "year")[n])
        (tmp_path / f"{n}.md").write_text(text + "Word " * (n * SNIFF_BYTES // 8))
    chrome, kinds = folders.survey(sorted(tmp_path.iterdir()))
    assert any("journalism" in line for line in chrome)
    bodies = []
    folders.load_folder(tmp_path, on_batch=lambda batch: bodies.extend(
        a.body for file in batch for a in file.result.articles))
    assert all(place in body for place, body in zip(PLACES, bodies, strict=True))
    assert not any("journalism" in body for body in bodies)
