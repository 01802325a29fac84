"""Main text of an article page with trafilatura (reader comments excluded), or why there is none.

trafilatura runs with ``include_comments=False`` (its default keeps reader comments) and
``favor_precision=True`` (on short pages the recall-oriented fallbacks returned the navigation).

``body_status`` values stored with each article:

* ``full`` — the page's main text was extracted and is used for detection;
* ``paywall`` — the page announces a paywall (JSON-LD ``isAccessibleForFree: false`` or a
  subscriber-only notice) and its text is shorter than :data:`PAYWALL_MIN_CHARS`;
* ``too_short`` — extraction returned less than :data:`MIN_BODY_CHARS` characters;
* ``extraction_failed`` — trafilatura found nothing;
* ``robots`` — robots.txt forbids the page; ``fetch_error: …`` — the page could not be fetched;
* ``not_fetched`` — the entry did not pass the relevance prefilter; ``not_fetched: old`` and
  ``not_fetched: page limit`` — too old, or over the per-feed page budget (set by the harvest).

In every case except ``full`` the feed summary stays the article's text.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura

log = logging.getLogger(__name__)

MIN_BODY_CHARS = 200
PAYWALL_MIN_CHARS = 1200

_LANG_ATTR = re.compile(
    rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_NOT_FREE = re.compile(rb"[\"']isAccessibleForFree[\"']\s*:\s*[\"']?(?:false|False)", re.I)
_PAYWALL_PHRASES = re.compile(
    r"(réservé aux abonnés|article réservé|abonnez-vous pour lire|pour lire la suite|"
    r"subscribe to (?:continue|read)|subscribers only|subscriber-only|"
    r"already a subscriber|this article is for subscribers)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ExtractedArticle:
    """What an article page gave: ``text`` is ``None`` unless ``status == 'full'``."""

    status: str
    text: str | None = None
    title: str | None = None
    published: datetime | None = None
    language: str | None = None


def page_language(html: bytes) -> str | None:
    """The language the page declares on ``<html lang>``, as a lower-case ISO 639 code."""
    match = _LANG_ATTR.search(html[:20_000])
    return match.group(1).decode("ascii").lower() if match else None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if it names a known codec."""
    if not content_type:
        return None
    match = _CHARSET.search(content_type)
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:
        return None


def decode_page(html: bytes, charset: str | None) -> bytes | str:
    """Text decoded with the HTTP charset when it fits; else the bytes, for trafilatura to sniff.

    A byte-order mark wins over the header, and the header over ``<meta charset>`` (the order
    browsers use); bytes that the declared charset cannot decode are left to the sniffer.
    """
    if charset is None or html.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        return html
    try:
        return html.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return html


def extract_article(html: bytes, url: str, *, charset: str | None = None) -> ExtractedArticle:
    """Extract the main text, title, date and language of an article page (pure, no I/O).

    ``charset`` is the one the HTTP response declared, if any.
    """
    language = page_language(html)
    try:
        document = trafilatura.bare_extraction(
            decode_page(html, charset),
            url=url,
            include_comments=False,
            favor_precision=True,
            with_metadata=True,
            include_tables=False,
        )
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        log.info("extraction failed", extra={"url": url, "error": str(exc)})
        return ExtractedArticle(status="extraction_failed", language=language)
    if document is None:
        return ExtractedArticle(status="extraction_failed", language=language)
    text = (getattr(document, "text", None) or "").strip()
    title = getattr(document, "title", None) or None
    published = _parse_date(getattr(document, "date", None))
    declared_not_free = bool(_NOT_FREE.search(html))
    if (declared_not_free or _PAYWALL_PHRASES.search(text[-600:] or "")) and len(
        text
    ) < PAYWALL_MIN_CHARS:
        return ExtractedArticle(
            status="paywall", title=title, published=published, language=language
        )
    if len(text) < MIN_BODY_CHARS:
        return ExtractedArticle(
            status="too_short", title=title, published=published, language=language
        )
    return ExtractedArticle(
        status="full", text=text, title=title, published=published, language=language
    )
