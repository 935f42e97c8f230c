"""Reading local files and walking directories without being tricked.

Only regular files are ever read: a FIFO would block forever, ``/dev/zero`` never
ends, and a symlink loop never finishes a walk. Sizes are capped, gzip is
decompressed with a bounded decoder, and every failure is one line naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reader.core.errors import SourceError
from reader.core.limits import MAX_FILE_BYTES
from reader.core.paths import not_regular_file
from reader.core.sanitize import display_name

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
_FIRST_WINDOW = 256  # compressed bytes first given to a gzip member's decoder
_EMPTY_MEMBER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00" + bytes(8)  # gzip of b""


@dataclass(frozen=True, slots=True)
class WalkEntry:
    """A file found in a walk, or something that was not (``error`` says why, one line).

    ``skipped`` is True when the entry was left out on purpose (a symlink, a FIFO, a
    device) rather than because it could not be read (permission denied, ...).
    """

    path: Path
    error: str | None
    skipped: bool = False
    size: int | None = None  # a file's, from the walk's own stat
    mtime_ns: int | None = None


def describe_size(size: int) -> str:
    """``52428800`` -> ``50 MB`` (binary megabytes, as the cap is set)."""
    if size >= 2**20:
        return f"{size / 2**20:.0f} MB"
    if size >= 2**10:
        return f"{size / 2**10:.0f} KB"
    return f"{size} bytes"


def _os_reason(error: OSError) -> str:
    reasons = {
        errno.ENOENT: "no such file or directory",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "symbolic link loop",
        errno.EISDIR: "is a directory",
        errno.ENOTDIR: "not a directory",
        errno.ENAMETOOLONG: "file name too long",
    }
    if error.errno in reasons:
        return reasons[error.errno]
    return (error.strerror or type(error).__name__).lower()


def read_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES, head: int | None = None) -> bytes:
    """Read a regular file (a symlink named explicitly is followed), at most ``max_bytes``.

    Gzip files are decompressed, also capped. Raises SourceError ``NAME: reason``.
    ``head``: only the first ``head`` bytes are wanted; a gzip file is decompressed that
    far (and not checked beyond), any other file may come whole.
    """
    name = display_name(os.fspath(path))
    try:
        # stat before open: opening a FIFO or a device can block or have side effects.
        kind = not_regular_file(os.stat(path).st_mode)
        if kind is not None:
            raise SourceError(f"{name}: {kind}")
        flags = (
            os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        )
        fd = os.open(path, flags)
        try:
            info = os.fstat(fd)  # the file may have been swapped since the stat
            kind = not_regular_file(info.st_mode)
            if kind is not None:
                raise SourceError(f"{name}: {kind}")
            if info.st_size > max_bytes:
                raise SourceError(
                    f"{name}: file too large ({describe_size(info.st_size)}, "
                    f"the limit is {describe_size(max_bytes)})"
                )
            data = _read_capped(fd, max_bytes)
        finally:
            os.close(fd)
    except OSError as error:
        raise SourceError(f"{name}: {_os_reason(error)}") from None
    if len(data) > max_bytes:
        raise SourceError(f"{name}: file too large (more than {describe_size(max_bytes)})")
    if data.startswith(GZIP_MAGIC):
        if head is not None:
            return _gunzip_head(data, name=name, size=min(head, max_bytes))
        return _gunzip(data, name=name, max_bytes=max_bytes)
    return data


def _read_capped(fd: int, max_bytes: int) -> bytes:
    # One byte past the cap tells a file that grew after fstat from one that fits.
    parts: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = os.read(fd, min(_CHUNK * 16, remaining))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def gunzip_capped(data: bytes, *, max_bytes: int, cut: bool = False) -> bytes:
    """Decompress every gzip member (as zcat does: ``gzip -c more >> file.gz`` and bgzip
    make several), refusing output beyond ``max_bytes`` in all; bytes after the last
    member that begin no other (a tape's zero padding) are left, as gzip leaves them.

    ``cut``: the first ``max_bytes`` are wanted (a head), not refused beyond, and a
    truncated file gives what it has.

    Raises ValueError with a one-line reason (no name).
    """
    out = bytearray()
    try:
        decoder = inflate(zlib.decompressobj(wbits=31), data, out, max_bytes)
    except zlib.error:
        raise ValueError("bad gzip data") from None
    if cut:
        return bytes(out[:max_bytes])
    if len(out) > max_bytes:
        raise ValueError(f"decompressed size over {describe_size(max_bytes)}")
    if not decoder.eof:
        raise ValueError("truncated gzip data")
    return bytes(out)


def inflate(decoder: zlib._Decompress, chunk: bytes, out: bytearray, cap: int
            ) -> zlib._Decompress:
    """``chunk`` decoded onto ``out``; the decoder for what follows (gzip's next member).

    max_length bounds each step's output, so a bomb never expands past the cap + 1, nor a
    run of bombs, one a member. Input goes in windows that double from a member's start,
    not all the rest of the chunk: zlib copies what follows a member into unused_data, and
    many small members copied the rest once a member (quadratic: minutes for a few MB).
    """
    if decoder.eof:  # the last chunk ended at a member's end: what it left comes first
        chunk = decoder.unused_data + chunk
        if not chunk.startswith(GZIP_MAGIC):
            return _member_ended(chunk[:2])
        decoder = zlib.decompressobj(47)
    view = memoryview(chunk)
    position = 0
    while True:
        window = _FIRST_WINDOW
        while position < len(view) and not decoder.eof:
            piece = view[position : position + window]
            out += decoder.decompress(piece, cap + 1 - len(out))
            if len(out) > cap:
                return decoder
            position += len(piece) - len(decoder.unconsumed_tail) - len(decoder.unused_data)
            window *= 2
        if not decoder.eof:
            return decoder
        # gzip members one after the other (RFC 1952 2.2), read as zcat and browsers
        # read them; bytes that begin no member are left (a lone first byte waits for
        # the next chunk)
        rest = view[position : position + 2].tobytes()
        if rest != GZIP_MAGIC:
            return _member_ended(rest)
        decoder = zlib.decompressobj(47)  # 47: a zlib or gzip header, told apart


def _member_ended(after: bytes) -> zlib._Decompress:
    """A decoder at a member's end that holds ``after`` (at most two bytes: what tells
    whether another member begins) as what followed it."""
    done = zlib.decompressobj(47)
    done.decompress(_EMPTY_MEMBER + after)
    return done


def _gunzip(data: bytes, *, name: str, max_bytes: int) -> bytes:
    try:
        return gunzip_capped(data, max_bytes=max_bytes)
    except ValueError as error:
        raise SourceError(f"{name}: {error}") from None


def _gunzip_head(data: bytes, *, name: str, size: int) -> bytes:
    try:
        return gunzip_capped(data, max_bytes=size, cut=True)  # every member, as zcat
    except ValueError:
        raise SourceError(f"{name}: bad gzip data") from None


# A walk stops after this many files, with a warning: ten times the 100,000 articles a
# library is built to hold at speed, so no folder of articles reaches it, while `reader
# add /` or a home folder would be read for hours and store every file found as an article.
MAX_WALK_FILES = 1_000_000

# File systems whose files are the kernel's state, not documents: their files report a
# size of 0 and are made up as they are read, /proc alone holds thousands, and reading
# some of them has effects. A walk never enters them.
PSEUDO_FILESYSTEMS = frozenset({
    "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs",
    "securityfs", "pstore", "bpf", "configfs", "fusectl", "mqueue", "hugetlbfs", "autofs",
    "binfmt_misc", "efivarfs", "selinuxfs", "rpc_pipefs", "nsfs",
})
_MOUNTINFO = Path("/proc/self/mountinfo")


def pseudo_filesystems(mountinfo: Path = _MOUNTINFO) -> dict[int, str]:
    """The device numbers (``st_dev``) of the mounted pseudo file systems, with their type,
    from Linux's mount table; empty where there is none to read."""
    try:
        text = mountinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[int, str] = {}
    for line in text.splitlines():
        # "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the third
        # field is the device, the type follows the " - " that ends the optional fields
        fields, _, tail = line.partition(" - ")
        parts = fields.split()
        fstype = tail.split(" ", 1)[0]
        if len(parts) < 3 or fstype not in PSEUDO_FILESYSTEMS:
            continue
        major, _, minor = parts[2].partition(":")
        if major.isdigit() and minor.isdigit():
            found[os.makedev(int(major), int(minor))] = fstype
    return found


def system_folder(path: Path) -> str | None:
    """Why the folder ``path`` is no folder of articles (it is in /proc, /sys, ...), in
    words; None for any other."""
    try:
        fstype = pseudo_filesystems().get(os.stat(path).st_dev)
    except OSError:
        return None
    if fstype is None:
        return None
    return f"the system's {fstype} file system, not a folder of articles"


def walk(directory: Path, *, max_files: int | None = None) -> Iterator[WalkEntry]:
    """Every regular file under ``directory``, depth first, sorted by name.

    Hidden entries are skipped silently; symlinks are never followed and are
    reported, as are FIFOs, devices and unreadable directories. Directories are
    also tracked by (device, inode) so a bind mount cannot make the walk loop.
    Pseudo file systems (/proc, /sys, ...) are not entered, and the walk stops after
    ``max_files`` files, each said once as a skipped entry.
    Iterative, so depth is bounded by memory, not the recursion limit.
    """
    max_files = MAX_WALK_FILES if max_files is None else max_files
    seen: set[tuple[int, int]] = set()
    stack: list[Iterator[os.DirEntry[str]]] = []
    pseudo = pseudo_filesystems()
    opened = _open_dir(Path(directory), seen, pseudo)
    if isinstance(opened, WalkEntry):
        if opened.skipped:  # the folder named is itself in /proc or /sys: refused
            opened = WalkEntry(opened.path, system_folder(Path(directory)) or opened.error)
        yield opened
        return
    stack.append(opened)
    files = 0
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                yield WalkEntry(path, "symbolic link, not followed", skipped=True)
            elif entry.is_dir(follow_symlinks=False):
                opened = _open_dir(path, seen, pseudo)
                if isinstance(opened, WalkEntry):
                    if opened.error is not None:
                        yield opened
                else:
                    stack.append(opened)
            else:
                info = entry.stat(follow_symlinks=False)
                kind = not_regular_file(info.st_mode)
                if kind is None:
                    if files == max_files:
                        yield WalkEntry(Path(directory), f"more than {max_files:,} files: "
                                        f"only the first {max_files:,} were read",
                                        skipped=True)
                        return
                    files += 1
                    yield WalkEntry(path, None, size=info.st_size, mtime_ns=info.st_mtime_ns)
                else:
                    yield WalkEntry(path, f"{kind}, skipped", skipped=True)
        except OSError as error:
            yield WalkEntry(path, _os_reason(error))


def _open_dir(path: Path, seen: set[tuple[int, int]],
              pseudo: dict[int, str]) -> Iterator[os.DirEntry[str]] | WalkEntry:
    """Sorted entries of a directory, or a WalkEntry (error None: already visited)."""
    try:
        info = os.stat(path)
        if not stat.S_ISDIR(info.st_mode):
            return WalkEntry(path, "not a directory")
        if info.st_dev in pseudo:
            return WalkEntry(path, f"the system's {pseudo[info.st_dev]} file system, "
                             "not walked", skipped=True)
        if (info.st_dev, info.st_ino) in seen:
            return WalkEntry(path, None)
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as error:
        return WalkEntry(path, _os_reason(error))
    return iter(entries)
