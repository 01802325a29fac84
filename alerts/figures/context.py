"""The words around a figure: what precedes it (qualifiers, "article", "another"), what makes
it no count (money, percentages, "Highway 287"), ranges between two figures, its unit, a
qualifier after it, and whether it is additional."""

from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

from alerts.figures.atoms import _Atom
from alerts.figures.vocabulary import (
    _ADDITIONAL_AFTER,
    _ADDITIONAL_WORDS,
    _ATTACHED,
    _CLAUSE_END,
    _ELISION,
    _EXCLUDE_WORDS,
    _FRACTION_AFTER,
    _KO_ADDITIONAL,
    _MONEY_AFTER,
    _NOT_UNITS,
    _NUMBER_WORD,
    _OF_WORDS,
    _PERCENT_AFTER,
    _PREFIX_QUALIFIERS,
    _RANGE_OPENERS,
    _RANGE_STRONG,
    _RANGE_WEAK,
    _SENTENCE_OPENERS,
    _SKIP_WORD,
    _SLASH_DIGIT,
    _SUFFIX_QUALIFIER,
    _TAIL_STRIP,
    _UNIT_MAX_SKIP,
    _WORD_RE,
)


@lru_cache(maxsize=4096)
def _tail_phrases(window: str, cut: bool) -> tuple[tuple[str, str, int], ...]:
    """The 4, 3, 2 and 1 last words of ``window``: (phrase, phrase without elision, start).

    Cached on the short window itself (several tables are looked up at one position, and the
    same contexts recur across articles); ``cut`` says the window's first word may be cut."""
    window = window.replace("’", "'")  # same length: offsets hold
    if not window or (not window[-1].isspace() and window[-1] not in _ATTACHED):
        return ()
    words = window.split()
    if cut and len(words) > 1 and not window[0].isspace():
        del words[0]
    out: list[tuple[str, str, int]] = []
    idx = len(window.rstrip())
    starts: list[int] = []
    for word in reversed(words[-4:]):
        idx = window.rfind(word, 0, idx)
        starts.append(idx)
    for k in range(min(4, len(words)), 0, -1):
        phrase = " ".join(words[-k:])
        stripped = phrase.lstrip(_TAIL_STRIP)
        start = starts[k - 1] + len(phrase) - len(stripped)
        bare = stripped[2:] if len(stripped) > 2 and stripped[1] == "'" else stripped
        out.append((stripped, bare, start if bare == stripped else start + 2))
    return tuple(out)


def _tail(low: str, pos: int, table: Container[str]) -> tuple[str, int] | None:
    """The longest phrase of ``table`` (1-4 words) ending right before ``pos``: (phrase, start)."""
    lo = max(0, pos - 40)
    for stripped, bare, start in _tail_phrases(low[lo:pos], lo > 0):
        if stripped in table:
            return stripped, lo + (start if bare == stripped else start - 2)
        if bare in table:
            return bare, lo + start
    return None


def _is_excluded(text: str, start: int, end: int) -> bool:
    """Article numbers, money, percentages, fractions, "757/21" and list markers "1)"."""
    if text[end : end + 1] == ")" and (
        start == 0 or text[start - 1] == "\n" or text[start - 2 : start] in (". ", "\n ")
    ):
        return True
    return bool(
        _tail(text, start, _EXCLUDE_WORDS)
        or _PERCENT_AFTER.match(text, end)
        or _MONEY_AFTER.match(text, end)
        or _FRACTION_AFTER.match(text, end)
        or _SLASH_DIGIT.match(text, end)
    )


def _after_name(text: str, start: int) -> bool:
    """Whether the figure follows a capitalised word inside a sentence ("Highway 287")."""
    i = start
    while i > 0 and text[i - 1] == " ":
        i -= 1
    if i == start:
        return False
    j = i
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "-"):
        j -= 1
    word = text[j:i]
    if len(word) < 2 or not word[0].isupper() or not word.replace("-", "").isalpha():
        return False
    k = j
    while k > 0 and text[k - 1] == " ":
        k -= 1
    return k > 0 and text[k - 1] not in _SENTENCE_OPENERS and k < j


