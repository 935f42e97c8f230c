"""Fixtures of the sync tests: a real server per kind (or a skip), loopback feeds, a session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from reader.core.sync import SyncClient

from .support import FeedServer, Server, find_server


@pytest.fixture(params=["ttrss", "freshrss"])
def server(request: pytest.FixtureRequest) -> Server:
    found = find_server(request.param)
    if isinstance(found, str):
        pytest.skip(found)
    return found


@pytest.fixture
def ttrss_server() -> Server:
    found = find_server("ttrss")
    if isinstance(found, str):
        pytest.skip(found)
    return found


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    farm = FeedServer()
    yield farm
    farm.close()


@pytest.fixture
async def account(server: Server, feeds: FeedServer) -> AsyncIterator[SyncClient]:
    """A logged-in client; every feed of this test's loopback port is unsubscribed after."""
    client = server.client()
    async with client:
        yield client
        for feed in await client.feeds():
            if feed.url.startswith(feeds.base):
                await client.unsubscribe(feed.id)
