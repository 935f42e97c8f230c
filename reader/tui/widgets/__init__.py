"""The reader's widgets: the feeds pane, the article list, the search bar, the reading pane."""