def _merge_ranges(text: str, atoms: list[_Atom]) -> list[_Atom]:
    out: list[_Atom] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        if i + 1 < len(atoms) and a.qualifier == "exact":
            b = atoms[i + 1]
            between = text[a.end : b.start]
            opener = _tail(text, a.start, _RANGE_OPENERS)
            opened = opener is not None
            joined = (
                _RANGE_STRONG.fullmatch(between) is not None
                or (opened and _RANGE_WEAK.fullmatch(between) is not None)
            ) and b.qualifier == "exact"
            if joined and not (a.maybe_year and b.maybe_year):
                low = a.low
                if a.scale == 1 and b.scale > 1 and low * b.scale <= b.high:
                    low *= b.scale
                elif (
                    a.scale == 1 and low < 1000 and b.high >= 1000 and b.high % 1000 == 0
                ) and b.high // 2 <= low * 1000 <= b.high:
                    low *= 1000
                if low < b.high:
                    start = a.start
                    if opener is not None and _RANGE_OPENERS[opener[0]]:
                        start = opener[1]
                    out.append(
                        _Atom(
                            start,
                            b.end,
                            low,
                            b.high,
                            "range",
                            b.scale,
                            unit=b.unit,
                            skip_unit=b.skip_unit,
                        )
                    )
                    i += 2
                    continue
        out.append(a)
        i += 1
    return out


_KO_WORD = re.compile(r"\s?([가-힣]+)")
_KO_PARTICLE = re.compile(r"(?:의|을|를|이|가|은|는|에|도|로|과|와|만)$")
_KO_QUALIFIER_HEAD = ("이상", "여", "가량", "정도", "미만", "이하", "넘게")


def _ko_unit(word: str) -> str:
    """A Korean counter without the particle glued to it ("명이" -> "명")."""
    for head in _KO_QUALIFIER_HEAD:
        if word.startswith(head) and len(word) > len(head):
            word = word[len(head) :]
    return _KO_PARTICLE.sub("", word) or word


def _is_hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


def _find_unit(text: str, pos: int, after_scale: bool) -> tuple[str | None, int]:
    """The noun after ``pos`` (skipping adjectives; "of"/"de" only after a scale word)."""
    # Korean counters written right after the figure: "1만 명", "1,500명".
    km = _KO_WORD.match(text, pos)
    if km is not None and km.group(1) in _KO_QUALIFIER_HEAD:
        km = _KO_WORD.match(text, km.end())  # "1만여 명"
    if km is not None:
        return _ko_unit(km.group(1)), km.end()
    cur = pos
    for _ in range(_UNIT_MAX_SKIP + 1):
        wm = _WORD_RE.match(text, cur)
        if wm is None:
            return None, pos
        word = wm.group(1)
        if word in _OF_WORDS:
            if not after_scale:
                return None, pos
            cur = wm.end()
            continue
        if _SKIP_WORD.match(word) and word != "mann":
            cur = wm.end()
            continue
        word = _ELISION.sub("", word)
        if word in _NOT_UNITS or _NUMBER_WORD.fullmatch(word):
            return None, pos
        return word, wm.end()
    return None, pos


def _suffix_qualifier(text: str, end: int, unit_end: int) -> str:
    """A qualifier written after the figure ("or more", "-odd"), or after its Korean counter."""
    for pos in (end, unit_end) if unit_end > end else (end,):
        m = _SUFFIX_QUALIFIER.match(text, pos)
        if m is not None and m.lastgroup is not None:
            kind = m.lastgroup
            if kind.endswith("_gl"):
                return kind[:-3]
            if pos == end:
                return kind
            # after the unit only at the end of a clause: "10,000 troops or more."
            if kind != "approx" and _CLAUSE_END.match(text, m.end()):
                return kind
    return "exact"


def _is_additional(text: str, atom: _Atom, unit_end: int) -> bool:
    before = _tail(text, atom.start, _ADDITIONAL_WORDS)
    if before is not None:
        return True
    qual = _tail(text, atom.start, _PREFIX_QUALIFIERS)
    if qual is not None and _tail(text, qual[1], _ADDITIONAL_WORDS) is not None:
        return True
    cur = atom.end
    for _ in range(_UNIT_MAX_SKIP + 2):
        wm = _WORD_RE.match(text, cur)
        if wm is None:
            break
        word = wm.group(1)
        gap = text[cur : wm.start(1)]
        if any(ch in gap for ch in ",.;:!?()"):
            break
        if _ADDITIONAL_AFTER.match(word) or word.startswith(_KO_ADDITIONAL):
            # "more than" after the figure is not "additional"
            rest = text[wm.end() : wm.end() + 6].lower()
            return not (word.lower() == "more" and rest.startswith(" than"))
        if word.lower() in ("de",) and text[wm.end() : wm.end() + 5].lower() == " plus":
            return True
        cur = wm.end()
        if cur > unit_end and unit_end > atom.end:
            # one word past the unit is enough ("3 000 soldats supplémentaires")
            nxt = _WORD_RE.match(text, cur)
            if nxt is not None and _ADDITIONAL_AFTER.match(nxt.group(1)):
                return True
            break
    return False
