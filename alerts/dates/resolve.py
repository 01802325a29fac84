"""Event dates in running text, resolved against the publication date.

:func:`resolve_dates` is pure and fast: one compiled scan per language over a trie of the phrases
it knows ("la semaine dernière", "last Tuesday", "en juin dernier", "cet été"...) and of digit
runs ("19 juin 2024", "2024-06-19", "19/06/2024"), then a few anchored matches per hit. No model
and no dateparser call. Rules (past preference, windows for "fin octobre"...) are documented in
``docs/figures-and-dates.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from alerts.dates.arithmetic import (
    _month_span,
    _month_year,
    _part_of_month,
    _part_of_year,
    _relative_span,
    _resolve_day_month,
    _safe_date,
    _season_span,
    _season_year,
    _weekday_date,
)
from alerts.dates.vocabulary import (
    _AMBIGUOUS_IN,
    _COUNT_AFTER,
    _COUNT_BEFORE,
    _FUTURE,
    _MONTH_TEMPLATES,
    _MONTHS,
    _NUMBERS,
    _RELATIVE,
    _SEASON_TEMPLATES,
    _SEASONS,
    _UNITS,
    _UNSPACED,
    _WEEKDAY_TEMPLATES,
    _WEEKDAYS,
    _YEAR_PREFIXES,
    _alphabetic,
    month_names,
)
from alerts.patterns import trie_pattern
from alerts.wordtables import LANGUAGES

__all__ = ["LANGUAGES", "PRECISIONS", "DateMention", "month_names", "resolve_dates"]

PRECISIONS = ("day", "week", "month", "season", "year")


@dataclass(frozen=True)
class DateMention:
    """A date or period the text speaks of, as the first and last day it can mean."""

    start: date
    end: date
    precision: str
    text: str
    start_idx: int
    end_idx: int
    relative: bool


# --------------------------------------------------------------------------------------------
# Compiled per language
# --------------------------------------------------------------------------------------------

# Phrase kinds: ("rel", unit, offset) | ("wd", weekday, mode) | ("month", m, mode)
# | ("season", s, mode) | ("yearpre", part) | ("countpre", sign) | ("num", n)
_Kind = tuple[str, object, object]


@dataclass(frozen=True)
class _Lang:
    code: str
    scan: re.Pattern[str]
    phrases: dict[str, list[_Kind]]
    months: dict[str, int]
    units: dict[str, str]
    numbers: dict[str, int]
    count_after: dict[str, int]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    after_year: re.Pattern[str]
    count: re.Pattern[str]
    count_after_re: re.Pattern[str]
    future: re.Pattern[str]
    date_follows: re.Pattern[str]


def _add(phrases: dict[str, list[_Kind]], phrase: str, kind: _Kind) -> None:
    phrase = phrase.replace("’", "'")
    kinds = phrases.setdefault(phrase, [])
    if kind not in kinds:
        kinds.append(kind)


def _alt(words: Iterable[str]) -> str:
    return "(?:" + trie_pattern(words) + ")"


def _build(code: str) -> _Lang:
    phrases: dict[str, list[_Kind]] = {}
    for phrase, (unit, offset) in _RELATIVE.get(code, {}).items():
        _add(phrases, phrase, ("rel", unit, offset))
    for name, wd in _WEEKDAYS.get(code, {}).items():
        for mode, templates in _WEEKDAY_TEMPLATES.get(code, {}).items():
            for t in templates:
                _add(phrases, t.format(w=name), ("wd", wd, mode))
    months = _MONTHS.get(code, {})
    for name, m in months.items():
        for mode, templates in _MONTH_TEMPLATES.get(code, {}).items():
            for t in templates:
                _add(phrases, t.format(m=name), ("month", m, mode))
    for name, season in _SEASONS.get(code, {}).items():
        for mode, templates in _SEASON_TEMPLATES.get(code, {}).items():
            for t in templates:
                _add(phrases, t.format(s=name), ("season", season, mode))
    for phrase, part in _YEAR_PREFIXES.get(code, {}).items():
        _add(phrases, phrase, ("yearpre", part, None))
    for phrase, sign in _COUNT_BEFORE.get(code, {}).items():
        _add(phrases, phrase, ("countpre", sign, None))
    numbers = _NUMBERS.get(code, {})
    if code in ("en", "ru"):
        for word in numbers:
            _add(phrases, word, ("num", None, None))
    units = _UNITS.get(code, {})
    count_after = _COUNT_AFTER.get(code, {})
    hangul = code in ("ko", "ja", "zh")
    end = "" if hangul else r"(?![^\W\d_])"
    # No look-behind here: it would defeat the regex engine's fast scan; checked in Python.
    scan = re.compile("(?:" + trie_pattern(phrases) + ")" + end)
    month_alt = _alt(months) if months else "(?!)"
    day_month = re.compile(
        r"(?P<d1>\d{1,2})(?:er|st|nd|rd|th|\.)?"
        r"(?:\s*(?:-|–|au|à|to|and|et|ou|or|y|o|und|oder|bis|и|или|по|al)\s*"
        r"(?P<d2>\d{1,2})(?:er|st|nd|rd|th|\.)?)?"
        r"\s+(?:de\s+|of\s+)?(?P<m>" + month_alt + r")(?![^\W\d_])"
        r"(?:,?\s+(?:de\s+|del\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:года|г\.))?)?"
    )
    month_day = re.compile(
        r"\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:\s*[-–]\s*(?P<d2>\d{1,2})(?![\d:]))?"
        r"(?:,?\s+(?P<y>\d{4})(?!\d))?"
    )
    after_year = re.compile(r",?\s+(?:of\s+|de\s+|del\s+)?(?P<y>\d{4})(?!\d)(?:\s*(?:года|г\.))?")
    num_alt = r"\d{1,3}" + ("|" + _alt(numbers) if numbers else "")
    unit_alt = _alt(units) if units else "(?!)"
    sep = r"\s*" if hangul else r"\s+"
    count = re.compile(r"\s*(?P<n>" + num_alt + r")" + sep + r"(?P<u>" + unit_alt + r")" + end)
    count_after_re = re.compile(
        r"\s*(?P<a>" + (_alt(count_after) if count_after else "(?!)") + r")" + end
    )
    future = re.compile(_FUTURE.get(code, r"(?!)"))
    date_follows = re.compile(r",?\s+(?:the\s+)?(?:\d|" + month_alt + ")")
    return _Lang(
        code,
        scan,
        phrases,
        months,
        units,
        numbers,
        count_after,
        day_month,
        month_day,
        after_year,
        count,
        count_after_re,
        future,
        date_follows,
    )


_LANGS: dict[str, _Lang] = {code: _build(code) for code in LANGUAGES}
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])")
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<s>[/.-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?!\d)(?![.,]\d)"
)
# Korean, Japanese and Chinese dates: 2024년 6월 19일, 2024年6月19日, 6月, 2024年
_KO_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s?[년年]\s?)?(?P<m>\d{1,2})\s?[월月](?:\s?(?P<d>\d{1,2})\s?[일日号號])?"
    r"|(?P<yo>\d{4})\s?[년年]"
)
_KO_DAY = re.compile(r"(?P<d>\d{1,2})\s?일(?!\s?(?:간|째|동안|전|후|뒤|만|이내|가량|정도|분))")
_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})(?![\d])(?![^\W\d_])")
_SENTENCE_START = re.compile(r"[.!?;\n]\s")
# where the clause governed by a date ends: "said on Tuesday that…", "a déclaré mardi qu'…"
_CLAUSE_END = re.compile(
    r"[.!?;\n]|\b(?:that|que|qu'|dass|что|which|who|after|before|après|avant|but|mais)\b"
)


# --------------------------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------------------------


def _norm_lang(lang: str | None) -> tuple[str, ...]:
    if not lang:
        return ("fr", "en")
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code in _LANGS:
        return (code,)
    return ("en",)


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return low.replace("’", "'")


def _is_future(spec: _Lang, low: str, start: int, end: int) -> bool:
    """Whether the sentence around ``low[start:end]`` speaks of the future: a marker before it
    in the same sentence, or after it in the same clause ("On Saturday, storms will…", but not
    "said on Tuesday that it will…")."""
    lo = max(0, start - 80)
    window = low[lo:start]
    cut = None
    for m in _SENTENCE_START.finditer(window):
        cut = m.end()
    if cut is not None:
        window = window[cut:]
    if spec.future.search(window) is not None:
        return True
    after = low[end : end + 60]
    stop = _CLAUSE_END.search(after)
    if stop is not None:
        after = after[: stop.start()]
    return spec.future.search(after) is not None


def _day_span(
    spec: _Lang, low: str, start: int, m: re.Match[str], month: int, published: date
) -> tuple[date | None, date | None, bool]:
    """The first and last day of a matched day or day range (groups ``d1``, ``d2``, ``y``) in
    ``month``, and whether they were resolved against ``published`` (no year written)."""
    d1 = int(m["d1"])
    d2 = int(m["d2"]) if m["d2"] else d1
    if m["y"]:
        y = int(m["y"])
        return _safe_date(y, month, d1), _safe_date(y, month, d2), False
    first = _resolve_day_month(month, d1, published, _is_future(spec, low, start, m.end()))
    return first, None if first is None else _safe_date(first.year, month, d2), True


def _mention(
    text: str, s: date, e: date, precision: str, i: int, j: int, relative: bool
) -> DateMention:
    return DateMention(s, e, precision, text[i:j], i, j, relative)


def _scan_digits(
    spec: _Lang, text: str, low: str, pos: int, published: date
) -> tuple[DateMention | None, int]:
    """Dates that start with a digit. Returns (mention, end of what was consumed)."""
    m = _ISO.match(low, pos)
    if m is not None:
        d = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if d is not None:
            return _mention(text, d, d, "day", pos, m.end(), False), m.end()
    m = _NUMERIC.match(low, pos)
    if m is not None:
        a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
        if y < 100:
            y += 2000
        day, month = (b, a) if spec.code == "en" and b > 12 else (a, b)
        d = _safe_date(y, month, day)
        if d is not None:
            return _mention(text, d, d, "day", pos, m.end(), False), m.end()
    window = low[pos : pos + 8]
    if spec.code in ("ko", "ja", "zh") or any(ch in window for ch in "년월年月"):
        m = _KO_DATE.match(low, pos)
        if m is not None:
            if m["yo"]:
                y = int(m["yo"])
                return (
                    _mention(text, date(y, 1, 1), date(y, 12, 31), "year", pos, m.end(), False),
                    m.end(),
                )
            month = int(m["m"])
            if 1 <= month <= 12:
                if m["d"]:
                    if m["y"]:
                        when = _safe_date(int(m["y"]), month, int(m["d"]))
                        rel = False
                    else:
                        when = _resolve_day_month(
                            month, int(m["d"]), published, _is_future(spec, low, pos, m.end())
                        )
                        rel = True
                    if when is not None:
                        return _mention(text, when, when, "day", pos, m.end(), rel), m.end()
                else:
                    if m["y"]:
                        y, rel = int(m["y"]), False
                    else:
                        future = _is_future(spec, low, pos, m.end())
                        y = _month_year(month, "default", published, future)
                        rel = True
                    s, e = _month_span(y, month)
                    return _mention(text, s, e, "month", pos, m.end(), rel), m.end()
    if spec.code == "ko" and (pos == 0 or not low[pos - 1].isdigit()):
        # "12일": the 12th of this month in Korean news (of last month when still to come)
        m = _KO_DAY.match(low, pos)
        if m is not None and 1 <= int(m["d"]) <= 31:
            day = int(m["d"])
            future = _is_future(spec, low, pos, m.end())
            y, mo = published.year, published.month
            if day > published.day and not future:
                y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
            when = _safe_date(y, mo, day)
            if when is not None:
                return _mention(text, when, when, "day", pos, m.end(), True), m.end()
    m = spec.day_month.match(low, pos)
    if m is not None:
        month = spec.months[m["m"]]
        s1, s2, rel = _day_span(spec, low, pos, m, month, published)
        if s1 is not None and s2 is not None and s1 <= s2:
            return _mention(text, s1, s2, "day", pos, m.end(), rel), m.end()
    # counts written with digits: "3 days ago", "3일 전", "3 дня назад"
    if spec.count_after:
        cm = spec.count.match(low, pos)
        if cm is not None:
            am = spec.count_after_re.match(low, cm.end())
            if am is not None:
                n = int(cm["n"]) if cm["n"].isdigit() else spec.numbers[cm["n"]]
                sign = spec.count_after[am["a"]]
                unit = spec.units[cm["u"]]
                s, e, precision = _relative_span(unit, sign * n, published)
                return _mention(text, s, e, precision, pos, am.end(), True), am.end()
    return None, pos + 1


def _resolve_phrase(
    spec: _Lang, text: str, low: str, start: int, end: int, kinds: list[_Kind], published: date
) -> tuple[DateMention | None, int]:
    for kind, a, b in kinds:
        if kind == "rel":
            assert isinstance(a, str) and isinstance(b, int)
            s, e, precision = _relative_span(a, b, published)
            return _mention(text, s, e, precision, start, end, True), end
        if kind == "wd":
            assert isinstance(a, int) and isinstance(b, str)
            if spec.date_follows.match(low, end):
                return None, end  # "jeudi 12 décembre": the date itself follows
            future = b == "default" and _is_future(spec, low, start, end)
            d = _weekday_date(a, b, published, future)
            return _mention(text, d, d, "day", start, end, True), end
        if kind == "month":
            assert isinstance(a, int) and isinstance(b, str)
            res = _resolve_month(spec, text, low, start, end, a, b, published)
            if res[0] is not None:
                return res
            continue
        if kind == "season":
            assert isinstance(a, str) and isinstance(b, str)
            ym = spec.after_year.match(low, end)
            if ym is not None:
                sy = int(ym["y"])
                s, e = _season_span(a, sy)
                return _mention(text, s, e, "season", start, ym.end(), False), ym.end()
            if b == "bare":
                continue
            future = b in ("default", "this") and _is_future(spec, low, start, end)
            sy = _season_year(a, b, published, future)
            s, e = _season_span(a, sy)
            return _mention(text, s, e, "season", start, end, True), end
        if kind == "yearpre":
            assert isinstance(a, str)
            ym = _YEAR.match(low, end + 1 if low[end : end + 1] == " " else end)
            if ym is not None and (low[end : end + 1] == " " or text[end - 1] == "-"):
                y = int(ym["y"])
                s, e = _part_of_year(y, a)
                precision = "season" if a else "year"
                return _mention(text, s, e, precision, start, ym.end(), False), ym.end()
            continue
        if kind == "countpre":
            assert isinstance(b, type(None)) and isinstance(a, int)
            cm = spec.count.match(low, end)
            if cm is not None:
                n = int(cm["n"]) if cm["n"].isdigit() else spec.numbers[cm["n"]]
                unit = spec.units[cm["u"]]
                if (
                    low[start:end] in _AMBIGUOUS_IN
                    and (n > 12 or unit == "year")
                    and not _is_future(spec, low, start, cm.end())
                ):
                    continue  # "the worst crash in 30 years" is a duration
                s, e, precision = _relative_span(unit, a * n, published)
                return _mention(text, s, e, precision, start, cm.end(), True), cm.end()
            continue
        if kind == "num":
            cm = spec.count.match(low, start)
            if cm is not None:
                am = spec.count_after_re.match(low, cm.end())
                if am is not None:
                    n = spec.numbers[cm["n"]] if not cm["n"].isdigit() else int(cm["n"])
                    sign = spec.count_after[am["a"]]
                    unit = spec.units[cm["u"]]
                    s, e, precision = _relative_span(unit, sign * n, published)
                    return _mention(text, s, e, precision, start, am.end(), True), am.end()
            continue
    return None, end


def _resolve_month(
    spec: _Lang,
    text: str,
    low: str,
    start: int,
    end: int,
    month: int,
    mode: str,
    published: date,
) -> tuple[DateMention | None, int]:
    # English "may"/"march" are months only when written with a capital
    if spec.code == "en":
        last = low[start:end].rsplit(" ", 1)[-1].rsplit("-", 1)[-1]
        if last in ("may", "march") and not text[end - len(last)].isupper():
            return None, end
    if mode in ("bare", "default"):
        dm = spec.month_day.match(low, end)
        if dm is not None and not (low[end : end + 1] == "." and spec.code != "en"):
            s1, s2, rel = _day_span(spec, low, start, dm, month, published)
            if s1 is not None and s2 is not None and s1 <= s2:
                return _mention(text, s1, s2, "day", start, dm.end(), rel), dm.end()
    ym = spec.after_year.match(low, end)
    if ym is not None and mode not in ("last", "next"):
        y = int(ym["y"])
        if mode in ("early", "mid", "late"):
            s, e = _part_of_month(y, month, mode)
        else:
            s, e = _month_span(y, month)
        return _mention(text, s, e, "month", start, ym.end(), False), ym.end()
    if mode == "bare":
        return None, end
    future = mode not in ("last", "next") and _is_future(spec, low, start, end)
    y = _month_year(
        month, "default" if mode in ("early", "mid", "late") else mode, published, future
    )
    if mode in ("early", "mid", "late"):
        s, e = _part_of_month(y, month, mode)
    else:
        s, e = _month_span(y, month)
    return _mention(text, s, e, "month", start, end, True), end


_DIGIT_RUN = re.compile(r"\d+")
_DIGIT_BOUNDARY = frozenset(".,/")


def _events(spec: _Lang, low: str) -> list[tuple[int, int]]:
    """Where a date may start, in order: (position, end of the phrase or -1 for a digit run)."""
    events: list[tuple[int, int]] = []
    unspaced = spec.code in _UNSPACED
    for dm in _DIGIT_RUN.finditer(low):
        i = dm.start()
        before = low[i - 1] if i else ""
        if i and (
            (before.isalpha() and not (unspaced and not _alphabetic(before)))
            or before in _DIGIT_BOUNDARY
            or before == "_"
        ):
            continue
        events.append((i, -1))
    pos = 0
    n = len(low)
    scan = spec.scan
    while pos < n:
        m = scan.search(low, pos)
        if m is None:
            break
        i = m.start()
        if i and not unspaced and (low[i - 1].isalpha() or low[i - 1] == "_"):
            pos = i + 1  # inside a word
            continue
        events.append((i, m.end()))
        pos = m.end()
    events.sort()
    return events


def resolve_dates(text: str, lang: str | None, published: date) -> list[DateMention]:
    """Every date or period mentioned in ``text``, resolved against ``published``."""
    low = _lower(text)
    found: list[DateMention] = []
    codes = _norm_lang(lang)
    for code in codes:
        spec = _LANGS[code]
        consumed = 0
        for start, end in _events(spec, low):
            if start < consumed:
                continue
            try:
                if end < 0:
                    mention, consumed = _scan_digits(spec, text, low, start, published)
                else:
                    mention, consumed = _resolve_phrase(
                        spec, text, low, start, end, spec.phrases[low[start:end]], published
                    )
            except (ValueError, OverflowError):
                # a year outside 1..9999 ("juin 0000", "next year" said in 9999)
                mention, consumed = None, max(end, start + 1)
            if mention is not None:
                found.append(mention)
    if len(codes) > 1:
        found = _drop_overlaps(found)
    return found


def _drop_overlaps(found: list[DateMention]) -> list[DateMention]:
    found.sort(key=lambda m: (m.start_idx, -(m.end_idx - m.start_idx)))
    out: list[DateMention] = []
    for m in found:
        if out and m.start_idx < out[-1].end_idx:
            continue
        out.append(m)
    return out
