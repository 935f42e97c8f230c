"""Which cleaner made a library's file articles: a fingerprint of the code and data that
turn a file's bytes into articles.

Files are cleaned once and cached by path, size and mtime; an upgrade that cleans better
would never reach them. The library keeps, for each folder and file, the fingerprint its
files were cleaned with, and the intake re-cleans them when it differs from this process's
(see ``reader.intake.restamp``).

It is a hash of the bytes of the packages that read, decode, clean and load a file
(``reader.sources``, ``reader.cleaning`` with its model and word lists, ``reader.ingest``)
and of the core modules that shape an article, not the package version: a development
install keeps one version across many changes, and a release that leaves cleaning alone
should not re-clean anyone's library. A change there that alters no output (a comment, a
network fix in ``sources/http.py``) costs one needless re-clean, in the background.
Versions of third-party extractors (trafilatura, lxml, feedparser) are left out: reading
them from the installed metadata took about 20 ms.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from reader.core.version import __version__

_ROOT = Path(__file__).resolve().parent.parent  # the reader package
PACKAGES = ("sources", "cleaning", "ingest")
CORE_MODULES = ("dates", "limits", "models", "paths", "sanitize", "words")
_SUFFIXES = (".py", ".json")
PREFIX = "c1:"  # how the fingerprint is made; a new way of making it changes this


def cleaner_files(root: Path = _ROOT) -> list[Path]:
    """The files the fingerprint is made of, in a fixed order."""
    # Not an editor's lock or backup (".#text.py", a dangling link) nor a cache: a file that
    # cannot be read would turn the fingerprint into the version and re-clean everything.
    files = [path for package in PACKAGES for path in (root / package).rglob("*")
             if path.suffix in _SUFFIXES and not path.name.startswith(".")
             and "__pycache__" not in path.parts and path.is_file()]
    files.extend(root / "core" / f"{name}.py" for name in CORE_MODULES)
    return sorted(files, key=lambda path: path.relative_to(root).as_posix())


@functools.cache
def cleaner_fingerprint() -> str:
    """The fingerprint of this process's cleaner (computed once: about 1 ms)."""
    return fingerprint_of(_ROOT)


def fingerprint_of(root: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    try:
        for path in cleaner_files(root):
            data = path.read_bytes()
            name = path.relative_to(root).as_posix().encode()
            digest.update(b"%d:%s:%d:" % (len(name), name, len(data)))
            digest.update(data)
    except OSError:
        # not installed as files (a zip): the version is all there is to tell
        return f"{PREFIX}version:{__version__}"
    return PREFIX + digest.hexdigest()
