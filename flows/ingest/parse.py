"""Feed parsing: bytes in, a clean :class:`ParsedFeed` out, or a clear per-feed error.

Steps (see docs/parsing.md):

1. refuse what is not a feed before any parser runs: empty body, binary data (magic numbers,
   NUL bytes), HTML pages (with anti-bot block pages named), plain text, JSON that is not a
   JSON Feed, XML whose root is not a feed;
2. decode the bytes ourselves (:mod:`flows.ingest.encoding`), then run the hostile-XML guard
   (:mod:`flows.ingest.guard`) which refuses entity declarations and strips the DOCTYPE;
3. hand feedparser UTF-8 bytes with a matching declaration (so it never re-guesses), with
   ``sanitize_html=False, resolve_relative_uris=False``: text is cleaned here, and only links
   (not HTML bodies) need resolving; JSON Feed is parsed here with :mod:`json`;
4. build entries: stable id, absolute link, clean title and summary, UTC date by the rule in
   :func:`normalise_date`.
"""

from __future__ import annotations

import calendar
import hashlib
import html as html_lib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from flows.ingest.encoding import charset_from_headers, decode_document, repair_mojibake
from flows.ingest.errors import HostileFeedError, NotAFeedError, ParseError
from flows.ingest.guard import scan_prolog
from flows.ingest.urls import canonicalize_url, resolve_url

log = logging.getLogger(__name__)

OLDEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
DATE_LANGUAGES: tuple[str, ...] = ("fr", "en", "de", "es", "it", "pt", "ru")
MAX_AUTHOR_CHARS = 500
MAX_TTL_SECONDS = 365 * 86400


@dataclass(frozen=True)
class ParsedEntry:
    guid: str
    link: str | None
    title: str
    summary: str
    published: datetime | None
    author: str | None
    language: str | None


@dataclass(frozen=True)
class ParsedFeed:
    format: str
    title: str | None
    link: str | None
    language: str | None
    ttl_seconds: int | None
    entries: list[ParsedEntry]
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- sniffing

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"(\xb5/\xfd", "zstd data"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!", "rar archive"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"OggS", "audio"),
    (b"ID3", "audio"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"wOFF", "font"),
    (b"wOF2", "font"),
)
_RIFF = b"RIFF"
# Anti-bot and block pages: (marker, name of the blocker), looked for in the first 64 kB of a
# document whose root is HTML, most specific first. Only markers of the block or challenge page
# itself: the scripts these services inject into ordinary pages (Cloudflare's
# /cdn-cgi/challenge-platform/scripts, DataDome's js.datadome.co tag) are not evidence.
_BLOCK_MARKERS: tuple[tuple[str, str], ...] = (
    ("cf-browser-verification", "Cloudflare"),
    ("<title>just a moment...</title>", "Cloudflare"),
    ("attention required! | cloudflare", "Cloudflare"),
    ("cf_chl_opt", "Cloudflare"),
    ("cf-error-details", "Cloudflare"),
    ("captcha-delivery.com", "DataDome"),
    ("errors.edgesuite.net", "Akamai"),
    ("incapsula incident id", "Imperva"),
    ("sucuri website firewall", "Sucuri"),
    ("px-captcha", "PerimeterX"),
    ("<title>ddos-guard</title>", "DDoS-Guard"),
    ("<title>access denied</title>", "the server (access denied)"),
    ("<title>403 forbidden</title>", "the server (403 forbidden)"),
)
_NOT_FOUND_TITLE = re.compile(
    r"\b404\b|not found|introuvable|non trouv|n'existe pas|nicht gefunden|no encontrad",
    re.IGNORECASE,
)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
_HTML_ROOTS = frozenset({"html", "head", "body", "meta", "title", "link", "script", "div", "p"})


