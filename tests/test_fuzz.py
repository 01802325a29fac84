"""A seeded fuzz run of what reads untrusted bytes and text: the feed parser, the article
extractor and the detector, on mutated inputs, bounded in time.

Seeds are the project's own fixture feeds (``tests/fixtures/feeds``), an article page and
sentences written here. Mutations: byte flips, insertions of tokens that have broken parsers
(``&#0;``, ``]]>``, a DOCTYPE, BOMs, NULs, stray ``<``), truncation, duplication and splicing
of two seeds. A run must never raise anything but the documented errors, never hang (each
target has a time budget, and pytest-timeout stops a hang), and never produce text with a NUL,
a C0 control or a lone surrogate (which the databases refuse). Mutated feeds also go through a
real harvest into each database backend, which must end every feed 'ok' or 'failed'.

Quick mode: a few hundred mutations per target (seconds); ``RUDPRK_RELIABILITY=long``: many
more, and ``RUDPRK_FUZZ_SEED`` changes the seed. A failure prints the seed and the mutation's
index, so ``RUDPRK_FUZZ_SEED=<seed>`` replays it.
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from httpserver import LoopbackServer, Reply
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.detection.detector import detect_article
from flows.ingest.errors import ParseError
from flows.ingest.extract import extract_article
from flows.ingest.harvest import HarvestConfig, harvest_sync
from flows.ingest.parse import parse_feed
from storage.feeds import FeedSource, sync_feeds
from storage.models import Article

LONG = os.environ.get("RUDPRK_RELIABILITY", "").strip().lower() == "long"
SEED = int(os.environ.get("RUDPRK_FUZZ_SEED", "20260302"))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIXTURES = Path(__file__).with_name("fixtures") / "feeds"
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

TOKENS: tuple[bytes, ...] = (
    b"&#0;",
    b"&#xD800;",
    b"&#x110000;",
    b"&#99999999999999999999;",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE rss [<!ENTITY a 'x'>]>",
    b"<!DOCTYPE html>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\x1b[2J",
    b"<",
    b"&",
    b"&amp;#0;",
    b"</item>",
    b"<item>",
    b"<entry>",
    b"<guid>",
    b"<link>javascript:alert(1)</link>",
    b"<pubDate>Sun, 31 Feb 99999 25:61:61 +9999</pubDate>",
    b"<title type='html'>&lt;script&gt;</title>",
    b'{"version":"https://jsonfeed.org/version/1.1","items":[{"id":null}]}',
    "Пхеньян 평양 平壤 \u202e".encode(),
    b"\xc3\x28\xa0\xa1",
)


def budget(quick: float, long: float) -> float:
    return long if LONG else quick


def mutate(rng: random.Random, seed: bytes, other: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1:  # insert a token that has broken parsers
            data[at:at] = rng.choice(TOKENS)
        elif op == 2:  # truncate
            del data[at:]
        elif op == 3 and data:  # duplicate a chunk
            end = min(len(data), at + rng.randint(1, 400))
            data[at:at] = data[at:end]
        elif op == 4:  # splice with another seed
            cut = rng.randrange(len(other) + 1)
            data[at:] = other[cut:]
        else:  # delete a chunk
            del data[at : at + rng.randint(1, 64)]
    return bytes(data)


def fuzz(target: Callable[[bytes], None], seeds: list[bytes], *, runs: int, seconds: float) -> int:
    """Run ``target`` on up to ``runs`` mutations within ``seconds``; the number run."""
    rng = random.Random(SEED)
    deadline = time.monotonic() + seconds
    done = 0
    for index in range(runs):
        if time.monotonic() > deadline:
            break
        data = mutate(rng, rng.choice(seeds), rng.choice(seeds))
        try:
            target(data)
        except Exception as exc:
            raise AssertionError(
                f"seed {SEED}, mutation {index}: {type(exc).__name__}: {exc}\n{data[:600]!r}"
            ) from exc
        done += 1
    return done


def feed_seeds() -> list[bytes]:
    return [p.read_bytes() for p in sorted(FIXTURES.iterdir()) if p.is_file()]


PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Rail accord</title>"
    "<meta property='article:published_time' content='2026-03-01T08:00:00Z'></head><body>"
    "<nav>Home</nav><article><h1>Pyongyang and Moscow sign a rail accord</h1>"
    + "".join(
        f"<p>Paragraph {i}: the two governments agreed a freight timetable across the Tumen "
        "river bridge, officials said on Monday in a joint statement.</p>"
        for i in range(6)
    )
    + "</article><footer>Contact</footer></body></html>"
).encode()

SENTENCES = [
    "North Korea has sent about 12,000 troops to the Kursk region, South Korea's NIS said.",
    "Россия и КНДР подписали договор о всеобъемлющем стратегическом партнёрстве 19 июня 2024.",
    "La Corée du Nord aurait livré plus de 5 millions d'obus à la Russie, selon Séoul.",
    "북한은 러시아에 병력 1만여 명을 파병했다고 국정원이 밝혔다.",
    "Weather turns mild in Brittany as temperatures rise above seasonal norms.",
]


def _clean(value: str | None) -> bool:
    return value is None or not FORBIDDEN.search(value)


def parse_target(data: bytes) -> None:
    try:
        feed = parse_feed(data, url="http://127.0.0.1:9/feed.xml", now=NOW)
    except ParseError:
        return
    assert _clean(feed.title)
    for entry in feed.entries:
        assert entry.guid
        for value in (entry.guid, entry.title, entry.summary, entry.link, entry.author):
            assert _clean(value), repr(value)


def extract_target(data: bytes) -> None:
    article = extract_article(data, "http://127.0.0.1:9/article.html")
    assert article.status in ("full", "too_short", "paywall", "extraction_failed")
    assert _clean(article.text) and _clean(article.title), (article.title, article.text)


def detect_target(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    title, _, body = text.partition(".")
    detection = detect_article(body, title=title, lang=None, published=date(2026, 3, 2))
    assert 0.0 <= detection.relevance.score <= 1.0


@pytest.mark.timeout(600)
def test_the_feed_parser_survives_mutated_feeds() -> None:
    seeds = feed_seeds()
    assert len(seeds) >= 5
    runs = fuzz(parse_target, seeds, runs=20000 if LONG else 400, seconds=budget(20, 300))
    assert runs >= 20


@pytest.mark.timeout(600)
def test_the_extractor_survives_mutated_pages() -> None:
    seeds = [PAGE, PAGE.replace(b"utf-8", b"koi8-r"), PAGE[: len(PAGE) // 2]]
    runs = fuzz(extract_target, seeds, runs=5000 if LONG else 60, seconds=budget(15, 300))
    assert runs >= 5


@pytest.mark.timeout(600)
def test_the_detector_survives_mutated_text() -> None:
    seeds = [s.encode() for s in SENTENCES]
    runs = fuzz(detect_target, seeds, runs=5000 if LONG else 60, seconds=budget(20, 300))
    assert runs >= 5


def test_mutations_reach_the_refusals_and_the_repairs() -> None:
    """The fuzzer's inputs are not all trivially refused (it would then test nothing)."""
    rng = random.Random(SEED)
    seeds = feed_seeds()
    parsed = refused = 0
    for _ in range(200):
        try:
            parse_feed(mutate(rng, rng.choice(seeds), rng.choice(seeds)), url="http://x.test/f")
        except ParseError:
            refused += 1
        else:
            parsed += 1
    assert parsed >= 40 and refused >= 10, (parsed, refused)


