"""Write ``alerts/detection/suffixes/data/<lang>.toml`` from a lemmatiser (a development tool).

``python -m alerts.detection.suffixes.build`` regenerates every table; ``--check`` only says
whether the committed files are what the generator writes today (exit status 1 when they
differ). For each language with a table (:data:`SOURCES`):

- the vocabulary is every word of that script in the lexicons (``alerts/detection/lexicons``)
  and in the corpus's items of that language (``alerts/detection/corpus``, title and text);
- each distinct word's lemma is the source backend's (kiwipiepy for Korean, loaded as
  :mod:`alerts.detection.morphology` loads it), and gives a rule: the characters (decomposed)
  after the longest prefix word and lemma share are cut, the lemma's rest is appended;
- every ending of a word that contains its rule's cut, up to :data:`CONTEXT` more characters,
  and the whole word, vote for that rule (one vote per distinct word); each ending keeps its
  majority rule, and endings whose rule is the one of their next shorter ending are dropped.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import version
from pathlib import Path
from typing import Any

from alerts.detection.corpus import corpus_files
from alerts.detection.lexicon import BUNDLED_DIR
from alerts.detection.morphology import load_backend
from alerts.detection.scan import tokenise
from alerts.detection.suffixes import DATA_DIR, WHOLE, Rule, decomposed
from alerts.wordtables import dump_table, write_tables

# language -> (source backend, its packages for the header, characters a word must contain)
SOURCES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "ko": ("kiwipiepy", ("kiwipiepy", "kiwipiepy-model"), "[\uac00-\ud7af]"),
}
CONTEXT = 6  # characters of an ending beyond the ones its rule cuts


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def lexicon_words(script: str) -> set[str]:
    """The words of ``script`` in every lexicon file (patterns, with their markers removed)."""
    wanted = re.compile(script)
    words: set[str] = set()
    for path in sorted(BUNDLED_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for text in _strings(data):
            text = text.removeprefix("lemma:").replace("*", " ")
            if text.startswith("re:"):
                continue
            words.update(w for w in tokenise(text).words if wanted.search(w))
    return words


def corpus_words(lang: str, script: str, files: Iterable[Path]) -> dict[str, Counter[str]]:
    """File name -> how often each word of ``script`` occurs in its items of ``lang``."""
    wanted = re.compile(script)
    out: dict[str, Counter[str]] = {}
    for path in files:
        counts: Counter[str] = Counter()
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                item = json.loads(line)
                if item.get("lang") != lang:
                    continue
                for part in (item.get("title") or "", item.get("text") or ""):
                    counts.update(w for w in tokenise(str(part)).words if wanted.search(w))
        out[path.name] = counts
    return out


def rule_of(word: str, lemma: str) -> Rule:
    """How ``lemma`` is made from ``word``: (characters cut, string appended), decomposed."""
    a, b = decomposed(word), decomposed(lemma)
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return len(a) - shared, b[shared:]


def _majority(votes: Counter[Rule]) -> Rule:
    return min(votes.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[0]


def learn(lemmas: Mapping[str, str], context: int = CONTEXT) -> dict[str, Rule]:
    """The pruned ending -> rule table of the ``word -> lemma`` pairs."""
    votes: dict[str, Counter[Rule]] = defaultdict(Counter)
    votes[""]  # the root: words without a known ending keep their form
    for word, lemma in lemmas.items():
        form = decomposed(word)
        rule = rule_of(word, lemma)
        cut = rule[0]
        for size in range(cut, min(len(form), cut + context) + 1):
            votes[form[len(form) - size :]][rule] += 1
        votes[WHOLE + form][rule] += 1
    choice = {key: _majority(v) if v else (0, "") for key, v in votes.items()}
    table: dict[str, Rule] = {}
    for key in sorted(choice, key=lambda k: (len(k.removeprefix(WHOLE)), k.startswith(WHOLE))):
        if key == "":
            table[key] = choice[key]
            continue
        parent = key.removeprefix(WHOLE) if key.startswith(WHOLE) else key[1:]
        while parent not in choice:
            parent = parent[1:]
        if choice[parent] != choice[key]:
            table[key] = choice[key]
    return table


def source_lemmas(lang: str, words: Iterable[str]) -> dict[str, str]:
    backend = SOURCES[lang][0]
    lemmatiser = load_backend(backend, lang)
    return {word: lemmatiser.lemma(word) for word in sorted(words)}


def vocabulary(lang: str, files: Iterable[Path] | None = None) -> set[str]:
    script = SOURCES[lang][2]
    words = lexicon_words(script)
    for counts in corpus_words(lang, script, files or corpus_files()).values():
        words.update(counts)
    return words


def build(lang: str) -> str:
    backend, packages, script = SOURCES[lang]
    words = vocabulary(lang)
    table = learn(source_lemmas(lang, words))
    versions = ", ".join(f"{p} {version(p)}" for p in packages)
    header = (
        "Generated by python -m alerts.detection.suffixes.build; do not edit.\n"
        f"Source: {versions}.\n"
        f"The lemmas {backend} gives the {len(words)} distinct words of the lexicons and of the\n"
        "corpus's items in this language, as ending -> [characters cut, string appended] on\n"
        f"decomposed (NFD) words; keys starting with {WHOLE!r} are whole words."
    )
    rules: dict[str, object] = {k: [cut, add] for k, (cut, add) in table.items()}
    return dump_table(header, {"meta": {"source": backend, "script": script}, "rules": rules})


def main(argv: list[str] | None = None) -> int:
    return write_tables(DATA_DIR, tuple(SOURCES), build, sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    raise SystemExit(main())