def _binary_kind(content: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content.startswith(_RIFF) and content[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "RIFF media"
    return None


def _html_rejection(text: str, warnings: list[str]) -> NotAFeedError:
    head = text[:65536]
    low = html_lib.unescape(head).lower()  # Akamai writes "errors&#46;edgesuite&#46;net"
    for marker, blocker in _BLOCK_MARKERS:
        if marker in low:
            return NotAFeedError(f"blocked by {blocker}")
    m = _HTML_TITLE.search(head)
    title = clean_text(m.group(1), html=True)[:120] if m else ""
    if title and _NOT_FOUND_TITLE.search(title):
        return NotAFeedError(f"not a feed: HTML page (page not found: {title!r})")
    return NotAFeedError(f"not a feed: HTML page ({title!r})" if title else "not a feed: HTML page")


def _is_feed_root(root: str) -> bool:
    return root.rsplit(":", 1)[-1].lower() in _FEED_ROOTS


# --------------------------------------------------------------------------- text


_SKIP_TAGS = "script|style|noscript|iframe|template|svg|object"
_BLOCK_TAGS = (
    "p|br|div|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|section|article|header|footer"
    "|figure|figcaption|hr|dd|dt|pre"
)
# Regular expressions rather than an HTML parser: on the 5,869 titles, summaries and contents
# of the shared corpus they give exactly html.parser's text, about twice as fast.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SKIPPED = re.compile(rf"<({_SKIP_TAGS})\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
_BLOCK = re.compile(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>", re.IGNORECASE)
# Soft hyphen, zero-width space, word joiner, BOM used as zero-width no-break space.
_INVISIBLE = ("\xad", "\u200b", "\u2060", "\ufeff")
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<![^>]*>|<\?[^>]*>")
# Characters XML 1.0 forbids (C0 controls but tab/newline/return, lone surrogates, U+FFFE and
# U+FFFF): feedparser's lenient parser passes them through, PostgreSQL refuses NUL in text, and
# SQLite cannot encode a lone surrogate. Tab, newline and return are whitespace, collapsed later.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str | None, *, html: bool) -> str:
    """Plain text of a feed field: tags dropped (with the content of script, style, iframe...),
    entities decoded, double-encoded UTF-8 undone, soft hyphens and zero-width spaces removed,
    whitespace (including no-break spaces) collapsed to single spaces.
    With ``html=False`` the value is only trimmed and its whitespace collapsed."""
    if not value:
        return ""
    if html:
        if "<" in value:
            value = _COMMENT.sub(" ", value)
            value = _SKIPPED.sub(" ", value)
            value = _BLOCK.sub(" ", value)
            value = _TAG.sub("", value)
        if "&" in value:
            value = html_lib.unescape(value)
    value = repair_mojibake(value)
    value = _FORBIDDEN_CHARS.sub(" ", value)
    for invisible in _INVISIBLE:  # they split words for keyword matching ("Pyong\xadyang")
        if invisible in value:
            value = value.replace(invisible, "")
    return " ".join(value.split())  # str.split: every Unicode space, no-break ones included


# --------------------------------------------------------------------------- dates

_RFC822_ZONES = frozenset(
    {"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
)
# dateparser reads almost anything as a date ("5" is the 5th of this month): only strings with
# a four-digit year go to it. Two-digit years are RFC 822 and feedparser reads them.
_HAS_YEAR = re.compile(r"\d{4}")
_TRAILING_ZONE = re.compile(r"\b([A-Za-z]{2,5})\s*$")


def _has_odd_zone(raw: str) -> bool:
    m = _TRAILING_ZONE.search(raw)
    if m is None:
        return False
    zone = m.group(1)
    return zone.isupper() and zone not in _RFC822_ZONES and not zone.isdigit()


def _dateparser_parse(raw: str, languages: tuple[str, ...]) -> datetime | None:
    import dateparser  # imported late: about 0.2 s, needed only for odd dates

    try:
        value = dateparser.parse(
            raw,
            languages=list(languages),
            settings={
                "TIMEZONE": "UTC",
                "TO_TIMEZONE": "UTC",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DAY_OF_MONTH": "first",
            },
        )
    except (ValueError, OverflowError, TypeError):
        return None
    return value.astimezone(UTC) if value is not None else None


def normalise_date(
    parsed: datetime | None,
    raw: str | None,
    *,
    now: datetime,
    language: str | None,
    warnings: list[str],
) -> datetime | None:
    """The publication date rule.

    * feedparser's parsed value is used, unless the raw string ends in an alphabetic zone that
      is not an RFC 822 one (``CET``, ``CEST``, ``MSK``, ``KST``...), which feedparser reads
      as UTC; then, and when feedparser could not parse the string at all (French or German
      month names...), dateparser reads the raw string (to UTC, zone-less times taken as UTC);
    * missing or unreadable: None (the pipeline then uses the time it first saw the entry);
    * before 1990: None, with a warning;
    * more than one day after ``now``: clamped to ``now``, with a warning.
    """
    value = parsed
    if raw and _HAS_YEAR.search(raw) and (value is None or _has_odd_zone(raw)):
        langs = DATE_LANGUAGES
        if language and language not in langs:
            langs = (language, *langs)
        value = _dateparser_parse(raw, langs) or value
    if value is None:
        if raw and raw.strip():
            warnings.append(f"unreadable date {raw.strip()[:60]!r}")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value < OLDEST_PLAUSIBLE:
        warnings.append(f"implausible date {value.isoformat()} ignored")
        return None
    if value > now + FUTURE_TOLERANCE:
        warnings.append(f"future date {value.isoformat()} clamped to now")
        return now
    return value


def _struct_to_datetime(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


# --------------------------------------------------------------------------- ids and links


def derive_guid(link: str | None, title: str, date_raw: str | None, summary: str) -> str:
    """A stable id for an entry without one: a hash of its canonical link, else of its text."""
    if link:
        basis = "link\x00" + canonicalize_url(link)
    else:
        basis = "\x00".join(("text", title, date_raw or "", summary))
    return "sha1:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()


_URL_STRIPPED = re.compile("[\t\n\r\ud800-\udfff\ufffe\uffff]")
_URL_CONTROLS = re.compile("[\x00-\x1f\x7f]")


def _url_text(href: str) -> str:
    """``href`` as a URL parser reads it: tabs and newlines removed (as browsers do), other
    control characters percent-encoded, lone surrogates dropped. A NUL never reaches storage."""
    href = _URL_STRIPPED.sub("", href)
    return _URL_CONTROLS.sub(lambda m: f"%{ord(m.group()):02X}", href)


def _absolute_http(base: str, href: str | None) -> str | None:
    if not href or not href.strip():
        return None
    link = resolve_url(base, _url_text(href))
    if not link.lower().startswith(("http://", "https://")):
        return None
    return link


def _language_tag(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    if not tag:
        return None
    primary = tag.split("-", 1)[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


# --------------------------------------------------------------------------- entry point


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    max_entries: int = 500,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a fetched feed body; raise NotAFeedError, HostileFeedError or ParseError.

    ``url`` is the URL the body came from (after redirects): relative links are resolved
    against it, or against the response's ``Content-Location`` when ``headers`` has one.
    ``now`` is the reference for the future-date rule.
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    location = _header(headers, "content-location")
    if location:
        url = resolve_url(url, location)
    if not content or content.isspace():
        raise NotAFeedError("not a feed: empty body")
    kind = _binary_kind(content)
    if kind is not None:
        raise NotAFeedError(f"not a feed: binary data ({kind})")

    decoded = decode_document(content, charset_from_headers(headers))
    warnings = list(decoded.warnings)
    text = decoded.text
    if "\x00" in text[:4096]:
        raise NotAFeedError("not a feed: binary data")
    stripped = text.lstrip()
    if not stripped:
        raise NotAFeedError("not a feed: empty body")
    if stripped[0] in "{[":
        return _parse_json_feed(
            stripped, url=url, max_entries=max_entries, now=now, warnings=warnings
        )

    prolog = scan_prolog(text)
    warnings.extend(prolog.warnings)
    if prolog.root is None:
        if "<html" in text[:65536].lower():
            raise _html_rejection(text, warnings)
        if "<" not in text[:4096]:
            raise NotAFeedError("not a feed: plain text")
        raise NotAFeedError("not a feed: no XML root element")
    root = prolog.root
    if not _is_feed_root(root):
        # An HTML DOCTYPE in front of a feed root is tolerated (feeds exist with one); in front
        # of anything else, as with an HTML root element, it is a page.
        if root.lower() in _HTML_ROOTS or (prolog.doctype or "").lower() == "html":
            raise _html_rejection(text, warnings)
        raise NotAFeedError(f"not a feed: XML document with root <{root}>")
    return _parse_xml_feed(
        prolog.utf8_document(),
        root=root,
        url=url,
        max_entries=max_entries,
        now=now,
        warnings=warnings,
    )


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value.strip() or None
    return None


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")


def _is_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def drop_forbidden_char_refs(body: bytes) -> tuple[bytes, int]:
    """``body`` without the character references to characters XML forbids (``&#0;``,
    ``&#xD800;``, ``&#x110000;``...), and how many there were. feedparser's lenient parser
    turns them into NULs or lone surrogates, or raises ValueError/OverflowError on ``chr()``."""
    if b"&#" not in body:
        return body, 0
    dropped = 0

    def keep(match: re.Match[bytes]) -> bytes:
        nonlocal dropped
        hex_digits, digits = match.group(1), match.group(2)
        written = (hex_digits or digits).lstrip(b"0")
        if len(written) <= 8:  # longer is beyond U+10FFFF (and int() refuses 4,300 digits)
            code = int(hex_digits, 16) if hex_digits is not None else int(digits)
        else:
            code = -1
        if _is_xml_char(code):
            return match.group(0)
        dropped += 1
        return b""

    return _CHAR_REF.sub(keep, body), dropped


# feedparser's strict parser looks each attribute up by name in a list (sax's
# getValueByQName), so one element's cost grows with the square of its attribute count: 8,000
# attributes take seconds, 50,000 minutes. No feed element has more than a few dozen.
MAX_ATTRIBUTES = 100
_START_TAG = re.compile(rb"<[A-Za-z_][^<>]*>")


def refuse_attribute_floods(body: bytes) -> None:
    """Raise HostileFeedError when one tag carries more than MAX_ATTRIBUTES attributes (counted
    as ``=`` signs: a cheap bound; the scan runs only when the whole body has that many)."""
    if body.count(b"=") <= MAX_ATTRIBUTES:
        return
    for match in _START_TAG.finditer(body):
        count = match.group().count(b"=")
        if count > MAX_ATTRIBUTES:
            raise HostileFeedError(
                f"an element with {count} attributes (more than {MAX_ATTRIBUTES}) refused"
            )


def _parse_xml_feed(
    body: bytes,
    *,
    root: str,
    url: str,
    max_entries: int,
    now: datetime,
    warnings: list[str],
) -> ParsedFeed:
    refuse_attribute_floods(body)
    body, dropped = drop_forbidden_char_refs(body)
    if dropped:
        warnings.append(f"{dropped} reference(s) to characters XML forbids dropped")
    try:
        result = feedparser.parse(
            body,
            response_headers=_feedparser_headers(body, url),
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (ValueError, OverflowError, LookupError, RecursionError, UnicodeError) as error:
        # feedparser's loose parser raises on some malformed input instead of setting bozo.
        raise ParseError(f"malformed feed: {type(error).__name__}: {error}"[:300]) from error
    entries_raw = result.get("entries", [])
    version = result.get("version", "") or ""
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        detail = f"{type(exc).__name__}: {exc}" if exc is not None else "unknown"
        if not entries_raw and not version:
            raise ParseError(f"malformed feed: {detail}"[:300])
        if _is_truncated(body, root):
            # A response cut short (server error mid-stream): its last entry may be cut too,
            # so the poll fails and the feed is read again at its next check.
            raise ParseError(f"malformed feed (truncated): {detail}"[:300])
        warnings.append(f"malformed XML read leniently: {detail}"[:300])
    fp_feed = result.get("feed", {})
    feed_language = _language_tag(fp_feed.get("language")) or _detail_language(fp_feed, "title")
    entries: list[ParsedEntry] = []
    for raw in entries_raw[: max(0, max_entries)]:
        entries.append(
            _xml_entry(raw, url=url, feed_language=feed_language, now=now, warnings=warnings)
        )
    if len(entries_raw) > max_entries:
        warnings.append(f"entries capped at {max_entries} of {len(entries_raw)}")
    return ParsedFeed(
        format=_format_name(version),
        title=clean_text(fp_feed.get("title"), html=_is_html_detail(fp_feed, "title")) or None,
        link=_absolute_http(url, fp_feed.get("link")),
        language=feed_language,
        ttl_seconds=_ttl_seconds(fp_feed),
        entries=entries,
        warnings=warnings,
    )


def _feedparser_headers(body: bytes, url: str) -> dict[str, str]:
    headers = {"content-type": "application/xml; charset=utf-8"}
    # With a base URL feedparser urljoins many elements (about 20 % of its time), so links are
    # resolved here instead; but its xml:base stack needs a base to restore a scope correctly.
    if b"xml:base" in body:
        headers["content-location"] = url
    return headers


def _is_truncated(body: bytes, root: str) -> bool:
    """No closing tag of the root element near the end (a missing final ">" is tolerated)."""
    return b"</" + root.lower().encode("ascii", "replace") not in body[-4096:].lower()


_FORMATS = {"rss091n": "rss091", "rss091u": "rss091", "json1": "json10", "json11": "json11"}


def _format_name(version: str) -> str:
    if not version:
        return "unknown"
    return _FORMATS.get(version, version)


def _detail_language(obj: Mapping[str, Any], key: str) -> str | None:
    detail = obj.get(f"{key}_detail")
    if isinstance(detail, Mapping):
        return _language_tag(detail.get("language"))
    return None


def _is_html_detail(obj: Mapping[str, Any], key: str) -> bool:
    detail = obj.get(f"{key}_detail")
    if isinstance(detail, Mapping):
        return "html" in str(detail.get("type", "text/html"))
    return True


_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}


def _ttl_seconds(fp_feed: Mapping[str, Any]) -> int | None:
    ttl = fp_feed.get("ttl")
    if ttl is not None:
        try:
            minutes = int(str(ttl).strip())
        except ValueError:
            minutes = 0
        if minutes > 0:
            # Capped: the column is a 32-bit integer and the schedule caps intervals at a day.
            return min(minutes * 60, MAX_TTL_SECONDS)
    period = str(fp_feed.get("sy_updateperiod", "")).strip().lower()
    if period in _PERIODS:
        try:
            frequency = max(1, int(str(fp_feed.get("sy_updatefrequency", "1")).strip() or 1))
        except ValueError:
            frequency = 1
        return _PERIODS[period] // frequency
    return None


def _xml_entry(
    raw: Mapping[str, Any],
    *,
    url: str,
    feed_language: str | None,
    now: datetime,
    warnings: list[str],
) -> ParsedEntry:
    # Plain dict look-ups: feedparser's own get() maps updated_parsed to published_parsed
    # with a DeprecationWarning; the fallback order is spelled out here instead.
    raw = dict(raw)
    title = clean_text(raw.get("title"), html=_is_html_detail(raw, "title"))
    summary_raw = raw.get("summary")
    summary_html = _is_html_detail(raw, "summary")
    if not summary_raw:
        content = raw.get("content")
        if content:
            first = content[0]
            summary_raw = first.get("value")
            summary_html = "html" in str(first.get("type", "text/html"))
    summary = clean_text(summary_raw, html=summary_html)
    link = _absolute_http(url, raw.get("link"))
    language = _detail_language(raw, "title") or _detail_language(raw, "summary") or feed_language
    date_raw = raw.get("published") or raw.get("updated") or raw.get("created")
    parsed_struct = (
        raw.get("published_parsed") or raw.get("updated_parsed") or raw.get("created_parsed")
    )
    published = normalise_date(
        _struct_to_datetime(parsed_struct),
        date_raw if isinstance(date_raw, str) else None,
        now=now,
        language=language,
        warnings=warnings,
    )
    guid = _FORBIDDEN_CHARS.sub("", str(raw.get("id") or "")).strip()
    if not guid:
        guid = derive_guid(link, title, date_raw if isinstance(date_raw, str) else None, summary)
    author = clean_text(raw.get("author"), html=True)[:MAX_AUTHOR_CHARS] or None
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        published=published,
        author=author,
        language=language,
    )


# --------------------------------------------------------------------------- JSON Feed


def _parse_json_feed(
    text: str, *, url: str, max_entries: int, now: datetime, warnings: list[str]
) -> ParsedFeed:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise NotAFeedError(f"not a feed: invalid JSON ({exc})") from exc
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise NotAFeedError("not a feed: JSON document that is not a JSON Feed")
    fmt = "json11" if version.rstrip("/").endswith("1.1") else "json10"
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseError("malformed JSON Feed: 'items' is not a list")
    feed_language = _language_tag(doc.get("language"))
    feed_author = _json_author(doc)
    entries: list[ParsedEntry] = []
    for item in items[: max(0, max_entries)]:
        if not isinstance(item, dict):
            warnings.append("JSON Feed item that is not an object skipped")
            continue
        entries.append(
            _json_entry(
                item,
                url=url,
                feed_language=feed_language,
                feed_author=feed_author,
                now=now,
                warnings=warnings,
            )
        )
    if len(items) > max_entries:
        warnings.append(f"entries capped at {max_entries} of {len(items)}")
    home = doc.get("home_page_url")
    return ParsedFeed(
        format=fmt,
        title=_json_title(doc.get("title")) or None,
        link=_absolute_http(url, _text(home)),
        language=feed_language,
        ttl_seconds=None,
        entries=entries,
        warnings=warnings,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _str(value: Any) -> str | None:
    """A string, or a number written as one (JSON Feed ids are sometimes numbers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _json_title(value: Any) -> str:
    """JSON Feed titles are plain text, but publishers often leave HTML entities in them."""
    text = _text(value) or ""
    if "&" in text:
        text = html_lib.unescape(text)
    return clean_text(text, html=False)


def _json_author(obj: Mapping[str, Any]) -> str | None:
    authors = obj.get("authors")
    if isinstance(authors, list):
        names = [
            str(a["name"])
            for a in authors
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
        if names:
            return ", ".join(names)
    author = obj.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        return str(author["name"])
    return None


def _parse_iso(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        return None


def _json_entry(
    item: Mapping[str, Any],
    *,
    url: str,
    feed_language: str | None,
    feed_author: str | None,
    now: datetime,
    warnings: list[str],
) -> ParsedEntry:
    title = _json_title(item.get("title"))
    summary = clean_text(_text(item.get("summary")), html=False)
    if not summary:
        summary = clean_text(_text(item.get("content_text")), html=False)
    if not summary:
        summary = clean_text(_text(item.get("content_html")), html=True)
    link = _absolute_http(url, _text(item.get("url")) or _text(item.get("external_url")))
    language = _language_tag(item.get("language")) or feed_language
    date_raw = _text(item.get("date_published")) or _text(item.get("date_modified"))
    published = normalise_date(
        _parse_iso(date_raw), date_raw, now=now, language=language, warnings=warnings
    )
    guid = _FORBIDDEN_CHARS.sub("", _str(item.get("id")) or "").strip()
    if not guid:
        guid = derive_guid(link, title, date_raw, summary)
    author = _json_author(item) or feed_author
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        published=published,
        author=author[:MAX_AUTHOR_CHARS] if author else None,
        language=language,
    )


__all__: list[str] = ["ParsedEntry", "ParsedFeed", "clean_text", "normalise_date", "parse_feed"]
