"""Calendar arithmetic of the date resolver: spans of months, weeks, seasons and their parts,
and which day a weekday, a day and month or a month without a year means."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from alerts.dates.vocabulary import _SEASON_SPAN


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _last_day(year, month))


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _week_span(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def _season_span(season: str, season_year: int) -> tuple[date, date]:
    first = _SEASON_SPAN[season]
    y2, m2 = _shift_month(season_year, first, 2)
    return date(season_year, first, 1), date(y2, m2, _last_day(y2, m2))


def _part_of_month(year: int, month: int, part: str) -> tuple[date, date]:
    if part == "early":
        return date(year, month, 1), date(year, month, 10)
    if part == "mid":
        return date(year, month, 11), date(year, month, 20)
    return date(year, month, 21), date(year, month, _last_day(year, month))


def _part_of_year(year: int, part: str) -> tuple[date, date]:
    if part == "early":
        return date(year, 1, 1), date(year, 3, 31)
    if part == "mid":
        return date(year, 5, 1), date(year, 8, 31)
    if part == "late":
        return date(year, 10, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def _relative_span(unit: str, offset: int, published: date) -> tuple[date, date, str]:
    if unit == "day":
        d = published + timedelta(days=offset)
        return d, d, "day"
    if unit == "week":
        s, e = _week_span(published + timedelta(days=7 * offset))
        return s, e, "week"
    if unit == "weekend":
        return (*_weekend(published, offset), "week")
    if unit == "weekend_past":  # "over the weekend": the latest one begun
        wd = published.weekday()
        saturday = published - timedelta(days=(wd - 5) % 7)
        return saturday, saturday + timedelta(days=1), "week"
    if unit == "month":
        y, m = _shift_month(published.year, published.month, offset)
        s, e = _month_span(y, m)
        return s, e, "month"
    y = published.year + offset
    return date(y, 1, 1), date(y, 12, 31), "year"


def _weekend(published: date, offset: int) -> tuple[date, date]:
    """This weekend: the one containing ``published``; on Monday the one just past; else the
    coming one. ``offset`` moves by weeks from there."""
    wd = published.weekday()
    if wd >= 5:
        saturday = published - timedelta(days=wd - 5)
    elif wd == 0:
        saturday = published - timedelta(days=2)
    else:
        saturday = published + timedelta(days=5 - wd)
    if offset == -1 and wd < 5 and wd != 0:
        saturday -= timedelta(days=7)
    elif offset:
        saturday += timedelta(days=7 * offset)
    return saturday, saturday + timedelta(days=1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    if (
        not (1 <= year <= 9999)
        or not (1 <= month <= 12)
        or not (1 <= day <= _last_day(year, month))
    ):
        return None
    return date(year, month, day)


def _resolve_day_month(month: int, day: int, published: date, future: bool) -> date | None:
    """A day and month without a year: the most recent one on or before publication, or the
    next one on or after it when the sentence speaks of the future."""
    this_year = _safe_date(published.year, month, day)
    if future:
        if this_year is not None and this_year >= published:
            return this_year
        return _safe_date(published.year + 1, month, day)
    if this_year is not None and this_year <= published:
        return this_year
    return _safe_date(published.year - 1, month, day)


def _month_year(month: int, mode: str, published: date, future: bool) -> int:
    pm = published.month
    if mode == "last":
        return published.year if month < pm else published.year - 1
    if mode == "next":
        return published.year if month > pm else published.year + 1
    if future:
        return published.year if month >= pm else published.year + 1
    return published.year if month <= pm else published.year - 1


def _season_year(season: str, mode: str, published: date, future: bool) -> int:
    """The year in which the meant season starts (winter starts in December).

    this ("cet été", "this summer"): the occurrence containing the publication date, else the one
    of the publication year; default ("en été", "à l'automne"): the occurrence containing the
    publication date, else the latest one begun (the next one in future wording); last: the
    latest one over before publication; next: the first one starting after it."""
    years = (published.year - 2, published.year - 1, published.year, published.year + 1)
    spans = {sy: _season_span(season, sy) for sy in years}
    if mode == "last":
        return max(sy for sy, (_, e) in spans.items() if e < published)
    if mode == "next":
        return min(sy for sy, (s, _) in spans.items() if s > published)
    for sy, (s, e) in spans.items():
        if s <= published <= e:
            return sy
    start, end = spans[published.year]
    if mode == "this":
        return published.year + 1 if future and end < published else published.year
    # a bare season: the latest one begun, or the next one in future wording
    if future:
        return published.year if start > published else published.year + 1
    return published.year if start <= published else published.year - 1


def _weekday_date(weekday: int, mode: str, published: date, future: bool) -> date:
    delta = (published.weekday() - weekday) % 7
    if mode == "last":
        return published - timedelta(days=delta or 7)
    ahead = (weekday - published.weekday()) % 7
    if mode == "next":
        return published + timedelta(days=ahead or 7)
    if future:
        return published + timedelta(days=ahead)
    return published - timedelta(days=delta)
