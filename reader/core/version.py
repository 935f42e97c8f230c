"""The reader's version (read by setuptools and shown by ``reader --version``)."""

__version__ = "0.1.0"
