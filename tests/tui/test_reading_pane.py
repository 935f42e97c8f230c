"""The reading pane in a tiny app, driven by Pilot: what it shows, how it scrolls, what it posts."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Offset, Region
from textual.message import Message
from textual.pilot import Pilot
from textual.selection import Selection

from reader.render import RenderedArticle, render_article
from reader.tui.widgets.reading_pane import ReadingPane

LINK_COUNT = 12


def _long_body() -> str:
    links = " ".join(f"[link {n}](https://example.com/{n})" for n in range(1, LINK_COUNT + 1))
    paragraphs = [
        f"Paragraph {n} of a long article about reading. " * 4 for n in range(1, 40)
    ]
    return "\n\n".join([links, *paragraphs])


def _article(body: str | None = None) -> RenderedArticle:
    return render_article(
        title="A long article",
        source="Example Feed",
        author="Ann Author",
        published=datetime(2016, 12, 11, 7, 31),
        url="https://example.com/a",
        body=_long_body() if body is None else body,
    )


class PaneApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ReadingPane(id="pane")

    def on_reading_pane_link_open_requested(self, message: ReadingPane.LinkOpenRequested) -> None:
        self.messages.append(message)

    def on_reading_pane_position_changed(self, message: ReadingPane.PositionChanged) -> None:
        self.messages.append(message)


def _pane(pilot: Pilot[None]) -> ReadingPane:
    return pilot.app.query_one(ReadingPane)


def _shown(pane: ReadingPane) -> str:
    return pane.plain


def _of_type(app: PaneApp, kind: type[Message]) -> list[Message]:
    return [m for m in app.messages if isinstance(m, kind)]


async def test_shows_message_and_markup_like_text_verbatim() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_message("No article [b]selected[/] [@click=app.quit]")
        await pilot.pause()
        assert _shown(pane) == "No article [b]selected[/] [@click=app.quit]"
        assert pane.links == ()
        pane.show_text(Text("raw line\n[/]"))
        await pilot.pause()
        assert "[/]" in _shown(pane)


async def test_space_scrolls_a_page_and_end_reaches_bottom() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article())
        pane.focus()
        await pilot.pause()
        assert pane.scroll_y == 0
        assert pane.max_scroll_y > 24
        await pilot.press("space")
        await pilot.pause()
        assert pane.scroll_y >= 20
        await pilot.press("end")
        await pilot.pause()
        assert pane.scroll_y == pane.max_scroll_y
        await pilot.press("home")
        await pilot.pause()
        assert pane.scroll_y == 0


async def test_digit_opens_numbered_link() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article())
        pane.focus()
        await pilot.pause()
        # 12 links: "2" cannot start a longer number, so it opens at once.
        await pilot.press("2")
        await pilot.pause()
        opened = _of_type(app, ReadingPane.LinkOpenRequested)
        assert [(m.number, m.url) for m in opened] == [(2, "https://example.com/2")]  # type: ignore[attr-defined]


async def test_two_quick_digits_open_a_two_digit_link() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article())
        pane.focus()
        await pilot.pause()
        await pilot.press("1", "2")
        await pilot.pause()
        opened = _of_type(app, ReadingPane.LinkOpenRequested)
        assert [m.url for m in opened] == ["https://example.com/12"]  # type: ignore[attr-defined]


async def test_a_lone_digit_that_could_grow_opens_after_the_timeout() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.DIGIT_TIMEOUT = 0.3
        pane.show_article(1, _article())
        pane.focus()
        await pilot.pause()
        await pilot.press("1")
        assert not _of_type(app, ReadingPane.LinkOpenRequested)
        await pilot.pause(0.5)
        opened = _of_type(app, ReadingPane.LinkOpenRequested)
        assert [m.url for m in opened] == ["https://example.com/1"]  # type: ignore[attr-defined]


async def test_click_on_reference_opens_link() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article(body="Read [the report](https://example.com/r) now."))
        await pilot.pause()
        body = pane.query_one(".reading-pane--body")
        # The body line is the first line after header (title, meta, url, rule, blank).
        line = _shown(pane).split("\n")[5]
        column = line.index("[1]") + 1
        await pilot.click(body, offset=(column, 5))
        await pilot.pause()
        opened = _of_type(app, ReadingPane.LinkOpenRequested)
        assert [m.url for m in opened] == ["https://example.com/r"]  # type: ignore[attr-defined]


async def test_position_is_restored_and_reported() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.POSITION_DEBOUNCE = 0.05
        pane.show_article(7, _article(), position=0.5)
        await pilot.pause()
        await pilot.pause()
        assert pane.max_scroll_y > 0
        assert abs(pane.position - 0.5) < 0.02
        pane.focus()
        await pilot.press("end")
        await pilot.pause(0.2)
        reported = _of_type(app, ReadingPane.PositionChanged)
        assert reported
        assert reported[-1].article_id == 7  # type: ignore[attr-defined]
        assert reported[-1].position == 1.0  # type: ignore[attr-defined]


async def test_switching_articles_flushes_the_pending_position() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.POSITION_DEBOUNCE = 10.0  # never fires on its own during the test
        pane.show_article(1, _article())
        pane.focus()
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        pane.show_article(2, _article())
        reported = _of_type(app, ReadingPane.PositionChanged)
        await pilot.pause()
        reported = _of_type(app, ReadingPane.PositionChanged)
        assert [m.article_id for m in reported] == [1]  # type: ignore[attr-defined]
        assert 0 < reported[0].position < 1  # type: ignore[attr-defined]


async def test_reading_width_narrows_the_column() -> None:
    app = PaneApp()
    async with app.run_test(size=(100, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article())
        await pilot.pause()
        body = pane.query_one(".reading-pane--body")
        assert body.size.width == 80
        pane.reading_width = 50
        await pilot.pause()
        assert body.size.width == 50
        # Centred: as much room on the left as on the right (within a cell).
        left = body.region.x - pane.region.x
        right = pane.region.right - body.region.right
        assert abs(left - right) <= 2


SNAPSHOT_BODY = """\
Reading in a terminal should feel *calm*: a steady measure, clear **headings**, and links
you can open by [typing their number](https://example.com/numbers).

## Why a measure

> Lines of 60 to 80 characters are easiest to read.

- short lines
- clear structure
- numbered links, listed at the end

| Feature | Key |
|---|---:|
| open link | 1-9 |
| scroll | space |

```
reader sample_feeds/
```
"""


class SnapshotApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ReadingPane()

    def on_mount(self) -> None:
        pane = self.query_one(ReadingPane)
        pane.show_article(
            1,
            render_article(
                title="How an article reads",
                source="Example Feed",
                author="Ann Author",
                published=datetime(2016, 12, 11, 7, 31),
                url="https://example.com/how",
                body=SNAPSHOT_BODY,
                badge="full text",
            ),
        )


def test_snapshot(snap_compare: object) -> None:
    assert snap_compare(  # type: ignore[operator]
        SnapshotApp(), terminal_size=(100, 30)
    )


def _rows(pane: ReadingPane) -> list[str]:
    """The body's rows as laid out on screen, trailing spaces dropped."""
    body = pane.query_one(".reading-pane--body")
    strips = body.render_lines(Region(0, 0, body.size.width, body.size.height))
    return [strip.text.rstrip() for strip in strips]


async def test_wrapped_list_items_hang_and_quotes_keep_their_gutter() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 30)) as pilot:
        pane = _pane(pilot)
        body = (
            "- alpha beta gamma delta epsilon zeta eta theta iota kappa\n\n"
            "> lambda mu nu xi omicron pi rho sigma tau upsilon phi"
        )
        pane.show_article(1, _article(body=body))
        await pilot.pause()
        rows = _rows(pane)
        start = rows.index("• alpha beta gamma delta epsilon zeta")
        assert rows[start + 1] == "  eta theta iota kappa"
        quote = rows[start + 3 :]
        assert quote[0].startswith("▌ lambda")
        assert quote[1].startswith("▌ ")
        assert "phi" in quote[1]


