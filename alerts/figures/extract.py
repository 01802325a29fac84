"""Quantities stated in running text: "12 000 soldats", "about 3,000 troops", "1만 명", "около 3 тысяч".

:func:`extract_quantities` is pure and fast (one compiled scan per language, no model). It returns
headcounts and counts as integer ranges with a qualifier, the noun that follows them and whether
they are *additional*. It does not return years, dates, clock times, percentages, money amounts,
ordinals, article/resolution numbers, phone numbers or model designations ("KN-23").
See ``docs/figures-and-dates.md`` for the rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import text2num

from alerts.dates.resolve import month_names
from alerts.figures.numerals import (
    CJK,
    COMPOSED,
    LANGUAGES,
    cjk_value,
    number_words,
    scale_words,
    words_value,
)
from alerts.figures.phrases import load_phrases
from alerts.patterns import trie_pattern

__all__ = ["Quantity", "extract_quantities"]

QUALIFIERS = ("exact", "approx", "more_than", "less_than", "up_to", "range", "vague")


@dataclass(frozen=True)
class Quantity:
    """A figure stated in text, as an integer range with its qualifier."""

    low: int
    high: int
    qualifier: str
    text: str
    start: int
    end: int
    unit: str | None
    additional: bool


def _cjk(word: str) -> bool:
    """Whether ``word`` is written in Chinese characters or Japanese kana."""
    return any("\u3040" <= ch <= "\u9fff" for ch in word)


def _split(text: str, sep: str | None = None) -> list[str]:
    """Word lists are written as one string per line of vocabulary, for readability."""
    return text.split(sep)


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_THOUSAND = 1_000
_MILLION = 1_000_000
_BILLION = 1_000_000_000

# Scale words written after digits ("12 mille", "1,5 million", "10 тыс.", "3 Mio.", "3 हज़ार"):
# generated (CLDR's compact formats and num2words' scale words, alerts.figures.numerals), plus
# the press abbreviations CLDR does not write.
_PRESS_SCALE_WORDS: dict[str, int] = {
    "bn": _BILLION,
    "mn": _MILLION,
    "mln.": _MILLION,
    "tsd": _THOUSAND,
    "tsd.": _THOUSAND,
    "млн.": _MILLION,
    "млрд.": _BILLION,
    "migliaia": _THOUSAND,
    "thousands": _THOUSAND,
    "mil millones": _BILLION,
}


@lru_cache(maxsize=32)
def _scale_table(code: str) -> dict[str, int]:
    """The scale words read after digits in ``code`` text (every language's when empty)."""
    table = dict(scale_words(code))
    for word, mult in _PRESS_SCALE_WORDS.items():
        table.setdefault(word, mult)
    return table


_SCALE_WORDS = _scale_table("")
_SCALE_RE = "|".join(
    re.escape(w) if w.endswith(".") else re.escape(w) + r"(?![\w])"
    for w in sorted(_SCALE_WORDS, key=len, reverse=True)
)

_MONTHS = sorted(month_names())
_MONTH_RE = (
    "(?:"
    + "|".join(re.escape(m) for m in sorted(set(_MONTHS), key=len, reverse=True))
    + r")(?![\w])"
)

# Words around a figure (qualifiers, range words, vague amounts): one file per language in
# alerts/figures/phrases/, merged.
_PHRASES = load_phrases()
_VAGUE_PHRASES: dict[str, tuple[int, int, str]] = dict(_PHRASES.vague)


# Number words handed to text2num, per language (text2num composes them), from the generated
# tables. German and Italian write compounds as one word ("zwölftausend", "diecimila"): their
# words are the parts compounds are made of, their scale words ("Millionen") stand apart.
_TEXT2NUM = ("fr", "en", "es", "pt", "de", "it")
_COMPOUNDING = {"de", "it"}


def _text2num_words(code: str) -> str:
    nw = number_words(code)
    if code in _COMPOUNDING:
        return " ".join(sorted(nw.compound_parts | nw.connectors))
    return " ".join(sorted({*nw.numbers, *nw.scales, *nw.connectors}))


_WORD_LISTS: dict[str, str] = {code: _text2num_words(code) for code in _TEXT2NUM}
_WORD_SEPARATE = {code: " ".join(sorted(number_words(code).scales)) for code in _COMPOUNDING}
_CONNECTORS = {"fr": "et", "en": "and", "es": "y", "pt": "e", "de": "und", "it": "e"}
_LONE_ONE = {"un", "une", "one", "uno", "una", "um", "uma", "ein", "eine", "eins"}
# after "un"/"one"...: a number word follows ("un million", "one hundred"), else it is an article
_NEXT_IS_NUMBER_WORD = re.compile(
    r"[\s-]+(?:mille|million|milliard|cent|hundred|thousand|million|billion|mil|millón|"
    r"millones|milhão|mila|milione|tausend|hundert|millionen|milliarde|et|and|y|e|und)"
)

# Russian, Ukrainian, Polish and Arabic number words, composed here (text2num has none of them).
_POOLED_WORDS = {"ru": ("ru", "uk"), "uk": ("uk", "ru")}


def _composed_words(code: str) -> list[str]:
    nw = number_words(code)
    words = [*nw.numbers, *nw.scales, *nw.connectors]
    if code == "ar":  # "و" (and) glued to the next word: "وثلاثون"
        words += ["و" + w for w in nw.numbers]
    return words


def _composed_run(code: str) -> re.Pattern[str]:
    word = "(?:" + trie_pattern(_composed_words(code)) + ")"
    return re.compile(word + r"(?![^\W\d_])(?:\s+" + word + r"(?![^\W\d_]))*")


# --------------------------------------------------------------------------------------------
# The scanner
# --------------------------------------------------------------------------------------------

_SEPS = " \u00a0\u202f\u2009'.,"
_DIGITS = (
    r"(?P<num>\d{1,3}(?P<sep>[" + _SEPS + r"])\d{3}(?:(?P=sep)\d{3})*(?![\d])(?![.,]\d)"
    # grouped with a decimal part: "7.612,52", "12 000,5", "1,234.5"
    r"|(?P<dec>\d{1,3}(?:[" + _SEPS + r"]\d{3})+[.,]\d+(?!\d))"
    r"|\d+(?:[.,]\d+)?)"
)
_NUM_ALT = (
    r"(?<![\w.,/:])(?<![^\W\d_]-)"
    + _DIGITS
    + r"(?:(?P<k>[kK])(?![\w])|\s?(?P<scale>"
    + _SCALE_RE
    + r")|-(?P<hsuffix>[^\W\d_]+)|(?P<suffix>[^\W\d_]+))?"
)
_KO_ALT = (
    r"(?<![\w.,])(?P<ko>\d[\d,]*(?:\.\d+)?\s?[억만천](?:\s?\d[\d,]*(?:\.\d+)?\s?[억만천])*"
    r"(?:\s?\d+(?:,\d{3})*(?![\d.,]))?)(?P<kosuffix>[^\W\d_]+)?"
)
_DATE_DAY_FIRST = (
    r"(?P<date>"
    # 19 juin / 1er mai / 19. Juni / 19 de junio / du 11 au 13 juillet / le 4 ou 5 août
    r"(?<![\w.,])\d{1,2}(?:er|º|st|nd|rd|th)?\.?"
    r"(?:\s*(?:-|–|au|à|to|and|et|or|ou|y|und|bis|и|по|o)\s*\d{1,2}(?:er|º|st|nd|rd|th)?\.?)?"
    r"\s+(?:de\s+|of\s+)?" + _MONTH_RE + r"(?:\s+(?:de\s+)?\d{4})?"
    # 19/06/2024, 2024-06-19, 19.06.2024
    r"|(?<![\w.,/])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\d{1,2}/\d{4})(?![\d])"
    # Korean dates: 12·3 (3 December), 5·18
    r"|(?<![\w.,])\d{1,2}·\d{1,2}(?!\d)"
    # Korean and Japanese dates: 2024년 6월 19일
    r"|(?<![\w.,])\d{1,4}\s?년(?:\s?\d{1,2}\s?월)?(?:\s?\d{1,2}\s?일)?|\d{1,2}\s?월(?:\s?\d{1,2}\s?일)?"
    r")"
)
# June 19 / June 19th, 2024 / June 19-21 (matched where a month name starts)
_MONTH_FIRST = (
    _MONTH_RE + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?![\d,.]\d)(?:\s*[-–]\s*\d{1,2})?(?:,?\s+\d{4})?"
)
_TIME_ALT = (
    r"(?P<time>(?<![\w.,])\d{1,2}(?:[:h]\d{2}|\s?h(?![\w])(?:\s?\d{2})?"
    r"|\s?(?:a\.m\.|p\.m\.|am|pm|uhr|o'clock)(?![\w])))"
)
_PHONE_ALT = r"(?P<phone>(?:\+|(?<![\w.,])0)\d(?:[\d \-.()]){7,}\d)"

