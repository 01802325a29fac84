"""Feed autodiscovery from HTML pages."""

from __future__ import annotations

from flows.ingest.discover import discover_feed_urls

PAGE = """<!DOCTYPE html><html><head><title>Journal</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="Une" href="/rss/une.xml">
<link rel="alternate" hreflang="en" type="text/html" href="/en/">
<LINK REL="Alternate" TYPE="application/atom+xml" HREF="https://cdn.example/atom.xml"/>
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/json" href="/wp-json/feed">
<link rel="alternate" type="application/rss+xml" href="/rss/une.xml">
<link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
<link rel="alternate" type="application/rss+xml" href="">
</head><body><link rel="alternate" type="application/rss+xml" href="/late.xml"></body></html>"""


def test_discovers_feeds_in_page_order_resolved_and_deduplicated() -> None:
    assert discover_feed_urls(PAGE, "https://journal.example/section/page.html") == [
        "https://journal.example/rss/une.xml",
        "https://cdn.example/atom.xml",
        "https://journal.example/section/feed.json",
        "https://journal.example/wp-json/feed",
        "https://journal.example/late.xml",
    ]


def test_base_href_is_honoured() -> None:
    html = b'<html><head><base href="/sub/"><link rel="alternate" type="application/rss+xml; charset=utf-8" href="f.xml"></head></html>'
    assert discover_feed_urls(html, "https://e.example/x/y") == ["https://e.example/sub/f.xml"]


def test_rel_with_several_tokens_and_bytes_input() -> None:
    html = "<link rel='feed alternate' type='application/rss+xml' href='/é.xml'>".encode("cp1252")
    assert discover_feed_urls(html, "https://e.example/") == ["https://e.example/é.xml"]


def test_page_without_feeds() -> None:
    assert (
        discover_feed_urls("<html><head></head><body>No feed</body></html>", "https://e.example/")
        == []
    )
