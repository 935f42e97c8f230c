"""``reader config`` and ``reader completion``.

The completion scripts are generated from the argparse parser in :mod:`reader.cli.parser`, so a new
subcommand or option is completed without anyone remembering to update three shell scripts.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.core.config import config_path, dump_toml, load_config, write_default
from reader.core.errors import ConfigError
from reader.core.sanitize import clean_line

PROG = "reader"


def run_config(args: argparse.Namespace) -> int:
    """Write the commented default if there is no file; print its path, then the settings."""
    path = config_path(args.config).absolute()
    status = 0
    try:
        write_default(path)
    except ConfigError as error:
        sys.stderr.write(f"reader: {error}\n")
        status = 1
    sys.stdout.write(f"{path}\n")
    if not args.path:
        config, messages = load_config(path)
        if status == 0:  # else there is no file, and reading it would only repeat the error
            for message in messages:  # as every command says them (_settings)
                sys.stderr.write(f"reader: {clean_line(message, limit=2000) or ''}\n")
        sys.stdout.write(dump_toml(config))
    return status


def run_completion(args: argparse.Namespace) -> int:
    """Print the completion script for ``args.shell`` (bash, zsh or fish)."""
    from reader.cli.parser import build_command_parser

    commands = _describe(build_command_parser())
    sys.stdout.write(_GENERATORS[args.shell](commands))
    return 0


# --- what to complete, read off the parser ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    """What a word after an option, or a positional word, can be."""

    kind: str  # "none" (a flag; no positional), "file", "choice" or "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Option:
    names: tuple[str, ...]
    help: str
    value: _Value


@dataclass(frozen=True, slots=True)
class _Command:
    name: str  # "" for reader itself, whose positionals are subcommands or sources
    help: str
    options: tuple[_Option, ...]
    positional: _Value


_FLAG = _Value("none")
_PATHLIKE = ("PATH", "FILE", "SOURCE")


def _value(action: argparse.Action) -> _Value:
    if action.nargs == 0:
        return _FLAG
    if action.choices:
        return _Value("choice", tuple(str(choice) for choice in action.choices))
    metavar = str(action.metavar or action.dest).upper()
    if action.type is Path or any(word in metavar for word in _PATHLIKE):
        return _Value("file")
    return _Value("text")


def _command(name: str, help_: str, parser: argparse.ArgumentParser) -> _Command:
    options: list[_Option] = []
    positional = _FLAG
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            # reader account add|list|remove: the actions, and every action's options
            positional = _Value("choice", tuple(action.choices))
            for sub in action.choices.values():
                for option in _command("", "", sub).options:
                    if option.names not in [known.names for known in options]:
                        options.append(option)
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            options.append(_Option(tuple(action.option_strings), action.help or "",
                                   _value(action)))
        elif positional == _FLAG:
            positional = _value(action)
    return _Command(name, help_, tuple(options), positional)


def _describe(parser: argparse.ArgumentParser) -> list[_Command]:
    """reader itself first (its positionals are sources), then each subcommand."""
    top = _command("", "", parser)
    commands = [_Command("", "", top.options, _Value("file"))]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                commands.append(_command(name, helps.get(name, ""), sub))
    return commands


# --- bash -------------------------------------------------------------------------------------


def _words(words: Iterable[str]) -> str:
    return shlex.quote(" ".join(words))


def _bash_complete(value: _Value) -> str:
    if value.kind == "file":
        return "_reader_files"
    if value.kind == "choice":
        return f"_reader_words {_words(value.choices)}"
    return ":"


def _bash(commands: list[_Command]) -> str:
    top, subs = commands[0], commands[1:]
    takes_value = [n for o in top.options if o.value != _FLAG for n in o.names]
    value_cases = "\n".join(
        f'        {"|".join(shlex.quote(f"{c.name} {n}") for n in o.names)}) '
        f"{_bash_complete(o.value)}; return ;;"
        for c in commands for o in c.options if o.value != _FLAG)
    command_cases = "\n".join(
        f"        {shlex.quote(c.name)})\n"
        f"            if [[ $cur == -* ]]; then _reader_words {_words(_names(c))}\n"
        f"            else {_bash_complete(c.positional)}; fi ;;"
        for c in subs)
    return f"""\
# bash completion for {PROG}; generated by `{PROG} completion bash`.
# Load it with: eval "$({PROG} completion bash)"   (e.g. in ~/.bashrc)

_reader_words() {{
    local IFS=$' \\t\\n'
    COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}}

_reader_files() {{
    # one file name per line, so names with spaces stay whole
    local IFS=$'\\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY+=($(compgen -f -- "$cur"))
}}

