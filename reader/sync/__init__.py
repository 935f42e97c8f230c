"""Two-way sync with feed servers: one module per API, each a ``reader.core.sync.SyncClient``.

The API modules import Core and the HTTP client of ``reader.sources.http`` only;
``engine`` (one sync of one account) also the storage Protocol and the feed cleaning of
``reader.ingest``. Nothing but the library imports this package. A third API is one new
module, a line in ``reader.core.sync.KINDS`` and one in :func:`open_client`.
"""

from __future__ import annotations

import httpx

from reader.core.errors import SyncError
from reader.core.sync import KINDS, Account, SecretKind, SyncClient
from reader.sources.http import DEFAULT_LIMITS, HttpLimits
from reader.sync.greader import GReaderClient
from reader.sync.secrets import read_password_file, run_password_command
from reader.sync.ttrss import TtrssClient


def open_client(
    kind: str,
    url: str,
    user: str,
    password: str | None,
    *,
    token: str | None = None,
    keep_session: bool = False,
    http: httpx.AsyncClient | None = None,
    limits: HttpLimits = DEFAULT_LIMITS,
) -> SyncClient:
    """A client for an account of ``kind`` (a key of :data:`KINDS`); it logs in when first
    used, with ``password`` or else the server's ``token``. ``keep_session``: a tt-rss
    client does not log out on close (its session is to be kept as the token)."""
    if kind == "ttrss":
        return TtrssClient(url, user, password, token=token, keep_session=keep_session,
                           http=http, limits=limits)
    if kind == "greader":
        return GReaderClient(url, user, password, token=token, http=http, limits=limits)
    raise SyncError(f"unknown account kind {kind!r}: {', '.join(KINDS)}")


def account_client(account: Account, *, limits: HttpLimits = DEFAULT_LIMITS,
                   http: httpx.AsyncClient | None = None) -> SyncClient:
    """A client for a stored account: the password read from its file or command now, or
    the stored token. Raises SyncAuthError (one line) when the password cannot be had."""
    password = token = None
    if account.secret_kind is SecretKind.FILE:
        password = read_password_file(account.secret)
    elif account.secret_kind is SecretKind.COMMAND:
        password = run_password_command(account.secret)
    else:
        token = account.secret
    return open_client(account.kind, account.url, account.user, password, token=token,
                       http=http, limits=limits)


def token_of(client: SyncClient) -> str | None:
    """The session or auth token of a logged-in client, to store instead of a password."""
    return client.auth_token if isinstance(client, TtrssClient | GReaderClient) else None


def requests_of(client: SyncClient) -> int:
    """Requests a client has sent (for reports and benchmarks)."""
    return client.requests if isinstance(client, TtrssClient | GReaderClient) else 0


__all__ = ["KINDS", "GReaderClient", "TtrssClient", "account_client", "open_client",
           "requests_of", "token_of"]
