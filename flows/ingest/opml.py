"""OPML import and export of the feed list (``rudprk feeds import`` / ``export``).

Reading goes through the same hostile-XML guard as feeds: a DTD that declares entities is
refused, any other DOCTYPE is cut out, so expat never sees an entity definition and nothing
is fetched. An outline is a feed when it has an ``xmlUrl`` attribute; the outlines without one
that enclose it (folders) are its category, as a path (``News/Asia``). A feed outside any folder
takes the first entry of its OPML 2.0 ``category`` attribute instead (``/News/Asia,/Other``).
Writing nests the feeds in folders by category again and sets their ``category`` attribute too,
so readers that know either way keep it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence

from flows.ingest.encoding import decode_document
from flows.ingest.errors import ParseError
from flows.ingest.guard import scan_prolog
from storage.feeds import FeedSource

OPML_TITLE = "rudprk-watch feeds"


def read_opml(content: bytes) -> list[FeedSource]:
    """The feeds listed in an OPML document, in document order, first of each URL kept.

    Raises HostileFeedError for entity declarations and ParseError for anything that is not
    well-formed OPML.
    """
    prolog = scan_prolog(decode_document(content).text)
    if prolog.root is None or prolog.root.lower() != "opml":
        raise ParseError("not an OPML document")
    try:
        root = ET.fromstring(prolog.body.encode("utf-8"))
    except ET.ParseError as exc:
        raise ParseError(f"malformed OPML: {exc}") from exc
    body = root.find("body")
    if body is None:
        raise ParseError("malformed OPML: no <body>")
    feeds: list[FeedSource] = []
    seen: set[str] = set()
    for outline, folders in _outlines(body):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        name = (attrs.get("title") or attrs.get("text") or "").strip() or url
        language = (attrs.get("language") or "").strip() or None
        category = "/".join(folders) or _first_category(attrs.get("category"))
        feeds.append(FeedSource(name=name, url=url, language=language, category=category))
    return feeds


def _outlines(body: ET.Element) -> Iterator[tuple[ET.Element, tuple[str, ...]]]:
    """Every outline under ``body`` in document order, with the folder titles enclosing it
    (iterative: a hostile document's depth cannot exhaust the stack)."""
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(body.findall("outline"))
    ]
    while stack:
        outline, folders = stack.pop()
        yield outline, folders
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        inner = folders
        if not (attrs.get("xmlurl") or "").strip():
            title = (attrs.get("title") or attrs.get("text") or "").strip()
            inner = (*folders, title) if title else folders
        stack.extend((child, inner) for child in reversed(outline.findall("outline")))


def _first_category(value: str | None) -> str | None:
    """``/News/Asia,/Other`` → ``News/Asia``; ``None`` when empty."""
    for entry in (value or "").split(","):
        path = "/".join(part.strip() for part in entry.split("/") if part.strip())
        if path:
            return path
    return None


def _folder_path(category: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (category or "").split("/") if part.strip())


def write_opml(feeds: Sequence[FeedSource]) -> bytes:
    """An OPML 2.0 document listing ``feeds`` (name, URL, language and category of each), in
    folders by category, folders in the order their first feed comes."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = OPML_TITLE
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: tuple[str, ...]) -> ET.Element:
        if path not in folders:
            folders[path] = ET.SubElement(
                folder(path[:-1]), "outline", text=path[-1], title=path[-1]
            )
        return folders[path]

    for feed in feeds:
        path = _folder_path(feed.category)
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.language:
            attrs["language"] = feed.language
        if path:
            attrs["category"] = "/" + "/".join(path)
        ET.SubElement(folder(path), "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
