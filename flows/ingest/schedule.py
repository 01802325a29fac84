"""When to check a feed next: server hints on success, capped exponential back-off on failure.

Rules (pure functions, ``now`` always given):

* after a success or a 304, the interval is the first hint found among ``Cache-Control:
  max-age`` (``s-maxage`` ignored: we are not a shared cache), ``Expires`` (relative to the
  response ``Date`` when present) and RSS ``<ttl>``; with no hint, :data:`DEFAULT_INTERVAL`.
  ``no-cache``/``no-store``/``max-age=0`` count as "no hint". The interval is clamped to
  [:data:`MIN_INTERVAL`, :data:`MAX_INTERVAL`];
* after a failure, ``MIN_INTERVAL * 2**(errors-1)`` capped at :data:`MAX_INTERVAL`, and never
  earlier than a ``Retry-After`` the server sent (429/503);
* the stored time is :data:`SLACK` early, so a cron with the same period as the feed's interval
  does not skip every other run because it started a second later than the last one;
* a feed the operator gave its own ``interval`` (the sources file) is checked at that interval
  instead, whatever the server hints, clamped to [:data:`MIN_SET_INTERVAL`,
  :data:`MAX_INTERVAL`]; its failure back-off starts from that interval when it is shorter than
  :data:`MIN_INTERVAL`, and its slack is at most a tenth of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(hours=24)
DEFAULT_INTERVAL = timedelta(minutes=15)
SLACK = timedelta(seconds=60)
# The shortest interval an operator may set for a feed (a loopback or own feed watched closely).
MIN_SET_INTERVAL = timedelta(seconds=10)

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def clamp_interval(interval: timedelta) -> timedelta:
    return max(MIN_INTERVAL, min(MAX_INTERVAL, interval))


def capped_seconds(seconds: float) -> timedelta:
    """``seconds`` as a timedelta, capped at :data:`MAX_INTERVAL` first: a server's
    ``Retry-After``, ``max-age`` or ``<ttl>`` can be larger than a timedelta holds."""
    return timedelta(seconds=min(float(seconds), MAX_INTERVAL.total_seconds()))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def cache_interval(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """The freshness lifetime the response headers grant, or ``None``."""
    cache_control = _header(headers, "cache-control") or ""
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    match = _MAX_AGE.search(cache_control)
    if match:
        seconds = int(match.group(1))
        return capped_seconds(seconds) if seconds > 0 else None
    expires = _http_date(_header(headers, "expires"))
    if expires is not None:
        base = _http_date(_header(headers, "date")) or now
        delta = expires - base
        return delta if delta > timedelta(0) else None
    return None


def set_interval(seconds: int) -> timedelta:
    """An operator's interval, clamped to [:data:`MIN_SET_INTERVAL`, :data:`MAX_INTERVAL`]."""
    return max(MIN_SET_INTERVAL, capped_seconds(seconds))


def _slack(interval: timedelta) -> timedelta:
    """The slack of an operator's interval: :data:`SLACK`, or a tenth of a shorter interval's
    length, so a 10-second feed is not due again at once."""
    return min(SLACK, interval / 10)


def next_check_after_success(
    now: datetime,
    headers: Mapping[str, str],
    ttl_seconds: int | None = None,
    interval_seconds: int | None = None,
) -> datetime:
    """Next check time after a 200 or 304; ``interval_seconds`` is the operator's own."""
    if interval_seconds is not None:
        chosen = set_interval(interval_seconds)
        return now + chosen - _slack(chosen)
    interval = cache_interval(headers, now)
    if interval is None and ttl_seconds is not None and ttl_seconds > 0:
        interval = capped_seconds(ttl_seconds)
    if interval is None:
        interval = DEFAULT_INTERVAL
    return now + clamp_interval(interval) - SLACK


def next_check_after_failure(
    now: datetime,
    error_count: int,
    retry_after_seconds: float | None = None,
    interval_seconds: int | None = None,
) -> datetime:
    """Next check time after the ``error_count``-th consecutive failure (1 for the first)."""
    base, floor = MIN_INTERVAL, MIN_INTERVAL
    if interval_seconds is not None:
        base = floor = min(MIN_INTERVAL, set_interval(interval_seconds))
    exponent = max(0, min(error_count - 1, 20))
    interval = min(MAX_INTERVAL, base * (1 << exponent))
    if retry_after_seconds is not None:
        interval = max(interval, capped_seconds(retry_after_seconds))
    interval = max(floor, min(MAX_INTERVAL, interval))
    return now + interval - (SLACK if interval_seconds is None else _slack(interval))
