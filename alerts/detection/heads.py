"""The learned decisions' heads, with the rule stages' outputs as features (registered with
:mod:`alerts.detection.training` when it is imported).

Each of relevance, event type and novelty has two heads:

* ``<name>`` sees the baseline blocks (e5 embedding of title + lead, character n-grams of
  title + lead), the rules' named numbers (:data:`alerts.detection.features.FEATURE_NAMES`)
  and the word n-grams of the sentence of the act the rules chose;
* ``<name>_fast`` sees the same without the embedding. The run time decides with the fast head
  alone when its probability lies outside the uncertainty band chosen on validation, and
  embeds only the other articles (:mod:`alerts.detection.decisions`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import lru_cache

from alerts.detection.corpus import CorpusItem
from alerts.detection.features import FEATURE_NAMES, analyse, evidence_tokens, rule_features
from alerts.detection.learn.features import (
    Block,
    CharNgramBlock,
    DenseBlock,
    EmbeddingBlock,
    Inputs,
    WordNgramBlock,
    lead_of,
)
from alerts.detection.training import EMBED_BUDGET, EVENT_TYPE, NOVELTY, RELEVANCE, register_head

EVIDENCE = "evidence"
FAST_SUFFIX = "_fast"


def published_date(value: str | None) -> date | None:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (the first day), else ``None``."""
    if not value:
        return None
    parts = value.split("-")
    try:
        return date(
            int(parts[0]),
            int(parts[1]) if len(parts) > 1 else 1,
            int(parts[2]) if len(parts) > 2 else 1,
        )
    except (ValueError, IndexError):
        return None


@lru_cache(maxsize=16384)
def _rule_inputs(
    text: str, title: str, lang: str, published: str | None
) -> tuple[dict[str, float], tuple[str, ...]]:
    a = analyse(text, title, lang, published_date(published))
    return rule_features(a), tuple(evidence_tokens(a))


def rule_inputs(item: CorpusItem) -> Inputs:
    """Title, lead, language, the rules' numbers and the evidence's words of a corpus item."""
    features, tokens = _rule_inputs(item.text, item.title or "", item.lang, item.published)
    return Inputs(
        title=item.title or "",
        lead=lead_of(item.text),
        lang=item.lang,
        features=features,
        tokens={EVIDENCE: list(tokens)},
    )


def fast_blocks() -> list[Block]:
    return [
        CharNgramBlock(weight=1.0, min_df=2),
        DenseBlock(names=FEATURE_NAMES, weight=1.0),
        WordNgramBlock(source=EVIDENCE, weight=1.0, min_df=2),
    ]


def full_blocks() -> list[Block]:
    return [EmbeddingBlock(budget=EMBED_BUDGET, weight=1.0), *fast_blocks()]


def register() -> None:
    for head in (RELEVANCE, EVENT_TYPE, NOVELTY):
        register_head(replace(head, inputs=rule_inputs, blocks=full_blocks))
        register_head(
            replace(
                head,
                name=head.name + FAST_SUFFIX,
                description=head.description + " (without the embedding)",
                inputs=rule_inputs,
                blocks=fast_blocks,
            )
        )


register()
