"""Run the reader as an installed copy runs: with its modules compiled to bytecode.

``pip install`` compiles every module it installs, but an editable install (or a source
checkout) is compiled lazily, and not at all when PYTHONDONTWRITEBYTECODE is set, as it is
on some machines: then every start compiles the whole package again (about 0.2 s, a third
of a first paint). The benchmarks call :func:`compile_reader` first, so they time what a
user's installed reader does.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reader"


def compile_reader() -> None:
    """Write the package's bytecode (``__pycache__``), as pip does when it installs it."""
    compileall.compile_dir(PACKAGE, quiet=1)
