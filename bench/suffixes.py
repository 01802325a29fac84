"""Korean lemmas without kiwipiepy: the suffix table's agreement with it, and what each costs.

    .venv/bin/python bench/suffixes.py [FILE ...] [--json]

Prints, for the Korean words (the scanner's words with Hangul) of the corpus's Korean items:

* ``agreement``: the share of word tokens (and of distinct words) whose lemma by the committed
  table (``alerts/detection/suffixes/data/ko.toml``) is kiwipiepy's — per corpus file and in
  all; in-sample, as the table was generated from these words;
* ``held out``: each corpus file measured with a table learnt from the other files and the
  lexicons only (leave one file out), then each FILE given (JSON Lines with ``lang`` and
  ``text``, e.g. ../shared/corpus/dev_labelled.jsonl), with the committed table;
* ``lemma cues``: for each ``lemma:`` pattern of ko.toml, the corpus tokens whose kiwipiepy
  lemma it is, and how many of them the table gives it (plus tokens given it wrongly);
* ``CPU time``: loading each, and a word's first look-up (without the lemmatisers' cache);
* ``memory``: the resident memory each way adds, each measured in a fresh process
  (``/proc/self/status`` VmRSS after − before loading it and lemmatising every distinct word
  above, one by one as detection does — kiwipiepy grows as it reads: one word alone leaves it
  at half its size): the table, and kiwipiepy with each set of its options (``model_type``,
  the dictionaries).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from alerts.detection.corpus import corpus_files  # noqa: E402
from alerts.detection.morphology import load_backend  # noqa: E402
from alerts.detection.suffixes import SuffixTable, load_suffix_table  # noqa: E402
from alerts.detection.suffixes.build import (  # noqa: E402
    SOURCES,
    corpus_words,
    learn,
    lexicon_words,
)

LANG = "ko"

_RSS = """
import sys, warnings
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0
warnings.simplefilter("ignore")
words = open(sys.argv[1], encoding="utf-8").read().split()
{imports}
before = rss()
lemma_of = {load}
for word in words:
    lemma_of(word)
print(rss() - before)
"""
_TABLE = (
    "from alerts.detection.suffixes import load_suffix_table",
    "load_suffix_table('ko').lemma_of",
)
KIWI_OPTIONS = [
    "num_workers=0",
    "num_workers=0, load_typo_dict=False, load_multi_dict=False",  # the shipped options
    "num_workers=0, load_typo_dict=False, load_multi_dict=False, load_default_dict=False",
    "num_workers=0, load_typo_dict=False, load_multi_dict=False, model_type='cong-global'",
    # the lighter language models of older kiwipiepy-model releases (not shipped since 0.22)
    "num_workers=0, load_typo_dict=False, load_multi_dict=False, model_type='knlm'",
    "num_workers=0, load_typo_dict=False, load_multi_dict=False, model_type='sbg'",
]


def _share(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f} %" if total else "    –"


def agreement(
    table: SuffixTable, counts: Mapping[str, int], lemmas: Mapping[str, str]
) -> tuple[int, int, int, int]:
    """(tokens agreeing, tokens, distinct words agreeing, distinct words)."""
    tok = ok_tok = typ = ok_typ = 0
    for word, n in counts.items():
        same = table.lemma_of(word) == lemmas[word]
        typ += 1
        tok += n
        ok_typ += same
        ok_tok += n * same
    return ok_tok, tok, ok_typ, typ


def _rss_added(imports: str, load: str, words: Path) -> float | str:
    """MB added, or the child's last error line."""
    code = _RSS.format(imports=imports, load=load)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(words)], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        return (out.stderr.strip().splitlines() or ["failed"])[-1]
    return float(out.stdout.strip().splitlines()[-1])


