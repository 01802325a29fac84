"""A small HTTP server on 127.0.0.1 that serves fixed documents (demo and tests; no network needed)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass(frozen=True)
class Document:
    body: bytes
    content_type: str = "application/xml; charset=utf-8"
    status: int = 200


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        doc = self.server.documents.get(path)
        if doc is None:
            doc = Document(b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", 404)
        self.server.hits.append(path)
        self.send_response(doc.status)
        self.send_header("Content-Type", doc.content_type)
        self.send_header("Content-Length", str(len(doc.body)))
        self.end_headers()
        self.wfile.write(doc.body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    documents: Mapping[str, Document]
    hits: list[str]


class LoopbackServer:
    """Serve ``documents`` (path → Document) on 127.0.0.1 and a free port, in a background thread."""

    def __init__(
        self, documents: Mapping[str, Document], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.documents = dict(documents)
        self._server.hits = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def hits(self) -> list[str]:
        return self._server.hits

    def set_documents(self, documents: Mapping[str, Document]) -> None:
        self._server.documents = dict(documents)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
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
