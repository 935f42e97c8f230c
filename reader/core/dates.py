"""Date sanity shared by every loader: absurd dates are unknown, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)


def plausible(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """Return ``value`` if it lies between 1970 and two days from now, else None.

    Naive datetimes are compared as if they were UTC and returned unchanged.
    """
    if value is None:
        return None
    now = now or datetime.now(UTC)
    try:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if abs(aware.utcoffset() or timedelta()) > timedelta(hours=18):
            return None
        if aware < EARLIEST or aware > now + FUTURE_SLACK:
            return None
    except (OverflowError, ValueError):
        return None
    return value


def isoformat(value: datetime | None) -> str | None:
    """ISO 8601 with the offset when known, without when the source gave none."""
    return None if value is None else value.isoformat()
