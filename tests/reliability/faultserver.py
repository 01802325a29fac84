"""A raw TCP server on loopback for faults an HTTP server library will not commit.

Each path gets a :data:`Fault`:

* ``hang``: read the request, never answer (until the server stops);
* ``reset``: read the request, then close with ``SO_LINGER`` 0 so the client gets a TCP RST;
* ``cut``: send a ``200`` whose ``Content-Length`` promises the whole body, send half, close;
* ``garbage``: answer with bytes that are not HTTP at all;
* ``ok``: a sound ``200`` with the body (the fault healed).

::

    with FaultServer() as server:
        server.faults["/feed.xml"] = ("cut", body)
        url = server.url("/feed.xml")
"""

from __future__ import annotations

import socket
import struct
import threading
from contextlib import suppress
from types import TracebackType
from typing import Literal

Fault = Literal["hang", "reset", "cut", "garbage", "ok"]


class FaultServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.faults: dict[str, tuple[Fault, bytes]] = {}
        self.hits: list[str] = []
        self.host = host
        self._sock = socket.socket()
        self._sock.bind((host, 0))
        self._sock.listen(32)
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode("latin-1")
            self.hits.append(path)
            fault, body = self.faults.get(path, ("reset", b""))
            if fault == "hang":
                self._stopping.wait()
            elif fault == "cut":
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode("ascii")
                conn.sendall(head + body[: len(body) // 2])
            elif fault == "ok":
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                ).encode("ascii")
                conn.sendall(head + body)
                return
            elif fault == "garbage":
                conn.sendall(body or b"\x00\xff\x13 not http at all\r\n\r\n")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def start(self) -> FaultServer:
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._accepter.join(timeout=2)
        self._sock.close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
