"""Loopback news sites for the pass benchmarks (``coldpass``, ``year``, ``latency``).

A child process serves, on 127.0.0.2 … 127.0.0.(hosts+1) (Linux routes all of 127/8 to
loopback), ``feeds`` RSS feeds and a page for every entry:

* ``/feed/N.xml`` — the latest ``window`` entries of feed N (ETag / 304 on ``If-None-Match``);
* ``/a/N/K.html`` — the page of entry K of feed N (a few hundred words);
* ``/robots.txt`` — 404 (everything allowed).

What each feed holds is one counter per feed in shared memory (:class:`Sites.publish`): entry K
of feed N exists when K < count[N]. Texts are generated from word lists written for this
benchmark; one entry in ``theme_every`` is about North Korean troops or arms sent to Russia, with
figures, places and dates that vary with (N, K). One entry in ``copy_every`` repeats another
feed's story (same title and text, other URL): the pipeline's content deduplication skips it.
Publication times come from a second shared array (seconds since the epoch of each feed's last
publication), so the latency benchmark can stamp an entry with the moment it appeared.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

BASE_TIME = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UA = "rudprk-watch/bench (+loopback)"

_WORDS_EN = (
    "council",
    "budget",
    "river",
    "harbour",
    "school",
    "vote",
    "market",
    "rail",
    "bridge",
    "festival",
    "museum",
    "harvest",
    "weather",
    "storm",
    "mayor",
    "union",
    "strike",
    "hospital",
    "tariff",
    "export",
    "bank",
    "rate",
    "inflation",
    "growth",
    "orchestra",
    "league",
    "match",
    "season",
    "tourism",
    "airport",
    "coast",
    "forest",
    "energy",
    "grid",
    "solar",
    "wind",
    "housing",
    "rent",
    "court",
    "ruling",
    "minister",
    "report",
    "survey",
    "data",
    "library",
    "fishing",
    "port",
    "traffic",
)
_WORDS_FR = (
    "conseil",
    "budget",
    "fleuve",
    "port",
    "école",
    "vote",
    "marché",
    "rail",
    "pont",
    "festival",
    "musée",
    "récolte",
    "météo",
    "tempête",
    "maire",
    "syndicat",
    "grève",
    "hôpital",
    "tarif",
    "export",
    "banque",
    "taux",
    "inflation",
    "croissance",
    "orchestre",
    "ligue",
    "match",
    "saison",
    "tourisme",
    "aéroport",
    "côte",
    "forêt",
    "énergie",
    "réseau",
    "solaire",
    "vent",
    "logement",
    "loyer",
    "tribunal",
    "décision",
    "ministre",
    "rapport",
    "enquête",
    "données",
    "bibliothèque",
    "pêche",
)
_THEME_EN = (
    "North Korea has sent {n} more soldiers to Russia's Kursk region, South Korea's National "
    "Intelligence Service said on {day}, adding that the troops arrived by train through "
    "Vladivostok.",
    "Pyongyang shipped {n} containers of artillery shells to Russia in {month}, according to "
    "Seoul's defence ministry, which tracked the cargo from the port of Rajin.",
    "Russia and North Korea opened a road bridge over the Tumen river on {day}, officials in "
    "Moscow said, after Kim Jong Un met the Russian defence minister in Pyongyang.",
)
_THEME_FR = (
    "La Corée du Nord a envoyé {n} soldats supplémentaires dans la région russe de Koursk, a "
    "indiqué {day} le service de renseignement sud-coréen, selon qui les troupes sont arrivées "
    "par train via Vladivostok.",
    "Pyongyang a livré {n} conteneurs d'obus d'artillerie à la Russie en {month}, selon le "
    "ministère sud-coréen de la Défense, qui a suivi la cargaison depuis le port de Rajin.",
)
_DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June")
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin")


def _mix(*parts: int) -> int:
    return zlib.crc32(repr(parts).encode())


@dataclass(frozen=True)
class Layout:
    feeds: int
    hosts: int = 50
    window: int = 20
    summary_words: int = 60
    page_words: int = 400
    theme_every: int = 20
    copy_every: int = 0  # 0: no copies
    entry_minutes: int = 13  # default spacing of publication times

    def on_theme(self, n: int, k: int) -> bool:
        return _mix(n, k, "theme") % self.theme_every == 0

    def story(self, n: int, k: int) -> tuple[int, int]:
        """Whose story entry K of feed N tells (another feed's, for a copy)."""
        if self.copy_every and _mix(n, k, "copy") % self.copy_every == 0 and self.feeds > 1:
            return (n + 1) % self.feeds, k
        return n, k

    def language(self, n: int) -> str:
        return "fr" if n % 2 else "en"

    def host(self, n: int) -> str:
        return f"127.0.0.{2 + n % self.hosts}"

    def title(self, n: int, k: int) -> str:
        sn, sk = self.story(n, k)
        lang = self.language(sn)
        words = _WORDS_FR if lang == "fr" else _WORDS_EN
        seed = _mix(sn, sk)
        if self.on_theme(sn, sk):
            return (
                f"Pyongyang envoie {1000 + seed % 9000} soldats en Russie"
                if lang == "fr"
                else f"North Korea sends {1000 + seed % 9000} troops to Russia"
            )
        picked = [words[(seed >> (i * 3)) % len(words)] for i in range(5)]
        return f"{picked[0].capitalize()} {picked[1]} {picked[2]} {picked[3]} {picked[4]} {sn}-{sk}"

    def text(self, n: int, k: int, words_wanted: int) -> str:
        sn, sk = self.story(n, k)
        lang = self.language(sn)
        words = _WORDS_FR if lang == "fr" else _WORDS_EN
        seed = _mix(sn, sk, "text")
        out: list[str] = []
        i = 0
        while len(out) < words_wanted:
            out.append(words[_mix(seed, i) % len(words)])
            i += 1
            if i % 12 == 0:
                out[-1] += "."
        body = " ".join(out)
        if self.on_theme(sn, sk):
            templates = _THEME_FR if lang == "fr" else _THEME_EN
            days, months = (_DAYS_FR, _MONTHS_FR) if lang == "fr" else (_DAYS_EN, _MONTHS_EN)
            sentence = templates[seed % len(templates)].format(
                n=1000 + _mix(sn, sk) % 9000, day=days[seed % 5], month=months[seed % 6]
            )
            body = f"{sentence} {body}"
        return body.capitalize() + "."

    def published(self, n: int, k: int) -> datetime:
        return BASE_TIME + timedelta(minutes=self.entry_minutes * k + n % 13)


def feed_xml(layout: Layout, n: int, count: int, port: int, stamps: dict[int, float]) -> bytes:
    items = []
    for k in range(max(0, count - layout.window), count):
        stamp = stamps.get(k)
        when = datetime.fromtimestamp(stamp, UTC) if stamp else layout.published(n, k)
        link = f"http://{layout.host(n)}:{port}/a/{n}/{k}.html"
        items.append(
            f"<item><title>{escape(layout.title(n, k))}</title><link>{link}</link>"
            f"<guid isPermaLink='false'>urn:loop:{n}:{k}</guid>"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{escape(layout.text(n, k, layout.summary_words))}</description></item>"
        )
    items.reverse()
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Loop feed {n}</title><link>http://{layout.host(n)}:{port}/</link>"
        f"<description>Loopback feed {n}</description><language>{layout.language(n)}</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def page_html(layout: Layout, n: int, k: int) -> bytes:
    paragraphs = layout.text(n, k, layout.page_words).split(". ")
    chunks = [". ".join(paragraphs[i : i + 4]) for i in range(0, len(paragraphs), 4)]
    body = "".join(f"<p>{escape(c)}.</p>" for c in chunks)
    return (
        f"<!doctype html><html lang='{layout.language(n)}'><head><meta charset='utf-8'>"
        f"<title>{escape(layout.title(n, k))}</title></head><body><header><nav>Home · World"
        f"</nav></header><article><h1>{escape(layout.title(n, k))}</h1>{body}</article>"
        "<footer>Loopback press</footer></body></html>"
    ).encode()


class _Protocol(asyncio.Protocol):
    def __init__(self, server: _Server) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            response = self.server.answer(head)
            if self.transport is not None and not self.transport.is_closing():
                self.transport.write(response)


class _Server:
    def __init__(self, layout: Layout, port: int, counts: Any, stamps: Any) -> None:
        self.layout = layout
        self.port = port
        self.counts = counts
        self.stamps = stamps  # per feed: the time its latest entry was published (0: default)
        self.stamp_of: dict[tuple[int, int], float] = {}

    def answer(self, head: bytes) -> bytes:
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1].split("?")[0]
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        status, body, extra = "404 Not Found", b"not found", "Content-Type: text/plain\r\n"
        try:
            if path.startswith("/feed/") and path.endswith(".xml"):
                n = int(path[6:-4])
                count = self.counts[n]
                if self.stamps[n]:
                    self.stamp_of.setdefault((n, count - 1), self.stamps[n])
                etag = f'"f{n}-{count}"'
                if headers.get("if-none-match") == etag:
                    status, body, extra = "304 Not Modified", b"", f"ETag: {etag}\r\n"
                else:
                    stamps = {k: s for (m, k), s in self.stamp_of.items() if m == n}
                    status = "200 OK"
                    body = feed_xml(self.layout, n, count, self.port, stamps)
                    extra = f"ETag: {etag}\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
            elif path.startswith("/a/") and path.endswith(".html"):
                n_text, k_text = path[3:-5].split("/")
                n, k = int(n_text), int(k_text)
                if k < self.counts[n]:
                    status, body = "200 OK", page_html(self.layout, n, k)
                    extra = "Content-Type: text/html; charset=utf-8\r\n"
        except (ValueError, IndexError):
            pass
        return (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}\r\n").encode(
            "latin-1"
        ) + body