_KO_VAGUE_ALT = r"(?P<kovague>수(?:십만|백만|십|백|천|만))"
# Everything that starts with a digit (or "+", or the Korean "수"), in one scan.
_DIGIT_SCAN = re.compile(
    "|".join([_DATE_DAY_FIRST, _TIME_ALT, _PHONE_ALT, _KO_ALT, _NUM_ALT, _KO_VAGUE_ALT])
)
# No look-behind in scanning patterns: it defeats the engine's fast scan (checked in Python).
_DIGIT_START = re.compile(r"[\d+수]\d*")
_MONTH_SET = frozenset(_MONTHS)
_MONTH_FIRST_DATE = re.compile(_MONTH_FIRST)
_VAGUE_MATCH = re.compile(trie_pattern(_VAGUE_PHRASES))


@dataclass(frozen=True)
class _WordScanner:
    triggers: re.Pattern[str]
    runs: tuple[tuple[str, re.Pattern[str]], ...]  # (language, number-word run)


def _word_run(code: str) -> re.Pattern[str]:
    words = _WORD_LISTS[code].split()
    word = "(?:" + trie_pattern(words) + ")"
    if code in _COMPOUNDING:
        word = "(?:" + word + "+|" + trie_pattern(_WORD_SEPARATE[code].split()) + ")"
    conn = _CONNECTORS[code]
    return re.compile(
        word + r"(?![^\W\d_])(?:[\s-]+(?:" + conn + r"[\s-]+)?" + word + r"(?![^\W\d_]))*"
    )


