"""One ingestion pass: due feeds → conditional GET → parse what changed → article pages → store.

Prefect-free. Network work runs on the event loop through one shared ``httpx.AsyncClient`` and a
:class:`~flows.ingest.fetch.HostGate` (global and per-host limits, per-host delay). CPU and
database work (parsing, extraction, inserts) runs on one worker thread, so the loop keeps
fetching while a feed is parsed and SQLite never sees two writers. Each feed is stored in its own
transaction; a feed that fails is recorded with its error and never stops the others.

A database fault is not a feed's fault: each database step is a unit of work retried once after
reconnecting (:func:`storage.faults.run_unit`); a second fault stops the whole harvest with
:class:`~storage.errors.DatabaseFaultError`, and no feed is marked failed or pushed into
back-off for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

import httpx
from sqlalchemy.orm import Session, sessionmaker

from flows.ingest.children import start_helper
from flows.ingest.discover import discover_feed_urls
from flows.ingest.errors import (
    FeedGoneError,
    FetchError,
    IngestError,
    ParseError,
    TransientFetchError,
)
from flows.ingest.extract import ExtractedArticle, charset_from_content_type, extract_article
from flows.ingest.fetch import (
    ACCEPT_HTML,
    FetchResult,
    HostGate,
    build_client,
    fetch_once,
    fetch_with_retries,
)
from flows.ingest.parse import ParsedEntry, ParsedFeed, parse_feed
from flows.ingest.robots import RobotsCache
from flows.ingest.schedule import next_check_after_failure, next_check_after_success
from flows.ingest.urls import canonicalize_url
from storage.articles import NewArticle, insert_new_items, unchanged_guid_hashes
from storage.errors import DatabaseFaultError
from storage.faults import run_unit
from storage.feeds import (
    disable_feed,
    due_feeds,
    move_feed,
    record_failure,
    record_not_modified,
    record_success,
)
from storage.keys import entry_key, guid_key

log = logging.getLogger(__name__)

FAILING_THRESHOLD = 3
PENDING_FEEDS_PER_SLOT = 3
T = TypeVar("T")


class Screening(Protocol):
    """What a prefilter may return instead of a ``bool``: a verdict with its decision."""

    @property
    def candidate(self) -> bool: ...


Prefilter = Callable[[str], bool | Screening]
ScreenedKey = tuple[int, str]  # (feed id, GUID)
# Called on the event loop with the articles a feed has just stored (committed), and the
# prefilter's verdicts on those stored without a page (see screened_without_page); must be quick.
StoredHook = Callable[[Sequence[NewArticle], Mapping[ScreenedKey, Screening]], None]


@dataclass(frozen=True)
class HarvestConfig:
    user_agent: str
    timeout_seconds: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    global_concurrency: int = 10
    per_host_concurrency: int = 2
    per_host_delay_seconds: float = 0.2
    max_entries_per_feed: int = 200
    fetch_articles: bool = True
    max_retries: int = 2
    retry_base_seconds: float = 0.5
    retry_max_wait_seconds: float = 10.0
    max_article_pages_per_feed: int = 30
    # Entries published longer ago than this keep their summary (no page fetch): a first pass
    # or a new feed does not crawl the back catalogue.
    max_article_age_hours: float = 168.0
    respect_robots: bool = True
    # Parsing is the CPU cost of a pass where many feeds changed: with at least this many due
    # feeds, ``parse_processes`` forked processes parse while this one fetches and stores.
    parse_processes: int = 1
    parse_processes_min_feeds: int = 50
    # A parse running longer than this in a parse process is killed (the feed fails).
    parse_timeout_seconds: float = 120.0


@dataclass
class FeedReport:
    feed_id: int
    name: str
    url: str
    status: str  # 'ok' | 'not_modified' | 'unchanged' | 'failed' | 'disabled'
    entries_seen: int = 0
    new_article_ids: list[int] = field(default_factory=list)
    error: str | None = None
    error_count: int = 0
    # The prefilter's verdicts on entries stored without a page, by (feed id, GUID): the
    # analysis of those articles reads the same title and summary, so it can reuse them.
    screened: dict[ScreenedKey, Screening] = field(default_factory=dict)


@dataclass
class HarvestReport:
    feeds: list[FeedReport]

    @property
    def feeds_failed(self) -> int:
        return sum(1 for f in self.feeds if f.status in ("failed", "disabled"))

    @property
    def entries_seen(self) -> int:
        return sum(f.entries_seen for f in self.feeds)

    @property
    def new_article_ids(self) -> list[int]:
        return [i for f in self.feeds for i in f.new_article_ids]

    @property
    def screened(self) -> dict[ScreenedKey, Screening]:
        return {k: v for f in self.feeds for k, v in f.screened.items()}

    @property
    def failing_feeds(self) -> list[FeedReport]:
        return [f for f in self.feeds if f.error_count >= FAILING_THRESHOLD]


@dataclass(frozen=True)
class FeedSnapshot:
    """The feed state a pass starts from (detached from any session)."""

    id: int
    name: str
    url: str
    language: str | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    error_count: int
    ttl_seconds: int | None = None
    interval_seconds: int | None = None  # the operator's own interval (sources file)


@dataclass(frozen=True)
class PendingEntry:
    entry: ParsedEntry
    fetch_page: bool
    body_status: str = "not_fetched"
    screening: Screening | None = None  # the prefilter's verdict when it returned one


@dataclass
class PassContext:
    session_factory: sessionmaker[Session]
    now: datetime
    config: HarvestConfig
    prefilter: Prefilter | None
    client: httpx.AsyncClient
    gate: HostGate
    robots: RobotsCache
    executor: ThreadPoolExecutor
    parse_pool: ProcessPoolExecutor | None = None
    on_stored: StoredHook | None = None

    async def in_worker(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)

    async def parse(self, result: FetchResult) -> ParsedFeed:
        job = partial(
            parse_feed,
            result.content,
            url=result.final_url,
            headers=dict(result.headers),
            max_entries=self.config.max_entries_per_feed,
            now=self.now,
        )
        try:
            return await self._in_parse_pool(job)
        except TimeoutError:
            raise ParseError(
                f"parse timed out after {self.config.parse_timeout_seconds:g} s"
            ) from None

    async def extract(
        self, pages: Mapping[str, FetchedPage | str]
    ) -> dict[str, ExtractedArticle | str]:
        """:func:`extract_pages` of a feed's pages, in the parse process when there is one. An
        extraction that runs away there is stopped: the feed's fetched pages then count as
        failed extractions (the feed is stored with its summaries)."""
        if not any(isinstance(p, FetchedPage) for p in pages.values()):
            return {link: p for link, p in pages.items() if isinstance(p, str)}
        try:
            return await self._in_parse_pool(partial(extract_pages, dict(pages)))
        except TimeoutError:
            log.warning(
                "page extraction timed out",
                extra={"pages": len(pages), "seconds": self.config.parse_timeout_seconds},
            )
            return {
                link: "extraction_failed" if isinstance(p, FetchedPage) else p
                for link, p in pages.items()
            }

    async def _in_parse_pool(self, job: Callable[[], T]) -> T:
        """``job`` in the parse process when there is one, else on the worker thread. A job
        that runs past ``parse_timeout_seconds`` there kills the process (later jobs run on
        the worker) and raises :class:`TimeoutError`."""
        loop = asyncio.get_running_loop()
        pool = self.parse_pool
        if pool is not None:
            try:
                return await asyncio.wait_for(
                    loop.run_in_executor(pool, job), self.config.parse_timeout_seconds
                )
            except TimeoutError:
                if self.parse_pool is pool:
                    self.parse_pool = None
                    stop_parse_pool(pool)
                    raise
                # Queued behind another feed's runaway job, whose timeout killed the pool.
            except BrokenProcessPool as exc:
                if self.parse_pool is pool:
                    log.warning("parse process lost", extra={"error": str(exc)})
                    self.parse_pool = None
        return await loop.run_in_executor(self.executor, job)


def stop_parse_pool(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's processes (a parse that never ends) and release the pool."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()
    # Not cancel_futures: other feeds' pending parses fail with BrokenProcessPool and are
    # parsed in-process instead (a cancelled future would cancel their task).
    pool.shutdown(wait=False)


def start_parse_pool(config: HarvestConfig, due: int) -> ProcessPoolExecutor | None:
    """Parse processes for a large pass, forked now (before this pass starts any thread).

    ``fork`` rather than ``spawn``: nothing is re-imported (no ``__main__`` re-run), and the
    children only ever run :func:`parse_feed`. ``None`` (parse on the worker thread) for small
    passes, one-core machines, or when forking fails.
    """
    if (
        config.parse_processes <= 0
        or due < config.parse_processes_min_feeds
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return None
    pool = ProcessPoolExecutor(
        config.parse_processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=start_helper,
        initargs=(os.getpid(),),
    )
    try:
        pool.submit(os.getpid).result(timeout=30)  # forks every worker now
    except Exception as exc:
        log.warning("parse processes unavailable", extra={"error": str(exc)})
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


def body_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


async def fetch_gated(
    ctx: PassContext,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> FetchResult:
    """A GET through the politeness gate, retried on transient faults."""
    config = ctx.config
    extra = {"accept": accept} if accept else {}

    async def attempt() -> FetchResult:
        async with ctx.gate.slot(url):
            return await fetch_once(
                ctx.client,
                url,
                etag=etag,
                last_modified=last_modified,
                max_bytes=config.max_bytes,
                timeout_seconds=config.timeout_seconds,
                **extra,
            )

    return await fetch_with_retries(
        attempt,
        max_retries=config.max_retries,
        base_delay=config.retry_base_seconds,
        max_delay=config.retry_max_wait_seconds,
    )


def select_new_entries(
    session_factory: sessionmaker[Session],
    feed_id: int,
    parsed: ParsedFeed,
    prefilter: Prefilter | None,
    fetch_articles: bool,
    oldest: datetime | None = None,
) -> list[PendingEntry]:
    """Entries whose GUID this feed has not stored yet, or whose title or summary changed (an
    edit: stored as a new version), marked for a page fetch when relevant.

    An entry published before ``oldest`` is not fetched (``body_status`` ``not_fetched: old``).
    """
    seen: set[str] = set()
    unique: list[ParsedEntry] = []
    for entry in parsed.entries:
        if entry.guid not in seen:
            seen.add(entry.guid)
            unique.append(entry)
    entries = [(e.guid, e.title, e.summary) for e in unique]
    known = run_unit(
        session_factory,
        lambda session: unchanged_guid_hashes(session, feed_id, entries),
        what="reading a feed's stored entries",
    )
    pending: list[PendingEntry] = []
    for entry in unique:
        if guid_key(entry.guid) in known:
            continue
        screening: Screening | None = None
        wanted = False
        if (
            fetch_articles
            and prefilter is not None
            and entry.link
            and entry.link.lower().startswith(("http://", "https://"))
        ):
            verdict = prefilter(f"{entry.title}\n{entry.summary}")
            if isinstance(verdict, bool):
                wanted = verdict
            else:
                wanted, screening = verdict.candidate, verdict
        if wanted and oldest and entry.published and entry.published < oldest:
            pending.append(PendingEntry(entry, False, "not_fetched: old", screening))
            continue
        pending.append(PendingEntry(entry, wanted, screening=screening))
    return pending


@dataclass(frozen=True)
class FetchedPage:
    content: bytes
    charset: str | None


def is_private_host(url: str) -> bool:
    """Is the URL's host ``localhost`` or a literal private, loopback or link-local address?"""
    try:
        host = httpx.URL(url).host
    except (httpx.InvalidURL, TypeError):
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


