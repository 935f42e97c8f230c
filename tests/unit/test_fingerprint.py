"""The cleaner's fingerprint: what a library's file articles were cleaned with."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from reader.ingest import fingerprint
from reader.ingest.fingerprint import CORE_MODULES, PACKAGES, cleaner_files, fingerprint_of

ROOT = Path(fingerprint.__file__).resolve().parent.parent
# core modules the loading code imports that shape no article (messages, workers, the
# user agent): a change there is no reason to clean a library again
NOT_SHAPING = {"aio", "errors", "processes", "version"}


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reader"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_it_is_made_once_and_is_the_same_for_the_same_bytes(tmp_path: Path) -> None:
    made = fingerprint.cleaner_fingerprint()
    assert made is fingerprint.cleaner_fingerprint()
    assert made.startswith(fingerprint.PREFIX) and made == fingerprint_of(ROOT)
    assert fingerprint_of(_copy(tmp_path)) == made  # bytes, not paths or mtimes


def test_the_cleaners_code_and_model_change_it_and_the_rest_does_not(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    before = fingerprint_of(copy)
    (copy / "tui" / "app.py").write_text("# the interface changed\n", encoding="utf-8")
    (copy / "cleaning" / "__pycache__").mkdir()
    (copy / "cleaning" / "__pycache__" / "text.cpython-312.pyc").write_bytes(b"\0")
    # an editor's lock, a dangling link: not the version's fallback, which re-cleans all
    (copy / "cleaning" / ".#text.py").symlink_to(copy / "cleaning" / "gone.py")
    (copy / "cleaning" / "layouts.json").mkdir()
    assert fingerprint_of(copy) == before
    for changed in ("cleaning/text_model.json", "cleaning/text.py", "ingest/load.py",
                    "sources/decode.py", "core/sanitize.py"):
        path = copy / changed
        path.write_bytes(path.read_bytes() + b" ")
        assert fingerprint_of(copy) != before, changed
        before = fingerprint_of(copy)


def test_it_covers_the_model_and_every_core_module_the_loading_code_imports() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in cleaner_files()}
    assert {"cleaning/text_model.json", "cleaning/text.py", "ingest/folders.py"} <= names
    imported: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "reader.core":
                    imported.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and \
                        node.module.startswith("reader.core."):
                    imported.add(node.module.split(".")[2])
    # a new one must be placed: in the fingerprint, or named here as shaping nothing
    assert imported - NOT_SHAPING <= set(CORE_MODULES), imported - NOT_SHAPING - set(CORE_MODULES)


def test_a_package_not_on_disk_falls_back_on_the_version(tmp_path: Path) -> None:
    from reader.core.version import __version__

    assert fingerprint_of(tmp_path / "nowhere") == f"{fingerprint.PREFIX}version:{__version__}"
