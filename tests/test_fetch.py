"""The HTTP client layer against a real loopback server: statuses, redirects, limits, retries."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
import pytest
from httpserver import LoopbackServer, RecordedRequest, Reply, gzip_bomb, redirect, sequence

from flows.ingest.errors import (
    BlockedError,
    FeedGoneError,
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    TransientFetchError,
)
from flows.ingest.fetch import (
    BoundedDecoder,
    FetchResult,
    HostGate,
    backoff_delay,
    build_client,
    fetch_once,
    fetch_with_retries,
    parse_retry_after,
)
from flows.ingest.robots import RobotsCache, parse_robots
from flows.ingest.schedule import (
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    SLACK,
    cache_interval,
    next_check_after_failure,
    next_check_after_success,
)

T = TypeVar("T")
UA = "rudprk-watch/test (+https://example.invalid)"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def run(make: Callable[[httpx.AsyncClient], Awaitable[T]], timeout: float = 30.0) -> T:
    async def main() -> T:
        async with build_client(UA, timeout_seconds=timeout) as client:
            return await make(client)

    return asyncio.run(main())


def get(server: LoopbackServer, path: str, **kwargs: object) -> FetchResult:
    return run(lambda c: fetch_once(c, server.url(path), **kwargs))  # type: ignore[arg-type]


def test_ok_response_sends_user_agent_and_conditional_headers(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(body=BODY, headers={"ETag": '"e1"'})
    result = get(server, "/f", etag='"e0"', last_modified="Mon, 02 Mar 2026 08:00:00 GMT")
    assert result.status == 200 and result.content == BODY
    assert result.headers["etag"] == '"e1"'
    request = server.requests_to("/f")[0]
    assert request.header("User-Agent") == UA
    assert request.header("If-None-Match") == '"e0"'
    assert request.header("If-Modified-Since") == "Mon, 02 Mar 2026 08:00:00 GMT"
    assert "gzip" in (request.header("Accept-Encoding") or "")


def test_not_modified_has_no_body(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(status=304, content_type=None)
    result = get(server, "/f", etag='"e1"')
    assert result.not_modified and result.content == b""


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, HTTPStatusError),
        (401, HTTPStatusError),
        (500, HTTPStatusError),
        (410, FeedGoneError),
        (429, TransientFetchError),
        (502, TransientFetchError),
        (503, TransientFetchError),
        (504, TransientFetchError),
    ],
)
def test_error_statuses_map_to_the_error_tree(
    server: LoopbackServer, status: int, error: type[FetchError]
) -> None:
    server.routes["/f"] = Reply(status=status, body=b"no", content_type="text/html")
    with pytest.raises(error) as info:
        get(server, "/f")
    assert type(info.value) is error
    assert info.value.status == status
    assert info.value.content_type == "text/html"
    assert str(status) in str(info.value)


def test_redirect_without_location_is_an_error(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(status=302, body=b"moved somewhere", content_type="text/plain")
    with pytest.raises(HTTPStatusError, match="302"):
        get(server, "/f")


def test_retry_after_is_read_from_429(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(status=429, headers={"Retry-After": "120"})
    with pytest.raises(TransientFetchError) as info:
        get(server, "/f")
    assert info.value.retry_after == 120.0


def test_cloudflare_challenge_is_a_block(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(
        status=403,
        headers={"Server": "cloudflare", "cf-mitigated": "challenge"},
        body=b"<html><title>Just a moment...</title></html>",
        content_type="text/html",
    )
    with pytest.raises(BlockedError, match="Cloudflare"):
        get(server, "/f")


def test_redirects_are_followed_and_permanent_ones_reported(server: LoopbackServer) -> None:
    server.routes["/a"] = redirect("/b", 301)
    server.routes["/b"] = redirect("/c", 308)
    server.routes["/c"] = Reply(body=BODY)
    server.routes["/t"] = redirect("/c", 302)
    server.routes["/m"] = redirect("/t", 301)
    permanent = get(server, "/a")
    assert permanent.content == BODY and permanent.final_url == server.url("/c")
    assert permanent.permanent_redirect == server.url("/c")
    temporary = get(server, "/t")
    assert temporary.content == BODY and temporary.permanent_redirect is None
    # Permanent then temporary: only the permanent hop is followed for the stored URL.
    assert get(server, "/m").permanent_redirect == server.url("/t")


def test_redirect_loop_is_an_error(server: LoopbackServer) -> None:
    server.routes["/loop"] = redirect("/loop", 302)
    with pytest.raises(FetchError, match="redirects"):
        get(server, "/loop")


def test_slow_drip_hits_the_total_deadline(server: LoopbackServer) -> None:
    # Each chunk arrives well within any read timeout, but the whole body would take 20 s.
    server.routes["/slow"] = Reply(body=b"x" * 200, chunk_size=1, drip_seconds=0.1)
    with pytest.raises(TransientFetchError, match="timed out"):
        get(server, "/slow", timeout_seconds=1.0)


def test_endless_body_is_cut_at_max_bytes(server: LoopbackServer) -> None:
    server.routes["/endless"] = Reply(endless=True)
    with pytest.raises(ResponseTooLargeError):
        get(server, "/endless", max_bytes=1024 * 1024)


def test_declared_content_length_over_the_cap_is_refused_early(server: LoopbackServer) -> None:
    server.routes["/big"] = Reply(body=b"y" * 300_000)
    with pytest.raises(ResponseTooLargeError, match="Content-Length"):
        get(server, "/big", max_bytes=100_000)


def test_gzip_is_decoded(server: LoopbackServer) -> None:
    server.routes["/gz"] = Reply(body=BODY * 50, gzip=True)
    assert get(server, "/gz").content == BODY * 50


def test_gzip_bomb_is_stopped_at_the_decompressed_cap(server: LoopbackServer) -> None:
    bomb = gzip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    server.routes["/bomb"] = Reply(body=bomb, raw_encoding="gzip")
    with pytest.raises(ResponseTooLargeError, match="decompressed"):
        get(server, "/bomb", max_bytes=2 * 1024 * 1024)


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_with_and_without_zlib_header(server: LoopbackServer, wbits: int) -> None:
    comp = zlib.compressobj(6, zlib.DEFLATED, wbits)
    server.routes["/d"] = Reply(body=comp.compress(BODY) + comp.flush(), raw_encoding="deflate")
    assert get(server, "/d").content == BODY


def test_corrupt_gzip_is_an_error(server: LoopbackServer) -> None:
    server.routes["/bad"] = Reply(body=b"\x1f\x8b\x08\x00garbage-garbage", raw_encoding="gzip")
    with pytest.raises(FetchError, match="corrupt"):
        get(server, "/bad")


def test_bounded_decoder_handles_concatenated_gzip_members() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    decoder = BoundedDecoder("gzip", 1000)
    assert decoder.feed(data[:7]) + decoder.feed(data[7:]) == b"first second"


def test_bounded_decoder_ignores_trailing_padding() -> None:
    decoder = BoundedDecoder("gzip", 1000)
    assert decoder.feed(gzip.compress(b"body") + b"\0\0\0\0") == b"body"
    comp = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS)
    deflate = BoundedDecoder("deflate", 1000)
    assert deflate.feed(comp.compress(b"body") + comp.flush() + b"\n") == b"body"


def test_connection_refused_is_transient() -> None:
    with LoopbackServer() as srv:
        url = srv.url("/f")
    with pytest.raises(TransientFetchError, match="connection"):
        run(lambda c: fetch_once(c, url))


def test_transient_faults_are_retried_then_succeed(server: LoopbackServer) -> None:
    server.routes["/f"] = sequence(Reply(status=503), Reply(status=502), Reply(body=BODY))
    delays: list[float] = []

    async def no_sleep(seconds: float) -> None:
        delays.append(seconds)

    async def make(client: httpx.AsyncClient) -> FetchResult:
        return await fetch_with_retries(
            lambda: fetch_once(client, server.url("/f")),
            max_retries=2,
            base_delay=1.0,
            sleep=no_sleep,
        )

    assert run(make).content == BODY
    assert len(delays) == 2 and delays[1] > delays[0] * 1.0 - 0.5


def test_permanent_errors_are_not_retried(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(status=404)

    async def make(client: httpx.AsyncClient) -> FetchResult:
        return await fetch_with_retries(
            lambda: fetch_once(client, server.url("/f")), max_retries=3, base_delay=0.0
        )

    with pytest.raises(HTTPStatusError):
        run(make)
    assert len(server.requests_to("/f")) == 1


def test_retries_give_up_after_max_retries(server: LoopbackServer) -> None:
    server.routes["/f"] = Reply(status=504)

    async def make(client: httpx.AsyncClient) -> FetchResult:
        return await fetch_with_retries(
            lambda: fetch_once(client, server.url("/f")), max_retries=2, base_delay=0.0
        )

    with pytest.raises(TransientFetchError):
        run(make)
    assert len(server.requests_to("/f")) == 3


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    def mid() -> float:
        return 0.5

    delays = [backoff_delay(n, base=1.0, cap=8.0, rng=mid) for n in range(6)]
    assert delays == sorted(delays)
    assert delays[-1] == 8.0 * 0.75
    assert backoff_delay(0, base=1.0, cap=8.0, retry_after=5.0, rng=mid) == 5.0
    assert 0.5 <= backoff_delay(0, base=1.0, cap=8.0) <= 1.0


def test_retry_after_parsing() -> None:
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Mon, 02 Mar 2026 09:02:00 GMT", NOW) == 120.0
    assert parse_retry_after("Mon, 02 Mar 2026 08:00:00 GMT", NOW) == 0.0


def test_host_gate_limits_concurrency_per_host(server: LoopbackServer) -> None:
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}

    def slow(request: RecordedRequest) -> Reply:
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(0.05)
        with lock:
            state["active"] -= 1
        return Reply(body=BODY)

    for i in range(8):
        server.routes[f"/f{i}"] = slow
    gate = HostGate(global_limit=10, per_host_limit=2, per_host_delay=0.0)

    async def one(client: httpx.AsyncClient, path: str) -> FetchResult:
        async with gate.slot(server.url(path)):
            return await fetch_once(client, server.url(path))

    async def make(client: httpx.AsyncClient) -> list[FetchResult]:
        return await asyncio.gather(*(one(client, f"/f{i}") for i in range(8)))

    results = run(make)
    assert all(r.content == BODY for r in results)
    assert state["peak"] == 2


def test_host_gate_spaces_request_starts_on_one_host() -> None:
    gate = HostGate(global_limit=10, per_host_limit=5, per_host_delay=0.05)
    starts: list[float] = []

    async def one() -> None:
        async with gate.slot("http://127.0.0.1:1/x"):
            starts.append(time.monotonic())

    async def main() -> None:
        await asyncio.gather(*(one() for _ in range(4)))

    asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap >= 0.04 for gap in gaps)


def test_robots_rules_are_cached_per_host(server: LoopbackServer) -> None:
    server.routes["/robots.txt"] = Reply(
        body=b"User-agent: rudprk-watch\nDisallow: /news/private\n\nUser-agent: *\nDisallow: /\n",
        content_type="text/plain",
    )

    async def make(client: httpx.AsyncClient) -> list[bool]:
        robots = RobotsCache(client, UA)
        return [
            await robots.allowed(server.url("/news/a.html")),
            await robots.allowed(server.url("/news/private/b.html")),
        ]

    assert run(make) == [True, False]
    assert len(server.requests_to("/robots.txt")) == 1


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (500, False)])
def test_unavailable_robots_txt(server: LoopbackServer, status: int, allowed: bool) -> None:
    server.routes["/robots.txt"] = Reply(status=status, content_type="text/plain")

    async def make(client: httpx.AsyncClient) -> bool:
        return await RobotsCache(client, UA).allowed(server.url("/a.html"))

    assert run(make) is allowed


def test_parse_robots_matches_product_token() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /search\n")
    assert rules.can_fetch(UA, "https://example.org/a")
    assert not rules.can_fetch(UA, "https://example.org/search?q=x")


def test_schedule_uses_max_age_then_expires_then_ttl() -> None:
    assert cache_interval({"Cache-Control": "public, max-age=3600"}, NOW) == timedelta(hours=1)
    assert cache_interval({"Cache-Control": "no-cache, max-age=3600"}, NOW) is None
    expires = {"Expires": "Mon, 02 Mar 2026 11:00:00 GMT", "Date": "Mon, 02 Mar 2026 09:00:00 GMT"}
    assert cache_interval(expires, NOW) == timedelta(hours=2)
    assert cache_interval({"Expires": "0"}, NOW) is None
    with_ttl = next_check_after_success(NOW, {}, ttl_seconds=3 * 3600)
    assert with_ttl == NOW + timedelta(hours=3) - SLACK
    assert next_check_after_success(NOW, {}) == NOW + DEFAULT_INTERVAL - SLACK
    header_wins = next_check_after_success(NOW, {"cache-control": "max-age=1800"}, 3 * 3600)
    assert header_wins == NOW + timedelta(minutes=30) - SLACK


def test_schedule_is_clamped() -> None:
    assert (
        next_check_after_success(NOW, {"Cache-Control": "max-age=10"}) == NOW + MIN_INTERVAL - SLACK
    )
    assert next_check_after_success(NOW, {}, ttl_seconds=10**7) == NOW + MAX_INTERVAL - SLACK


def test_failure_backoff_is_exponential_capped_and_honours_retry_after() -> None:
    gaps = [next_check_after_failure(NOW, n) - NOW for n in range(1, 12)]
    assert gaps[0] == MIN_INTERVAL - SLACK
    assert gaps[1] == 2 * MIN_INTERVAL - SLACK
    assert gaps == sorted(gaps)
    assert gaps[-1] == MAX_INTERVAL - SLACK
    pushed = next_check_after_failure(NOW, 1, retry_after_seconds=4 * 3600)
    assert pushed == NOW + timedelta(hours=4) - SLACK


def test_an_operators_interval_replaces_the_hints_and_shortens_the_backoff() -> None:
    hints = {"Cache-Control": "max-age=7200"}
    # 30 s, whatever the server says, a tenth early rather than a minute
    assert next_check_after_success(NOW, hints, 3600, interval_seconds=30) == NOW + timedelta(
        seconds=27
    )
    assert next_check_after_success(NOW, hints, None, 3 * 3600) == NOW + timedelta(hours=3) - SLACK
    assert next_check_after_success(NOW, {}, None, 1) == NOW + timedelta(seconds=9)  # floor 10 s
    gaps = [next_check_after_failure(NOW, n, None, 30) - NOW for n in range(1, 5)]
    assert gaps == [timedelta(seconds=s * 0.9) for s in (30, 60, 120, 240)]
    # a long interval keeps the ordinary back-off (a tenth early), and Retry-After still wins
    assert next_check_after_failure(NOW, 1, None, 3600) == NOW + MIN_INTERVAL * 0.9
    assert next_check_after_failure(NOW, 1, 600, 30) == NOW + timedelta(seconds=600) - SLACK


def test_truncated_gzip_is_an_error(server: LoopbackServer) -> None:
    whole = gzip.compress(b"<rss><channel><title>t</title></channel></rss>" * 50)
    server.routes["/cut"] = Reply(body=whole[: len(whole) // 2], raw_encoding="gzip")
    with pytest.raises(FetchError, match=r"^truncated gzip body$"):
        get(server, "/cut")
