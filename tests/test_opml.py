"""OPML import/export."""

from __future__ import annotations

import xml.etree.ElementTree as ET

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
        FeedSource(
            name="Journal & Co",
            url="https://journal.example/rss.xml",
            language=None,
            category="News",
        ),
        FeedSource(
            name="Seoul Wire", url="https://seoul.example/feed", language="en", category="News/Asia"
        ),
        FeedSource(
            name="https://lower.example/feed", url="https://lower.example/feed", language=None
        ),
    ]


CATEGORY_ATTRIBUTE = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><body>
  <outline type="rss" text="Tagged" xmlUrl="https://tagged.example/rss" category="/Korea/North, /Wires"/>
  <outline type="rss" text="Blank tag" xmlUrl="https://blank.example/rss" category=" , /"/>
  <outline text="Folder">
    <outline type="rss" text="Both" xmlUrl="https://both.example/rss" category="/Elsewhere"/>
  </outline>
  <outline text="">
    <outline type="rss" text="Untitled folder" xmlUrl="https://untitled.example/rss"/>
  </outline>
</body></opml>"""


def test_category_attribute_and_folders() -> None:
    categories = {feed.url: feed.category for feed in read_opml(CATEGORY_ATTRIBUTE)}
    assert categories == {
        "https://tagged.example/rss": "Korea/North",  # the first of the attribute's paths
        "https://blank.example/rss": None,
        "https://both.example/rss": "Folder",  # a folder wins over the attribute
        "https://untitled.example/rss": None,  # a folder without a title names nothing
    }


def test_categories_round_trip_as_folders() -> None:
    feeds = [
        FeedSource("Seoul Wire", "https://seoul.example/feed", "en", "News/Asia"),
        FeedSource("Loose", "https://loose.example/feed"),
        FeedSource("Journal", "https://journal.example/rss", "fr", "News"),
        FeedSource("Tokyo", "https://tokyo.example/feed", None, "News/Asia"),
    ]
    document = write_opml(feeds)
    assert read_opml(document) == [feeds[0], feeds[3], feeds[2], feeds[1]]  # grouped by folder
    body = ET.fromstring(document).find("body")
    assert body is not None
    (news,) = [o for o in body.findall("outline") if o.get("text") == "News"]
    assert news.get("xmlUrl") is None
    (asia,) = [o for o in news.findall("outline") if o.get("text") == "Asia"]
    assert [o.get("xmlUrl") for o in asia.findall("outline")] == [
        "https://seoul.example/feed",
        "https://tokyo.example/feed",
    ]
    assert asia.findall("outline")[0].get("category") == "/News/Asia"
    assert [o.get("text") for o in news.findall("outline") if o.get("xmlUrl")] == ["Journal"]


def test_deep_folders_do_not_exhaust_the_stack() -> None:
    depth = 5000
    document = (
        b"<opml version='2.0'><body>"
        + b"<outline text='f'>" * depth
        + b"<outline text='deep' xmlUrl='https://deep.example/rss'/>"
        + b"</outline>" * depth
        + b"</body></opml>"
    )
    (feed,) = read_opml(document)
    assert feed.category == "/".join(["f"] * depth)


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
