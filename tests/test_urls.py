"""canonicalize_url and resolve_url."""

from __future__ import annotations

import pytest

from flows.ingest.urls import canonicalize_url, resolve_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.COM/a", "http://www.example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com/a//b/./c/../d", "https://example.com/a/b/d"),
        ("https://example.com/news/index.html", "https://example.com/news"),
        ("https://example.com/index.php", "https://example.com/"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=3", "https://example.com/a?id=3"),
        ("https://example.com/a?fbclid=XYZ&gclid=1", "https://example.com/a"),
        ("https://www.lefigaro.fr/x.php?xtor=RSS-3208", "https://www.lefigaro.fr/x.php"),
        (
            "https://www.bbc.co.uk/news/world-123?at_medium=RSS&at_campaign=KARANGA",
            "https://www.bbc.co.uk/news/world-123",
        ),
        ("https://example.com/a?b=2&a=1&c=", "https://example.com/a?a=1&b=2&c="),
        ("https://example.com/a?tag=x&tag=y", "https://example.com/a?tag=x&tag=y"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com/%7Euser/caf%c3%a9", "https://example.com/~user/caf%C3%A9"),
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        ("https://example.com/story/amp", "https://example.com/story"),
        ("https://example.com/story/amp/", "https://example.com/story"),
        ("https://example.com/story.amp.html", "https://example.com/story"),
        ("https://example.com/story?outputType=amp", "https://example.com/story"),
        ("https://example.com/story?amp=1", "https://example.com/story"),
        ("https://example.com/story?outputType=full", "https://example.com/story?outputType=full"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://user:pw@Example.com/a", "https://user:pw@example.com/a"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
        ("urn:uuid:1234", "urn:uuid:1234"),
        ("https://[::1", "https://[::1"),
    ],
)
def test_canonicalize_url(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_canonicalize_is_idempotent() -> None:
    url = "HTTPS://Example.com:443/a/./b/index.html?utm_campaign=x&z=1&a=2#top"
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once == "https://example.com/a/b?a=2&z=1"


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("https://e.com/feed/rss.xml", "/a/1", "https://e.com/a/1"),
        ("https://e.com/feed/rss.xml", "a/1", "https://e.com/feed/a/1"),
        ("https://e.com/feed/", "../b", "https://e.com/b"),
        ("https://e.com/feed", "//cdn.e.com/x", "https://cdn.e.com/x"),
        ("https://e.com/feed", " https://other.com/x ", "https://other.com/x"),
        ("", "relative/x", "relative/x"),
    ],
)
def test_resolve_url(base: str, href: str, expected: str) -> None:
    assert resolve_url(base, href) == expected
