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
