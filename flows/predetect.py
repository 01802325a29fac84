"""Detection started while the harvest still waits on the network.

A cold pass spends its harvest waiting (per-host delays, slow sites) and its analysis computing
(the detector on every candidate). :class:`Predetection` takes the articles a feed has just
stored (the harvest's ``on_stored`` hook) and runs the detector on the gate's candidates in the
background, so the CPU work of the analysis overlaps the harvest. The analysis stage then asks
:meth:`Predetection.take` for an article's detection (waiting for it if it is running, taking
it back if it has not started, so that a backlog is shared between the two): it is handed
over only when the article's stored inputs (text, title, language, publication time) are the
ones detected, else the analysis detects it itself. ``detect_article`` is pure,
so the result is the one the analysis would compute.

Where the platform can fork and has two cores or more, the detector runs in one **forked
process**: its Python work then never waits for the harvest's interpreter lock (nor the
harvest for it), so it uses the second core while the main process fetches, parses and stores.
The process is forked when :class:`Predetection` is made (before the pass starts any thread),
never re-imports the program, loads the models only when its first candidate arrives,
ignores Ctrl-C (the main process stops it) and is killed with the main process
(:mod:`flows.ingest.children`). A feed's candidates go to it as one task. If the
process dies, its detections are lost (the analysis detects those articles itself) and the
following feeds are detected on a thread. Elsewhere (``processes=0``, one core, no ``fork``)
one background thread detects, and the analysis calls :meth:`drain` before it detects
anything itself, so only one detection runs at a time in the process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from alerts.detect import Detection, detect_article
from alerts.detection.gate import GateVerdict, screen
from flows.ingest.children import start_helper
from storage.articles import NewArticle
from storage.models import Article

log = logging.getLogger("rudprk.predetect")

Key = tuple[int, str]  # (feed id, GUID)
# Queued tasks from which the analysis takes some back (about a second of detection, the
# cost of loading the models a second time).
TAKE_BACK_MIN_TASKS = 24


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
    detections: Future[list[Detection | None]]  # the detections of the task this article is in
    index: int  # this article's place in that task


def inputs_of_new(item: NewArticle) -> DetectionInputs:
    return DetectionInputs(item.body or item.summary, item.title, item.language, item.published_at)


def inputs_of_stored(article: Article) -> DetectionInputs:
    return DetectionInputs(
        article.body or article.summary, article.title, article.language, article.published_at
    )


def detect_all(batch: Sequence[DetectionInputs]) -> list[Detection | None]:
    """The detections of ``batch``, in order (one task: a feed's candidates); ``None`` for an
    article whose detection failed (the analysis detects it again and reports the error)."""
    out: list[Detection | None] = []
    for i in batch:
        try:
            out.append(
                detect_article(i.text, title=i.title, lang=i.language, published=i.published)
            )
        except Exception:
            out.append(None)
    return out


def can_fork_detector() -> bool:
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def start_detect_process() -> ProcessPoolExecutor | None:
    """One forked detection process, started now; ``None`` when forking fails."""
    pool = ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=start_helper,
        initargs=(os.getpid(), True),
    )
    try:
        pool.submit(os.getpid).result(timeout=30)  # forks the worker now
    except Exception as exc:
        log.warning("detection process unavailable", extra={"error": str(exc)})
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


def detect_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="rudprk-detect")


class Predetection:
    """Background detection of the candidates among stored articles, by (feed id, GUID).

    ``processes``: 1 (the default where :func:`can_fork_detector`) detects in a forked
    process, 0 on a thread of this process."""

    def __init__(self, processes: int | None = None) -> None:
        if processes is None:
            processes = 1 if can_fork_detector() else 0
        pool = start_detect_process() if processes > 0 else None
        self._executor: Executor = pool if pool is not None else detect_thread()
        self._done: dict[Key, Predetected] = {}

    @property
    def in_process(self) -> bool:
        """Detections run on a thread of this process (the analysis drains them first)."""
        return not isinstance(self._executor, ProcessPoolExecutor)

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

    def submit(
        self, items: Sequence[NewArticle], screened: Mapping[Key, object] | None = None
    ) -> None:
        """Queue the detection of ``items`` that the gate passes (the others need none).

        ``screened``: the harvest's verdicts on articles stored without a page (the text the
        gate would screen here is the one it screened then), reused instead of screening
        again."""
        picked: list[tuple[Key, DetectionInputs, GateVerdict]] = []
        for item in items:
            key = (item.feed_id, item.guid)
            inputs = inputs_of_new(item)
            known = screened.get(key) if screened is not None and item.body is None else None
            verdict = known if isinstance(known, GateVerdict) else screen(inputs.text, inputs.title)
            if verdict.candidate:
                picked.append((key, inputs, verdict))
        if not picked:
            return
        batch = [inputs for _key, inputs, _verdict in picked]
        try:
            future = self._executor.submit(detect_all, batch)
        except BrokenProcessPool as exc:
            log.warning("detection process lost", extra={"error": str(exc)})
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = detect_thread()
            future = self._executor.submit(detect_all, batch)
        for index, (key, inputs, verdict) in enumerate(picked):
            self._done[key] = Predetected(inputs, verdict, future, index)

    def _worth_taking_back(self) -> bool:
        """Is the backlog large enough for this process to share it? Detecting here first
        loads the models here (about a second), which a short backlog does not repay."""
        queued = {
            id(e.detections)
            for e in self._done.values()
            if not e.detections.running() and not e.detections.done()
        }
        return len(queued) >= TAKE_BACK_MIN_TASKS

    def running(self, article: Article) -> bool:
        """Is the background detection of ``article`` under way (started, not finished)?"""
        entry = self._done.get((article.feed_id, article.guid))
        return entry is not None and entry.detections.running()

    def drain(self) -> None:
        """Wait until every queued detection has finished."""
        for entry in list(self._done.values()):
            if not entry.detections.cancelled():
                entry.detections.exception()

    def take(self, article: Article) -> tuple[GateVerdict, Detection] | None:
        """The verdict and detection of ``article`` when they were computed from its stored
        inputs, once computed; ``None`` otherwise (or when that detection failed: the
        analysis retries it).

        A detection still queued (not started) while at least ``TAKE_BACK_MIN_TASKS`` tasks
        wait is withdrawn and ``None`` returned: the caller detects it now rather than wait,
        so a backlog left at the end of the harvest is shared by the analysis and the
        detection process."""
        entry = self._done.pop((article.feed_id, article.guid), None)
        if entry is None or entry.inputs != inputs_of_stored(article):
            return None
        future = entry.detections
        if future.cancelled():
            return None
        queued = not future.running() and not future.done()
        if queued and self._worth_taking_back() and future.cancel():
            return None
        if future.exception() is not None:
            return None
        detection = entry.detections.result()[entry.index]
        return None if detection is None else (entry.verdict, detection)

    def __len__(self) -> int:
        return len(self._done)