_reader() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
    local command="" word i skip=0
    COMPREPLY=()
    # the first word that is neither an option nor an option's value names the subcommand
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        if ((skip)); then skip=0; continue; fi
        case $word in
            {"|".join(takes_value) or "--"}) skip=1 ;;
            -*) ;;
            *) command=$word; break ;;
        esac
    done
    case "$command $prev" in
{value_cases}
    esac
    case $command in
        "")
            if [[ $cur == -* ]]; then _reader_words {_words(_names(top))}
            else _reader_words {_words(c.name for c in subs)}; _reader_files; fi ;;
{command_cases}
        *) _reader_files ;;  # {PROG} SOURCE...: more sources
    esac
}}

complete -F _reader {PROG}
"""


def _names(command: _Command) -> list[str]:
    return [name for option in command.options for name in option.names]


# --- zsh --------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")


def _zsh_action(value: _Value) -> str:
    if value.kind == "file":
        return "_files"
    if value.kind == "choice":
        return "(" + " ".join(value.choices) + ")"
    return " "


def _zsh_specs(command: _Command, indent: str) -> str:
    specs = []
    for option in command.options:
        for name in option.names:
            spec = f"{name}[{_zsh_help(option.help)}]"
            if option.value != _FLAG:
                spec = f"{name}=[{_zsh_help(option.help)}]:value:{_zsh_action(option.value)}"
            specs.append(_zsh_quote(spec))
    if command.name and command.positional != _FLAG:
        specs.append(_zsh_quote(f"*:argument:{_zsh_action(command.positional)}"))
    return f" \\\n{indent}".join(specs)


def _zsh(commands: list[_Command]) -> str:
    top, subs = commands[0], commands[1:]
    described = "\n".join(
        f"        {_zsh_quote(c.name + ':' + c.help.replace(':', chr(92) + ':'))}" for c in subs)
    cases = "\n".join(
        f"                {c.name})\n"
        f"                    _arguments \\\n"
        f"                        {_zsh_specs(c, ' ' * 24)} ;;" for c in subs)
    return f"""\
#compdef {PROG}
# zsh completion for {PROG}; generated by `{PROG} completion zsh`.
# Load it with: eval "$({PROG} completion zsh)" after compinit (e.g. in ~/.zshrc),
# or save it as _{PROG} in a folder of your $fpath.

_reader() {{
    local curcontext=$curcontext state line
    local -a commands
    commands=(
{described}
    )
    _arguments -C \\
        {_zsh_specs(top, ' ' * 8)} \\
        '1: :->first' \\
        '*:: :->rest' && return
    case $state in
        first)
            # a subcommand, or the first source to read
            _describe -t commands '{PROG} command' commands
            _files ;;
        rest)
            case $words[1] in
{cases}
                *) _files ;;
            esac ;;
    esac
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _reader "$@"
else
    compdef _reader {PROG}
fi
"""


# --- fish -------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_value(value: _Value) -> str:
    if value.kind == "file":
        return " -r -F"
    if value.kind == "choice":
        return f" -x -a {_fish_quote(' '.join(value.choices))}"
    return " -x" if value.kind == "text" else ""


def _fish_option(condition: str, option: _Option) -> str:
    names = "".join(f" -s {n[1:]}" if len(n) == 2 else f" -l {n[2:]}" for n in option.names)
    described = f" -d {_fish_quote(option.help)}" if option.help else ""
    return f"complete -c {PROG} -n {condition}{names}{_fish_value(option.value)}{described}"


def _fish(commands: list[_Command]) -> str:
    top, subs = commands[0], commands[1:]
    first = "__fish_use_subcommand"
    lines = [
        f"# fish completion for {PROG}; generated by `{PROG} completion fish`.",
        f"# Install: {PROG} completion fish > ~/.config/fish/completions/{PROG}.fish",
        f"complete -c {PROG} -f",
        f"complete -c {PROG} -n {first} -F",
        *(_fish_option(first, option) for option in top.options),
        *(f"complete -c {PROG} -n {first} -a {c.name} -d {_fish_quote(c.help)}" for c in subs),
    ]
    for command in subs:
        condition = _fish_quote(f"__fish_seen_subcommand_from {command.name}")
        lines.extend(_fish_option(condition, option) for option in command.options)
        if command.positional.kind == "file":
            lines.append(f"complete -c {PROG} -n {condition} -F")
        elif command.positional.kind == "choice":
            lines.append(f"complete -c {PROG} -n {condition} -a "
                         f"{_fish_quote(' '.join(command.positional.choices))}")
    return "\n".join(lines) + "\n"


_GENERATORS: dict[str, Callable[[list[_Command]], str]] = {
    "bash": _bash, "zsh": _zsh, "fish": _fish,
}
