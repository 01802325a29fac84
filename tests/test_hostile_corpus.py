"""Opt-in: the shared hostile corpus and real feed snapshots (../shared, absent on users' machines).

Every file of ``../shared/corpus/hostile`` is handled as its MANIFEST.md says; the table below
is that manifest turned into expectations (one row per file, so a new file without a row fails).
Every file of ``../shared/corpus/feeds`` parses with at least one entry, except the Moscow
Times link-database exports, which SOURCES.md says are not raw feeds. Each parse runs under a
pytest-timeout budget, so a hang fails instead of stalling the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.ingest.encoding import decode_document
from flows.ingest.errors import HostileFeedError, NotAFeedError, ParseError
from flows.ingest.parse import ParsedFeed, parse_feed
from flows.ingest.urls import canonicalize_url

SHARED = Path(__file__).resolve().parents[2] / "shared"
HOSTILE = SHARED / "corpus" / "hostile"
FEEDS = SHARED / "corpus" / "feeds"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not HOSTILE.is_dir(), reason="../shared corpus is absent"),
]

URL = "http://127.0.0.1:8097/feed/index.xml"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
Check = Callable[[ParsedFeed], bool]


@dataclass(frozen=True)
class Expect:
    """``outcome``: "feed" (ParsedFeed with at least ``min_entries``), "hostile",
    "not_a_feed" (message matching ``match``) or "parse_error" (a plain ParseError)."""

    outcome: str
    match: str = ""
    min_entries: int = 0
    check: Check | None = None


def _titles(feed: ParsedFeed) -> str:
    return " ".join([feed.title or ""] + [e.title + " " + e.summary for e in feed.entries])


def _warned(fragment: str) -> Check:
    return lambda f: any(fragment in w for w in f.warnings)


def _all_links_absolute(f: ParsedFeed) -> bool:
    return all(e.link is None or e.link.startswith(("http://", "https://")) for e in f.entries)


HOSTILE_FILES: dict[str, Expect] = {
    # real accidents saved instead of a feed
    "realworld/binary-lockfile-named-xml_.~ast--articles.xml": Expect("not_a_feed", "binary data"),
    "realworld/cloudflare-block-page-instead-of-feed_20250210_Le Figaro - Etudiant.xml": Expect(
        "not_a_feed", "^blocked by Cloudflare$"
    ),
    "realworld/html-404-page-instead-of-feed_20250210_Flux RSS - BFMTV - Strasbourg.xml": Expect(
        "not_a_feed", r"^not a feed: HTML page \(page not found"
    ),
    "realworld/html-instead-of-feed_bfmtv-homepage_Flux-RSS.xml": Expect(
        "not_a_feed", "^not a feed: HTML page"
    ),
    # XML attacks: refused, never expanded nor fetched
    "defusedxml/cyclic.xml": Expect("hostile", "DTD declares entities"),
    "defusedxml/dtd.xml": Expect("not_a_feed", "^not a feed: HTML page"),
    "defusedxml/dtd_element.xml": Expect("not_a_feed", "root <test>"),
    "defusedxml/external.xml": Expect("hostile", "DTD declares entities"),
    "defusedxml/external_file.xml": Expect("hostile", "DTD declares entities"),
    "defusedxml/quadratic.xml": Expect("hostile", "DTD declares entities"),
    "defusedxml/xmlbomb.xml": Expect("hostile", "DTD declares entities"),
    "defusedxml/xmlbomb2.xml": Expect("hostile", "DTD declares entities"),
    # feed-rs fixtures
    "feed-rs/atom/atom_relative.xml": Expect("feed", min_entries=1, check=_all_links_absolute),
    "feed-rs/atom/atom_scattered.xml": Expect("feed", min_entries=1),
    "feed-rs/atom/atom_xml_base.xml": Expect("feed", min_entries=1, check=_all_links_absolute),
    "feed-rs/jsonfeed/jsonfeed_elastic_1.1.json": Expect(
        "feed",
        min_entries=1,
        check=lambda f: f.format == "json11" and f.entries[0].author is not None,
    ),
    "feed-rs/jsonfeed/jsonfeed_example_1.json": Expect(
        "feed",
        min_entries=1,
        check=lambda f: (
            f.format == "json10" and all(e.published is not None and e.link for e in f.entries)
        ),
    ),
    "feed-rs/jsonfeed/jsonfeed_spec_1.json": Expect(
        "feed", min_entries=1, check=lambda f: f.format == "json10"
    ),
    "feed-rs/rss0/rss_0.91_missing_id.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: f.entries[0].guid.startswith("sha1:") and f.entries[0].published is None,
    ),
    "feed-rs/rss1/rss_1.0_iso8859.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: "Glasfaserförderung" in _titles(f) and f.entries[0].published is not None,
    ),
    "feed-rs/rss2/rss_2.0_bbc.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].guid.startswith("urn:bbc:")
    ),
    "feed-rs/rss2/rss_2.0_dbengines.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].published is not None
    ),
    "feed-rs/rss2/rss_2.0_ghost_1.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].guid.startswith("sha1:")
    ),
    "feed-rs/rss2/rss_2.0_ilgiornale.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: f.entries[0].published == datetime(2022, 11, 15, 20, 15, 4, tzinfo=UTC),
    ),
    "feed-rs/rss2/rss_2.0_invalid_1.xml": Expect("parse_error", "malformed feed"),
    "feed-rs/rss2/rss_2.0_nbcny.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: f.entries[0].published == datetime(2023, 12, 16, 14, 2, 33, tzinfo=UTC),
    ),
    "feed-rs/rss2/rss_2.0_relurl_1.xml": Expect("feed", min_entries=2, check=_all_links_absolute),
    "feed-rs/rss2/rss_2.0_relurl_2.xml": Expect("feed", min_entries=1, check=_all_links_absolute),
    # feedparser: encodings
    "feedparser/encoding/bozo_bogus_encoding.xml": Expect("feed", check=_warned("bogus")),
    "feedparser/encoding/bozo_encoding_mismatch_crash.xml": Expect(
        "feed", min_entries=1, check=_warned("encoding repaired")
    ),
    "feedparser/encoding/bozo_http_text_plain.xml": Expect("feed"),
    "feedparser/encoding/bozo_invalid-bytes-with-bom.xml": Expect(
        "feed", check=_warned("malformed XML")
    ),
    "feedparser/encoding/bozo_linenoise.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: f.entries[0].summary.startswith("’") and "â€" not in f.entries[0].summary,
    ),
    "feedparser/encoding/demoronize-1.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].summary == "don’t"
    ),
    "feedparser/encoding/double-encoded-html.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].summary == "…"
    ),
    "feedparser/encoding/encoding_attribute_crash.xml": Expect("feed", min_entries=1),
    "feedparser/encoding/euc-kr.xml": Expect("feed", check=lambda f: f.title == "년"),
    "feedparser/encoding/http_text_xml_charset_overrides_encoding.xml": Expect(
        "feed", check=lambda f: f.format == "rss20"
    ),
    "feedparser/encoding/utf-16le-bom.xml": Expect("feed"),
    "feedparser/encoding/utf-32be-autodetect.xml": Expect("feed"),
    "feedparser/entities/doesnotexist.xml": Expect(
        "feed", check=lambda f: f.title == "testing &doesnotexist; entity"
    ),
    "feedparser/illformed-chardet/euckr.xml": Expect(
        "feed", min_entries=1, check=_warned("encoding repaired")
    ),
    "feedparser/illformed-chardet/koi8r.xml": Expect(
        "feed", min_entries=1, check=_warned("encoding repaired")
    ),
    # feedparser: ill-formed documents
    "feedparser/illformed/aaa_illformed.xml": Expect("feed", check=_warned("malformed XML")),
    "feedparser/illformed/always_strip_doctype.xml": Expect(
        "feed", check=lambda f: f.title == "found"
    ),
    "feedparser/illformed/http_high_bit_date.xml": Expect("feed"),
    "feedparser/illformed/rss_empty_document.xml": Expect("not_a_feed", "no XML root element"),
    "feedparser/illformed/rss_incomplete_cdata.xml": Expect("parse_error", "truncated"),
    "feedparser/illformed/rss_item_link_corrupted_ampersands.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].link == "http://link/get?a=1&b=2"
    ),
    "feedparser/illformed/undeclared_namespace.xml": Expect("feed", check=_warned("malformed XML")),
    "feedparser/json/example.json": Expect(
        "feed", min_entries=2, check=lambda f: f.title == "My Example Feed"
    ),
    "feedparser/wellformed-base/entry_content_xml_base_inherit_4.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].summary == "blah blah blah"
    ),
    "feedparser/wellformed-http/headers_content_location-relative.xml": Expect(
        "feed", check=lambda f: f.link == "http://127.0.0.1:8097/feed/absolute"
    ),
    "feedparser/wellformed-rdf/doctype_contains_entity_decl.xml": Expect(
        "feed", check=lambda f: f.format == "rss10"
    ),
    "feedparser/wellformed-rdf/rss_version_10.xml": Expect(
        "feed", check=lambda f: f.format == "rss10"
    ),
    "feedparser/wellformed-rss/item_guid_isPermaLink_ValueError.xml": Expect("feed", min_entries=1),
    "feedparser/wellformed-rss/item_guid_not_permalink_not_url.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].guid == "abc"
    ),
    # feedparser: dangerous HTML in content never reaches the clean text
    "feedparser/wellformed-sanitize/entry_content_crazy.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: "<" not in f.entries[0].summary and "function" not in f.entries[0].summary,
    ),
    "feedparser/wellformed-sanitize/entry_content_iframe.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].summary == "safe"
    ),
    "feedparser/wellformed-sanitize/entry_content_script_cdata.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].summary == "safe description"
    ),
    # miniflux: encodings and real feeds
    "miniflux/encoding/invalid-prolog.xml": Expect(
        "feed", min_entries=1, check=lambda f: f.entries[0].title == "Café"
    ),
    "miniflux/encoding/iso-8859-1-meta-after-1024.html": Expect(
        "not_a_feed", "^not a feed: HTML page"
    ),
    "miniflux/encoding/utf8-incorrect-prolog.xml": Expect(
        "feed",
        min_entries=1,
        check=lambda f: f.entries[0].title == "Café" and _warned("decoded as utf-8")(f),
    ),
    "miniflux/encoding/windows-1252-incorrect-prolog.xml": Expect(
        "feed", check=lambda f: f.title == "Euro €"
    ),
    "miniflux/encoding/windows-1252.xml": Expect("feed", check=lambda f: f.title == "Euro €"),
    "miniflux/parser/encoding_WINDOWS-1251.xml": Expect(
        "feed", min_entries=50, check=lambda f: "Цитата" in f.entries[0].title
    ),
    "miniflux/parser/large_atom.xml": Expect("feed", min_entries=25),
    "miniflux/parser/large_rss.xml": Expect("feed", min_entries=25),
    "miniflux/parser/no_encoding_ISO-8859-1.xml": Expect(
        "feed", min_entries=10, check=lambda f: "études" in _titles(f)
    ),
    "miniflux/parser/rdf_UTF8.xml": Expect(
        "feed", min_entries=60, check=lambda f: f.format == "rss090"
    ),
    "miniflux/xml/iso88591_utf8_mismatch.xml": Expect("not_a_feed", "root <note>"),
    # rss2email: real feeds and their notes
    "rss2email/bbc-chinese/README": Expect("not_a_feed", "plain text"),
    "rss2email/bbc-chinese/feed.atom": Expect(
        "feed", min_entries=2, check=lambda f: "白宫" in f.entries[0].title
    ),
    "rss2email/gmane/README": Expect("not_a_feed", "plain text"),
    "rss2email/gmane/feed.rss": Expect("feed", min_entries=5, check=lambda f: f.format == "rss10"),
    "rss2email/nodejs/feed1.xml": Expect("feed", min_entries=1),
    "rss2email/nodejs/feed2.xml": Expect("feed", min_entries=1),
    "rss2email/nodejs/feed3.xml": Expect("feed", min_entries=1),
}

_HEADER_LINE = re.compile(rb"^Header:\s*([\w-]+):\s*(.+?)\s*$", re.MULTILINE)


def _headers_from_fixture(content: bytes) -> dict[str, str]:
    """feedparser fixtures name the HTTP headers they expect in a leading comment."""
    head = content[:600]
    if b"\x00" in head:
        return {}
    return {k.decode(): v.decode() for k, v in _HEADER_LINE.findall(head)}


def _hostile_paths() -> list[str]:
    if not HOSTILE.is_dir():
        return []
    return sorted(
        str(p.relative_to(HOSTILE))
        for p in HOSTILE.rglob("*")
        if p.is_file() and p.name != "MANIFEST.md"
    )


def test_every_hostile_file_has_an_expectation() -> None:
    assert set(_hostile_paths()) == set(HOSTILE_FILES)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_file_is_handled_as_the_manifest_says(name: str) -> None:
    expect = HOSTILE_FILES[name]
    path = HOSTILE / name
    if not path.is_file():
        pytest.skip("file missing from this copy of the corpus")
    content = path.read_bytes()
    headers = _headers_from_fixture(content)
    if expect.outcome == "hostile":
        with pytest.raises(HostileFeedError, match=expect.match):
            parse_feed(content, url=URL, headers=headers, now=NOW)
    elif expect.outcome == "not_a_feed":
        with pytest.raises(NotAFeedError, match=expect.match):
            parse_feed(content, url=URL, headers=headers, now=NOW)
    elif expect.outcome == "parse_error":
        with pytest.raises(ParseError, match=expect.match) as info:
            parse_feed(content, url=URL, headers=headers, now=NOW)
        assert type(info.value) is ParseError
    else:
        feed = parse_feed(content, url=URL, headers=headers, now=NOW)
        assert len(feed.entries) >= expect.min_entries
        if expect.check is not None:
            assert expect.check(feed), feed


def test_decoding_layer_repairs_latin1_declared_as_utf8() -> None:
    decoded = decode_document((HOSTILE / "miniflux/xml/iso88591_utf8_mismatch.xml").read_bytes())
    assert "Anaïs" in decoded.text and "Jürgen" in decoded.text
    assert decoded.warnings


def test_decoding_layer_keeps_spain_after_a_utf8_bom() -> None:
    path = HOSTILE / "feedparser/encoding/bozo_invalid-bytes-with-bom.xml"
    assert "España" in decode_document(path.read_bytes()).text


def test_same_guid_across_the_nodejs_polls() -> None:
    guids = {
        parse_feed((HOSTILE / f"rss2email/nodejs/feed{i}.xml").read_bytes(), url=URL, now=NOW)
        .entries[0]
        .guid
        for i in (1, 2, 3)
    }
    assert len(guids) == 1


# ------------------------------------------------------------------ real feed snapshots

NOT_RAW_FEEDS = "themoscowtimes_rumca-json"


def _feed_paths() -> list[str]:
    if not FEEDS.is_dir():
        return []
    return sorted(
        str(p.relative_to(FEEDS))
        for p in FEEDS.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    )


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", _feed_paths())
def test_real_feed_snapshot_parses(name: str) -> None:
    content = (FEEDS / name).read_bytes()
    if name.startswith(NOT_RAW_FEEDS):
        with pytest.raises(NotAFeedError, match="not a JSON Feed"):
            parse_feed(content, url=URL, now=NOW)
        return
    feed = parse_feed(content, url=URL, now=NOW)
    assert feed.entries
    for entry in feed.entries:
        assert entry.guid
        assert entry.title == entry.title.strip() and "\n" not in entry.title
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
        assert entry.published is None or entry.published.tzinfo is not None


def test_two_digit_years_are_this_century() -> None:
    feed = parse_feed(
        (FEEDS / "franceinfo_fr/20250210_France Info - Les titres.xml").read_bytes(),
        url=URL,
        now=NOW,
    )
    years = {e.published.year for e in feed.entries if e.published}
    assert years == {2025}


def test_bogus_offset_keeps_the_items_dated() -> None:
    feed = parse_feed(
        (FEEDS / "blast_fr/20250210_Blast -- articles.xml").read_bytes(), url=URL, now=NOW
    )
    assert all(e.published is not None for e in feed.entries)


def test_feed_without_guids_gets_stable_link_ids() -> None:
    content = (FEEDS / "nzherald_gesab001/20211017T131840Z_nzherald.xml").read_bytes()
    first = parse_feed(content, url=URL, now=NOW)
    second = parse_feed(content, url=URL, now=NOW)
    assert [e.guid for e in first.entries] == [e.guid for e in second.entries]
    assert len({e.guid for e in first.entries}) == len(first.entries)


def test_bbc_tracking_parameters_canonicalise_away() -> None:
    feed = parse_feed(
        (FEEDS / "bbc_gesab001/20211017T131840Z_bbc.xml").read_bytes(), url=URL, now=NOW
    )
    tracked = [e for e in feed.entries if e.link and "at_medium" in e.link]
    assert tracked
    assert all("at_" not in canonicalize_url(e.link or "") for e in tracked)
