"""Framing: how an article frames an act, read by one general ConText/NegEx-style algorithm.

Every language lists its framing triggers as data (``[framing.<kind>]`` in
``lexicons/<lang>.toml``): a trigger has a *kind* (negation, denial, hedge, future,
conditional, recap, reminder, anniversary, reaction, exchange, reference, decision, report,
confirm), a *direction* (``pre``: it frames what follows it, ``post``: what precedes it — the
usual place of modality in Korean and Japanese —, ``around``: both), a *scope* (its clause or
its sentence) and a *reach* in words. A trigger frames a target (the cue of an act, or the force
it takes) when the target lies in its scope, in its direction, within its reach, with no
terminator ("but", "mais", "하지만") in between. Pseudo-triggers (phrases that contain a
trigger without being one: "not only", "pas moins de") and void words just before a trigger
("despite denials") cancel it. A sentence that ends with a question mark is a question.

:func:`frame` returns the kinds that apply to a target with the triggers that made them;
:mod:`alerts.detection.modality` turns them into the rules' modality, and the learned novelty
decision reads them as features.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from alerts.detection.document import Document
from alerts.detection.lexicon import COMMA_BOUND_BACKWARD_KINDS, COMMA_BOUND_KINDS, FRAMING_KINDS
from alerts.detection.scan import Hit

__all__ = ["Framing", "Trigger", "frame", "triggers_of"]

# A void word cancels a trigger that starts within this many words after it.
VOID_REACH_WORDS = 7


@dataclass(frozen=True)
class Trigger:
    kind: str
    direction: str  # 'pre' | 'post' | 'around'
    hit: Hit


@dataclass(frozen=True)
class Framing:
    """The framing kinds that apply to one target, each with the triggers that apply."""

    triggers: tuple[Trigger, ...] = ()
    question: bool = False
    kinds: frozenset[str] = field(default=frozenset())

    def has(self, kind: str) -> bool:
        return kind in self.kinds

    def of(self, kind: str) -> list[Trigger]:
        return [t for t in self.triggers if t.kind == kind]


def triggers_of(doc: Document) -> list[Trigger]:
    """Every live trigger of the document (pseudo-triggers and voided ones removed), cached."""
    cached = doc.cache.get("triggers")
    if isinstance(cached, tuple):
        return list(cached)
    pseudo: dict[str, list[Hit]] = {}
    void: dict[str, list[Hit]] = {}
    raw: list[Trigger] = []
    for h in doc.hits:
        if not h.label.startswith("frame:"):
            continue
        _, kind, direction = h.label.split(":", 2)
        if direction == "pseudo":
            pseudo.setdefault(kind, []).append(h)
        elif direction == "void":
            void.setdefault(kind, []).append(h)
        else:
            raw.append(Trigger(kind, direction, h))
    cpw = doc.lexicon.grammar.chars_per_word
    names = [h for h in doc.hits if h.label.startswith(("entity:", "demonym:"))]
    live: list[Trigger] = []
    for t in raw:
        h = t.hit
        if any(n.start <= h.start and h.end <= n.end for n in names):
            continue  # a word of a name ("No Kwang Chol") is no trigger
        if any(
            o.hit.start <= h.start
            and h.end <= o.hit.end
            and (o.hit.end - o.hit.start) > (h.end - h.start)
            and o.kind != t.kind
            for o in raw
        ):
            continue  # the longest trigger wins ("확인해줄 수 없다" hedges, it does not negate)
        if any(
            p.start <= h.start < p.end or h.start <= p.start < h.end for p in pseudo.get(t.kind, [])
        ):
            continue
        if any(
            v.start <= h.start and h.start - v.end <= VOID_REACH_WORDS * cpw
            for v in void.get(t.kind, [])
        ):
            continue
        live.append(t)
    doc.cache["triggers"] = tuple(live)
    return live


def _terminated(doc: Document, a: int, b: int) -> bool:
    """A terminator ("but", "mais", "하지만") lies between positions ``a`` < ``b``."""
    return bool(doc.in_range(doc.labelled("mark:terminator"), a, b))


def _covers(doc: Document, t: Trigger, target: Hit) -> bool:
    """Whether trigger ``t`` frames ``target`` (see the module's docstring)."""
    h = t.hit
    if h.start < target.end and target.start < h.end:
        return True  # one phrase is both ("will send", "파병하지 않았다")
    sentence = doc.sentence_of(h.start)
    if not sentence.start <= target.start < sentence.end:
        return False
    scope, pre_reach, post_reach = FRAMING_KINDS[t.kind]
    table = doc.lexicon.framing(t.kind)
    if table is not None:
        scope, pre_reach, post_reach = table.scope, table.pre_reach, table.post_reach
    if scope == "clause" and doc.clause(h.start) != doc.clause(target.start):
        return False
    cpw = doc.lexicon.grammar.chars_per_word
    if h.end <= target.start:  # the trigger comes first: it frames forward
        if t.direction == "post" or target.start - h.end > pre_reach * cpw:
            return False
        if t.kind in COMMA_BOUND_KINDS and "," in doc.text[h.end : target.start]:
            return False  # "Following last year's treaty, North Korea has now sent…"
        return not _terminated(doc, h.end, target.start)
    if t.direction == "pre" or h.start - target.end > post_reach * cpw:
        return False
    if t.kind in COMMA_BOUND_BACKWARD_KINDS and "," in doc.text[target.end : h.start]:
        return False
    return not _terminated(doc, target.end, h.start)


def _is_question(doc: Document, start: int, end: int) -> bool:
    return doc.text[start:end].rstrip().endswith(("?", "？"))


def frame(doc: Document, targets: Iterable[Hit], kinds: Iterable[str] | None = None) -> Framing:
    """The framing of an act given by its cue and the words it governs (``targets``)."""
    wanted = set(kinds) if kinds is not None else None
    targets = [t for t in targets if t is not None]
    if not targets:
        return Framing()
    first = targets[0]
    sentence = doc.sentence_of(first.start)
    applied: list[Trigger] = []
    for t in triggers_of(doc):
        if wanted is not None and t.kind not in wanted:
            continue
        if not sentence.start <= t.hit.start < sentence.end:
            continue
        if any(_covers(doc, t, target) for target in targets):
            applied.append(t)
    question = _is_question(doc, sentence.start, sentence.end) or (
        # a question headline frames its lead ("Will Pyongyang send more troops?")
        sentence.index in {s.index for s in doc.lead}
        and any(s.in_title and _is_question(doc, s.start, s.end) for s in doc.sentences)
    )
    return Framing(tuple(applied), question, frozenset(t.kind for t in applied))
