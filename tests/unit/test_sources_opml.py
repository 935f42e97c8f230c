"""OPML import: http/https only, rejected outlines listed, no entities, any depth."""

from __future__ import annotations

import time

import pytest
from support.paths import FIXTURES

from reader.core.errors import FeedError
from reader.sources.opml import OpmlOutline, parse_opml

HOSTILE = FIXTURES / "hostile"


def opml(body: str, title: str = "Subs") -> bytes:
    return (
        f'<?xml version="1.0"?><opml version="2.0"><head><title>{title}</title></head>'
        f"<body>{body}</body></opml>"
    ).encode()


def test_folders_titles_and_order() -> None:
    document = parse_opml(
        opml(
            '<outline text="Top" xmlUrl="https://a.example/feed" />'
            '<outline text="News"><outline title="B" xmlUrl="https://b.example/rss"/>'
            '<outline text="Inner"><outline text="C" xmlURL="http://c.example/atom"/></outline>'
            "</outline>"
        )
    )
    assert document.title == "Subs"
    assert document.outlines == (
        OpmlOutline(url="https://a.example/feed", title="Top", folder=None),
        OpmlOutline(url="https://b.example/rss", title="B", folder="News"),
        OpmlOutline(url="http://c.example/atom", title="C", folder="News"),
    )
    assert document.rejected == ()


def test_hostile_urls_are_rejected_and_listed() -> None:
    document = parse_opml((HOSTILE / "opml-hostile-urls.opml").read_bytes())
    urls = [o.url for o in document.outlines]
    assert all(u.startswith(("http://", "https://")) for u in urls)
    assert len(urls) == len(set(urls))
    rejected = "\n".join(document.rejected)
    for scheme in ("exec:", "filter:", "file:", "javascript:"):
        assert f"skipped {scheme}" in rejected
    assert "(duplicate)" in rejected
    assert "(no feed URL)" in rejected
    assert all("\n" not in line for line in document.rejected)
    # The markup title is kept as text, verbatim.
    assert any(o.title == "[@click=app.quit]markup title[/]" for o in document.outlines)


def test_xxe_is_refused() -> None:
    with pytest.raises(FeedError, match="^OPML rejected: entity declarations$"):
        parse_opml((HOSTILE / "opml-xxe.opml").read_bytes())


def test_deep_nesting_is_flattened_fast() -> None:
    depth = 5000
    body = '<outline text="d">' * depth + '<outline xmlUrl="https://deep.example/f"/>'
    body += "</outline>" * depth
    start = time.monotonic()
    document = parse_opml(opml(body))
    assert time.monotonic() - start < 2
    assert document.outlines == (OpmlOutline(url="https://deep.example/f", title=None, folder="d"),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<opml><body>", "not a valid OPML file"),
        (b"<rss/>", "not an OPML file"),
        (b"", "not a valid OPML file"),
    ],
)
def test_errors_are_one_line(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message) as caught:
        parse_opml(data)
    assert "\n" not in str(caught.value)


def test_controls_and_bidi_in_titles_are_removed() -> None:
    document = parse_opml(
        opml('<outline text="a&#x202E;b&#x9b;c" xmlUrl="https://x.example/f"/>', title="T&#x7f;")
    )
    assert document.outlines[0].title == "ab\u241bc"
    assert document.title == "T"


def test_opml_on_disk_may_name_feed_files_next_to_it(tmp_path) -> None:
    from reader.sources.opml import parse_opml

    (tmp_path / "a.rss").write_text("<rss/>")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.atom").write_text("<feed/>")
    outside = tmp_path.parent / "outside.rss"
    outside.write_text("<rss/>")
    data = (
        b'<opml version="2.0"><body>'
        b'<outline xmlUrl="a.rss"/><outline xmlUrl="sub/b.atom"/>'
        b'<outline xmlUrl="../outside.rss"/><outline xmlUrl="/etc/passwd"/>'
        b'<outline xmlUrl="missing.rss"/><outline xmlUrl="file:a.rss"/>'
        b"</body></opml>"
    )
    document = parse_opml(data, base_dir=tmp_path)
    expected = [str(tmp_path / "a.rss"), str(tmp_path / "sub/b.atom")]
    assert [o.url for o in document.outlines] == expected
    assert len(document.rejected) == 4
    assert parse_opml(data).outlines == ()  # from the network: no local paths at all