def _script(word: str) -> str:
    ch = word[:1]
    if "가" <= ch <= "힣":
        return "hangul"
    if "\u0400" <= ch <= "\u04ff":
        return "cyrillic"
    if "\u0600" <= ch <= "\u06ff":
        return "arabic"
    if "\u0900" <= ch <= "\u097f":
        return "devanagari"
    if "\u3000" <= ch <= "\u9fff":
        return "cjk"
    return "latin"


_SCRIPTS = {
    "ru": "cyrillic",
    "uk": "cyrillic",
    "bg": "cyrillic",
    "pl": "latin",
    "ko": "hangul",
    "ar": "arabic",
    "hi": "devanagari",
    "ja": "cjk",
    "zh": "cjk",
}


def _build_word_scanner(lang: str) -> _WordScanner:
    script = _SCRIPTS.get(lang, "latin" if lang else "")
    first_words = {p for p in _VAGUE_PHRASES if not script or _script(p) == script}
    runs: list[tuple[str, re.Pattern[str]]] = []
    for code in _word_languages(lang):
        first_words.update(_WORD_LISTS[code].split())
        first_words.update(_WORD_SEPARATE.get(code, "").split())
        runs.append((code, _word_run(code)))
    if lang in COMPOSED:
        for code in _POOLED_WORDS.get(lang, (lang,)):
            first_words.update(_composed_words(code))
            runs.append((code, _composed_run(code)))
    first_words.discard("")
    return _WordScanner(re.compile(trie_pattern(first_words)), tuple(runs))


def _word_languages(lang: str) -> tuple[str, ...]:
    if lang in _WORD_LISTS:
        return (lang,)
    if lang in ("", "und"):
        return ("fr", "en")
    return ()


_SCANNERS: dict[str, _WordScanner] = {
    code: _build_word_scanner(code) for code in (*_WORD_LISTS, *sorted(COMPOSED), "hi", "")
}
_OTHER_SCANNER = _build_word_scanner("xx")


# Words looked for right before the figure, looked up by the last 1-4 words (a dict, not a scan).
_PREFIX_QUALIFIERS: dict[str, str] = dict(_PHRASES.before)
# Chinese and Japanese qualifiers are glued to the figure ("约3000人"): looked up by characters.
_CJK_PREFIX_QUALIFIERS: dict[str, str] = {p: k for p, k in _PHRASES.before.items() if _cjk(p)}
_RANGE_OPENERS: dict[str, bool] = dict(_PHRASES.range_openers)
_EXCLUDE_WORDS = set(
    _split(
        "article|articles|art.|artikel|artículo|artigo|articolo|статья|статьи|статьей|статті|"
        "resolution|résolution|resolución|резолюция|резолюции|section|chapter|chapitre|paragraph|"
        "paragraphe|point|no.|n°|nº|№|number|numéro|número|nr.|#|§|page|p.|vol.|flight|vol|rang|"
        "rank|level|niveau|code|zip|route|us$|usd|eur|rub|krw|$|€|£|¥|₩|₽|제|model|modèle|"
        "version|version|type|typ|tipo|series|série|batch|lot",
        "|",
    )
)
_ADDITIONAL_WORDS = set(
    _split(
        "another|an additional|additional|further|extra|a further|d'autres|encore|otros|otras|otro|"
        "weitere|zusätzliche|ещё|еще|дополнительно|дополнительные|дополнительных|ще|додатково|"
        "kolejne|kolejnych|altri|altre|outros|추가로|추가",
        "|",
    )
)
_YEAR_WORDS = set(
    _split(
        "in|en|since|depuis|de|of|from|until|till|by|année|year|jusqu'en|partir de|dès|avant|après|"
        "before|after|desde|hasta|im|seit|ab|bis|в|с|до|к|w|od|do|nel|dal|em|an|summer|winter|spring|"
        "autumn|fall|été|hiver|printemps|automne|late|early|mid|fin|début|mi|l'an|l'année|"
        "the|le|la|of the|du|des",
        "|",
    )
)
_TAIL_STRIP = "([«\"“‘'<"