def _serve(layout: Layout, port: int, counts: Any, stamps: Any, ready: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        state = _Server(layout, port, counts, stamps)
        hosts = sorted({layout.host(n) for n in range(min(layout.feeds, layout.hosts))})
        servers = [
            await loop.create_server(lambda: _Protocol(state), host, port, backlog=1024)
            for host in hosts
        ]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


def free_port(host: str = "127.0.0.2") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class Sites:
    """The server process and the counters that say what each feed holds."""

    def __init__(self, layout: Layout, initial: int | None = None) -> None:
        self.layout = layout
        self.port = free_port()
        start = layout.window if initial is None else initial
        self.counts = multiprocessing.Array("i", [start] * layout.feeds, lock=False)
        self.stamps = multiprocessing.Array("d", [0.0] * layout.feeds, lock=False)
        self._ready = multiprocessing.Event()
        self._process = multiprocessing.Process(
            target=_serve,
            args=(layout, self.port, self.counts, self.stamps, self._ready),
            daemon=True,
        )

    def __enter__(self) -> Sites:
        self._process.start()
        if not self._ready.wait(30):
            raise SystemExit("loopback feed server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._process.terminate()
        self._process.join(5)

    def feed_url(self, n: int) -> str:
        return f"http://{self.layout.host(n)}:{self.port}/feed/{n}.xml"

    def urls(self) -> list[str]:
        return [self.feed_url(n) for n in range(self.layout.feeds)]

    def publish(self, n: int, entries: int = 1, stamp: bool = False) -> None:
        """Add ``entries`` entries to feed N (stamped with the current time when ``stamp``)."""
        self.stamps[n] = time.time() if stamp else 0.0
        self.counts[n] += entries

    def sources_toml(self) -> str:
        return "".join(
            f'[[feeds]]\nname = "loop {n}"\nurl = "{self.feed_url(n)}"\n\n'
            for n in range(self.layout.feeds)
        )
