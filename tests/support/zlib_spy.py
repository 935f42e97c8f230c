"""A count of the bytes handed to zlib: a decoder's cost measured in bytes, not timed."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from types import ModuleType

import pytest


def count_zlib_input(monkeypatch: pytest.MonkeyPatch, *modules: ModuleType) -> Callable[[], int]:
    """Make ``modules`` see a zlib whose decoders count what they are fed; the returned
    function says how many bytes that has been so far."""
    fed = 0

    class Counting:
        def __init__(self, wbits: int) -> None:
            self._decoder = zlib.decompressobj(wbits)

        def __getattr__(self, name: str) -> object:
            return getattr(self._decoder, name)

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            nonlocal fed
            fed += len(data)
            return self._decoder.decompress(data, max_length)

    class Zlib:
        error = zlib.error
        decompressobj = Counting

    for module in modules:
        monkeypatch.setattr(module, "zlib", Zlib)
    return lambda: fed
