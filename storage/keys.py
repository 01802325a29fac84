"""Deduplication keys: stable hashes of GUIDs, canonical URLs and normalised text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """Case-folded, NFKC-normalised, punctuation-free text with whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _NON_WORD.sub(" ", text)
    return _WS.sub(" ", text).strip()


def guid_key(guid: str) -> str:
    return sha256_hex(guid.strip())


def url_key(canonical_url: str) -> str:
    """Key of a URL already canonicalised by the caller (see ``flows.ingest.urls``)."""
    return sha256_hex(canonical_url)


def content_key(title: str, text: str, *, min_chars: int = 80) -> str | None:
    """Key of the normalised title + text; ``None`` when there is too little text to be distinctive."""
    norm = normalise_text(f"{title} {text}")
    if len(norm) < min_chars:
        return None
    return sha256_hex(norm)


def entry_key(title: str, summary: str) -> str:
    """Fingerprint of a feed entry as the feed gives it (title + summary): a stored GUID whose
    entry key changed is an edited article."""
    return sha256_hex(normalise_text(f"{title}\n{summary}"))
