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
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache

from text_to_num import text2num

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


def _split(text: str, sep: str | None = None) -> list[str]:
    """Word lists are written as one string per line of vocabulary, for readability."""
    return text.split(sep)


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_THOUSAND = 1_000
_MILLION = 1_000_000
_BILLION = 1_000_000_000

# Scale words written after digits ("12 mille", "1,5 million", "10 тыс.", "3 Mio.").
_SCALE_WORDS: dict[str, int] = {}
for _w in _split(
    "thousand thousands mille mil tausend tsd tsd. тыс тыс. тысяча тысячи тысяч тысячу тысячей "
    "тысячами тысячам тысячах тисячами тисячам тисячах "
    "тис тис. тисяча тисячі тисяч tys tys. tysiąc tysiące tysięcy mila migliaia"
):
    _SCALE_WORDS[_w] = _THOUSAND
for _w in _split(
    "million millions mn mln mln. mio mio. millionen millón millones millon млн млн. миллион "
    "миллиона миллионов мільйон мільйона мільйони мільйонів milion miliony milionów milhão "
    "milhões milhao milhoes milione milioni"
):
    _SCALE_WORDS[_w] = _MILLION
for _w in _split(
    "billion billions bn milliard milliards milliarde milliarden mrd mrd. млрд млрд. миллиард "
    "миллиарда миллиардов мільярд мільярда мільярдів miliard miliardy miliardów bilhão bilhões "
    "miliardo miliardi"
):
    _SCALE_WORDS[_w] = _BILLION
_SCALE_WORDS["mil millones"] = _BILLION

_SCALE_RE = "|".join(
    re.escape(w) if w.endswith(".") else re.escape(w) + r"(?![\w])"
    for w in sorted(_SCALE_WORDS, key=len, reverse=True)
)

_MONTHS = _split(
    # fr
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre janv. févr. avr. juil. sept. oct. nov. déc. "
    # en
    "january february march april may june july august september october november december "
    "jan. feb. mar. apr. jun. jul. aug. sep. "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    # de
    "januar jänner februar märz juni juli oktober dezember "
    # es / pt / it
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre "
    "diciembre janeiro fevereiro março maio junho julho setembro outubro novembro dezembro "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre "
    # ru / uk (nominative and genitive)
    "январь января февраль февраля март марта апрель апреля май мая июнь июня июль июля "
    "август августа сентябрь сентября октябрь октября ноябрь ноября декабрь декабря "
    "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня "
    # pl
    "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia"
)
_MONTH_RE = (
    "(?:"
    + "|".join(re.escape(m) for m in sorted(set(_MONTHS), key=len, reverse=True))
    + r")(?![\w])"
)

# Vague amounts: (pattern, low, high, qualifier, scale word inside the phrase).
_VAGUE: list[tuple[str, int, int, str]] = [
    # tens of thousands / dizaines de milliers (before the shorter forms)
    (
        r"(?:tens of thousands|des dizaines de milliers|plusieurs dizaines de milliers|"
        r"quelques dizaines de milliers|decenas de miles|dezenas de milhares|decine di migliaia|"
        r"zehntausende|десятки тысяч|несколько десятков тысяч|десятки тисяч|dziesiątki tysięcy|수만)",
        20_000,
        99_999,
        "vague",
    ),
    (
        r"(?:hundreds of thousands|several hundred thousand|a few hundred thousand|"
        r"des centaines de milliers|plusieurs centaines de milliers|"
        r"cientos de miles|centenas de milhares|centinaia di migliaia|hunderttausende|"
        r"сотни тысяч|сотні тисяч|setki tysięcy|수십만)",
        200_000,
        999_999,
        "vague",
    ),
    (
        r"(?:millions of|des millions|plusieurs millions|several million|millones de|"
        r"milhões de|milioni di|millionen|миллионы|мільйони|miliony|수백만)",
        2_000_000,
        9_999_999,
        "vague",
    ),
    (r"(?:une dizaine de milliers|around ten thousand)", 10_000, 10_000, "approx"),
    (
        r"(?:thousands of|several thousand|a few thousand|some thousands of|des milliers|"
        r"plusieurs milliers|quelques milliers|miles de|varios miles|unos miles|milhares de|"
        r"vários milhares|migliaia di|alcune migliaia|tausende|mehrere tausend|einige tausend|"
        r"тысячи|несколько тысяч|тисячі|кілька тисяч|tysiące|kilka tysięcy|수천)",
        2_000,
        9_999,
        "vague",
    ),
    (
        r"(?:hundreds of|several hundred|a few hundred|des centaines|plusieurs centaines|"
        r"quelques centaines|cientos de|centenares de|varios cientos|centenas de|centinaia di|"
        r"hunderte|mehrere hundert|einige hundert|сотни|несколько сотен|сотні|кілька сотень|"
        r"setki|kilkaset|수백)",
        200,
        999,
        "vague",
    ),
    (
        r"(?:dozens of|scores of|several dozen|a few dozen|des dizaines|plusieurs dizaines|quelques dizaines|"
        r"decenas de|dezenas de|decine di|dutzende|десятки|несколько десятков|кілька десятків|"
        r"dziesiątki|kilkadziesiąt|수십)",
        20,
        99,
        "vague",
    ),
    (r"(?:une dizaine|a dozen|una decena|ein dutzend|около десятка|десяток)", 10, 12, "approx"),
    (r"une vingtaine|una veintena", 20, 20, "approx"),
    (r"une trentaine|una treintena", 30, 30, "approx"),
    (r"une quarantaine", 40, 40, "approx"),
    (r"une cinquantaine|una cincuentena", 50, 50, "approx"),
    (r"une soixantaine", 60, 60, "approx"),
    (r"une centaine|un centenar|una centena|около сотни", 100, 100, "approx"),
    (r"un millier|un millar|около тысячи", 1_000, 1_000, "approx"),
    (r"a hundred", 100, 100, "exact"),
    (r"a thousand", 1_000, 1_000, "exact"),
    (r"a million", 1_000_000, 1_000_000, "exact"),
]
_VAGUE_PHRASES: dict[str, tuple[int, int, str]] = {}
for _pattern, _lo, _hi, _q in _VAGUE:
    for _phrase in _pattern.strip("(?:)").split("|"):
        _VAGUE_PHRASES.setdefault(_phrase, (_lo, _hi, _q))


