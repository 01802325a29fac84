"""Bundled sample feeds for ``rudprk demo`` and the end-to-end tests.

The stories live in ``flows/data/samples/stories.toml``; this module renders them as RSS 2.0 and
Atom feeds plus article pages, dated relative to the moment of the run, for a loopback server.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from flows.loopback import Document

STORIES_FILE = Path(__file__).with_name("data") / "samples" / "stories.toml"


@dataclass(frozen=True)
class SampleFeed:
    slug: str
    name: str
    format: str
    language: str

    @property
    def path(self) -> str:
        return f"/feeds/{self.slug}.{'atom' if self.format == 'atom' else 'xml'}"


@dataclass(frozen=True)
class SampleStory:
    id: str
    feed: str
    hours_ago: float
    expect: str
    event: str
    title: str
    summary: str
    body: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/articles/{self.id}.html"


def load_samples() -> tuple[list[SampleFeed], list[SampleStory]]:
    raw = STORIES_FILE.read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    feeds = [SampleFeed(**f) for f in data["feeds"]]
    stories = [SampleStory(**{**s, "body": tuple(s["body"])}) for s in data["stories"]]
    return feeds, stories


def render_rss(feed: SampleFeed, stories: list[SampleStory], base: str, now: datetime) -> bytes:
    items = []
    for s in stories:
        when = format_datetime(now - timedelta(hours=s.hours_ago))
        items.append(
            "<item>"
            f"<title>{xml_escape(s.title)}</title>"
            f"<link>{base}{s.path}</link>"
            f'<guid isPermaLink="false">demo:{s.id}</guid>'
            f"<pubDate>{when}</pubDate>"
            f"<description>{xml_escape(s.summary)}</description>"
            "</item>"
        )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{xml_escape(feed.name)}</title><link>{base}/</link>"
        f"<description>{xml_escape(feed.name)}</description><language>{feed.language}</language>"
        f"{''.join(items)}</channel></rss>"
    )
    return doc.encode("utf-8")


def render_atom(feed: SampleFeed, stories: list[SampleStory], base: str, now: datetime) -> bytes:
    entries = []
    for s in stories:
        when = (now - timedelta(hours=s.hours_ago)).isoformat()
        entries.append(
            "<entry>"
            f"<title>{xml_escape(s.title)}</title>"
            f'<link rel="alternate" href="{base}{s.path}"/>'
            f"<id>urn:demo:{s.id}</id><updated>{when}</updated><published>{when}</published>"
            f"<summary>{xml_escape(s.summary)}</summary>"
            "</entry>"
        )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{feed.language}">'
        f"<title>{xml_escape(feed.name)}</title><id>urn:demo:{feed.slug}</id>"
        f'<updated>{now.isoformat()}</updated><link rel="alternate" href="{base}/"/>'
        f"{''.join(entries)}</feed>"
    )
    return doc.encode("utf-8")


def render_article(story: SampleStory, feed: SampleFeed, now: datetime) -> bytes:
    when = (now - timedelta(hours=story.hours_ago)).isoformat()
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in story.body)
    html = (
        f'<!DOCTYPE html><html lang="{feed.language}"><head><meta charset="utf-8">'
        f"<title>{escape(story.title)} | {escape(feed.name)}</title>"
        f'<meta property="article:published_time" content="{when}"></head><body>'
        f"<nav><a href='/'>{escape(feed.name)}</a></nav>"
        f"<article><h1>{escape(story.title)}</h1><time datetime='{when}'>{when}</time>"
        f"{paragraphs}</article><footer>© démo</footer></body></html>"
    )
    return html.encode("utf-8")


def build_documents(base: str, now: datetime) -> dict[str, Document]:
    """Every path the demo server answers: feeds, article pages, robots.txt, and one broken feed."""
    feeds, stories = load_samples()
    docs: dict[str, Document] = {
        "/robots.txt": Document(b"User-agent: *\nAllow: /\n", "text/plain"),
    }
    for feed in feeds:
        own = [s for s in stories if s.feed == feed.slug]
        if feed.format == "atom":
            docs[feed.path] = Document(
                render_atom(feed, own, base, now), "application/atom+xml; charset=utf-8"
            )
        else:
            docs[feed.path] = Document(
                render_rss(feed, own, base, now), "application/rss+xml; charset=utf-8"
            )
        for story in own:
            docs[story.path] = Document(
                render_article(story, feed, now), "text/html; charset=utf-8"
            )
    return docs


BROKEN_FEED_PATH = "/feeds/retired.xml"


def write_sources(path: Path, base: str, *, include_broken: bool = True) -> Path:
    """A sources file pointing at the loopback server (plus one feed that answers 404)."""
    feeds, _ = load_samples()
    lines = ["# Generated by rudprk demo: sample feeds on a loopback server.\n"]
    for feed in feeds:
        lines.append(
            f'[[feeds]]\nname = "{feed.name}"\nurl = "{base}{feed.path}"\nlanguage = "{feed.language}"\n'
        )
    if include_broken:
        lines.append(
            f'[[feeds]]\nname = "Retired demo feed (answers 404)"\nurl = "{base}{BROKEN_FEED_PATH}"\n'
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
