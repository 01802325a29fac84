"""Feed autodiscovery: the ``<link rel="alternate">`` feeds an HTML page announces."""

from __future__ import annotations

from html.parser import HTMLParser

from flows.ingest.encoding import decode_document
from flows.ingest.urls import resolve_url

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
# Autodiscovery links live in <head>; a page is read up to this many characters at most.
MAX_HTML_CHARS = 1_000_000


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and self.base is None:
            href = dict(attrs).get("href")
            if href:
                self.base = href.strip()
        elif tag == "link":
            values = {k.lower(): (v or "") for k, v in attrs}
            rels = values.get("rel", "").lower().split()
            kind = values.get("type", "").split(";", 1)[0].strip().lower()
            href = values.get("href", "").strip()
            if "alternate" in rels and kind in FEED_TYPES and href:
                self.hrefs.append(href)

    handle_startendtag = handle_starttag


def discover_feed_urls(html: bytes | str, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the feeds a page links to, in page order, without duplicates.

    Relative hrefs are resolved against the page's ``<base href>`` (itself resolved against
    ``base_url``) or ``base_url``.
    """
    text = decode_document(html).text if isinstance(html, bytes) else html
    collector = _LinkCollector()
    collector.feed(text[:MAX_HTML_CHARS])
    collector.close()
    base = resolve_url(base_url, collector.base) if collector.base else base_url
    found: list[str] = []
    seen: set[str] = set()
    for href in collector.hrefs:
        url = resolve_url(base, href)
        if not url.lower().startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        found.append(url)
    return found