async def test_resize_keeps_the_reading_position() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article(), position=0.5)
        await pilot.pause()
        await pilot.resize_terminal(50, 24)
        await pilot.pause()
        await pilot.pause()
        assert abs(pane.position - 0.5) < 0.03
        pane.reading_width = 30
        await pilot.pause()
        await pilot.pause()
        assert abs(pane.position - 0.5) < 0.03
        assert not _of_type(app, ReadingPane.PositionChanged)  # layout moves aren't reading


async def test_selecting_text_copies_the_rows_as_shown() -> None:
    app = PaneApp()
    async with app.run_test(size=(40, 30)) as pilot:
        pane = _pane(pilot)
        pane.show_article(1, _article(body="- alpha beta gamma delta epsilon zeta eta theta iota"))
        await pilot.pause()
        body = pane.query_one(".reading-pane--body")
        # Selection offsets are (column, line) of the laid-out text: the item's line is split
        # in two there, the hanging row being a line of its own.
        item = "• alpha beta gamma delta epsilon zeta eta theta iota"
        first = pane.plain.split("\n").index(item)
        app.screen.selections = {body: Selection(Offset(2, first), Offset(11, first + 1))}
        await pilot.pause()
        assert app.screen.get_selected_text() == "alpha beta gamma delta epsilon zeta\n  eta theta"
