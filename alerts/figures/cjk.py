"""Chinese and Japanese figures: numerals with or without digits ("三千", "1万2千", "两百",
"1.5万"), vague amounts ("数千"), the counter after them ("名", "人") and the qualifiers glued
before and after ("约3000", "三千多名", "3千人以上")."""

from __future__ import annotations

import re

from alerts.figures.atoms import _Atom
from alerts.figures.numerals import cjk_value, number_words
from alerts.figures.vocabulary import (
    _CJK_PREFIX_QUALIFIERS,
    _PHRASES,
    _VAGUE_PHRASES,
    _cjk,
)

# Chinese and Japanese numerals, digits included ("三千", "1万2千", "3000多人", "两百"): every
# run of digits and numeral characters in text of these languages.
_CJK_RUN = re.compile(
    r"(?:[0-9０-９](?:[0-9０-９]|[,，](?=[0-9０-９]{3})|[.．](?=[0-9０-９]+[十百千万萬亿億]))*"
    r"|[〇零一二两兩三四五六七八九十百千万萬亿億])+"
)
# after the numeral: a date, a time, an age, money, a ratio or a count of times, not a figure
_CJK_NOT_COUNTED = frozenset("年月日号號时時点點分秒岁歳才元円圆圓块塊倍次回届屆期%％度")
_CJK_MONEY = (
    "美元",
    "日元",
    "韩元",
    "韓元",
    "欧元",
    "歐元",
    "卢布",
    "盧布",
    "ドル",
    "ユーロ",
    "ルーブル",
    "ウォン",
)

_CJK_VAGUE_HEAD = frozenset("数數几幾上")
_CJK_SEPARATORS = frozenset("、，,。.：:；;（）()「」『』《》 \n")


def _cjk_unit(low: str, end: int, glued: re.Pattern[str]) -> tuple[str | None, int]:
    """The counter after a Chinese or Japanese figure ("名", "人"), past a glued qualifier
    ("3000多人"): one character, which is how these languages count."""
    cur = end
    q = glued.match(low, cur)
    if q is not None:
        cur = q.end()
    if cur < len(low) and _cjk(low[cur]) and low[cur] not in _CJK_SEPARATORS:
        return low[cur], cur + 1
    return None, end


def _cjk_atoms(low: str, lang: str) -> tuple[list[_Atom], list[tuple[int, int]]]:
    """Figures written the Chinese or Japanese way, and the spans the digit scan must leave."""
    nw = number_words(lang)
    atoms: list[_Atom] = []
    owned: list[tuple[int, int]] = []
    glued = {w: k for k, words in _PHRASES.after_glued.items() for w in words if _cjk(w)}
    glued_re = re.compile("|".join(sorted(map(re.escape, glued), key=len, reverse=True)) or "(?!)")
    for m in _CJK_RUN.finditer(low):
        start, end = m.span()
        span = m.group(0)
        before = low[start - 1] if start else ""
        after = low[end : end + 1]
        plain = all(ch.isdigit() or ch in ",.，" for ch in span) and span.isascii()
        if plain and not _cjk(after):
            continue  # "2,000–3,000", "10:30", "KN-23": the digit scan reads them
        if before and before.isascii() and (before.isalnum() or before in "-./"):
            continue
        owned.append((start, end))
        vague = low[start - 1 : end] if before in _CJK_VAGUE_HEAD else ""
        if vague in _VAGUE_PHRASES:
            lo, hi, q = _VAGUE_PHRASES[vague]
            unit, unit_end = _cjk_unit(low, end, glued_re)
            atoms.append(
                _Atom(start - 1, end, lo, hi, q, 1, unit=unit, skip_unit=True, unit_end=unit_end)
            )
            continue
        if before == "第" or after in _CJK_NOT_COUNTED or low.startswith(_CJK_MONEY, end):
            continue  # "第三", "2024年", "三千元", "5万ドル"
        if not plain and (span[0] in nw.cjk_multipliers or len(span) == 1):
            continue  # "千万" (by all means), "十分" (very), "一" (one, a)
        if not plain and not any(ch in nw.cjk_multipliers or ch.isdigit() for ch in span):
            continue  # "二〇二四" and other digit strings
        parsed = cjk_value(span, nw)
        if parsed is None:
            continue
        value, largest = parsed
        unit, unit_end = _cjk_unit(low, end, glued_re)
        atoms.append(
            _Atom(
                start,
                end,
                value,
                value,
                "exact",
                largest,
                unit=unit,
                skip_unit=True,
                unit_end=unit_end,
            )
        )
    return atoms, owned


def _cjk_prefix(low: str, start: int) -> tuple[str, int] | None:
    """A Chinese or Japanese qualifier glued before the figure ("约3000", "約3千"), longest first."""
    for size in (3, 2, 1):
        phrase = low[max(0, start - size) : start]
        if len(phrase) == size and phrase in _CJK_PREFIX_QUALIFIERS:
            return phrase, start - size
    return None
