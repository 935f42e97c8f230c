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
from reader.core.sanitize import display_name

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16


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


def kind_of(mode: int) -> str | None:
    """None for a regular file, else what it is instead."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "not a regular file (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "not a regular file (device)"
    if stat.S_ISSOCK(mode):
        return "not a regular file (socket)"
    return "not a regular file"


def read_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES, head: int | None = None) -> bytes:
    """Read a regular file (a symlink named explicitly is followed), at most ``max_bytes``.

    Gzip files are decompressed, also capped. Raises SourceError ``NAME: reason``.
    ``head``: only the first ``head`` bytes are wanted; a gzip file is decompressed that
    far (and not checked beyond), any other file may come whole.
    """
    name = display_name(os.fspath(path))
    try:
        # stat before open: opening a FIFO or a device can block or have side effects.
        kind = kind_of(os.stat(path).st_mode)
        if kind is not None:
            raise SourceError(f"{name}: {kind}")
        flags = (
            os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        )
        fd = os.open(path, flags)
        try:
            info = os.fstat(fd)  # the file may have been swapped since the stat
            kind = kind_of(info.st_mode)
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


def gunzip_capped(data: bytes, *, max_bytes: int) -> bytes:
    """Decompress every gzip member (as zcat does: ``gzip -c more >> file.gz`` and bgzip
    make several), refusing output beyond ``max_bytes`` in all; bytes after the last
    member that begin no other (a tape's zero padding) are left, as gzip leaves them.

    Raises ValueError with a one-line reason (no name).
    """
    out = bytearray()
    pending = data
    try:
        while True:
            decoder = zlib.decompressobj(wbits=31)
            while pending and not decoder.eof:
                out += decoder.decompress(pending, max_bytes + 1 - len(out))
                if len(out) > max_bytes:
                    raise ValueError(f"decompressed size over {describe_size(max_bytes)}")
                pending = decoder.unconsumed_tail
            if not decoder.eof:
                raise ValueError("truncated gzip data")
            pending = decoder.unused_data
            if not pending.startswith(GZIP_MAGIC):
                return bytes(out)
    except zlib.error:
        raise ValueError("bad gzip data") from None


def _gunzip(data: bytes, *, name: str, max_bytes: int) -> bytes:
    try:
        return gunzip_capped(data, max_bytes=max_bytes)
    except ValueError as error:
        raise SourceError(f"{name}: {error}") from None


def _gunzip_head(data: bytes, *, name: str, size: int) -> bytes:
    try:
        return zlib.decompressobj(wbits=31).decompress(data, size)
    except zlib.error:
        raise SourceError(f"{name}: bad gzip data") from None


def walk(directory: Path) -> Iterator[WalkEntry]:
    """Every regular file under ``directory``, depth first, sorted by name.

    Hidden entries are skipped silently; symlinks are never followed and are
    reported, as are FIFOs, devices and unreadable directories. Directories are
    also tracked by (device, inode) so a bind mount cannot make the walk loop.
    Iterative, so depth is bounded by memory, not the recursion limit.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[Iterator[os.DirEntry[str]]] = []
    opened = _open_dir(Path(directory), seen)
    if isinstance(opened, WalkEntry):
        yield opened
        return
    stack.append(opened)
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
                opened = _open_dir(path, seen)
                if isinstance(opened, WalkEntry):
                    if opened.error is not None:
                        yield opened
                else:
                    stack.append(opened)
            else:
                info = entry.stat(follow_symlinks=False)
                kind = kind_of(info.st_mode)
                if kind is None:
                    yield WalkEntry(path, None, size=info.st_size, mtime_ns=info.st_mtime_ns)
                else:
                    yield WalkEntry(path, f"{kind}, skipped", skipped=True)
        except OSError as error:
            yield WalkEntry(path, _os_reason(error))


def _open_dir(path: Path, seen: set[tuple[int, int]]) -> Iterator[os.DirEntry[str]] | WalkEntry:
    """Sorted entries of a directory, or a WalkEntry (error None: already visited)."""
    try:
        info = os.stat(path)
        if not stat.S_ISDIR(info.st_mode):
            return WalkEntry(path, "not a directory")
        if (info.st_dev, info.st_ino) in seen:
            return WalkEntry(path, None)
        seen.add((info.st_dev, info.st_ino))
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as error:
        return WalkEntry(path, _os_reason(error))
    return iter(entries)
