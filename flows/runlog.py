"""Log records as the project writes them: constant messages with fixed keys, formatted
``feed failed feed='…' error='…'``; and a handler that forwards them, keys included, to
another logger (a Prefect run's logger, so the project's warnings reach the run logs)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# The project's logger trees: modules log under their package names, a few under "rudprk".
PROJECT_LOGGERS = ("flows", "alerts", "storage", "rudprk")


class KeyValueFormatter(logging.Formatter):
    """Constant messages with their fixed keys appended: ``feed failed feed='…' error='…'``."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}
        if extras:
            text += " " + " ".join(f"{k}={v!r}" for k, v in extras.items())
        return text


class ForwardingHandler(logging.Handler):
    """Re-logs each record, formatted with its keys, on ``target`` at the same level."""

    def __init__(self, target: logging.Logger | logging.LoggerAdapter[logging.Logger]) -> None:
        super().__init__()
        self.target = target
        self.setFormatter(KeyValueFormatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.target.log(record.levelno, self.format(record))
        except Exception:  # a logging failure must never stop a pass
            self.handleError(record)


@contextmanager
def forwarded_logs(
    target: logging.Logger | logging.LoggerAdapter[logging.Logger],
    names: tuple[str, ...] = PROJECT_LOGGERS,
) -> Iterator[ForwardingHandler]:
    """While the block runs, the records of the ``names`` loggers (at their levels) also go to
    ``target``."""
    handler = ForwardingHandler(target)
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
