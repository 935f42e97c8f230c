"""Local files: only regular files are read, sizes are capped, walks never loop."""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path

import pytest
from support.paths import FIXTURES
from support.zlib_spy import count_zlib_input

from reader.core.errors import SourceError
from reader.sources import files
from reader.sources.files import WalkEntry, pseudo_filesystems, read_file, walk

HOSTILE = FIXTURES / "hostile"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _read_in_thread(path: Path, timeout: float = 5.0) -> BaseException | bytes:
    """read_file in a thread, so a blocking open fails the test instead of hanging it."""
    box: list[BaseException | bytes] = []

    def run() -> None:
        try:
            box.append(read_file(path))
        except BaseException as error:  # noqa: B036 - reported to the test
            box.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert box, f"read_file({path}) blocked"
    return box[0]


def test_reads_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"hello")
    assert read_file(tmp_path / "a.txt") == b"hello"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "named-pipe.txt"
    os.mkfifo(fifo)
    outcome = _read_in_thread(fifo)
    assert isinstance(outcome, SourceError)
    assert "not a regular file" in str(outcome)
    assert "named-pipe.txt" in str(outcome)


def test_device_is_refused() -> None:
    outcome = _read_in_thread(Path("/dev/zero"))
    assert isinstance(outcome, SourceError)
    assert "not a regular file (device)" in str(outcome)


def test_symlink_to_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dev-zero.txt").symlink_to("/dev/zero")
    outcome = _read_in_thread(tmp_path / "dev-zero.txt")
    assert isinstance(outcome, SourceError)


def test_explicit_symlink_to_a_file_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_bytes(b"real")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    assert read_file(tmp_path / "link.txt") == b"real"


def test_symlink_loop_and_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(SourceError, match="symbolic link loop"):
        read_file(tmp_path / "loop")
    with pytest.raises(SourceError, match="no such file or directory"):
        read_file(tmp_path / "dangling")


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        read_file(tmp_path)


@pytest.mark.skipif(IS_ROOT, reason="root reads mode-000 files")
def test_unreadable_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"x")
    secret.chmod(0)
    try:
        with pytest.raises(SourceError, match="permission denied"):
            read_file(secret)
    finally:
        secret.chmod(0o600)


def test_size_cap(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2000)
    assert read_file(big, max_bytes=2000) == b"x" * 2000
    with pytest.raises(SourceError, match=r"big\.txt: file too large"):
        read_file(big, max_bytes=1000)


def test_gzip_is_decompressed(tmp_path: Path) -> None:
    data = read_file(HOSTILE / "feed-gzip-member.xml.gz")
    assert data.startswith(b"<?xml")


def test_the_head_of_a_gzip_file_is_its_first_bytes(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    text = b"".join(b"<p>paragraph %d</p>\n" % n for n in range(10_000))
    page.write_bytes(gzip.compress(text))
    assert read_file(page, head=1000) == text[:1000]
    assert read_file(page, head=10 * len(text)) == text
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(bytes(10 * 2**20)))
    assert len(read_file(bomb, head=2**30, max_bytes=2**20)) == 2**20
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(SourceError, match="bad gzip data"):
        read_file(bad, head=100)


def test_every_member_of_a_gzip_file_is_read(tmp_path: Path) -> None:
    # `gzip -c more >> notes.gz` (and bgzip) make a file of several members; zcat reads
    # them all, and the reader silently stopped after the first: the rest of the text lost
    notes = tmp_path / "notes.txt.gz"
    notes.write_bytes(gzip.compress(b"First part.\n") + gzip.compress(b"Second part.\n")
                      + gzip.compress(b"Third part.\n") + b"\0" * 512)  # (a tape's padding)
    assert read_file(notes) == b"First part.\nSecond part.\nThird part.\n"
    # the cap is on the sum: a bomb cut into members is no way around it
    bombs = tmp_path / "bombs.txt.gz"
    bombs.write_bytes(gzip.compress(bytes(600_000)) * 4)
    with pytest.raises(SourceError, match="decompressed size over"):
        read_file(bombs, max_bytes=2**20)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(b"Whole.\n") + gzip.compress(b"Cut off." * 100)[:30])
    with pytest.raises(SourceError, match="truncated gzip data"):
        read_file(cut)


