"""The whole sync scenario through the CLI against the real servers: tt-rss (started by
.ci/run) and FreshRSS (where tests/servers/freshrss-up.sh runs it); each skips, saying how to
start it, where there is none.

The account reaches the server through a relay on a port of its own, so that the test can
take the server away (connection refused, as when it is stopped) and bring it back without
stopping the shared server itself.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.sync_servers import SERVERS, FeedServer, Server, real_server
from support.sync_ttrss_fake import Relay

from reader.cli import main
from reader.core.sync import Flag, RemoteArticle, SyncClient


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> Server:
    return real_server(request.param)


@pytest.fixture
def web() -> Iterator[FeedServer]:
    with FeedServer() as farm:
        yield farm


@pytest.fixture
def relay(server: Server) -> Iterator[Relay]:
    running = Relay(server.url)
    yield running
    running.stop()


@pytest.fixture
def phone(server: Server, web: FeedServer) -> Iterator[SyncClient]:
    """Another device on the same account; this test's feeds are unsubscribed at the end."""
    yield server.client()

    async def clean() -> None:
        async with server.client() as client:
            for feed in await client.feeds():
                if feed.url.startswith(web.base):
                    await client.unsubscribe(feed.id)

    asyncio.run(clean())


def mine(capsys: pytest.CaptureFixture[str], web: FeedServer) -> dict[str, dict[str, object]]:
    """This test's articles in the library, by title (the account may hold others': the
    server is shared with any other test run)."""
    listed = json.loads(run(capsys, "list", "--json")[1])
    return {a["title"]: a for a in listed if str(a.get("url") or "").startswith(web.base)}


def received(err: str) -> int:
    """The "N received" of a sync's line (other runs on the account may add to it)."""
    return int(err.split(" received")[0].rsplit(" ", 1)[1])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def on_server(server: Server, web: FeedServer) -> tuple[dict[str, str], list[RemoteArticle]]:
    """The server's subscriptions of this test (url -> title) and their articles now."""
    async def look() -> tuple[dict[str, str], list[RemoteArticle]]:
        async with server.client() as client:
            feeds = {f.id: f for f in await client.feeds() if f.url.startswith(web.base)}
            articles = [a for page in [p async for p in client.articles()]
                        for a in page.articles if a.feed_id in feeds]
            return {f.url: f.title for f in feeds.values()}, articles

    return asyncio.run(look())