# Number words handed to text2num, per language (text2num composes them). German and Italian
# write compounds as one word ("zwölftausend", "diecimila"): their words are morphemes.
_WORD_LISTS: dict[str, str] = {
    "fr": "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
    "quinze seize vingt vingts trente quarante cinquante soixante cent cents mille million millions "
    "milliard milliards",
    "en": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand million billion",
    "es": "un uno una dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce "
    "quince dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintiún veintiuna veintidós "
    "veintitrés veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve treinta "
    "cuarenta cincuenta sesenta setenta ochenta noventa cien ciento doscientos doscientas "
    "trescientos trescientas cuatrocientos cuatrocientas quinientos quinientas seiscientos "
    "seiscientas setecientos setecientas ochocientos ochocientas novecientos novecientas mil "
    "millón millones",
    "pt": "um uma dois duas três quatro cinco seis sete oito nove dez onze doze treze catorze "
    "quatorze quinze dezesseis dezasseis dezessete dezassete dezoito dezenove dezanove vinte trinta "
    "quarenta cinquenta sessenta setenta oitenta noventa cem cento duzentos duzentas trezentos "
    "trezentas quatrocentos quatrocentas quinhentos quinhentas seiscentos seiscentas setecentos "
    "setecentas oitocentos oitocentas novecentos novecentas mil milhão milhões",
    "de": "ein eins eine zwei drei vier fünf sechs sieben sieb acht neun zehn elf zwölf zwanzig "
    "dreißig vierzig fünfzig sechzig siebzig achtzig neunzig hundert tausend und",
    "it": "un uno una due tre quattro cinque sei sette otto nove dieci undici dodici tredici "
    "quattordici quindici sedici diciassette diciotto diciannove venti vent trenta trent quaranta "
    "quarant cinquanta cinquant sessanta sessant settanta settant ottanta ottant novanta novant "
    "cento mille mila",
}
_WORD_SEPARATE = {
    "de": "millionen million milliarden milliarde",
    "it": "milioni milione miliardi miliardo",
}
_COMPOUNDING = {"de", "it"}
_CONNECTORS = {"fr": "et", "en": "and", "es": "y", "pt": "e", "de": "und", "it": "e"}
_LONE_ONE = {"un", "une", "one", "uno", "una", "um", "uma", "ein", "eine", "eins"}
# after "un"/"one"...: a number word follows ("un million", "one hundred"), else it is an article
_NEXT_IS_NUMBER_WORD = re.compile(
    r"[\s-]+(?:mille|million|milliard|cent|hundred|thousand|million|billion|mil|millón|"
    r"millones|milhão|mila|milione|tausend|hundert|millionen|milliarde|et|and|y|e|und)"
)

