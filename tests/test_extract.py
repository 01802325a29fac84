"""Article page extraction (pure): main text without boilerplate or comments, paywalls, failures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.ingest.extract import charset_from_content_type, extract_article, page_language

STORY = [
    "Les autorités ont confirmé mardi l'arrivée d'un nouveau contingent dans la région.",
    "Selon le ministère, les unités ont été acheminées par train depuis l'Extrême-Orient.",
    "Des responsables locaux ont décrit des convois nombreux sur les routes secondaires.",
    "Aucune précision n'a été donnée sur la durée du déploiement ni sur son calendrier.",
    "Les observateurs estiment que cette annonce marque une étape dans la coopération.",
]


def page(
    paragraphs: list[str],
    *,
    lang: str = "fr",
    comments: int = 0,
    head_extra: str = "",
    tail: str = "",
) -> bytes:
    comment_html = "".join(
        f"<div class='comment'><p>Commentaire {i} : je ne suis pas d'accord du tout avec "
        f"cet article, c'est scandaleux et mal écrit, numéro {i}.</p></div>"
        for i in range(comments)
    )
    nav = "".join(f"<li><a href='/rubrique/{i}'>Rubrique {i}</a></li>" for i in range(40))
    return (
        f"<!DOCTYPE html><html lang='{lang}-FR'><head><title>Un contingent arrive - Le Journal"
        "</title><meta property='article:published_time' content='2025-01-14T08:30:00+01:00'>"
        f"{head_extra}</head><body><header><ul>{nav}</ul></header><main><article>"
        "<h1>Un contingent arrive</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + tail
        + f"</article><section id='comments'>{comment_html}</section></main>"
        "<footer><p>Mentions légales. Tous droits réservés.</p></footer></body></html>"
    ).encode("utf-8")


def test_main_text_title_date_and_language() -> None:
    result = extract_article(page(STORY), "https://journal.example/monde/contingent")
    assert result.status == "full"
    assert result.text is not None
    for sentence in STORY:
        assert sentence in result.text
    assert "Rubrique 7" not in result.text
    assert "Mentions légales" not in result.text
    assert result.title == "Un contingent arrive"
    assert result.published is not None
    assert result.published.date() == datetime(2025, 1, 14, tzinfo=UTC).date()
    assert result.language == "fr"


def test_reader_comments_are_excluded() -> None:
    result = extract_article(page(STORY, comments=30), "https://journal.example/a")
    assert result.status == "full" and result.text is not None
    assert "scandaleux" not in result.text


def test_declared_paywall_keeps_no_body() -> None:
    ld = (
        '<script type=\'application/ld+json\'>{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "isAccessibleForFree": false}</script>'
    )
    result = extract_article(
        page(STORY[:2], head_extra=ld, tail="<p>Cet article est réservé aux abonnés.</p>"),
        "https://journal.example/b",
    )
    assert result.status == "paywall"
    assert result.text is None


def test_subscriber_notice_without_metadata_is_a_paywall() -> None:
    result = extract_article(
        page(STORY[:2], tail="<p>Subscribe to continue reading this story.</p>", lang="en"),
        "https://paper.example/c",
    )
    assert result.status == "paywall"


def test_too_short_and_empty_pages() -> None:
    short = extract_article(page(["Brève."]), "https://journal.example/d")
    assert short.status in ("too_short", "extraction_failed")
    assert short.text is None
    assert extract_article(b"", "https://journal.example/e").status == "extraction_failed"
    garbage = extract_article(b"\x00\xff\xfe binary \x00", "https://journal.example/f")
    assert garbage.status == "extraction_failed"


def test_page_language_reads_the_html_lang_attribute() -> None:
    assert page_language(b"<!doctype html><html class='x' lang=\"en-GB\"><head>") == "en"
    assert page_language(b"<html lang=ru>") == "ru"
    assert page_language(b"<html><head>") is None


def test_http_charset_decodes_a_latin1_page_without_meta() -> None:
    html = page(STORY).decode("utf-8").encode("latin-1")
    result = extract_article(html, "https://journal.example/g", charset="ISO-8859-1")
    assert result.status == "full" and result.text is not None
    for sentence in STORY:
        assert sentence in result.text


def test_wrong_http_charset_is_ignored_when_the_bytes_do_not_fit() -> None:
    # Declared ASCII, actually UTF-8: the declared charset cannot decode it, so it is sniffed.
    result = extract_article(page(STORY), "https://journal.example/h", charset="us-ascii")
    assert result.status == "full" and result.text is not None
    assert "Extrême-Orient" in result.text


def test_charset_from_content_type() -> None:
    assert charset_from_content_type("text/html; charset=ISO-8859-1") == "iso8859-1"
    assert charset_from_content_type('text/html;charset="utf-8"') == "utf-8"
    assert charset_from_content_type("text/html; charset = windows-1252") == "cp1252"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type("text/html; charset=no-such-codec") is None
    assert charset_from_content_type(None) is None


SHARED_ARTICLES = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "articles"


def expected_paragraph_sets(page: Path) -> list[list[str]]:
    """Paragraphs of every version in the publisher's ``*.expected.json`` (fundus format)."""
    publisher = page.name.rsplit("_", 3)[0]
    expected = page.with_name(f"{publisher}.expected.json")
    if not expected.exists():
        return []
    data = json.loads(expected.read_text(encoding="utf-8"))
    versions = []
    for version in data.values():
        sections = version.get("body", {}).get("sections", [])
        paragraphs = [p for s in sections for p in s.get("paragraphs", [])]
        if paragraphs:
            versions.append(paragraphs)
    return versions


def token_recall(reference: str, text: str) -> float:
    words = re.findall(r"\w+", reference.lower())
    found = set(re.findall(r"\w+", text.lower()))
    return sum(1 for w in words if w in found) / max(1, len(words))


@pytest.mark.shared
def test_real_article_pages_from_the_shared_corpus() -> None:
    if not SHARED_ARTICLES.is_dir():
        pytest.skip("../shared is absent")
    pages = sorted(SHARED_ARTICLES.rglob("*.html"))
    assert pages
    for page_path in pages:
        result = extract_article(page_path.read_bytes(), "https://example.org/article")
        assert result.status == "full", page_path.name
        assert result.text is not None
        versions = expected_paragraph_sets(page_path)
        if versions:
            recall = max(token_recall(" ".join(v), result.text) for v in versions)
            assert recall >= 0.9, (page_path.name, recall)
