"""The reader's main screen: the app composes into it (see ``ReaderApp.compose``)."""

from __future__ import annotations

from textual import events
from textual.screen import Screen


class MainScreen(Screen[None]):
    """Two things Textual would do before the first paint, twice:

    * it restyles every widget when a screen is resumed. The first resume comes right
      after the widgets were mounted, and so styled, with the same stylesheet;
    * it gives the focus to the first focusable widget (the feeds), which the app then
      moves to the list: both restyled.
    """

    AUTO_FOCUS = "#articles"

    def __init__(self) -> None:
        super().__init__(id="_default")
        self._resumed = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # runs before Screen's own handler (subclass first), which reads refresh_styles
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