# Russian number words (nominative and genitive), parsed here: text2num has no Russian.
_RU_UNITS: dict[str, int] = {}
for _v, _forms in {
    1: "один одна одно одного одной",
    2: "два две двух двумя",
    3: "три трёх трех тремя",
    4: "четыре четырёх четырех четырьмя",
    5: "пять пяти пятью",
    6: "шесть шести шестью",
    7: "семь семи семью",
    8: "восемь восьми восемью",
    9: "девять девяти девятью",
    10: "десять десяти десятью",
    11: "одиннадцать одиннадцати",
    12: "двенадцать двенадцати",
    13: "тринадцать тринадцати",
    14: "четырнадцать четырнадцати",
    15: "пятнадцать пятнадцати",
    16: "шестнадцать шестнадцати",
    17: "семнадцать семнадцати",
    18: "восемнадцать восемнадцати",
    19: "девятнадцать девятнадцати",
    20: "двадцать двадцати двадцатью",
    30: "тридцать тридцати тридцатью",
    40: "сорок сорока",
    50: "пятьдесят пятидесяти",
    60: "шестьдесят шестидесяти",
    70: "семьдесят семидесяти",
    80: "восемьдесят восьмидесяти",
    90: "девяносто девяноста",
    100: "сто ста",
    200: "двести двухсот",
    300: "триста трехсот трёхсот",
    400: "четыреста четырехсот четырёхсот",
    500: "пятьсот пятисот",
    600: "шестьсот шестисот",
    700: "семьсот семисот",
    800: "восемьсот восьмисот",
    900: "девятьсот девятисот",
}.items():
    for _f in _forms.split():
        _RU_UNITS[_f] = _v
_RU_SCALES = {
    "тысяча": _THOUSAND,
    "тысячи": _THOUSAND,
    "тысяч": _THOUSAND,
    "тысячу": _THOUSAND,
    "тысячами": _THOUSAND,
    "тысячам": _THOUSAND,
    "тысячах": _THOUSAND,
    "миллион": _MILLION,
    "миллиона": _MILLION,
    "миллионов": _MILLION,
}
_RU_WORD = "(?:" + "|".join(sorted([*_RU_UNITS, *_RU_SCALES], key=len, reverse=True)) + ")"
_RU_WORDS_RE = _RU_WORD + r"(?:\s+" + _RU_WORD + r")*"

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
_RU_RUN = re.compile(_RU_WORDS_RE + r"(?![^\W\d_])")


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
    return "latin"


_SCRIPTS = {"ru": "cyrillic", "uk": "cyrillic", "bg": "cyrillic", "ko": "hangul"}


def _build_word_scanner(lang: str) -> _WordScanner:
    script = _SCRIPTS.get(lang, "latin" if lang else "")
    first_words = {p for p in _VAGUE_PHRASES if not script or _script(p) == script}
    runs: list[tuple[str, re.Pattern[str]]] = []
    for code in _word_languages(lang):
        first_words.update(_WORD_LISTS[code].split())
        first_words.update(_WORD_SEPARATE.get(code, "").split())
        runs.append((code, _word_run(code)))
    if lang in ("ru", "uk"):
        first_words.update(_RU_UNITS)
        first_words.update(_RU_SCALES)
        runs.append(("ru", _RU_RUN))
    first_words.discard("")
    return _WordScanner(re.compile(trie_pattern(first_words)), tuple(runs))


def _word_languages(lang: str) -> tuple[str, ...]:
    if lang in _WORD_LISTS:
        return (lang,)
    if lang in ("", "und"):
        return ("fr", "en")
    return ()


_SCANNERS: dict[str, _WordScanner] = {
    code: _build_word_scanner(code) for code in (*_WORD_LISTS, "ru", "uk", "")
}
_OTHER_SCANNER = _build_word_scanner("xx")


