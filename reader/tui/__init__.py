"""The terminal interface: the only package that imports Textual.

``run_tui`` (in ``reader.tui.app``) is what ``reader`` calls; the domain never imports this.
"""
