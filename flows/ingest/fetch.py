"""The HTTP client layer: one shared httpx client, bounded bodies, polite limits and retries.

A fetch streams the body and stops as soon as it passes ``max_bytes`` (compressed on the wire
*and* decompressed: gzip and deflate are inflated here with a bound, so a gzip bomb costs at most
``max_bytes`` of memory), enforces one total deadline per request (slow-drip servers), and maps
every failure onto the :mod:`flows.ingest.errors` tree. Politeness (a global limit, a per-host
limit and a per-host delay) lives in :class:`HostGate`; retries of transient faults with
exponential back-off, jitter and ``Retry-After`` in :func:`fetch_with_retries`.
"""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from flows.ingest.errors import (
    BlockedError,
    FeedGoneError,
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    TransientFetchError,
)

TRANSIENT_STATUSES = frozenset({408, 429, 502, 503, 504})
PERMANENT_REDIRECTS = frozenset({301, 308})
ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# Only encodings this module can inflate with a bound are offered.
ACCEPT_ENCODING = "gzip, deflate"
CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class FetchResult:
    """A completed GET: 200 with a body, or 304 with none."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    permanent_redirect: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def build_client(
    user_agent: str,
    *,
    timeout_seconds: float = 30.0,
    max_connections: int = 10,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The one client a pass shares: HTTP/1.1, redirects followed, a project User-Agent."""
    timeout = httpx.Timeout(timeout_seconds, connect=min(CONNECT_TIMEOUT, timeout_seconds))
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=timeout,
        limits=limits,
        follow_redirects=True,
        max_redirects=10,
        transport=transport,
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)


def find_permanent_redirect(response: httpx.Response) -> str | None:
    """The new URL when the request was moved permanently (only 301/308 hops from the start)."""
    target: str | None = None
    for hop in response.history:
        if hop.status_code not in PERMANENT_REDIRECTS:
            break
        location = hop.headers.get("location")
        if not location:
            break
        target = str(hop.url.join(location))
    return target


class BoundedDecoder:
    """Inflates ``gzip``/``deflate`` bodies chunk by chunk, never producing more than ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.produced = 0
        self._started = False
        self._obj: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._obj = zlib.decompressobj(zlib.MAX_WBITS)

    def _inflate(self, data: bytes) -> bytes:
        assert self._obj is not None
        out = bytearray()
        while data:
            room = self.limit - self.produced - len(out) + 1
            piece = self._obj.decompress(data, room)
            out += piece
            if self.produced + len(out) > self.limit:
                raise ResponseTooLargeError(
                    f"decompressed body exceeds {self.limit} bytes (compression bomb?)"
                )
            data = self._obj.unconsumed_tail
            if self._obj.eof and self._obj.unused_data:
                trailing = self._obj.unused_data
                if self.encoding == "deflate" or not trailing.startswith(b"\x1f\x8b"):
                    break  # trailing bytes after the stream (padding): ignored, as browsers do
                # Concatenated gzip members.
                data = trailing
                self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
        return bytes(out)

    def feed(self, chunk: bytes) -> bytes:
        if self._obj is None:
            out = chunk
        else:
            try:
                out = self._inflate(chunk)
            except zlib.error:
                if self.encoding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib header.
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    out = self._inflate(chunk)
                else:
                    raise FetchError(f"corrupt {self.encoding} body") from None
        self._started = True
        self.produced += len(out)
        if self.produced > self.limit:
            raise ResponseTooLargeError(f"body exceeds {self.limit} bytes")
        return out

    def finish(self) -> None:
        """Raise when the compressed stream stopped before its end (a response cut short)."""
        if self._obj is not None and self._started and not self._obj.eof:
            raise FetchError(f"truncated {self.encoding} body")


def _raise_for_status(response: httpx.Response, body_sample: bytes = b"") -> None:
    status = response.status_code
    if 200 <= status < 300 or status == 304:
        return
    content_type = response.headers.get("content-type")
    reason = response.reason_phrase or ""
    message = f"HTTP {status} {reason}".strip()
    if status < 400:
        # A redirect without a usable Location, 300 Multiple Choices, 1xx…: no feed here.
        raise HTTPStatusError(message, status=status, content_type=content_type)
    server = response.headers.get("server", "").lower()
    if response.headers.get("cf-mitigated") or (
        status in (403, 503) and "cloudflare" in server and b"challenge" in body_sample.lower()
    ):
        raise BlockedError(
            f"blocked by Cloudflare ({message})", status=status, content_type=content_type
        )
    if status == 410:
        raise FeedGoneError(f"gone: {message}", status=status, content_type=content_type)
    if status in TRANSIENT_STATUSES:
        raise TransientFetchError(
            message,
            status=status,
            content_type=content_type,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    raise HTTPStatusError(message, status=status, content_type=content_type)


async def _read_bounded(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLargeError(
            f"Content-Length {declared} exceeds {max_bytes} bytes",
            status=response.status_code,
            content_type=response.headers.get("content-type"),
        )
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        # Not offered, sent anyway: let httpx decode it, counting decoded bytes.
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > max_bytes:
                raise ResponseTooLargeError(f"body exceeds {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    decoder = BoundedDecoder(encoding or "identity", max_bytes)
    parts: list[bytes] = []
    raw_total = 0
    async for raw in response.aiter_raw():
        raw_total += len(raw)
        if raw_total > max_bytes:
            raise ResponseTooLargeError(f"body exceeds {max_bytes} bytes")
        parts.append(decoder.feed(raw))
    decoder.finish()
    return b"".join(parts)


async def fetch_once(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    timeout_seconds: float = 30.0,
    accept: str = ACCEPT_FEED,
) -> FetchResult:
    """One GET with conditional headers, a total deadline and a bounded body. Raises :class:`FetchError`."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with asyncio.timeout(timeout_seconds):
            async with client.stream("GET", url, headers=headers) as response:
                if not (200 <= response.status_code < 300 or response.status_code == 304):
                    sample = b""
                    if response.status_code in (403, 503):
                        try:
                            sample = await _read_bounded(response, 64 * 1024)
                        except FetchError:
                            sample = b""
                    _raise_for_status(response, sample)
                content = (
                    b"" if response.status_code == 304 else await _read_bounded(response, max_bytes)
                )
                return FetchResult(
                    url=url,
                    final_url=str(response.url),
                    status=response.status_code,
                    headers=dict(response.headers),
                    content=content,
                    permanent_redirect=find_permanent_redirect(response),
                )
    except TimeoutError:
        raise TransientFetchError(f"timed out after {timeout_seconds:g} s (total)") from None
    except httpx.TimeoutException as exc:
        raise TransientFetchError(f"timed out: {type(exc).__name__}") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError("too many redirects") from exc
    except (
        httpx.ConnectError,
        httpx.ReadError,
        httpx.WriteError,
        httpx.RemoteProtocolError,
    ) as exc:
        raise TransientFetchError(f"connection error: {connection_reason(exc)}") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError(f"invalid URL: {exc}") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"HTTP error: {str(exc) or type(exc).__name__}") from exc