async def fetch_article_page(ctx: PassContext, url: str, feed_url: str) -> FetchedPage | str:
    """The page's HTML, or a short reason (``str``) why there is none.

    A feed on a public host cannot make the monitor fetch pages on private addresses (links
    to ``127.0.0.1``, ``10.…``, ``169.254.169.254``…): only a feed that is itself on such an
    address may.
    """
    if is_private_host(url) and not is_private_host(feed_url):
        return "fetch_error: private address"
    if ctx.config.respect_robots and not await ctx.robots.allowed(url):
        return "robots"
    try:
        result = await fetch_gated(ctx, url, accept=ACCEPT_HTML)
    except FetchError as exc:
        return f"fetch_error: {exc}"[:64]
    content_type = (result.content_type or "").lower()
    if content_type and "html" not in content_type:
        return f"fetch_error: not HTML ({content_type.split(';')[0]})"[:64]
    return FetchedPage(result.content, charset_from_content_type(result.content_type))


def safe_canonical(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return canonicalize_url(url)
    except ValueError:
        return None


def extract_pages(pages: Mapping[str, FetchedPage | str]) -> dict[str, ExtractedArticle | str]:
    """Each fetched page's extraction, by link (pure: the parse process runs it); a page that
    was not fetched keeps its status."""
    return {
        link: extract_article(page.content, link, charset=page.charset)
        if isinstance(page, FetchedPage)
        else page
        for link, page in pages.items()
    }


def build_articles(
    snap: FeedSnapshot,
    parsed: ParsedFeed,
    pending: Sequence[PendingEntry],
    pages: Mapping[str, ExtractedArticle | FetchedPage | str],
) -> list[NewArticle]:
    """Turn new entries (and the pages fetched for some, extracted here unless they are
    already) into rows."""
    items: list[NewArticle] = []
    for item in pending:
        entry = item.entry
        extracted: ExtractedArticle | None = None
        body_status = item.body_status
        if item.fetch_page and entry.link:
            page = pages.get(entry.link)
            if isinstance(page, FetchedPage):
                page = extract_article(page.content, entry.link, charset=page.charset)
            if isinstance(page, ExtractedArticle):
                extracted = page
                body_status = extracted.status
            elif isinstance(page, str):
                body_status = page
        body = extracted.text if extracted is not None and extracted.status == "full" else None
        items.append(
            NewArticle(
                feed_id=snap.id,
                guid=entry.guid,
                url=entry.link,
                canonical_url=safe_canonical(entry.link),
                title=entry.title or (extracted.title if extracted and extracted.title else ""),
                summary=entry.summary,
                published_at=entry.published or (extracted.published if extracted else None),
                language=entry.language
                or (extracted.language if extracted else None)
                or snap.language
                or parsed.language,
                author=entry.author[:500] if entry.author else None,
                body=body,
                body_status=body_status,
                entry_hash=entry_key(entry.title, entry.summary),
                # near-duplicate fingerprints only where an alert could follow
                fingerprint=item.screening is None or item.screening.candidate,
            )
        )
    return items


def screened_without_page(
    feed_id: int, pending: Sequence[PendingEntry], items: Sequence[NewArticle]
) -> dict[ScreenedKey, Screening]:
    """The verdicts on entries stored with their feed's title and summary only (no body, the
    entry's own title): the text an analysis of the article screens is the one screened."""
    return {
        (feed_id, p.entry.guid): p.screening
        for p, item in zip(pending, items, strict=True)
        if p.screening is not None and item.body is None and p.entry.title
    }


def store_success(
    ctx: PassContext,
    snap: FeedSnapshot,
    result: FetchResult,
    parsed: ParsedFeed,
    items: Sequence[NewArticle],
    digest: str,
) -> list[tuple[int, NewArticle]]:
    def unit(session: Session) -> list[tuple[int, NewArticle]]:
        # Idempotent: a retry after a commit that went through inserts nothing more.
        ids = insert_new_items(session, items, ctx.now)
        if result.permanent_redirect:
            move_feed(session, snap.id, result.permanent_redirect)
        record_success(
            session,
            snap.id,
            now=ctx.now,
            next_check_at=next_check_after_success(
                ctx.now, result.headers, parsed.ttl_seconds, snap.interval_seconds
            ),
            etag=header_value(result.headers, "etag"),
            last_modified=header_value(result.headers, "last-modified"),
            body_hash=digest,
            ttl_seconds=parsed.ttl_seconds,
            entries_seen=len(parsed.entries),
        )
        return ids

    return run_unit(ctx.session_factory, unit, what=f"storing feed {snap.url}")


def store_not_modified(ctx: PassContext, snap: FeedSnapshot, result: FetchResult) -> None:
    def unit(session: Session) -> None:
        if result.permanent_redirect:
            move_feed(session, snap.id, result.permanent_redirect)
        record_not_modified(
            session,
            snap.id,
            now=ctx.now,
            next_check_at=next_check_after_success(
                ctx.now, result.headers, snap.ttl_seconds, snap.interval_seconds
            ),
            etag=header_value(result.headers, "etag"),
            last_modified=header_value(result.headers, "last-modified"),
        )

    run_unit(ctx.session_factory, unit, what=f"storing feed {snap.url}")


def store_failure(ctx: PassContext, snap: FeedSnapshot, exc: Exception) -> FeedReport:
    # One line whatever the message carried (parser messages can hold newlines), without the
    # NUL PostgreSQL refuses in text.
    message = " ".join((str(exc) or type(exc).__name__).replace("\x00", " ").split())[:1000]
    status = getattr(exc, "status", None)
    content_type = getattr(exc, "content_type", None)
    report = FeedReport(snap.id, snap.name, snap.url, "failed", error=message)
    retry_after = exc.retry_after if isinstance(exc, TransientFetchError) else None

    def unit(session: Session) -> int:
        if isinstance(exc, FeedGoneError):
            disable_feed(session, snap.id, message, ctx.now)
        return record_failure(
            session,
            snap.id,
            now=ctx.now,
            error=message,
            status=status,
            content_type=content_type,
            next_check_at=next_check_after_failure(
                ctx.now, snap.error_count + 1, retry_after, snap.interval_seconds
            ),
        )

    # A database fault propagates (DatabaseFaultError): the pass stops, the feed is not blamed.
    report.error_count = run_unit(
        ctx.session_factory, unit, what=f"recording the failure of feed {snap.url}"
    )
    if isinstance(exc, FeedGoneError):
        report.status = "disabled"
    log.warning("feed failed", extra={"feed": snap.url, "error": message, "status": status})
    return report


async def harvest_feed(ctx: PassContext, snap: FeedSnapshot) -> FeedReport:
    """Fetch, parse and store one feed; never raises for a per-feed problem."""
    result: FetchResult | None = None
    try:
        result = await fetch_gated(ctx, snap.url, etag=snap.etag, last_modified=snap.last_modified)
        if result.not_modified:
            await ctx.in_worker(partial(store_not_modified, ctx, snap, result))
            return FeedReport(snap.id, snap.name, snap.url, "not_modified")
        digest = body_digest(result.content)
        if snap.body_hash is not None and digest == snap.body_hash:
            await ctx.in_worker(partial(store_not_modified, ctx, snap, result))
            return FeedReport(snap.id, snap.name, snap.url, "unchanged")
        parsed = await ctx.parse(result)
        pending = await ctx.in_worker(
            partial(
                select_new_entries,
                ctx.session_factory,
                snap.id,
                parsed,
                ctx.prefilter,
                ctx.config.fetch_articles,
                ctx.now - timedelta(hours=ctx.config.max_article_age_hours),
            )
        )
        links = list(dict.fromkeys(p.entry.link for p in pending if p.fetch_page and p.entry.link))[
            : ctx.config.max_article_pages_per_feed
        ]
        fetched = await asyncio.gather(*(fetch_article_page(ctx, link, snap.url) for link in links))
        pages: dict[str, FetchedPage | str] = dict(zip(links, fetched, strict=True))
        for p in pending:
            if p.fetch_page and p.entry.link and p.entry.link not in pages:
                pages[p.entry.link] = "not_fetched: page limit"
        extracted = await ctx.extract(pages)
        items = await ctx.in_worker(partial(build_articles, snap, parsed, pending, extracted))
        stored = await ctx.in_worker(
            partial(store_success, ctx, snap, result, parsed, items, digest)
        )
        screened = screened_without_page(snap.id, pending, items)
        if ctx.on_stored is not None and stored:
            try:
                ctx.on_stored([item for _id, item in stored], screened)
            except Exception:  # the hook's problem, not the feed's: it is stored
                log.exception("stored-articles hook failed", extra={"feed": snap.url})
        return FeedReport(
            snap.id,
            snap.name,
            snap.url,
            "ok",
            entries_seen=len(parsed.entries),
            new_article_ids=[article_id for article_id, _item in stored],
            screened=screened,
        )
    except DatabaseFaultError:
        raise
    except ParseError as exc:
        if result is not None:
            _with_response(exc, result)
        return await ctx.in_worker(partial(store_failure, ctx, snap, exc))
    except IngestError as exc:
        return await ctx.in_worker(partial(store_failure, ctx, snap, exc))
    except Exception as exc:  # a per-feed bug must not stop the pass
        log.exception("feed crashed", extra={"feed": snap.url})
        return await ctx.in_worker(
            partial(store_failure, ctx, snap, IngestError(f"internal error: {exc!r}"))
        )


def _with_response(exc: ParseError, result: FetchResult) -> ParseError:
    """Attach the response's status and content type to a parse error for the feed's health."""
    if getattr(exc, "status", None) is None:
        exc.status = result.status  # type: ignore[attr-defined]
        exc.content_type = result.content_type  # type: ignore[attr-defined]
    return exc


def load_due(
    session_factory: sessionmaker[Session],
    now: datetime,
    urls: Sequence[str] | None,
    force: bool = False,
) -> list[FeedSnapshot]:
    def unit(session: Session) -> list[FeedSnapshot]:
        return [
            FeedSnapshot(
                id=f.id,
                name=f.name,
                url=f.url,
                language=f.language,
                etag=f.etag,
                last_modified=f.last_modified,
                body_hash=f.body_hash,
                error_count=f.error_count or 0,
                ttl_seconds=f.ttl_seconds,
                interval_seconds=f.check_interval_seconds,
            )
            for f in due_feeds(session, now, urls, force=force)
        ]

    return run_unit(session_factory, unit, what="reading the due feeds")


async def harvest(
    session_factory: sessionmaker[Session],
    *,
    now: datetime,
    config: HarvestConfig,
    prefilter: Prefilter | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    feed_urls: Sequence[str] | None = None,
    force: bool = False,
    on_stored: StoredHook | None = None,
) -> HarvestReport:
    """Run one ingestion pass over the due feeds (all of them, or those in ``feed_urls``).

    ``force`` checks every enabled feed now, whatever its next check time.
    """
    # Loaded before any thread of this pass exists, so parse processes can be forked safely.
    snaps = load_due(session_factory, now, feed_urls, force)
    if not snaps:
        return HarvestReport(feeds=[])
    parse_pool = start_parse_pool(config, len(snaps))
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rudprk-ingest")
    try:
        async with build_client(
            config.user_agent,
            timeout_seconds=config.timeout_seconds,
            max_connections=config.global_concurrency,
            transport=transport,
        ) as client:
            gate = HostGate(
                global_limit=config.global_concurrency,
                per_host_limit=config.per_host_concurrency,
                per_host_delay=config.per_host_delay_seconds,
            )
            ctx = PassContext(
                session_factory=session_factory,
                now=now,
                config=config,
                prefilter=prefilter,
                client=client,
                gate=gate,
                robots=RobotsCache(
                    client,
                    config.user_agent,
                    timeout_seconds=min(10.0, config.timeout_seconds),
                    gate=gate,
                ),
                executor=executor,
                parse_pool=parse_pool,
                on_stored=on_stored,
            )
            # Bodies wait in memory for the parser: bound how many feeds are between their
            # fetch and their commit (memory stays under about this many × max_bytes).
            in_progress = asyncio.Semaphore(PENDING_FEEDS_PER_SLOT * config.global_concurrency)

            async def bounded(snap: FeedSnapshot) -> FeedReport:
                async with in_progress:
                    return await harvest_feed(ctx, snap)

            tasks = [asyncio.create_task(bounded(snap)) for snap in snaps]
            try:
                reports = await asyncio.gather(*tasks)
            except BaseException:
                # The database failed (or the pass was interrupted): stop the other feeds now.
                for pending in tasks:
                    pending.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        return HarvestReport(feeds=list(reports))
    finally:
        executor.shutdown(wait=True)
        if parse_pool is not None:
            parse_pool.shutdown(wait=True, cancel_futures=True)


def harvest_sync(
    session_factory: sessionmaker[Session],
    *,
    now: datetime,
    config: HarvestConfig,
    prefilter: Prefilter | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    feed_urls: Sequence[str] | None = None,
    force: bool = False,
    on_stored: StoredHook | None = None,
) -> HarvestReport:
    """:func:`harvest` for synchronous callers (CLI, Prefect tasks)."""
    return asyncio.run(
        harvest(
            session_factory,
            now=now,
            config=config,
            prefilter=prefilter,
            transport=transport,
            feed_urls=feed_urls,
            force=force,
            on_stored=on_stored,
        )
    )


@dataclass(frozen=True)
class ProbeResult:
    """What ``rudprk feeds check``/``add`` learn from a URL without storing anything."""

    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    feed: ParsedFeed | None = None
    discovered: list[str] = field(default_factory=list)
    error: str | None = None
    permanent_redirect: str | None = None


def looks_like_html(result: FetchResult) -> bool:
    content_type = (result.content_type or "").lower()
    head = result.content[:512].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html"))


async def probe_feed(
    url: str, *, config: HarvestConfig, transport: httpx.AsyncBaseTransport | None = None
) -> ProbeResult:
    """Fetch and parse ``url``; when it is an HTML page, list the feeds it advertises."""
    async with build_client(
        config.user_agent, timeout_seconds=config.timeout_seconds, transport=transport
    ) as client:
        try:
            result = await fetch_with_retries(
                partial(
                    fetch_once,
                    client,
                    url,
                    max_bytes=config.max_bytes,
                    timeout_seconds=config.timeout_seconds,
                ),
                max_retries=config.max_retries,
                base_delay=config.retry_base_seconds,
                max_delay=config.retry_max_wait_seconds,
            )
        except FetchError as exc:
            return ProbeResult(
                url, status=exc.status, content_type=exc.content_type, error=str(exc)
            )
    base = ProbeResult(
        url,
        final_url=result.final_url,
        status=result.status,
        content_type=result.content_type,
        permanent_redirect=result.permanent_redirect,
    )
    try:
        parsed = parse_feed(
            result.content,
            url=result.final_url,
            headers=result.headers,
            max_entries=config.max_entries_per_feed,
        )
    except ParseError as exc:
        discovered = (
            discover_feed_urls(result.content, result.final_url) if looks_like_html(result) else []
        )
        return replace(base, discovered=discovered, error=str(exc))
    return replace(base, feed=parsed)