# Words looked for right before the figure, looked up by the last 1-4 words (a dict, not a scan).
_PREFIX_QUALIFIERS: dict[str, str] = {}
for _q, _phrases in {
    "more_than": "more than|over|upwards of|in excess of|at least|no fewer than|not less than|"
    "plus de|plus d'|au moins|pas moins de|au-delà de|más de|al menos|por lo menos|mehr als|über|"
    "mindestens|более чем|более|больше|свыше|не менее|по меньшей мере|как минимум|понад|"
    "більше ніж|більше|щонайменше|mais de|pelo menos|ao menos|più di|oltre|almeno|ponad|"
    "co najmniej|przeszło",
    "less_than": "less than|fewer than|under|below|moins de|moins d'|menos de|weniger als|unter|менее|"
    "меньше|менше|poniżej|mniej niż|meno di",
    "approx": "about|around|some|roughly|approximately|nearly|almost|close to|an estimated|"
    "estimated|approx.|circa|environ|près de|près d'|quelque|presque|autour de|approximativement|"
    "à peu près|quasiment|unos|unas|cerca de|alrededor de|aproximadamente|casi|en torno a|rund|"
    "etwa|ungefähr|ca.|knapp|fast|около|примерно|почти|порядка|приблизительно|близько|"
    "приблизно|майже|około|blisko|prawie|quasi|intorno a|quase|por volta de|약|대략|거의",
    "up_to": "up to|as many as|as much as|a maximum of|at most|jusqu'à|au plus|au maximum|hasta|"
    "bis zu|höchstens|не более|не больше|до|até|fino a|최대",
}.items():
    for _p in _phrases.split("|"):
        _PREFIX_QUALIFIERS[_p] = _q
_RANGE_OPENERS = {
    "between": True,
    "entre": True,
    "zwischen": True,
    "между": True,
    "між": True,
    "tra": True,
    "fra": True,
    "from": False,
    "de": False,
    "du": False,
    "von": False,
    "от": False,
    "від": False,
    "od": False,
    "desde": False,
}
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


_SUFFIX_QUALIFIER = re.compile(
    r"\s*(?:"
    r"(?P<more_than>or more|ou plus|et plus|o más|y más|oder mehr|и более|и больше|або більше|"
    r"lub więcej|o più|ou mais|-plus|\+)(?![^\W\d_])|(?P<more_than_ko>이상|넘는|넘게|넘)"
    r"|(?P<approx>-odd|odd)(?![^\W\d_])|(?P<approx_ko>가량|정도|쯤|안팎|내외|여)"
    r"|(?P<less_than>or fewer|or less|ou moins)(?![^\W\d_])|(?P<less_than_ko>미만)"
    r"|(?P<up_to_ko>이하)"
    r")",
    re.I,
)
_RANGE_STRONG = re.compile(r"\s*(?:-|–|—|à|to|bis|~|～|до|a)\s*", re.I)
_RANGE_WEAK = re.compile(r"\s*(?:and|et|y|und|и|і|e|a|à|to|до|bis|i|-|–)\s*", re.I)

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

_WORD_RE = re.compile(r"\s*(?:[(\[«\"“]\s*)?([^\W\d_](?:[\w'’-]*[^\W\d_])?|[^\W\d_])")
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
_OF_WORDS = frozenset(_split("de d' d’ of des du del von"))
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


def _ru_value(span: str) -> tuple[int, int] | None:
    total = 0
    current = 0
    scale = 1
    for word in span.lower().split():
        if word in _RU_UNITS:
            current += _RU_UNITS[word]
        elif word in _RU_SCALES:
            mult = _RU_SCALES[word]
            total += max(current, 1) * mult
            current = 0
            scale = mult
        else:
            return None
    value = total + current
    if value == 1 and scale == 1:
        return None
    return value, scale


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


def _atoms(low: str, lang: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    blocked: list[tuple[int, int]] = []  # dates, times, phone numbers
    pos = 0
    while True:
        t = _DIGIT_START.search(low, pos)
        if t is None:
            break
        ts = t.start()
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
            atom_or_none = _digit_atom(low, m)
            if atom_or_none is not None:
                atoms.append(atom_or_none)
        elif m.group("kovague") is not None:
            lo, hi, q = _VAGUE_PHRASES[m.group("kovague")]
            atoms.append(_Atom(m.start(), m.end(), lo, hi, q, 1))
    occupied = sorted(blocked + [(a.start, a.end) for a in atoms])
    word_atoms = _word_atoms(low, lang, occupied)
    if blocked:
        atoms = [a for a in atoms if not _inside(a.start, a.end, blocked)]
    if word_atoms:
        atoms.extend(word_atoms)
        atoms.sort(key=lambda a: a.start)
    return atoms


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
            if code == "ru":
                ru = _ru_value(span)
                if ru is not None:
                    out.append(_Atom(start, rm.end(), ru[0], ru[0], "exact", ru[1]))
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


def _digit_atom(text: str, m: re.Match[str]) -> _Atom | None:
    value = _parse_digits(m.group("num"), m.group("sep"), m.group("dec") is not None)
    if value is None:
        return None
    scale = 1
    end = m.end()
    unit: str | None = None
    if m.group("k"):
        scale = _THOUSAND
    elif m.group("scale"):
        scale = _SCALE_WORDS.get(m.group("scale").lower(), 1)
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
            if kind.endswith("_ko"):
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