_NON_SPACE = re.compile(r"\S+")
_ATTACHED = frozenset("$€£¥₩₽#§№제°º'’")


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


def _suffix_qualifier_pattern() -> re.Pattern[str]:
    """Qualifiers after the figure: separate words ("or more", "-odd") end at a word boundary;
    glued ones (Korean, Japanese, Chinese: "이상", "以上", "多") are named ``<kind>_gl``."""
    alternatives = []
    for kind, words in _PHRASES.after.items():
        extra = ("-plus", "+") if kind == "more_than" else ()
        if words or extra:
            alt = "|".join(re.escape(w) for w in sorted({*words, *extra}, key=len, reverse=True))
            alternatives.append(f"(?P<{kind}>{alt})(?![^\\W\\d_])")
    for kind, words in _PHRASES.after_glued.items():
        if words:
            alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            alternatives.append(f"(?P<{kind}_gl>{alt})")
    return re.compile(r"\s*(?:" + "|".join(alternatives) + ")", re.I)


_SUFFIX_QUALIFIER = _suffix_qualifier_pattern()


def _range_pattern(words: Iterable[str], marks: str) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"\s*(?:" + marks + "|" + alt + r")\s*", re.I)


# between two figures: always a range ("2,000–3,000", "2 à 3", "2千〜3千"), or after
# "between/entre/від" only ("between 2 and 3")
_RANGE_STRONG = _range_pattern(_PHRASES.range_to, "-|–|—|~|～|〜")
_RANGE_WEAK = _range_pattern(_PHRASES.range_and | _PHRASES.range_to, "-|–")

_MONEY_AFTER = re.compile(
    r"\s*(?:(?:de |of |d['’])\s*)?(?:[$€£¥₩₽]|dollars?|euros?|roubles?|rubles?|рубл\w*|"
    r"долл\w*|евро|гривен\w*|won|wons|원|달러|dólares?|dollar|rubel|usd|eur|yuan|yens?|"
    r"francs?|pounds?|livres sterling|couronnes?|crowns?|kronor|kroner|rupees?|roupies?|"
    r"pesos?|reais|złotych|zł|hryvnias?|тенге|юан\w*|위안|엔|chf|gbp|jpy|cny)(?![\w])",
    re.I,
)
_SLASH_DIGIT = re.compile(r"/\d")
_SENTENCE_OPENERS = frozenset('.!?:;\n"«“(—–-•')
_NOUNS_CAPITALISED = frozenset({"de", "ko", "ja", "zh", "lb"})
_CLOCK_UNITS = frozenset({"heures", "heure", "h", "uhr", "horas"})
_CLOCK_PREPOSITIONS = frozenset({"à", "vers", "dès", "jusqu'à", "avant", "après", "a", "um", "las"})
_CLAUSE_END = re.compile(r"\s*(?:[,.;:!?)\]»\"”]|$)")
_PERCENT_AFTER = re.compile(
    r"\s*(?:%|‰|pour\s?cent|percent|per\s?cent|por\s?ciento|por\s?cento|prozent|процент\w*|"
    r"відсот\w*|procent\w*|per\s?cento|퍼센트|프로)",
    re.I,
)
_FRACTION_AFTER = re.compile(
    r"\s+(?:tiers|quarts?|thirds?|quarters?|halves|cinquièmes|fifths|tercios|cuartos|drittel|"
    r"viertel|трети|третей|четверти)(?![\w])",
    re.I,
)
_ORDINAL_SUFFIXES = {
    "e",
    "er",
    "ère",
    "re",
    "ème",
    "eme",
    "è",
    "nd",
    "nde",
    "st",
    "rd",
    "th",
    "º",
    "ª",
    "°",
    "s",
    "й",
    "я",
    "е",
    "го",
    "ї",
    "ий",
    "ая",
    "ое",
    "ого",
    "ей",
    "м",
    "х",
    "ом",
    "ым",
    "ых",
    "им",
    "번째",
    "차",
    "째",
}
_EXCLUDED_SUFFIXES = {
    "년",
    "월",
    "일",
    "시",
    "분",
    "초",
    "세",
    "원",
    "달러",
    "위",
    "호",
    "번",
    "조",
    "h",
    "am",
    "pm",
}
_KO_ADDITIONAL = ("추가",)
# Korean suffixes that make a number something other than a count (the non-Latin ones above,
# plus the ordinal markers), matched as prefixes of the word glued to the number.
_KO_EXCLUDED = (*sorted(x for x in _EXCLUDED_SUFFIXES if not x.isascii()), "차", "째")

