"""OPML import and export of the feed list (``rudprk feeds import`` / ``export``).

Reading goes through the same hostile-XML guard as feeds: a DTD that declares entities is
refused, any other DOCTYPE is cut out, so expat never sees an entity definition and nothing
is fetched. Nested outlines (folders) are flattened; an outline is a feed when it has an
``xmlUrl`` attribute.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

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
    for outline in body.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        name = (attrs.get("title") or attrs.get("text") or "").strip() or url
        language = (attrs.get("language") or "").strip() or None
        feeds.append(FeedSource(name=name, url=url, language=language))
    return feeds


def write_opml(feeds: Sequence[FeedSource]) -> bytes:
    """An OPML 2.0 document listing ``feeds`` (name, URL and language of each)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = OPML_TITLE
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.language:
            attrs["language"] = feed.language
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
