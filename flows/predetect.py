"""Detection started while the harvest still waits on the network.

A cold pass spends its harvest waiting (per-host delays, slow sites) and its analysis computing
(the detector on every candidate). :class:`Predetection` takes the articles a feed has just
stored (the harvest's ``on_stored`` hook) and runs the detector on the gate's candidates on one
background thread, so the CPU work of the analysis overlaps the waits of the harvest. The
analysis stage then asks :meth:`Predetection.take` for an article's detection: it is handed
over only when the article's stored inputs (text, title, language, publication time) are the
ones detected, else the analysis detects it itself. ``detect_article`` is pure, so the result
is the one the analysis would compute.

Only one detection runs at a time: the analysis calls :meth:`drain` before it detects anything
itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from alerts.detect import Detection, detect_article
from alerts.detection.gate import GateVerdict, screen
from storage.articles import NewArticle
from storage.models import Article

log = logging.getLogger("rudprk.predetect")

Key = tuple[int, str]  # (feed id, GUID)


@dataclass(frozen=True)
class DetectionInputs:
    text: str
    title: str
    language: str | None
    published: datetime | None


@dataclass(frozen=True)
class Predetected:
    inputs: DetectionInputs
    verdict: GateVerdict
    detection: Future[Detection]


def inputs_of_new(item: NewArticle) -> DetectionInputs:
    return DetectionInputs(item.body or item.summary, item.title, item.language, item.published_at)


def inputs_of_stored(article: Article) -> DetectionInputs:
    return DetectionInputs(
        article.body or article.summary, article.title, article.language, article.published_at
    )


def _detect(inputs: DetectionInputs) -> Detection:
    return detect_article(
        inputs.text, title=inputs.title, lang=inputs.language, published=inputs.published
    )


class Predetection:
    """Background detection of the candidates among stored articles, by (feed id, GUID)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rudprk-detect")
        self._done: dict[Key, Predetected] = {}

    def __enter__(self) -> Predetection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._done.clear()

    def submit(self, items: Sequence[NewArticle]) -> None:
        """Queue the detection of ``items`` that the gate passes (the others need none)."""
        for item in items:
            inputs = inputs_of_new(item)
            verdict = screen(inputs.text, inputs.title)
            if not verdict.candidate:
                continue
            future = self._executor.submit(_detect, inputs)
            self._done[(item.feed_id, item.guid)] = Predetected(inputs, verdict, future)

    def drain(self) -> None:
        """Wait until every queued detection has finished."""
        for entry in list(self._done.values()):
            entry.detection.exception()

    def take(self, article: Article) -> tuple[GateVerdict, Detection] | None:
        """The verdict and detection of ``article`` when they were computed from its stored
        inputs; ``None`` otherwise (or when that detection failed: the analysis retries it)."""
        entry = self._done.pop((article.feed_id, article.guid), None)
        if entry is None or entry.inputs != inputs_of_stored(article):
            return None
        if entry.detection.exception() is not None:
            return None
        return entry.verdict, entry.detection.result()

    def __len__(self) -> int:
        return len(self._done)
