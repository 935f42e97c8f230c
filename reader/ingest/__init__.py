"""The loading layer: where sources meet cleaning.

Bytes, files, folders, URLs and standard input become cleaned articles here, and only
here: the plain-text and HTML cleaners and the feed parsers are joined by this package, so
``reader dump``, ``reader DIR``, the library and the refresh all load the same way.
"""
