"""OPML import/export."""

from __future__ import annotations

import pytest

from flows.ingest.errors import HostileFeedError, ParseError
from flows.ingest.opml import read_opml, write_opml
from storage.feeds import FeedSource

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="Journal &amp; Co" xmlUrl="https://journal.example/rss.xml" htmlUrl="https://journal.example/"/>
      <outline text="Asia">
        <outline type="rss" text="Seoul wire" title="Seoul Wire" xmlUrl="https://seoul.example/feed" language="en"/>
      </outline>
    </outline>
    <outline type="rss" text="Duplicate" xmlUrl="https://journal.example/rss.xml"/>
    <outline type="link" text="Just a page" url="https://page.example/"/>
    <outline type="rss" xmlurl="https://lower.example/feed"/>
  </body>
</opml>"""


def test_read_nested_outlines() -> None:
    assert read_opml(NESTED) == [
        FeedSource(name="Journal & Co", url="https://journal.example/rss.xml", language=None),
        FeedSource(name="Seoul Wire", url="https://seoul.example/feed", language="en"),
        FeedSource(
            name="https://lower.example/feed", url="https://lower.example/feed", language=None
        ),
    ]


def test_round_trip() -> None:
    feeds = [
        FeedSource(
            name="Le Monde – International",
            url="https://lemonde.example/rss?a=1&b=2",
            language="fr",
        ),
        FeedSource(name='Wire "A" <B>', url="https://wire.example/feed.xml"),
    ]
    document = write_opml(feeds)
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert read_opml(document) == feeds


def test_empty_list_round_trip() -> None:
    assert read_opml(write_opml([])) == []


def test_entity_declarations_are_refused() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://e.example/"/></body></opml>'
    )
    with pytest.raises(HostileFeedError):
        read_opml(hostile)


def test_undefined_entity_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="malformed OPML"):
        read_opml(
            b'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://e.example/"/></body></opml>'
        )


@pytest.mark.parametrize(
    "content",
    [b"<rss version='2.0'></rss>", b"", b"not xml", b"<opml version='2.0'><head/></opml>"],
)
def test_not_opml(content: bytes) -> None:
    with pytest.raises(ParseError):
        read_opml(content)
