"""Ingestion's exception tree: every per-feed failure is an :class:`IngestError` with a clear message.

IngestError
├── FetchError              (status and content_type when known)
│   ├── TransientFetchError (timeouts, resets, 429, 502-504: retried)
│   ├── HTTPStatusError     (other 4xx/5xx)
│   ├── FeedGoneError       (410: the feed is disabled)
│   ├── ResponseTooLargeError
│   └── BlockedError        (robots.txt, block pages)
└── ParseError
    ├── NotAFeedError       (HTML page, 404 page, binary data...)
    └── HostileFeedError    (entity declarations, external entities)
"""

from __future__ import annotations


class IngestError(Exception):
    """Base of every ingestion error."""


class FetchError(IngestError):
    def __init__(
        self, message: str, *, status: int | None = None, content_type: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.content_type = content_type


class TransientFetchError(FetchError):
    """A fault worth retrying; ``retry_after`` in seconds when the server said so."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        content_type: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, content_type=content_type)
        self.retry_after = retry_after


class HTTPStatusError(FetchError):
    pass


class FeedGoneError(FetchError):
    pass


class ResponseTooLargeError(FetchError):
    pass


class BlockedError(FetchError):
    pass


class ParseError(IngestError):
    pass


class NotAFeedError(ParseError):
    pass


class HostileFeedError(ParseError):
    pass
