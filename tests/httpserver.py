"""A real HTTP/1.1 server on a loopback address for tests (no mocks of the network).

Routes map a path to a :class:`Reply` or to a function of the :class:`RecordedRequest` returning
one. A reply can set the status, headers and body, gzip the body, drip it slowly, stream an
endless body, or redirect. Every request is recorded with its headers::

    with LoopbackServer() as server:
        server.routes["/feed.xml"] = Reply(body=b"<rss>…</rss>", headers={"ETag": '"v1"'})
        url = server.url("/feed.xml")
"""

from __future__ import annotations

import gzip
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/rss+xml; charset=utf-8"
    gzip: bool = False  # compress ``body`` (Content-Encoding: gzip)
    raw_encoding: str | None = None  # send ``body`` as is with this Content-Encoding
    drip_seconds: float = 0.0  # pause between chunks (slow-drip server)
    chunk_size: int = 1024
    endless: bool = False  # repeat ``body`` until the client goes away
    delay_seconds: float = 0.0  # wait before answering


Route = Reply | Callable[[RecordedRequest], Reply]


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status=status, headers={"Location": location}, content_type=None)


def conditional(
    body: bytes, *, etag: str | None = None, last_modified: str | None = None, **kwargs: object
) -> Callable[[RecordedRequest], Reply]:
    """A route answering 304 when the request's validators match."""

    def route(request: RecordedRequest) -> Reply:
        headers: dict[str, str] = {}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        matched = (etag is not None and request.header("If-None-Match") == etag) or (
            etag is None
            and last_modified is not None
            and request.header("If-Modified-Since") == last_modified
        )
        if matched:
            return Reply(status=304, headers=headers, content_type=None)
        return Reply(body=body, headers=headers, **kwargs)  # type: ignore[arg-type]

    return route


def sequence(*replies: Reply) -> Callable[[RecordedRequest], Reply]:
    """A route giving each reply in turn, then repeating the last one."""
    lock = threading.Lock()
    state = {"i": 0}

    def route(request: RecordedRequest) -> Reply:
        with lock:
            i = min(state["i"], len(replies) - 1)
            state["i"] += 1
        return replies[i]

    return route


def gzip_bomb(decompressed_size: int) -> bytes:
    """Gzip of ``decompressed_size`` zero bytes (about 1000:1), built without holding it all."""
    block = b"\0" * (1024 * 1024)
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = bytearray()
    remaining = decompressed_size
    while remaining > 0:
        piece = block[: min(remaining, len(block))]
        out += comp.compress(piece)
        remaining -= len(piece)
    out += comp.flush()
    return bytes(out)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        request = RecordedRequest("GET", self.path, dict(self.headers.items()))
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(request)
        route = owner.routes.get(self.path) or owner.routes.get(self.path.split("?")[0])
        if route is None:
            reply = Reply(
                status=404, body=b"<html><body>Not found</body></html>", content_type="text/html"
            )
        else:
            reply = route(request) if callable(route) else route
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        if reply.delay_seconds:
            time.sleep(reply.delay_seconds)
        body = reply.body
        encoding = reply.raw_encoding
        if reply.gzip:
            body = gzip.compress(body)
            encoding = "gzip"
        self.send_response(reply.status)
        headers = dict(reply.headers)
        headers.setdefault("Date", formatdate(usegmt=True))
        if reply.content_type and reply.status != 304:
            headers.setdefault("Content-Type", reply.content_type)
        if encoding:
            headers["Content-Encoding"] = encoding
        if reply.endless:
            headers["Connection"] = "close"
            self.close_connection = True
        elif reply.status not in (304, 204):
            headers["Content-Length"] = str(len(body))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if reply.status in (304, 204):
            return
        owner = self.server.owner
        if reply.endless:
            chunk = body or b"x" * 65536
            while not owner.stopping.is_set():
                self.wfile.write(chunk)
                if reply.drip_seconds:
                    time.sleep(reply.drip_seconds)
            return
        if reply.drip_seconds:
            for start in range(0, len(body), reply.chunk_size):
                if owner.stopping.is_set():
                    return
                self.wfile.write(body[start : start + reply.chunk_size])
                self.wfile.flush()
                time.sleep(reply.drip_seconds)
            return
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up mid-body (size caps, deadlines) are expected here.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    """A threaded HTTP server on ``host`` (127.0.0.1 by default) and a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server((host, port), _Handler)
        self._server.owner = self
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def running_server() -> Iterator[LoopbackServer]:
    """Generator for a pytest fixture: ``server = pytest.fixture(running_server)``."""
    with LoopbackServer() as server:
        yield server
