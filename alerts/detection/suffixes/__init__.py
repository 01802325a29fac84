"""Lemmas from a generated suffix table: a lemmatiser's behaviour without the lemmatiser.

A table (``data/<lang>.toml``, written by ``python -m alerts.detection.suffixes.build`` from the
lemmas another backend gives the words of the lexicons and the corpus) maps word endings to a
rewrite: cut that many characters from the end of the word, then append a string. Words are
compared decomposed (Unicode NFD: a Hangul syllable is its two or three jamo), so one rule
covers every stem whose last syllable changes alike ("보냈다" → "보내다" and "갔다" → "가다"
share "ㅆ다" → "다"). A word's rule is the one of its longest ending in the table; whole words
(keys starting with :data:`WHOLE`) take precedence, for the exceptions. Reading a table costs a
few MB, where the lemmatiser it was generated from may cost hundreds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from alerts.errors import KnowledgeError
from alerts.wordtables import load_table

__all__ = ["DATA_DIR", "WHOLE", "SuffixTable", "decomposed", "load_suffix_table"]

DATA_DIR = Path(__file__).with_name("data")
WHOLE = "^"  # a key that is a whole word, not an ending

Rule = tuple[int, str]  # characters cut from the end (decomposed), string appended


def decomposed(word: str) -> str:
    return unicodedata.normalize("NFD", word)


@dataclass(frozen=True)
class SuffixTable:
    """One language's table: ``lemma_of`` gives the lemma of a (lower-cased) word."""

    code: str
    source: str  # the backend the table was generated from
    script: re.Pattern[str]  # a word is looked up when it contains one of these characters
    rules: Mapping[str, Rule]
    longest: int  # the longest ending in ``rules``

    @classmethod
    def of(
        cls, code: str, source: str, script: re.Pattern[str], rules: Mapping[str, Rule]
    ) -> SuffixTable:
        """A table of ``rules`` (which must have one for the empty ending)."""
        if "" not in rules:
            raise KnowledgeError(f"suffix table of {code!r}: no rule for the empty ending")
        longest = max(len(k) for k in rules if not k.startswith(WHOLE))
        return cls(code, source, script, rules, longest)

    def applies(self, word: str) -> bool:
        return self.script.search(word) is not None

    def lemma_of(self, word: str) -> str:
        form = decomposed(word.lower())
        rule = self.rules.get(WHOLE + form)
        if rule is None:
            for start in range(max(0, len(form) - self.longest), len(form) + 1):
                rule = self.rules.get(form[start:])
                if rule is not None:
                    break
        if rule is None or rule[0] >= len(form):
            return word.lower()
        cut, append = rule
        return unicodedata.normalize("NFC", form[: len(form) - cut] + append)


def load_suffix_table(code: str, directory: Path = DATA_DIR) -> SuffixTable:
    """The table of language ``code`` (a :class:`KnowledgeError` when missing or malformed)."""
    path = directory / f"{code}.toml"
    data = load_table(path)
    meta = data.get("meta")
    raw_rules = data.get("rules")
    if not isinstance(meta, dict) or not isinstance(raw_rules, dict):
        raise KnowledgeError(f"suffix table {path}: needs [meta] and [rules]")
    try:
        script = re.compile(str(meta["script"]))
        source = str(meta["source"])
        rules: dict[str, Rule] = {}
        for key, value in raw_rules.items():
            cut, append = value
            if not isinstance(cut, int) or cut < 0 or not isinstance(append, str):
                raise ValueError(f"{key!r} = {value!r}")
            rules[str(key)] = (cut, append)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise KnowledgeError(f"suffix table {path} is malformed: {exc}") from exc
    return SuffixTable.of(code, source, script, rules)