# a word, with the vowel signs of Devanagari and the marks of Arabic ("सैनिक", "جنديًا")
_WORD_RE = re.compile(
    r"\s*(?:[(\[«\"“]\s*)?([^\W\d_](?:[\w'’\u0900-\u0963\u064b-\u065f-]*"
    r"(?:[^\W\d_]|[\u0900-\u0963\u064b-\u065f]))?)"
)
_SKIP_WORD = re.compile(
    r"(?:de|d['’]|of|the|des|du|ses|leurs|their|its|his|her|del|de los|de las|von|der|die|"
    r"и|더|à|a)$"
    r"|(?:north|south|nord|sud|süd|russ|ukrain|korea|corée|coré|nordkorean|norcorean|"
    r"chin|americ|améric|amerik|северокорей|южнокорей|российск|русск|украин|北|"
    r"new|more|additional|further|extra|other|supplémentaire|nouve|nouvelles|adicional|weitere|"
    r"zusätzlich|дополнительн|регулярн|regular|elite|d'élite|special|military|militärisch|"
    r"other|otros|otras|más|mehr|ещё|еще|armed|active|armés|young|jeunes)",
    re.I,
)
_ADDITIONAL_AFTER = re.compile(
    r"(?:supplémentaires?|additional|more|further|extra|de plus|en plus|nouveaux|nouvelles|new|"
    r"adicionales?|más|adicionais|mais|zusätzliche\w*|mehr|дополнительн\w*|ещё|еще|більше|"
    r"додатков\w*|więcej|dodatkow\w*|in più|aggiuntiv\w*|추가)$",
    re.I,
)
_HEADCOUNT_NOUN = re.compile(
    r"(?:soldiers|troops|men|workers|personnel|officers|sappers|builders|engineers|specialists|"
    r"people|civilians|prisoners|soldats|hommes|militaires|ouvriers|travailleurs|personnes|"
    r"soldados|militares|trabajadores|hombres|soldaten|mann|arbeiter|soldat|солдат\w*|"
    r"военн\w*|человек|рабоч\w*|명|missiles|shells|obus|misiles|containers|conteneurs)$",
    re.I,
)
# Occurrence counters: "30 fois", "more than 30 times", "10여 차례", "5회", "30 раз", "30 veces".
_OCCURRENCE_AFTER = re.compile(
    r"\s*(?:여\s*|남짓\s*)?(?:차례|회(?![가-힣])|번(?:째)?(?![가-힣])|fois\b|times?\b|"
    r"раз(?:а)?\b|veces\b|vez\b|mal\b|vezes\b)",
)
# Nouns that make a number after a capitalised word a count, not a designator.
_COUNTED_NOUN = re.compile(
    r"(?:soldiers?|troops?|men|workers?|labou?rers?|personnel|officers?|sappers?|deminers?|"
    r"builders?|engineers?|specialists?|technicians?|instructors?|people|civilians|prisoners|"
    r"soldats?|hommes|militaires|ouvriers|travailleurs|personnes|démineurs|sapeurs|bâtisseurs|"
    r"ingénieurs|spécialistes|techniciens|instructeurs|soldados|militares|trabajadores|"
    r"hombres|zapadores|ingenieros|constructores|\w*soldaten|mann|\w*arbeiter|soldat|\w*pioniere|"
    r"\w*ingenieure|\w*truppen|\w*kräfte|engenheiros|soldados|trabalhadores|"
    r"солдат\w*|военн\w*|человек|рабоч\w*|сапер\w*|сапёр\w*|строител\w*|инженер\w*|"
    r"специалист\w*|бойц\w*|명|missiles?|shells|rounds|obus|misiles|containers|conteneurs|"
    r"снаряд\w*|ракет\w*|контейнер\w*|drones?)$",
    re.I,
)
_UNIT_MAX_SKIP = 3
_NON_DIGIT = re.compile(r"\D")
_WORD_TOKEN = re.compile(r"[^\s-]+")
_KO_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[억만천]")
_OF_WORDS = frozenset(_split("de d' d’ of des du del von di من"))
_NOT_UNITS = frozenset(
    _split(
        "a à au aux et ou en dans par pour sur avec sans que qui dont ont sont est était étaient "
        "sera seront ont-ils se sont ne n' y il ils elles on the and or in into at to by for on "
        "with from that which who were was are is have has had will would could may might "
        "be been being had as than y o en con por para que fueron son han und oder in im mit "
        "von zu für sind wurden haben waren и в на с по из что были было или"
    )
)
_NUMBER_WORD = re.compile(
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|deux|trois|quatre|"
    r"cinq|six|sept|huit|neuf|dix|cent|mille|dos|tres|cuatro|cinco|diez|mil|zwei|drei|vier|"
    r"fünf|zehn|tausend|hundert)"
)
_ELISION = re.compile(r"^(?:d|l|qu)['’]", re.I)