# What a connection fault without a message of its own means (a reset gives ReadError('')).
_CONNECTION_REASONS: tuple[tuple[type[httpx.HTTPError], str], ...] = (
    (httpx.ConnectError, "could not connect"),
    (httpx.ReadError, "connection reset or closed while reading the response"),
    (httpx.WriteError, "connection reset or closed while sending the request"),
    (httpx.RemoteProtocolError, "the server broke the HTTP protocol"),
)


def connection_reason(exc: httpx.HTTPError) -> str:
    """One line saying why a connection failed: the library's message, or what the fault means."""
    message = " ".join(str(exc).split())
    if message:
        return message
    for kind, reason in _CONNECTION_REASONS:
        if isinstance(exc, kind):
            return reason
    return type(exc).__name__


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    rng: Callable[[], float] = random.random,
) -> float:
    """Exponential back-off with full jitter; ``Retry-After`` is a floor when the server gave one."""
    delay = min(cap, base * (2.0**attempt)) * (0.5 + rng() / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


async def fetch_with_retries(
    fetch: Callable[[], Awaitable[FetchResult]],
    *,
    max_retries: int,
    base_delay: float = 0.5,
    max_delay: float = 10.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> FetchResult:
    """Run ``fetch``; retry :class:`TransientFetchError` up to ``max_retries`` times.

    A ``Retry-After`` longer than ``max_delay`` is not waited for inside the pass: the error is
    raised so the caller reschedules the feed after it instead.
    """
    attempt = 0
    while True:
        try:
            return await fetch()
        except TransientFetchError as exc:
            if attempt >= max_retries:
                raise
            if exc.retry_after is not None and exc.retry_after > max_delay:
                raise
            await sleep(
                backoff_delay(attempt, base=base_delay, cap=max_delay, retry_after=exc.retry_after)
            )
            attempt += 1


@dataclass
class HostGate:
    """A global concurrency limit, a per-host limit and a minimum delay between starts per host."""

    global_limit: int = 10
    per_host_limit: int = 2
    per_host_delay: float = 0.2
    _global: asyncio.Semaphore | None = None
    _hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    _next_start: dict[str, float] = field(default_factory=dict)

    def _host_semaphore(self, host: str) -> asyncio.Semaphore:
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.per_host_limit)
        return sem

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        if self._global is None:
            self._global = asyncio.Semaphore(self.global_limit)
        try:
            host = httpx.URL(url).host.lower()
        except (httpx.InvalidURL, TypeError):
            host = ""
        async with self._host_semaphore(host):
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self.per_host_delay
            if start > now:
                await asyncio.sleep(start - now)
            async with self._global:
                yield