def _mb(value: float | str) -> str:
    return f"{value:>7.1f}" if isinstance(value, float) else f"   {value}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="more JSON Lines files, held out")
    parser.add_argument("--json", action="store_true", help="print a JSON summary as well")
    args = parser.parse_args()
    for path in args.files:
        if not path.is_file():
            raise SystemExit(f"bench/suffixes.py: {path}: no such file")

    script = SOURCES[LANG][2]
    by_file = corpus_words(LANG, script, corpus_files())
    extra = corpus_words(LANG, script, args.files)
    words = lexicon_words(script).union(*by_file.values(), *extra.values())
    ordered = sorted(words)
    started = time.process_time()
    kiwi = load_backend("kiwipiepy", LANG)
    kiwi_load = time.process_time() - started
    started = time.process_time()
    lemmas = {w: kiwi.lemma(w) for w in ordered}
    kiwi_us = (time.process_time() - started) / len(ordered) * 1e6
    started = time.process_time()
    table = load_suffix_table(LANG)
    table_load = time.process_time() - started
    started = time.process_time()
    for word in ordered:
        table.lemma_of(word)
    table_us = (time.process_time() - started) / len(ordered) * 1e6
    summary: dict[str, object] = {"table_rules": len(table.rules)}

    print(f"suffix table: {len(table.rules)} rules; {len(words)} distinct Korean words")
    print(f"{'agreement (in-sample)':<28}{'tokens':>10}{'agree':>9}{'words':>8}{'agree':>9}")
    all_counts: Counter[str] = Counter()
    for name, counts in by_file.items():
        all_counts.update(counts)
        ok_tok, tok, ok_typ, typ = agreement(table, counts, lemmas)
        print(f"  {name:<26}{tok:>10}{_share(ok_tok, tok):>9}{typ:>8}{_share(ok_typ, typ):>9}")
    ok_tok, tok, ok_typ, typ = agreement(table, all_counts, lemmas)
    print(f"  {'all':<26}{tok:>10}{_share(ok_tok, tok):>9}{typ:>8}{_share(ok_typ, typ):>9}")
    summary["in_sample"] = round(ok_tok / tok, 4) if tok else None
    identity = sum(n for w, n in all_counts.items() if lemmas[w] == w)
    print(f"  {'(word = lemma already)':<26}{tok:>10}{_share(identity, tok):>9}")

    print("held out")
    lexicon_only = lexicon_words(script)
    held_tok = held_ok = 0
    for name, counts in by_file.items():
        rest = set(lexicon_only)
        for other, other_counts in by_file.items():
            if other != name:
                rest.update(other_counts)
        fold_rules = learn({w: lemmas[w] for w in rest})
        fold = SuffixTable.of(table.code, table.source, table.script, fold_rules)
        ok_tok, tok, ok_typ, typ = agreement(fold, counts, lemmas)
        unseen = {w: n for w, n in counts.items() if w not in rest}
        u_ok, u_tok, _, _ = agreement(fold, unseen, lemmas)
        held_tok += tok
        held_ok += ok_tok
        print(
            f"  {name:<26}{tok:>10}{_share(ok_tok, tok):>9}{typ:>8}{_share(ok_typ, typ):>9}"
            f"   unseen words' tokens {u_tok:>5} {_share(u_ok, u_tok)}"
        )
    print(f"  {'all, leave one file out':<26}{held_tok:>10}{_share(held_ok, held_tok):>9}")
    summary["leave_one_file_out"] = round(held_ok / held_tok, 4) if held_tok else None
    for name, counts in extra.items():
        ok_tok, tok, ok_typ, typ = agreement(table, counts, lemmas)
        print(f"  {name:<26}{tok:>10}{_share(ok_tok, tok):>9}{typ:>8}{_share(ok_typ, typ):>9}")
        summary[f"file:{name}"] = round(ok_tok / tok, 4) if tok else None

    print("lemma cues (corpus tokens)   kiwipiepy   table agrees   table only")
    cues = sorted({lemma for lemma in lemmas.values() if f'"lemma:{lemma}"' in _ko_lexicon()})
    for cue in cues:
        kiwi_n = sum(n for w, n in all_counts.items() if lemmas[w] == cue)
        both = sum(n for w, n in all_counts.items() if lemmas[w] == cue == table.lemma_of(w))
        only = sum(n for w, n in all_counts.items() if table.lemma_of(w) == cue != lemmas[w])
        print(f"  lemma:{cue:<22}{kiwi_n:>9}{both:>15}{only:>13}")

    print("CPU time             load s    µs a new word (first look-up, no cache)")
    print(f"  {'suffix table':<18}{table_load:>7.2f}{table_us:>12.1f}")
    print(
        f"  {'kiwipiepy':<18}{kiwi_load:>7.2f}{kiwi_us:>12.1f}   (its first word loads the model)"
    )
    summary["cpu_us_word"] = {"table": round(table_us, 1), "kiwipiepy": round(kiwi_us, 1)}
    print(f"memory added (MB, fresh process each, {len(words)} words lemmatised)")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt") as fh:
        fh.write("\n".join(sorted(words)))
        fh.flush()
        word_file = Path(fh.name)
        table_mb = _rss_added(*_TABLE, word_file)
        print(f"  {'suffix table':<86}{_mb(table_mb)}")
        summary["memory_table_mb"] = table_mb
        for options in KIWI_OPTIONS:
            mb = _rss_added("import kiwipiepy", f"kiwipiepy.Kiwi({options}).tokenize", word_file)
            print(f"  {'kiwipiepy.Kiwi(' + options + ')':<86}{_mb(mb)}")
            summary[f"memory_kiwi({options})"] = mb
    print(f"load average (1 min) {os.getloadavg()[0]:.2f}")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))


def _ko_lexicon() -> str:
    from alerts.detection.lexicon import BUNDLED_DIR

    return (BUNDLED_DIR / f"{LANG}.toml").read_text(encoding="utf-8")


if __name__ == "__main__":
    main()
