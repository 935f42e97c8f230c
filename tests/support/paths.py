"""Where things are, for every test layer."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"
HOSTILE = FIXTURES / "hostile"
SUPPORT = TESTS / "support"
SAMPLES = ROOT / "sample_feeds"
SHARED = ROOT.parent / "shared"  # ../shared beside the checkout, when there is one
