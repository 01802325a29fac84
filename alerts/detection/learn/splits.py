"""Train / validation / test splits grouped by event, never by random item.

Every item reporting one real-world event (one ``event_key``) lands in the same split, so a
model is never tested on another outlet's copy of a story it trained on; an item without a key
is its own group (by its id). The split of a group is a function of its key and the seed only
(SHA-256), so the same corpus and seed give the same split whatever the order of the files,
and adding items never moves the others.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

Split = Literal["train", "validation", "test"]
SPLITS: tuple[Split, ...] = ("train", "validation", "test")
DEFAULT_FRACTIONS = (0.70, 0.15, 0.15)


def group_of(event_key: str | None, item_id: str) -> str:
    """The grouping key of an item: its event key, else its own id."""
    return f"event:{event_key}" if event_key else f"item:{item_id}"


def split_of(group: str, seed: int, fractions: Sequence[float] = DEFAULT_FRACTIONS) -> Split:
    """The split of ``group``: a uniform draw from SHA-256 of the seed and the group."""
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError("fractions must be three non-negative numbers summing to 1")
    digest = hashlib.sha256(f"rudprk-split/{seed}/{group}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2.0**64
    if u < fractions[0]:
        return "train"
    if u < fractions[0] + fractions[1]:
        return "validation"
    return "test"


def assign(
    groups: Sequence[str], seed: int, fractions: Sequence[float] = DEFAULT_FRACTIONS
) -> list[Split]:
    """The split of each item, given each item's group."""
    memo: dict[str, Split] = {}
    out: list[Split] = []
    for g in groups:
        if g not in memo:
            memo[g] = split_of(g, seed, fractions)
        out.append(memo[g])
    return out