@dataclass
class _Atom:
    start: int
    end: int
    low: int
    high: int
    qualifier: str
    scale: int  # multiplier of an explicit scale word (1 if none)
    unit: str | None = None
    maybe_year: bool = False
    skip_unit: bool = False
    unit_end: int = -1


def _norm_lang(lang: str | None) -> str:
    if not lang:
        return ""
    return lang.strip().lower().replace("_", "-").split("-")[0]


def _parse_digits(num: str, sep: str | None, grouped_decimal: bool = False) -> float | None:
    if grouped_decimal:
        cut = max(num.rfind(","), num.rfind("."))
        return float(_NON_DIGIT.sub("", num[:cut]) + "." + num[cut + 1 :])
    if sep is not None:
        return float(int(_NON_DIGIT.sub("", num)))
    if "," in num or "." in num:
        whole, _, frac = num.replace(",", ".").partition(".")
        return float(f"{whole}.{frac}")
    return float(int(num))


def _words_value(span: str, lang: str) -> list[tuple[int, int, int, int]]:
    """Parse a run of number words with text2num: (rel_start, rel_end, value, scale) per number."""
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD_TOKEN.finditer(span)]
    conn = _CONNECTORS.get(lang, "")
    out: list[tuple[int, int, int, int]] = []
    i = 0
    while i < len(tokens):
        if tokens[i][0].lower() == conn:
            i += 1
            continue
        found = False
        for j in range(len(tokens), i, -1):
            if tokens[j - 1][0].lower() == conn:
                continue
            phrase = span[tokens[i][1] : tokens[j - 1][2]]
            value = _text2num(phrase.lower(), lang)
            if value is None:
                continue
            if j - i == 1 and tokens[i][0].lower() in _LONE_ONE:
                break
            last = tokens[j - 1][0].lower()
            scale = (
                _BILLION
                if last.startswith(("milliard", "billion"))
                else _MILLION
                if last.startswith(("million", "millón", "millon", "milhão", "milhõ", "milion"))
                else _THOUSAND
                if last in ("mille", "thousand", "mil", "tausend", "mila")
                else 1
            )
            out.append((tokens[i][1], tokens[j - 1][2], value, scale))
            i = j
            found = True
            break
        if not found:
            i += 1
    return out


@lru_cache(maxsize=4096)
def _text2num(phrase: str, lang: str) -> int | None:
    try:
        value = text2num(phrase, lang)
    except (ValueError, TypeError):
        return None
    return int(value)


def _ko_value(span: str) -> int | None:
    value = 0
    part = 0.0
    for tok in _KO_TOKEN.findall(span):
        if tok == "억":
            value += round(part * 100_000_000)
            part = 0.0
        elif tok == "만":
            value += round(part * 10_000)
            part = 0.0
        elif tok == "천":
            value += round(part * 1_000)
            part = 0.0
        else:
            part = float(tok.replace(",", ""))
    return value + round(part)


