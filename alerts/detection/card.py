"""The corpus' data card figures: counts by file, language and label, as Markdown tables.

    python -m alerts.detection.card [CORPUS_DIR]

prints the tables that ``docs/corpus.md`` carries between its ``<!-- card:begin -->`` and
``<!-- card:end -->`` markers; ``tests/test_corpus_card.py`` checks that the two agree, so the
card never drifts from the corpus it describes.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from alerts.detection.corpus import (
    DEFAULT_CORPUS_DIR,
    EVENT_TYPES,
    NOVELTIES,
    CorpusItem,
    load_corpus,
)

LANG_ORDER = ("fr", "en", "ru", "ko", "uk", "de", "es", "it", "pt", "pl", "ja", "zh", "ar", "hi")


def _file_of(item: CorpusItem) -> str:
    return Path(item.origin.rpartition(":")[0]).name if item.origin else "?"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def card_tables(items: Sequence[CorpusItem]) -> str:
    """The card's tables for ``items`` (Markdown, ending with a newline)."""
    langs = [lang for lang in LANG_ORDER if any(i.lang == lang for i in items)]
    langs += sorted({i.lang for i in items} - set(langs))
    out = [
        f"{len(items):,} items, {len({i.event_key for i in items if i.event_key}):,} event keys.",
        "",
    ]

    out += [_row(["file", "items", "articles", "relevant", "alert-worthy"])]
    out += [_row(["---", "---:", "---:", "---:", "---:"])]
    for name in sorted({_file_of(i) for i in items}):
        chosen = [i for i in items if _file_of(i) == name]
        out.append(
            _row(
                [
                    f"`{name}`",
                    len(chosen),
                    sum(i.format == "article" for i in chosen),
                    sum(i.relevant for i in chosen),
                    sum(i.alert_worthy for i in chosen),
                ]
            )
        )
    out.append("")

    out += [_row(["language", "items", "articles", "relevant", "alert-worthy", "hard negatives"])]
    out += [_row(["---", "---:", "---:", "---:", "---:", "---:"])]
    for lang in langs:
        chosen = [i for i in items if i.lang == lang]
        out.append(
            _row(
                [
                    lang,
                    len(chosen),
                    sum(i.format == "article" for i in chosen),
                    sum(i.relevant for i in chosen),
                    sum(i.alert_worthy for i in chosen),
                    sum(not i.relevant for i in chosen),
                ]
            )
        )
    out.append("")

    relevant = [i for i in items if i.relevant]
    out += [_row(["event type", *NOVELTIES, "all"])]
    out += [_row(["---", *(["---:"] * (len(NOVELTIES) + 1))])]
    for kind in EVENT_TYPES:
        chosen = [i for i in relevant if i.event_type == kind]
        by = Counter(i.novelty for i in chosen)
        out.append(_row([kind, *(by[n] for n in NOVELTIES), len(chosen)]))
    out.append("")

    framings = Counter(f for i in items for f in i.framing)
    out += [_row(["framing tag", "items"]), _row(["---", "---:"])]
    out += [
        _row([f"`{tag}`", n]) for tag, n in sorted(framings.items(), key=lambda t: (-t[1], t[0]))
    ]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    directory = Path(args[0]) if args else DEFAULT_CORPUS_DIR
    sys.stdout.write(card_tables(load_corpus(directory)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
