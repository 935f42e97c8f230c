"""Everything that turns input into Articles: files, directories, feeds, OPML, HTTP.

``reader.sources.load`` is the entry point (load_bytes, load_path, load_directory,
load_url, load_url_async, load_stdin, load_specs). Nothing is imported here, so that
importing a submodule stays cheap and feedparser/httpx load only when used.
"""