def test_the_whole_scenario(capsys: pytest.CaptureFixture[str], db_file: Path,
                            server: Server, web: FeedServer, relay: Relay,
                            phone: SyncClient, tmp_path: Path) -> None:
    kind = "ttrss" if server.name == "ttrss" else "greader"
    secrets = tmp_path / "secrets"  # not beside the library, whose folder is read below
    secrets.mkdir()
    wrong, right = secrets / "wrong", secrets / "password"
    wrong.write_text("not-the-password\n")
    right.write_text(server.password + "\n")

    # A wrong password: one line, exit 1, nothing stored.
    code, out, err = run(capsys, "account", "add", kind, relay.url, "--user", server.user,
                         "--password-file", str(wrong))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and err.endswith(f"password refused for {server.user}\n")
    assert "not-the-password" not in err

    # Another device subscribed to a feed, in a folder, and the server fetched it.
    news = web.add("news.xml", "Harbour News", 3)

    async def subscribe_there() -> None:
        async with server.client() as client:
            feed = await client.subscribe(news, category="News")
            await server.refresh(client, feed, web)

    asyncio.run(subscribe_there())

    code, out, err = run(capsys, "account", "add", kind, relay.url, "--user", server.user,
                         "--password-file", str(right), "--name", "home")
    assert code == 0, err

    # reader sync: the subscriptions (title, folder) and every article come down.
    code, out, err = run(capsys, "sync")
    assert code == 0, err
    assert out == "" and err.startswith("home: ") and err.count("\n") == 1, err
    feeds = {f["url"]: f for f in json.loads(run(capsys, "feeds", "--json")[1])}
    assert feeds[news]["title"] == "Harbour News" and feeds[news]["folder"] == "News"
    assert feeds[news]["account"] == "home" and feeds[news]["total"] == 3
    articles = mine(capsys, web)
    assert sorted(articles) == [f"Harbour News story {n}" for n in (1, 2, 3)]
    story = articles["Harbour News story 2"]
    assert story["body"] == "Paragraph 2 of **Harbour News**."
    assert story["url"] == f"{web.base}/a/{web.tag}-news.xml-2"
    assert not story["read"] and not story["starred"]

    # reader add: on the server, and its articles here.
    extra = web.add("extra.xml", "Extra Extra", 2)
    code, out, err = run(capsys, "add", extra)
    assert (code, out) == (0, "added Extra Extra (2 articles)\n"), err
    assert on_server(server, web)[0][extra] == "Extra Extra"

    # Read and starred, here -> there (reader mark never contacts the server).
    ids = {title: article["id"] for title, article in mine(capsys, web).items()}
    remote = {a.title: a.id for a in on_server(server, web)[1]}
    assert run(capsys, "mark", str(ids["Harbour News story 1"]), "--read")[0] == 0
    assert run(capsys, "mark", str(ids["Extra Extra story 2"]), "--star")[0] == 0
    code, _, err = run(capsys, "sync")
    assert code == 0 and "2 changes sent" in err, err
    there = {a.title: a for a in on_server(server, web)[1]}
    assert there["Harbour News story 1"].read and not there["Harbour News story 2"].read
    assert there["Extra Extra story 2"].starred and not there["Extra Extra story 1"].starred

    # ... and there -> here (the other device).
    async def phone_marks() -> None:
        async with phone:
            await phone.mark([remote["Harbour News story 1"]], Flag.READ, False)
            await phone.mark([remote["Harbour News story 3"]], Flag.READ, True)
            await phone.mark([remote["Harbour News story 3"]], Flag.STARRED, True)

    asyncio.run(phone_marks())
    code, _, err = run(capsys, "sync")
    assert code == 0 and "0 changes sent, " in err and received(err) >= 3, err
    here = mine(capsys, web)
    assert not here["Harbour News story 1"]["read"]
    assert here["Harbour News story 3"]["read"] and here["Harbour News story 3"]["starred"]

    # The server goes away: a change made meanwhile is kept, and sent when it is back.
    relay.stop()
    assert run(capsys, "mark", str(ids["Harbour News story 2"]), "--read")[0] == 0
    code, out, err = run(capsys, "sync")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "connection refused" in err
    assert json.loads(run(capsys, "account", "list", "--json")[1])[0]["pending_changes"] == 1
    relay.start()
    code, _, err = run(capsys, "sync")
    assert code == 0 and "1 change sent" in err, err
    there = {a.title: a for a in on_server(server, web)[1]}
    assert there["Harbour News story 2"].read

    # reader remove: gone from the server too.
    assert run(capsys, "remove", extra)[0] == 0
    assert extra not in on_server(server, web)[0]

    # No password in the library, its journal or its subscriptions list.
    files = [path for path in db_file.parent.iterdir() if path.is_file()]
    assert any(path.suffix == ".opml" for path in files) and len(files) >= 2
    stored = b"".join(path.read_bytes() for path in files)
    assert server.password.encode() not in stored


def test_a_typed_password_keeps_the_servers_token_which_syncs(
        capsys: pytest.CaptureFixture[str], db_file: Path, server: Server, web: FeedServer,
        phone: SyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = "ttrss" if server.name == "ttrss" else "greader"
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: server.password)
    code, out, err = run(capsys, "account", "add", kind, server.url, "--user", server.user)
    assert code == 0, err
    assert "kept: the server's session token, not the password" in out
    [account] = json.loads(run(capsys, "account", "list", "--json")[1])
    assert account["password_from"] == "token"
    feed = web.add("typed.xml", "Typed In", 2)
    assert run(capsys, "add", feed)[0] == 0
    code, _, err = run(capsys, "sync")
    assert code == 0, err
    assert sorted(mine(capsys, web)) == ["Typed In story 1", "Typed In story 2"]
    assert server.password.encode() not in db_file.read_bytes()
