"""The sources file: TOML with one ``[[feeds]]`` table per feed (``name``, ``url``, optional ``language``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from flows.ingest.urls import feed_url_problem
from storage.feeds import FeedSource


class SourcesError(ValueError):
    """The sources file is unreadable or malformed; the message names the file and the entry."""


def load_sources(path: Path) -> list[FeedSource]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: invalid TOML: {exc}") from None
    feeds = data.get("feeds", [])
    if not isinstance(feeds, list):
        raise SourcesError(f"{path}: 'feeds' must be an array of tables ([[feeds]])")
    sources: list[FeedSource] = []
    seen: set[str] = set()
    for index, item in enumerate(feeds, start=1):
        where = f"{path}: feed #{index}"
        if not isinstance(item, dict):
            raise SourcesError(f"{where}: must be a table")
        name, url, language = item.get("name"), item.get("url"), item.get("language")
        if not isinstance(name, str) or not name.strip():
            raise SourcesError(f"{where}: missing 'name'")
        if not isinstance(url, str) or feed_url_problem(url) is not None:
            problem = feed_url_problem(url) if isinstance(url, str) else "not a string"
            raise SourcesError(f"{where} ({name}): 'url' must be an http(s) URL: {problem}")
        if language is not None and (not isinstance(language, str) or not language.isalpha()):
            raise SourcesError(f"{where} ({name}): 'language' must be a code such as 'fr'")
        if url in seen:
            raise SourcesError(f"{where} ({name}): duplicate url {url}")
        seen.add(url)
        sources.append(FeedSource(name=name.strip(), url=url.strip(), language=language))
    return sources