def test_gzip_bomb_is_capped(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    bomb.write_bytes(gzip.compress(bytes(10 * 2**20)))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(SourceError, match="decompressed size over"):
        read_file(bomb, max_bytes=2**20)


def test_bad_gzip(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(SourceError, match="bad gzip data"):
        read_file(bad)
    truncated = tmp_path / "cut.gz"
    truncated.write_bytes(gzip.compress(b"hello world" * 1000)[:40])
    with pytest.raises(SourceError, match="truncated gzip"):
        read_file(truncated)


def test_error_names_are_sanitised(tmp_path: Path) -> None:
    odd = tmp_path / "evil\x1b[2J.txt"
    odd.symlink_to("/dev/zero")
    with pytest.raises(SourceError) as caught:
        read_file(odd)
    assert "\x1b" not in str(caught.value)
    assert "\u241b[2J" in str(caught.value)


def _hostile_dir(root: Path) -> Path:
    top = root / "dir-hostile"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / "b.txt").write_text("b")
    (top / "a.txt").write_text("a")
    (top / "sub" / "c.md").write_text("c")
    (top / "sub" / "deeper" / "d.txt").write_text("d")
    (top / ".hidden.txt").write_text("hidden")
    (top / ".git").mkdir()
    (top / ".git" / "config").write_text("x")
    (top / "loop").symlink_to(".")
    (top / "dangling.txt").symlink_to("missing")
    (top / "dev-zero.txt").symlink_to("/dev/zero")
    os.mkfifo(top / "named-pipe.txt")
    return top


def test_walk_is_sorted_skips_hidden_and_reports_the_rest(tmp_path: Path) -> None:
    top = _hostile_dir(tmp_path)
    entries = list(walk(top))
    files = [e.path.relative_to(top).as_posix() for e in entries if e.error is None]
    assert files == ["a.txt", "b.txt", "sub/c.md", "sub/deeper/d.txt"]
    assert all(e.skipped for e in entries if e.error is not None)
    skipped = {e.path.name: e.error for e in entries if e.error is not None}
    assert skipped == {
        "dangling.txt": "symbolic link, not followed",
        "dev-zero.txt": "symbolic link, not followed",
        "loop": "symbolic link, not followed",
        "named-pipe.txt": "not a regular file (named pipe), skipped",
    }


def test_walk_paths_keep_the_given_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _hostile_dir(tmp_path)
    first = next(iter(walk(Path("dir-hostile"))))
    assert (first.path, first.error) == (Path("dir-hostile/a.txt"), None)
    info = Path("dir-hostile/a.txt").stat()
    assert (first.size, first.mtime_ns) == (info.st_size, info.st_mtime_ns)  # the walk's stat


def test_walk_of_a_missing_or_unreadable_directory(tmp_path: Path) -> None:
    assert list(walk(tmp_path / "nope")) == [
        WalkEntry(tmp_path / "nope", "no such file or directory")
    ]
    (tmp_path / "file.txt").write_text("x")
    assert list(walk(tmp_path / "file.txt"))[0].error == "not a directory"


@pytest.mark.skipif(IS_ROOT, reason="root reads mode-000 directories")
def test_walk_reports_an_unreadable_subdirectory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert list(walk(tmp_path)) == [WalkEntry(locked, "permission denied")]
    finally:
        locked.chmod(0o700)


def test_walk_survives_deep_trees(tmp_path: Path) -> None:
    path = tmp_path
    for _ in range(60):
        path = path / "d"
    path.mkdir(parents=True)
    (path / "leaf.txt").write_text("x")
    assert [e.path.name for e in walk(tmp_path)] == ["leaf.txt"]


def test_many_small_gzip_members_cost_their_size_not_its_square(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each member used to be handed all the rest of the file (and zlib copied it back as
    # unused_data): a 5 MB file of 21-byte members fed zlib ~600 GB, minutes of CPU on one
    # file. Counted, not timed: the bytes given to zlib stay a small multiple of the file.
    from reader.sources import files

    fed = count_zlib_input(monkeypatch, files)
    data = gzip.compress(b"x", mtime=0) * 20_000
    many = tmp_path / "many.txt.gz"
    many.write_bytes(data)
    assert read_file(many) == b"x" * 20_000
    assert fed() < 50 * len(data)


def test_the_head_of_a_gzip_file_of_several_members_reads_past_the_first(
    tmp_path: Path,
) -> None:
    # The head (what a folder's survey sniffs and learns repeated lines from) stopped at
    # the first member: a dump appended to with `gzip -c >>` was judged by its first line
    notes = tmp_path / "notes.txt.gz"
    notes.write_bytes(gzip.compress(b"Header line.\n") + gzip.compress(b"Body text.\n" * 500))
    assert read_file(notes, head=100) == (b"Header line.\n" + b"Body text.\n" * 500)[:100]
    assert read_file(notes, head=10_000) == b"Header line.\n" + b"Body text.\n" * 500


_LINUX_PROC = pytest.mark.skipif(not os.path.exists("/proc/self/mountinfo"),
                                 reason="no Linux mount table")


@_LINUX_PROC
@pytest.mark.parametrize("folder", ["/proc", "/proc/self", "/sys"])
def test_a_walk_never_enters_the_systems_pseudo_file_systems(folder: str) -> None:
    # `reader add /proc` read procfs for 20 s and stored 6,667 "articles"
    if not os.path.isdir(folder):
        pytest.skip(f"no {folder}")
    entries = list(walk(Path(folder)))
    assert len(entries) == 1 and not entries[0].skipped
    assert entries[0].error is not None and "file system, not a folder of articles" in (
        entries[0].error)


def test_the_mount_table_names_the_pseudo_file_systems(tmp_path: Path) -> None:
    table = tmp_path / "mountinfo"
    table.write_text(
        "22 1 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
        "23 1 0:22 / /sys rw,nosuid shared:2 master:1 - sysfs sysfs rw\n"
        "25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "26 1 0:23 / /tmp rw shared:5 - tmpfs tmpfs rw\n"
        "bad line\n")
    assert pseudo_filesystems(table) == {os.makedev(0, 21): "proc", os.makedev(0, 22): "sysfs"}
    assert pseudo_filesystems(tmp_path / "none") == {}


def test_a_pseudo_file_system_inside_a_folder_is_skipped_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "mnt").mkdir()
    (tmp_path / "mnt" / "status").write_text("made up")
    (tmp_path / "z.txt").write_text("z")
    real_stat = os.stat
    mounted = os.stat(tmp_path).st_dev + 1  # what a mount point reports: another device

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        info = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if Path(str(path)).name != "mnt":
            return info
        return os.stat_result((info.st_mode, info.st_ino, mounted, *tuple(info)[3:]))

    monkeypatch.setattr(files, "pseudo_filesystems", lambda: {mounted: "proc"})
    monkeypatch.setattr(files.os, "stat", stat)
    entries = list(walk(tmp_path))
    assert [(e.path.name, e.skipped) for e in entries] == [
        ("a.txt", False), ("mnt", True), ("z.txt", False)]
    assert entries[1].error == "the system's proc file system, not walked"


def test_a_walk_stops_after_its_cap_with_one_warning(tmp_path: Path) -> None:
    for i in range(7):
        (tmp_path / f"{i}.txt").write_text("x")
    entries = list(walk(tmp_path, max_files=5))
    assert [e.path.name for e in entries[:5]] == [f"{i}.txt" for i in range(5)]
    assert len(entries) == 6 and entries[5].skipped and entries[5].path == tmp_path
    assert entries[5].error == "more than 5 files: only the first 5 were read"
    assert len(list(walk(tmp_path, max_files=7))) == 7  # a folder at the cap is whole