def _lower(text: str) -> str:
    """Lower-case ``text`` keeping every offset (a few characters grow when lower-cased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)


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


def _atoms(low: str, lang: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    blocked: list[tuple[int, int]] = []  # dates, times, phone numbers
    owned: list[tuple[int, int]] = []
    if lang in CJK:
        atoms, owned = _cjk_atoms(low, lang)
    owned_starts = [s for s, _ in owned]
    pos = 0
    while True:
        t = _DIGIT_START.search(low, pos)
        if t is None:
            break
        ts = t.start()
        if owned and _covered(ts, owned, owned_starts):
            pos = next(e for s, e in owned if s <= ts < e)
            continue
        if ts and low[ts - 1] == " ":
            month = _tail(low, ts, _MONTH_SET)  # "June 19, 2024"
            if month is not None:
                dm = _MONTH_FIRST_DATE.match(low, month[1])
                if dm is not None and dm.end() > ts:
                    blocked.append((dm.start(), dm.end()))
                    pos = dm.end()
                    continue
        m = _DIGIT_SCAN.match(low, ts)
        if m is None or m.end() == m.start():
            pos = t.end()
            continue
        pos = m.end()
        kind = m.lastgroup
        if m.group("date") is not None or m.group("time") is not None or kind == "phone":
            blocked.append((m.start(), m.end()))
        elif m.group("ko") is not None:
            ko_value = _ko_value(m.group("ko"))
            suffix = m.group("kosuffix")
            if not ko_value or (suffix and suffix in _EXCLUDED_SUFFIXES):
                continue
            atom = _Atom(m.start(), m.end("ko"), ko_value, ko_value, "exact", 10_000)
            atoms.append(atom)
        elif m.group("num") is not None:
            atom_or_none = _digit_atom(low, m, lang)
            if atom_or_none is not None:
                atoms.append(atom_or_none)
        elif m.group("kovague") is not None:
            lo, hi, q = _VAGUE_PHRASES[m.group("kovague")]
            atoms.append(_Atom(m.start(), m.end(), lo, hi, q, 1))
    occupied = sorted(blocked + owned + [(a.start, a.end) for a in atoms])
    word_atoms = _word_atoms(low, lang, occupied)
    if blocked:
        atoms = [a for a in atoms if not _inside(a.start, a.end, blocked)]
    if word_atoms or owned:
        atoms.extend(word_atoms)
        atoms.sort(key=lambda a: a.start)
    return atoms


def _cjk_prefix(low: str, start: int) -> tuple[str, int] | None:
    """A Chinese or Japanese qualifier glued before the figure ("约3000", "約3千"), longest first."""
    for size in (3, 2, 1):
        phrase = low[max(0, start - size) : start]
        if len(phrase) == size and phrase in _CJK_PREFIX_QUALIFIERS:
            return phrase, start - size
    return None


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _covered(pos: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether ``pos`` falls in one of ``spans`` (sorted, ``starts`` their first offsets)."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


def _word_atoms(low: str, lang: str, blocked: list[tuple[int, int]]) -> list[_Atom]:
    scanner = _SCANNERS.get(lang, _OTHER_SCANNER)
    out: list[_Atom] = []
    starts = [s for s, _ in blocked]
    pos = 0
    n = len(low)
    while pos < n:
        t = scanner.triggers.search(low, pos)
        if t is None:
            break
        start = t.start()
        if start and (low[start - 1].isalpha() or low[start - 1] == "_"):
            pos = start + 1  # inside a word
            continue
        pos = max(t.end(), start + 1)
        if blocked and _covered(start, blocked, starts):
            continue
        vm = _VAGUE_MATCH.match(low, start)
        if vm is not None and vm.group(0) in _VAGUE_PHRASES:
            phrase = vm.group(0)
            if not ("가" <= phrase[-1] <= "힣") and low[vm.end() : vm.end() + 1].isalpha():
                vm = None
        else:
            vm = None
        if vm is not None:
            lo, hi, q = _VAGUE_PHRASES[vm.group(0)]
            out.append(_Atom(start, vm.end(), lo, hi, q, 1))
            pos = vm.end()
            continue
        if (
            t.group(0) in _LONE_ONE
            and not low[t.end() : t.end() + 1].isalpha()
            and not _NEXT_IS_NUMBER_WORD.match(low, t.end())
        ):
            continue  # "un", "une", "one": an article, not a figure
        for code, run in scanner.runs:
            rm = run.match(low, start)
            if rm is None:
                continue
            span = rm.group(0)
            if span.startswith("cent") and low[max(0, start - 5) : start] in ("pour ", " per "):
                pos = rm.end()
                break
            if code in COMPOSED:
                composed = words_value(span.split(), number_words(code))
                if composed is not None:
                    value, scale = composed
                    out.append(_Atom(start, rm.end(), value, value, "exact", scale))
            else:
                for rs, rend, value, scale in _words_value(span, code):
                    s0 = start + rs
                    # "a thousand", "a hundred": the article stands for one
                    if (
                        code == "en"
                        and scale > 1
                        and value == scale
                        and low[max(0, s0 - 2) : s0] == "a "
                    ):
                        s0 -= 2
                    out.append(_Atom(s0, start + rend, value, value, "exact", scale))
            pos = rm.end()
            break
    return out


def _digit_atom(text: str, m: re.Match[str], lang: str) -> _Atom | None:
    value = _parse_digits(m.group("num"), m.group("sep"), m.group("dec") is not None)
    if value is None:
        return None
    scale = 1
    end = m.end()
    unit: str | None = None
    if m.group("k"):
        scale = _THOUSAND
    elif m.group("scale"):
        # another language's scale word is a unit here ("3 miles" in English)
        scale = _scale_table(lang if lang in LANGUAGES else "").get(m.group("scale").lower(), 0)
        if not scale:
            scale = 1
            end = m.end("num")
    elif m.group("hsuffix"):
        hs = m.group("hsuffix").lower()
        if hs in _ORDINAL_SUFFIXES:
            return None
        unit = hs
    elif m.group("suffix"):
        suffix = m.group("suffix").lower()
        if suffix in _ORDINAL_SUFFIXES or suffix in _EXCLUDED_SUFFIXES:
            return None
        if _is_hangul(suffix[0]):
            if suffix.startswith(_KO_EXCLUDED):
                return None
            suffix = _ko_unit(suffix)
        else:
            cut = next((i for i, ch in enumerate(suffix) if _is_hangul(ch)), len(suffix))
            if cut < len(suffix):  # "110m가량": the unit, then a Korean word
                end = m.start("suffix") + cut
                suffix = suffix[:cut]
        unit = suffix
    total = value * scale
    if total != int(total):
        return None
    ivalue = round(total)
    start = m.start()
    digits = _NON_DIGIT.sub("", m.group("num"))
    if scale == 1 and m.group("sep") is None and len(digits) >= 7:
        return None  # ID-like
    if len(digits) > 1 and digits.startswith("0") and m.group("sep") is None:
        return None  # "007", "05"
    atom = _Atom(start, end, ivalue, ivalue, "exact", scale, unit=unit)
    if unit is not None:
        atom.skip_unit = True
        atom.end = m.end("num")
        atom.unit_end = end
    if (
        scale == 1
        and m.group("sep") is None
        and len(digits) == 4
        and 1900 <= ivalue <= 2100
        and unit is None
    ):
        atom.maybe_year = True
    return atom


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


def extract_quantities(text: str, lang: str | None) -> list[Quantity]:
    """Every figure stated in ``text`` (ISO 639-1 ``lang`` or None), in order of appearance."""
    code = _norm_lang(lang)
    lowered = _lower(text)
    atoms = _merge_ranges(lowered, _atoms(lowered, code))
    result: list[Quantity] = []
    for atom in atoms:
        start, end = atom.start, atom.end
        if _is_excluded(lowered, start, end):
            continue
        low, high, qualifier = atom.low, atom.high, atom.qualifier
        prefix = _tail(lowered, start, _PREFIX_QUALIFIERS)
        if prefix is None and code in CJK:
            prefix = _cjk_prefix(lowered, start)
        if prefix is not None and (
            qualifier == "exact"
            or (qualifier == "approx" and _PREFIX_QUALIFIERS[prefix[0]] != "approx")
        ):
            qualifier = _PREFIX_QUALIFIERS[prefix[0]]  # "plus d'une centaine": more than
        designator = (
            prefix is None
            and qualifier == "exact"
            and atom.low < 10_000
            and atom.scale == 1
            and code not in _NOUNS_CAPITALISED
            and _after_name(text, start)
        )
        unit = atom.unit
        unit_end = atom.unit_end if atom.unit_end > 0 else end
        if not atom.skip_unit:
            after_scale = atom.scale > 1 or atom.qualifier != "exact"
            unit, unit_end = _find_unit(lowered, end, after_scale)
            if unit is not None and _MONEY_AFTER.fullmatch(unit):
                continue
        if _OCCURRENCE_AFTER.match(lowered, end):
            continue  # "30 fois", "10여 차례", "three times": how often, never how many
        if designator and (unit is None or not _COUNTED_NOUN.match(unit)):
            # "Highway 287", "ATR 72", "CAC 40", "Zone 1"; but a count of people or items after
            # a place name stays a figure ("envoyer en Russie 2 000 ingénieurs").
            continue
        if unit in _CLOCK_UNITS and _tail(lowered, start, _CLOCK_PREPOSITIONS) is not None:
            continue  # "à 6 heures"
        if qualifier == "exact":
            qualifier = _suffix_qualifier(lowered, end, unit_end)
        if atom.maybe_year and prefix is None:
            if unit is None or not (_HEADCOUNT_NOUN.match(unit) or _COUNTED_NOUN.match(unit)):
                continue
            if _tail(lowered, start, _YEAR_WORDS) is not None:
                continue
        result.append(
            Quantity(
                low=low,
                high=high,
                qualifier=qualifier,
                text=text[start:end],
                start=start,
                end=end,
                unit=unit,
                additional=_is_additional(lowered, atom, unit_end),
            )
        )
    return result
