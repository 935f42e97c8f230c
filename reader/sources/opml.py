"""OPML subscription lists: only http/https feed URLs come out, everything else is listed.

Policy: http and https ``xmlUrl`` values are imported. newsboat's ``exec:``/``filter:``
pseudo-URLs run shell commands and are refused, and so are absolute local paths: a list
downloaded from elsewhere must not point anywhere on this disk. The one exception is an
OPML file read from disk (``base_dir`` given) listing feed files *next to it*: a plain
relative path that stays inside its folder and names a regular file there. Rejected
outlines are listed, one line each, so the user sees what was left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reader.core import sanitize
from reader.core.errors import FeedError
from reader.sources.xmlsafe import RefusedXml, check_xml

MAX_OPML_BYTES = 10 * 2**20
_MAX_SHOWN_URL = 200


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One feed to subscribe to; ``folder`` is the first-level folder it sits in."""

    url: str
    title: str | None
    folder: str | None


@dataclass(frozen=True, slots=True)
class OpmlDocument:
    title: str | None
    outlines: tuple[OpmlOutline, ...]
    rejected: tuple[str, ...]  # one line each


def parse_opml(
    data: bytes, *, base_dir: Path | None = None, skip_local: bool = False
) -> OpmlDocument:
    """Parse an OPML document; raises FeedError with a one-line reason when unusable.

    Nesting of any depth is flattened (the tree is walked with an explicit stack);
    duplicates keep their first occurrence. ``skip_local``: ``file:`` outlines are left
    out without a word (a caller that reads them itself).
    """
    try:
        check_xml(data, max_bytes=MAX_OPML_BYTES)
    except RefusedXml as refused:
        raise FeedError(f"OPML rejected: {refused}") from None
    try:
        # Entity declarations were refused above, and ElementTree never fetches
        # external resources, so nothing here reads files or the network.
        root = ET.fromstring(data)
    except ET.ParseError as error:
        reason = sanitize.clean_line(str(error), limit=120) or "not well-formed"
        raise FeedError(f"not a valid OPML file ({reason})") from None
    if _local(root.tag) != "opml":
        raise FeedError("not an OPML file (the root element is not <opml>)")
    head = _child(root, "head")
    title_el = _child(head, "title") if head is not None else None
    title = sanitize.clean_line(title_el.text if title_el is not None else None)
    body = _child(root, "body")
    outlines: list[OpmlOutline] = []
    rejected: list[str] = []
    seen: set[str] = set()
    for element, folder in _outlines(body):
        _take(element, folder, outlines, rejected, seen, base_dir, skip_local)
    return OpmlDocument(title=title, outlines=tuple(outlines), rejected=tuple(rejected))


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _child(parent: ET.Element, name: str) -> ET.Element | None:
    for child in parent:
        if _local(child.tag) == name:
            return child
    return None


def _attr(element: ET.Element, name: str) -> str | None:
    """Attribute by case-insensitive name (xmlUrl, xmlurl and XMLURL all occur)."""
    for key, value in element.attrib.items():
        if key.lower() == name:
            return value
    return None


def _outlines(body: ET.Element | None) -> Iterator[tuple[ET.Element, str | None]]:
    """Every <outline>, with the title of the first-level folder it is in; iterative."""
    if body is None:
        return
    stack: list[tuple[ET.Element, str | None, int]] = [
        (child, None, 0) for child in reversed(list(body)) if _local(child.tag) == "outline"
    ]
    while stack:
        element, folder, depth = stack.pop()
        yield element, folder
        children = [c for c in element if _local(c.tag) == "outline"]
        if children:
            name = folder
            if depth == 0 and _attr(element, "xmlurl") is None:
                name = sanitize.clean_line(_attr(element, "text") or _attr(element, "title"))
            stack.extend((child, name, depth + 1) for child in reversed(children))


def _take(
    element: ET.Element,
    folder: str | None,
    outlines: list[OpmlOutline],
    rejected: list[str],
    seen: set[str],
    base_dir: Path | None = None,
    skip_local: bool = False,
) -> None:
    raw = _attr(element, "xmlurl")
    title = sanitize.clean_line(_attr(element, "title") or _attr(element, "text"))
    if raw is None:
        if len(element) == 0:  # a folder with no feeds or a stray outline
            rejected.append(f"skipped {_quote(title)} (no feed URL)")
        return
    url = sanitize.feed_address(raw) or _sibling_file(raw, base_dir)
    if url is None:
        local = raw.strip().lower().startswith("file:")
        if local and skip_local:
            return  # the caller reads the list's local paths itself
        why = ("a local path: reader import --local takes them from a list you trust"
               if local else "not an http/https URL")
        rejected.append(f"skipped {_shown(raw)} ({why})")
        return
    if url in seen:
        rejected.append(f"skipped {_shown(url)} (duplicate)")
        return
    seen.add(url)
    outlines.append(OpmlOutline(url=url, title=title, folder=folder))


def _sibling_file(raw: str, base_dir: Path | None) -> str | None:
    """A relative path to a regular file inside ``base_dir``, as a path string; else None."""
    if base_dir is None or not raw or sanitize.clean_line(raw) != raw or ":" in raw:
        return None
    relative = PurePosixPath(raw)
    if relative.is_absolute() or ".." in relative.parts or raw.startswith(("-", "~")):
        return None
    candidate = base_dir / relative
    try:
        inside = candidate.resolve().is_relative_to(base_dir.resolve())
        return str(candidate) if inside and candidate.is_file() else None
    except (OSError, ValueError):
        return None


def _shown(url: str) -> str:
    return sanitize.clean_line(url, limit=_MAX_SHOWN_URL) or "an empty URL"


def _quote(title: str | None) -> str:
    return f"outline \u201c{title}\u201d" if title else "an untitled outline"
