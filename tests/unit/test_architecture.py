"""The house rules: the layers (import-linter contracts in pyproject.toml), no import cycle,
no private name borrowed across modules, and what each entry point may load."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from support.paths import ROOT

PACKAGE = ROOT / "reader"


def test_import_linter_contracts_are_kept() -> None:
    # the console script installed beside this interpreter (the test extra installs it)
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _cycles(graph: grimp.ImportGraph, modules: list[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c.startswith("reader")), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(
                        child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_no_import_cycle_between_any_two_modules() -> None:
    graph = grimp.build_graph("reader")
    modules = sorted(m for m in graph.modules if m.startswith("reader"))
    assert _cycles(graph, modules) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("reader.a", "reader.b", "reader.c"):
        graph.add_module(name)
    graph.add_import(importer="reader.a", imported="reader.b")
    graph.add_import(importer="reader.b", imported="reader.a")
    graph.add_import(importer="reader.b", imported="reader.c")
    assert _cycles(graph, ["reader.a", "reader.b", "reader.c"]) == [["reader.a", "reader.b"]]


def test_no_module_imports_another_modules_private_names() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(
                    "reader")):
                offenders += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                              for alias in node.names
                              if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert offenders == []


HEAVY = ("textual", "trafilatura", "feedparser", "lxml", "rich")


@pytest.mark.parametrize(("modules", "forbidden"), [
    # the domain, every layer of it: never the interface
    ("reader.core.models, reader.core.config, reader.sources.feeds, reader.cleaning.text, "
     "reader.cleaning.html, reader.storage.sqlite, reader.ingest.specs, reader.intake, "
     "reader.refresh, reader.priming, reader.library, reader.render, reader.formats, "
     "reader.cli.dump", ("textual",)),
    # what `reader refresh` (cron) and the other script commands import before they run
    ("reader.cli, reader.cli.commands, reader.refresh, reader.sources.http", HEAVY),
])
def test_what_an_entry_point_loads(modules: str, forbidden: tuple[str, ...]) -> None:
    # The test tools install click, and httpx then imports its own command line (click, rich,
    # pygments) at import time; a user's install has no click, so hide it as theirs does.
    code = (f"import sys; sys.modules['click'] = None; import {modules}\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(forbidden)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