def test_a_pass_over_mutated_feeds_never_crashes(
    session_factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """Mutated feeds served over HTTP through a real harvest into the database: every feed ends
    'ok' or 'failed' with its line, nothing is logged with a traceback, nothing stored holds a
    forbidden character."""
    rng = random.Random(SEED + 1)
    seeds = feed_seeds()
    count = 120 if LONG else 24
    with LoopbackServer() as server:
        urls = []
        for i in range(count):
            server.routes[f"/m{i}.xml"] = Reply(
                body=mutate(rng, rng.choice(seeds), rng.choice(seeds))
            )
            urls.append(server.url(f"/m{i}.xml"))
        with session_factory.begin() as session:
            sync_feeds(session, [FeedSource(name=f"m{i}", url=u) for i, u in enumerate(urls)], NOW)
        config = HarvestConfig(
            user_agent="rudprk-watch/test",
            timeout_seconds=5,
            per_host_delay_seconds=0.0,
            fetch_articles=False,
            max_retries=0,
        )
        with caplog.at_level(logging.WARNING):
            report = harvest_sync(session_factory, now=NOW, config=config)
    assert len(report.feeds) == count
    for feed in report.feeds:
        assert feed.status in ("ok", "failed"), feed
        assert not (feed.error or "").startswith("internal error"), (SEED, feed.url, feed.error)
    assert all(r.exc_info is None for r in caplog.records), [r.getMessage() for r in caplog.records]
    with session_factory() as session:
        for title, guid, link in session.execute(select(Article.title, Article.guid, Article.url)):
            assert _clean(title) and _clean(guid) and _clean(link), (title, guid, link)
