"""reader/sync/'s API modules stand on Core and the HTTP client only; its engine also on the
storage Protocol and the feed cleaning; and only the library may use the package."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "reader"
ALLOWED = ("reader.core", "reader.sources.http", "reader.sync")
# one sync of one account: it stores what it syncs, and cleans articles as feeds' are
ENGINE_ALSO = ("reader.storage.base", "reader.ingest.feeds", "reader.sources.feeds")
NEVER_IMPORT_SYNC = ("core", "sources", "cleaning", "storage", "tui", "ingest")


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name for name in names if name == "reader" or name.startswith("reader.")}


def test_sync_imports_core_and_the_http_client_only() -> None:
    found = {
        (path.name, name)
        for path in (PACKAGE / "sync").glob("*.py")
        for name in imports(path)
        if not any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED)
        and not (path.name == "engine.py" and name in ENGINE_ALSO)
    }
    assert found == set()


def test_no_lower_layer_imports_sync() -> None:
    found = {
        (str(path.relative_to(PACKAGE)), name)
        for layer in NEVER_IMPORT_SYNC
        for path in (PACKAGE / layer).rglob("*.py")
        for name in imports(path)
        if name == "reader.sync" or name.startswith("reader.sync.")
    }
    assert found == set()
