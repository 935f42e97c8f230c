"""The facade the TUI and the CLI call: open the library, load and refresh sources, read views.

Everything here is synchronous and thread-safe per call unless marked ``async``; the TUI
calls it from workers, never from a message handler.

CONTRACT (to be implemented; signatures are fixed, bodies raise until then):

    Library.open(path: Path | None = None) -> Library
        Opens (creating) the SQLite library at --db / READER_DB / platformdirs default.
        A corrupt or non-SQLite file is moved aside (``NAME.corrupt-<timestamp>``) and a fresh
        one is created with the subscriptions from ``subscriptions.opml`` and whatever
        read/starred state can still be read from the old file; ``library.messages`` then
        holds one line saying so.
    library.messages: list[str]                 # one-line notices for the user (never markup)
    library.storage: Storage                    # reader.storage.base.Storage

    # sources opened for this session only (``reader SOURCE...``): stored, not subscribed
    library.open_sources(specs: Sequence[str], *, on_result: Callable[[SourceOutcome], None],
                         cancelled: Callable[[], bool] = lambda: False) -> list[SourceOutcome]
        Loads files, directories (progressively; cleaned files cached by path, size, mtime),
        feed URLs, OPML lists (their feeds) and "-" (stdin). Calls on_result as each source
        (or each batch of a directory) finishes. A failed source gives an outcome with
        ``error`` set; the others still load.

    # subscriptions
    library.add(specs, *, folder=None) -> list[SourceOutcome]
    library.remove(specs_or_ids) -> int
    library.import_file(path) -> ImportReport ; library.export_opml() -> str
    async library.refresh(feed_ids=None, *, progress=None) -> RefreshSummary

    # views and state (ids are article ids)
    library.view(query: ArticleQuery) -> Sequence[int]
    library.rows(ids) -> list[ArticleRow] ; library.get(id) -> StoredArticle | None
    library.mark_read(ids, read=True) ; library.star(ids, starred) ; library.mark_all_read(feed_id|None)
    library.undo() -> bool                      # the last read/star/mark-all change
    async library.full_text(article_id) -> StoredArticle   # fetch + extract + store
"""
