"""robots.txt for article pages, fetched once per host and pass (feeds are not subject to it).

Follows RFC 9309 on unavailability: a 4xx robots.txt means "no rules" (everything allowed); a
5xx, a timeout or a connection failure means "assume everything is disallowed" for this pass.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.robotparser import RobotFileParser

import httpx

from flows.ingest.errors import FetchError, HTTPStatusError
from flows.ingest.fetch import FetchResult, HostGate, fetch_once

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024


def robots_url(url: str) -> str:
    parsed = httpx.URL(url)
    return str(parsed.copy_with(path="/robots.txt", query=None, fragment=None))


def parse_robots(text: str) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return parser


def allow_all() -> RobotFileParser:
    return parse_robots("")


def disallow_all() -> RobotFileParser:
    return parse_robots("User-agent: *\nDisallow: /\n")


class RobotsCache:
    """Per-host robots.txt rules for one pass; concurrent asks for one host share one fetch."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        user_agent: str,
        *,
        timeout_seconds: float = 10.0,
        gate: HostGate | None = None,
    ) -> None:
        self.client = client
        self.user_agent = user_agent
        self.timeout_seconds = timeout_seconds
        self.gate = gate
        self._rules: dict[str, asyncio.Task[RobotFileParser]] = {}

    async def _fetch(self, target: str) -> FetchResult:
        return await fetch_once(
            self.client,
            target,
            max_bytes=ROBOTS_MAX_BYTES,
            timeout_seconds=self.timeout_seconds,
            accept="text/plain, */*;q=0.5",
        )

    async def _load(self, url: str) -> RobotFileParser:
        target = robots_url(url)
        try:
            if self.gate is None:
                result = await self._fetch(target)
            else:
                async with self.gate.slot(target):
                    result = await self._fetch(target)
        except HTTPStatusError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return allow_all()
            return disallow_all()
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500:
                return allow_all()
            log.info("robots.txt unavailable", extra={"url": target, "error": str(exc)})
            return disallow_all()
        return parse_robots(result.content.decode("utf-8", errors="replace"))

    async def allowed(self, url: str) -> bool:
        """May ``url`` be fetched by our User-Agent?"""
        try:
            origin = robots_url(url)
        except (httpx.InvalidURL, TypeError):
            return False
        task = self._rules.get(origin)
        if task is None:
            task = self._rules[origin] = asyncio.ensure_future(self._load(url))
        rules = await task
        return rules.can_fetch(self.user_agent, url)
