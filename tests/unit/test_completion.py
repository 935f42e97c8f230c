"""``reader completion``: scripts generated from the parser, checked by the shells themselves."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reader.cli import SUBCOMMANDS, main

SHELLS = ("bash", "zsh", "fish")


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    out: str = capsys.readouterr().out
    return out


@pytest.mark.parametrize("shell", SHELLS)
def test_every_subcommand_and_option_is_in_the_script(
        shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    script = _script(shell, capsys)
    for command in SUBCOMMANDS:
        assert command in script
    for option in ("format", "unread", "starred", "limit", "config", "db", "path", "folder"):
        assert option in script


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_accepts_the_script(
        shell: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / f"reader.{shell}"
    script.write_text(_script(shell, capsys), encoding="utf-8")
    result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0, result.stderr


def _bash_complete(script: Path, cwd: Path, *words: str) -> list[str]:
    driver = (f'source {script}\nCOMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
              "_reader\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    result = subprocess.run(["bash", "-c", driver, "bash", *words], cwd=cwd,
                            capture_output=True, text=True, timeout=30, check=True)
    return [line for line in result.stdout.splitlines() if line]


def test_bash_completes_commands_options_choices_and_files(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    script = tmp_path / "reader.bash"
    script.write_text(_script("bash", capsys), encoding="utf-8")
    work = tmp_path / "work"
    (work / "my articles").mkdir(parents=True)
    (work / "feed.xml").touch()
    assert _bash_complete(script, work, "reader", "du") == ["dump"]
    assert _bash_complete(script, work, "reader", "dump", "--format", "") == [
        "text", "markdown", "json"]
    assert _bash_complete(script, work, "reader", "completion", "z") == ["zsh"]
    assert "--unread" in _bash_complete(script, work, "reader", "list", "--")
    assert sorted(_bash_complete(script, work, "reader", "dump", "")) == [
        "feed.xml", "my articles"]
    # after --db's value, the next word is still a subcommand or a source
    assert "refresh" in _bash_complete(script, work, "reader", "--db", "x.sqlite", "")
    assert _bash_complete(script, work, "reader", "search", "") == []


def test_fish_completes_subcommand_options(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    script = tmp_path / "reader.fish"
    script.write_text(_script("fish", capsys), encoding="utf-8")
    result = subprocess.run(
        ["fish", "--no-config", "-c",
         f"source {script}; complete -C 'reader dump --f'; complete -C 'reader completion '"],
        capture_output=True, text=True, timeout=30, check=True)
    words = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert words == ["--format", "--full", "bash", "fish", "zsh"]


def test_zsh_registers_the_function_after_compinit(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed")
    script = tmp_path / "reader.zsh"
    script.write_text(_script("zsh", capsys), encoding="utf-8")
    dump = tmp_path / "zcompdump"
    result = subprocess.run(
        ["zsh", "-f", "-c",
         f"autoload -U compinit && compinit -u -d {dump} && source {script} "
         "&& print -r -- $_comps[reader]"],
        capture_output=True, text=True, timeout=30, check=True)
    assert result.stdout.strip() == "_reader"
