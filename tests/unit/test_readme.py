"""The README's set-up commands are the ones CI runs."""

from __future__ import annotations

from support.paths import ROOT


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = next(line for line in ci if line.startswith("python3 -m venv"))
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_install_command_runs_the_samples() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -q . && reader sample_feeds/' in readme


def test_readme_key_table_matches_the_defaults() -> None:
    from reader.core.config import keys_markdown_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert keys_markdown_table() in readme
