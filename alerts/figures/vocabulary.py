"""The words and patterns the figure scanner reads (see ``docs/figures-and-dates.md``).

Number and scale words are generated (``alerts/figures/data``, :mod:`alerts.figures.numerals`);
qualifiers, range words and vague amounts are one hand-written file per language
(``alerts/figures/phrases``, :mod:`alerts.figures.phrases`); month names come from the date
tables. What makes a number something other than a count (money, percentages, clock hours,
ordinals...) and how its unit is found are written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from alerts.dates.resolve import month_names
from alerts.figures.numerals import number_words, scale_words
from alerts.figures.phrases import load_phrases
from alerts.patterns import trie_pattern


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
