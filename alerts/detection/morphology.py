"""Lemmas of an article's words, from the morphology packages of each language.

A language's file names its lemmatiser (``[morphology] backend`` in ``lexicons/<lang>.toml``):

- ``simplemma``: dictionary look-ups for about fifty languages (de, en, es, fr, it, pl, pt…),
  read in its low-memory form (the dictionaries stay compressed; ~15 MB a language);
- ``pymorphy3``: Russian and Ukrainian, with the ``pymorphy3-dicts-ru`` and
  ``pymorphy3-dicts-uk`` dictionaries (the most probable parse's normal form);
- ``kiwipiepy``: Korean, with ``kiwipiepy-model``; a word's lemma is its stem (``파병했다고``
  gives ``파병하다``, ``병력을`` gives ``병력``); ~300 MB resident once loaded;
- ``suffixes``: a suffix table generated offline from another backend's lemmas
  (:mod:`alerts.detection.suffixes`; Korean's, from kiwipiepy: a few MB);
- ``none``: no lemmas (Japanese and Chinese, whose patterns match inside the text).

A language whose backend is a generated table names the backend it was generated from
(``[morphology] full``); ``RUDPRK_MORPHOLOGY=full`` loads that one instead (Korean by
kiwipiepy itself, for a machine with the memory), ``RUDPRK_MORPHOLOGY=off`` turns lemmas off
everywhere (to measure what they cost or bring).

Each lemmatiser is loaded when an article of its language is first read and kept for the
process; one that cannot be loaded (package missing, language unknown to it) is logged once
and the language is read by its surface forms only. Lemmas are lower-cased, aligned with the
scanner's words (:func:`alerts.detection.scan.tokenise`) and computed once per article.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Literal, get_args

from alerts.errors import KnowledgeError

__all__ = [
    "BACKENDS",
    "ENV_VAR",
    "MODES",
    "Backend",
    "Lemmatiser",
    "lemmatiser_for",
    "load_backend",
    "mode",
]

Backend = Literal["simplemma", "pymorphy3", "kiwipiepy", "suffixes", "none"]
BACKENDS: tuple[str, ...] = get_args(Backend)
ENV_VAR = "RUDPRK_MORPHOLOGY"
MODES = ("on", "off", "full")

log = logging.getLogger(__name__)

# Words worth a look-up: letters only (figures, dates and mixed tokens keep their surface).
_LETTERS_RE = re.compile(r"^[^\W\d_]+$")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af]")
# Korean morpheme tags (Sejong tag set, as kiwipiepy gives them): the stem of a word is its
# leading run of content and derivational morphemes; a verbal one ends it with "다".
_KO_STEM_TAGS = frozenset(
    {"NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "VX", "VCP", "VCN", "MAG", "XR"}
    | {"XPN", "XSN", "XSV", "XSA", "SL", "SH"}
)
_KO_VERBAL_TAGS = frozenset({"VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA"})
_WORD_CACHE = 65_536


class Lemmatiser:
    """Lemmas of one language's words; ``lemma`` gives one word's lemma (or the word).

    Without ``script``, a word is looked up when it is made of letters only (figures, dates and
    mixed tokens keep their surface); with it, when it contains one of its characters (Korean
    words keep their particles and endings after figures: "2천명을")."""

    def __init__(
        self,
        backend: str,
        code: str,
        lemma_of: Callable[[str], str],
        script: re.Pattern[str] | None = None,
    ) -> None:
        self.backend = backend
        self.code = code
        self._lemma_of = lru_cache(maxsize=_WORD_CACHE)(lemma_of)
        self._script = script

    def lemma(self, word: str) -> str:
        """The lemma of one word (remembered across articles)."""
        return self._lemma_of(word)

    def lemmas(
        self, text: str, spans: Sequence[tuple[int, int]], words: Sequence[str]
    ) -> list[str]:
        """The lemma of each word (``words[i]`` is ``text[spans[i]]`` lower-cased)."""
        lemma_of = self._lemma_of
        if self._script is not None:
            script = self._script.search
            return [lemma_of(word) if script(word) else word for word in words]
        out: list[str] = []
        for (a, b), word in zip(spans, words, strict=True):
            if _LETTERS_RE.match(word):
                out.append(lemma_of(text[a:b]))
            else:
                out.append(word)
        return out


def _korean_stem(morphemes: Sequence[tuple[str, str]]) -> str:
    """The leading content morphemes of a word, with "다" after a verbal stem."""
    parts: list[str] = []
    verbal = False
    for form, tag in morphemes:
        if tag not in _KO_STEM_TAGS:
            break
        parts.append(form)
        verbal = tag in _KO_VERBAL_TAGS
    if not parts:
        return ""
    return "".join(parts).lower() + ("다" if verbal else "")


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _load_simplemma(code: str) -> Lemmatiser:
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    engine = Lemmatizer(cache_max_size=0, lemmatization_strategy=DefaultStrategy(low_memory=True))
    engine.lemmatize("a", lang=code)  # reads the dictionary now; an unknown language fails here

    def lemma_of(word: str) -> str:
        return str(engine.lemmatize(word, lang=code)).lower()

    return Lemmatiser("simplemma", code, lemma_of)


def _load_pymorphy3(code: str) -> Lemmatiser:
    import pymorphy3

    analyser = pymorphy3.MorphAnalyzer(lang=code)

    def lemma_of(word: str) -> str:
        parses = analyser.parse(word)
        return str(parses[0].normal_form).lower() if parses else word.lower()

    return Lemmatiser("pymorphy3", code, lemma_of)


def _load_kiwipiepy(code: str) -> Lemmatiser:
    if code != "ko":
        raise KnowledgeError(f"kiwipiepy reads Korean only, not {code!r}")
    import kiwipiepy

    # One thread (detection runs in its own workers); the typo and multi-word dictionaries are
    # left out: a third of the memory, no lemma lost.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "num_workers=0 has changed"
        kiwi = kiwipiepy.Kiwi(num_workers=0, load_typo_dict=False, load_multi_dict=False)
    lock = threading.Lock()  # one analyser shared by the threads of a process

    def stem(word: str) -> str:
        # each distinct word is analysed once (~0.1 ms, alone or within a whole text)
        with lock:
            tokens = kiwi.tokenize(word)
        return _korean_stem([(t.form, t.tag) for t in tokens]) or word.lower()

    return Lemmatiser("kiwipiepy", code, stem, _HANGUL_RE)


def _load_suffixes(code: str) -> Lemmatiser:
    from alerts.detection.suffixes import load_suffix_table

    table = load_suffix_table(code)
    return Lemmatiser("suffixes", code, table.lemma_of, table.script)


_LOADERS: dict[str, Callable[[str], Lemmatiser]] = {
    "simplemma": _load_simplemma,
    "pymorphy3": _load_pymorphy3,
    "kiwipiepy": _load_kiwipiepy,
    "suffixes": _load_suffixes,
}
_loaded: dict[tuple[str, str], Lemmatiser | None] = {}
_lock = threading.Lock()


def mode(environ: Mapping[str, str] | None = None) -> str:
    """``RUDPRK_MORPHOLOGY``: ``on`` (the default: each language's backend), ``off`` or
    ``full``; anything else is a :class:`KnowledgeError`."""
    env = os.environ if environ is None else environ
    value = (env.get(ENV_VAR) or "").strip().lower() or "on"
    if value not in MODES:
        raise KnowledgeError(f"{ENV_VAR}: expected one of {', '.join(MODES)}, got {value!r}")
    return value


def lemmatiser_for(backend: str, code: str | None, full: str | None = None) -> Lemmatiser | None:
    """The lemmatiser ``backend`` for language ``code`` (``full`` instead when
    ``RUDPRK_MORPHOLOGY=full``), loaded once per process; ``None`` for ``none``, without a
    language, when turned off, or when the backend cannot be loaded."""
    chosen = mode()
    if chosen == "full" and full:
        backend = full
    if code is None or backend == "none" or chosen == "off":
        return None
    key = (backend, code)
    if key in _loaded:
        return _loaded[key]
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(backend, code)
        return _loaded[key]


def load_backend(backend: str, code: str) -> Lemmatiser:
    """A new lemmatiser ``backend`` for ``code``, not kept; raises when it cannot be loaded
    (build scripts and benchmarks; detection uses :func:`lemmatiser_for`)."""
    loader = _LOADERS.get(backend)
    if loader is None:
        raise KnowledgeError(f"unknown morphology backend {backend!r} (known: {list(BACKENDS)})")
    return loader(code)


def _load(backend: str, code: str) -> Lemmatiser | None:
    if backend not in _LOADERS:
        raise KnowledgeError(f"unknown morphology backend {backend!r} (known: {list(BACKENDS)})")
    try:
        return load_backend(backend, code)
    except Exception as exc:  # a missing package, dictionary or table: surface forms only
        log.warning(
            "morphology backend unavailable; surface forms only",
            extra={"backend": backend, "language": code, "error": f"{type(exc).__name__}: {exc}"},
        )
        return None
