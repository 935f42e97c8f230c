"""Sources: bytes in, parsed feeds, outline lists and fetched responses out.

Files and folder walks, decoding and sniffing, RSS/Atom/JSON feeds, OPML, safe HTTP.
Nothing here cleans or stores: ``reader.ingest`` joins these parsers to the cleaners.
Nothing is imported here, so that importing a submodule stays cheap.
"""
