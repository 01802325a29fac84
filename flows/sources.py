"""The sources file: TOML with one ``[[feeds]]`` table per feed (``name``, ``url``, optional
``language`` and ``interval``), and what the last synchronisation saw of it (``sources-synced.json`` in
``RUDPRK_DATA_DIR``): the file's digest, so an unchanged file is not reconciled again, and its
URLs, so a line removed from the file disables its feed."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flows.ingest.urls import feed_url_problem
from storage.feeds import FeedSource

log = logging.getLogger("rudprk.sources")

SYNC_STATE_FILE = "sources-synced.json"

# A feed's own check interval: seconds, or a number with a unit ("90s", "5m", "2h", "1d").
INTERVAL_MIN_SECONDS = 10
INTERVAL_MAX_SECONDS = 86_400
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_INTERVAL_RE = re.compile(r"\s*(\d+)\s*([smhd]?)\s*", re.IGNORECASE)


class SourcesError(ValueError):
    """The sources file is unreadable or malformed; the message names the file and the entry."""


def parse_interval(value: object) -> int:
    """Seconds from a sources file's ``interval`` (an integer of seconds, or ``"5m"``…);
    :class:`ValueError` naming the problem when it is malformed or outside 10 s … 1 day."""
    if isinstance(value, bool):
        raise ValueError("must be seconds or a duration such as '90s', '5m', '2h'")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and (match := _INTERVAL_RE.fullmatch(value)):
        seconds = int(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    else:
        raise ValueError("must be seconds or a duration such as '90s', '5m', '2h'")
    if not INTERVAL_MIN_SECONDS <= seconds <= INTERVAL_MAX_SECONDS:
        raise ValueError(
            f"{value!r} is outside {INTERVAL_MIN_SECONDS} seconds … 1 day ({INTERVAL_MAX_SECONDS} s)"
        )
    return seconds


def read_sources_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_sources(path: Path, content: bytes | None = None) -> list[FeedSource]:
    """The feeds of the sources file at ``path`` (``content``: its bytes, already read)."""
    raw = read_sources_file(path) if content is None else content
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SourcesError(f"{path}: not UTF-8 text") from None
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
        interval: int | None = None
        if "interval" in item:
            try:
                interval = parse_interval(item["interval"])
            except ValueError as exc:
                raise SourcesError(f"{where} ({name}): 'interval' {exc}") from None
        if url in seen:
            raise SourcesError(f"{where} ({name}): duplicate url {url}")
        seen.add(url)
        sources.append(
            FeedSource(
                name=name.strip(), url=url.strip(), language=language, interval_seconds=interval
            )
        )
    return sources


def sources_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class SyncState:
    """The sources file as the last synchronisation of one database saw it."""

    installation: str  # the database's installation id: a rebuilt database is synced again
    path: str
    sha256: str
    urls: frozenset[str]

    def matches(self, installation: str, path: Path, sha256: str) -> bool:
        return (self.installation, self.path, self.sha256) == (installation, str(path), sha256)


def sync_state_path(data_dir: Path) -> Path:
    return data_dir / SYNC_STATE_FILE


def read_sync_state(data_dir: Path) -> SyncState | None:
    """The last synchronisation's state; ``None`` when absent or unreadable (then the next one
    reconciles the whole file and disables nothing)."""
    path = sync_state_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SyncState(
            installation=str(data["installation"]),
            path=str(data["path"]),
            sha256=str(data["sha256"]),
            urls=frozenset(str(url) for url in data["urls"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("sources sync state unreadable", extra={"path": str(path), "error": str(exc)})
        return None


def write_sync_state(data_dir: Path, state: SyncState) -> None:
    """Replace the state file atomically; a failure is logged (the next pass reconciles again)."""
    path = sync_state_path(data_dir)
    data = {
        "installation": state.installation,
        "path": state.path,
        "sha256": state.sha256,
        "urls": sorted(state.urls),
    }
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        log.warning("sources sync state not saved", extra={"path": str(path), "error": str(exc)})
