"""Regular-expression building shared by the figure and date parsers."""

from __future__ import annotations

import re
from collections.abc import Iterable

_Trie = dict[str, "_Trie"]


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` factored as a trie (much faster than a flat alternation)."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        alts = []
        optional = False
        for ch, sub in sorted(node.items(), key=lambda kv: kv[0]):
            if ch == "":
                optional = True
                continue
            alts.append(re.escape(ch) + emit(sub))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if optional else body

    return emit(trie)
