"""Two-way sync with feed servers: one module per API, each a ``reader.core.sync.SyncClient``.

``reader/sync/`` imports Core and the HTTP client of ``reader.sources.http`` only; nothing
but the library imports it. A third API is one new module and one line in :data:`KINDS`.
"""

from __future__ import annotations

import httpx

from reader.core.errors import SyncError
from reader.core.sync import SyncClient
from reader.sources.http import DEFAULT_LIMITS, HttpLimits
from reader.sync.greader import GReaderClient
from reader.sync.ttrss import TtrssClient

KINDS: dict[str, str] = {
    "ttrss": "Tiny Tiny RSS (its JSON API)",
    "greader": "Google Reader API (FreshRSS, Miniflux, Inoreader, The Old Reader, BazQux)",
}


def open_client(
    kind: str,
    url: str,
    user: str,
    password: str,
    *,
    http: httpx.AsyncClient | None = None,
    limits: HttpLimits = DEFAULT_LIMITS,
) -> SyncClient:
    """A client for an account of ``kind`` (a key of :data:`KINDS`); it logs in when first used."""
    if kind == "ttrss":
        return TtrssClient(url, user, password, http=http, limits=limits)
    if kind == "greader":
        return GReaderClient(url, user, password, http=http, limits=limits)
    raise SyncError(f"unknown account kind {kind!r}: {', '.join(KINDS)}")


__all__ = ["KINDS", "GReaderClient", "TtrssClient", "open_client"]
