"""Core: the types, errors, settings and small text rules every layer shares.

Core imports nothing else of ``reader``; every other layer may import it.
"""
