"""Event dates in running text, resolved against the publication date.

The resolver lives in :mod:`alerts.dates.resolve`; the month, weekday and relative-day words it
reads are generated data (``alerts/dates/data/<lang>.toml``, written by
``python -m alerts.dates.build``).
"""

from alerts.dates.resolve import PRECISIONS, DateMention, resolve_dates

__all__ = ["PRECISIONS", "DateMention", "resolve_dates"]
