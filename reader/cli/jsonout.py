"""JSON for standard output, which may be a terminal: text as UTF-8, but never a control
character a terminal would act on.

``json`` escapes C0 controls in strings, not DEL and the C1 controls (U+0080-U+009F), which
a terminal may read as ESC sequences (U+009B is CSI) when written with ensure_ascii off.
Written here as ``\\u009b``: the same JSON string, and nothing for a terminal to run.
"""

from __future__ import annotations

import json
import re
from typing import TextIO

_UNSAFE = re.compile(r"[\x7f-\x9f]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def write_json(value: object, out: TextIO) -> None:
    """``value`` as indented JSON and a newline, as ``json.dump`` writes it (chunk by chunk)."""
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(value):
        out.write(chunk if chunk.isascii() else _UNSAFE.sub(_escaped, chunk))
    out.write("\n")
