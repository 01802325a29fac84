"""Attributes of a chosen event: its figure, date, place, claimant, force and "additional" flag.

Figures and dates come from :func:`alerts.figures.extract_quantities` and
:func:`alerts.dates.resolve_dates`, read in the event's sentence only. Which figure counts the
event is decided here with markers of the language (partitives, totals, "including", a first
batch of a whole, words after a number that make it no count).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from alerts.dates import DateMention
from alerts.detection.candidates import Candidate, force_of, nearest
from alerts.detection.document import Document
from alerts.detection.events import BY_NAME
from alerts.detection.modality import closer_act
from alerts.detection.scan import Hit
from alerts.detection.segment import Span
from alerts.figures import Quantity

# "France 24", "Channel 4": a capitalised name right before a number.
_NAME_BEFORE_RE = re.compile(r"(?<![.!?]\s)\b[A-Z][a-zà-ÿ]+\s$")
_GENERIC_ITEMS = frozenset({"accord", "memorandum"})


def _after(doc: Document, group: str, pos: int, slack: int = 3) -> Hit | None:
    return doc.marker_at(group, pos, slack=slack)


def pick_quantity(doc: Document, cand: Candidate) -> tuple[Quantity | None, tuple[str, ...]]:
    """The event's figure, and the kinds of personnel it sums ("1 000 sappers and 5 000
    builders": 6 000, ``("builders", "sappers")``; empty for a single figure)."""
    span = doc.sentence_of(cand.anchor.start)
    lo, hi = doc.clause(cand.anchor.start)
    forces = [h for h in doc.hits if h.label.startswith("force:")]
    kp = [h for h, side in doc.side_hits if side == "KP"]
    grammar = doc.lexicon.grammar
    pool = list(doc.quantities_in(span))
    ordinals: list[Quantity] = []
    if cand.event_type == "arms_transfer":
        ordinals = ordinal_units(doc, span)
        pool.extend(ordinals)
    # "two of the five missiles", "20 000 des 30 000 ouvriers": the first figure counts.
    wholes: set[int] = set()
    for q in pool:
        part = _after(doc, "partitive", q.end, slack=1)
        if part is not None:
            wholes.update(id(o) for o in pool if part.end <= o.start <= part.end + 12)
    pool = [q for q in pool if id(q) not in wholes]
    wanted = BY_NAME[cand.event_type].figure_groups if cand.event_type in BY_NAME else None
    best: tuple[float, int] | None = None
    chosen: Quantity | None = None
    for q in pool:
        if q.start < span.start or q.end > span.end or q.qualifier == "vague":
            continue
        if _after(doc, "not_a_count", q.end, slack=2):
            continue  # durations, distances, percentages, "France 24"
        score = 0.0
        part = _after(doc, "partitive", q.end, slack=1)
        reach = (part.end if part is not None else q.end) + 40
        counted = [f for f in forces if q.end <= f.start <= reach]
        if grammar.verb_final:
            # Korean names the counted noun first: "컨테이너 1천여 개", "병력 약 6천 명"
            counted = [f for f in forces if 0 <= q.start - f.end <= 6] or counted
        if any(q is o for o in ordinals):
            counted = []  # tied to its weapon already
            score += 3.0
        groups = {doc.lexicon.forces.get(force_of(f), "") for f in counted[:1]}
        if counted and wanted and not groups & wanted:
            continue  # "500 workers" is not the figure of an agreement
        if counted:
            score += 3.0
        elif not grammar.capitalised_nouns and _NAME_BEFORE_RE.search(
            doc.text, max(0, q.start - 30), q.start
        ):
            continue
        q_lo, q_hi = doc.clause(q.start)
        if lo <= q.start < hi:
            score += 1.5
        if any(q_lo <= h.start < q_hi for h in kp):
            score += 2.0
        score -= min(abs(q.start - cand.anchor.start), 300) / 400
        key = (score, -q.start)
        if best is None or key > best:
            best, chosen = key, q
    if chosen is not None and cand.event_type in ("deployment", "casualties"):
        for q in pool:
            if (
                chosen.start < q.start < chosen.start + 80
                and any(0 <= q.start - m.end <= 4 for m in doc.labelled("mark:total_before"))
                and not doc.in_range(doc.labelled("cue:deploy_verb"), chosen.end, q.start)
            ):
                chosen = q  # "사망 300여 명, 부상 2천700여 명 등 3천 명": the total
                break
        chosen, kinds = _total_of_parts(doc, chosen, pool)
        return _first_of_whole(doc, chosen, pool), kinds
    return chosen, ()


def _first_of_whole(doc: Document, chosen: Quantity, pool: Sequence[Quantity]) -> Quantity:
    """A part of a stated whole ("900 …, the first batch of a force of 5,000") keeps its figure
    and spans up to the whole, so the report of the whole and that of the part are compatible."""
    if chosen.qualifier == "up_to" or chosen.low is None:
        return chosen
    span = doc.sentence_of(chosen.start)
    for q in pool:
        whole = q.high if q.high is not None else q.low
        if whole is None or q.start <= chosen.end or q.end > span.end or whole <= chosen.low:
            continue
        if q.start - chosen.end > 160:
            continue
        if doc.in_range(doc.labelled("mark:whole"), max(chosen.end, q.start - 60), q.start):
            return replace(chosen, high=max(whole, chosen.high or chosen.low))
    return chosen


def _total_of_parts(
    doc: Document, chosen: Quantity, pool: Sequence[Quantity]
) -> tuple[Quantity, tuple[str, ...]]:
    """ "1 000 sappers and 5 000 builders" is one decision of 6 000; a stated total wins."""
    lo, hi = doc.clause(chosen.start)
    near = sorted(
        (q for q in pool if lo <= q.start < hi and q.qualifier != "vague"), key=lambda q: q.start
    )
    totals = doc.labelled("mark:total")
    for q in near:
        if any(0 <= q.start - m.end <= 16 or 0 <= m.start - q.end <= 2 for m in totals):
            a, b = sorted((chosen.end, q.start))
            if doc.in_range(doc.labelled("cue:deploy_verb"), a, b):
                continue  # "…을 이송했으며, 모두 1만2천 명 규모의 파병을 결정": another act's total
            return q, ()  # "모두 6천 명", "6 000 au total"
    personnel = doc.by_group.get("personnel", [])
    including = doc.labelled("mark:including")
    for q in near:
        inc = next((m for m in including if 0 <= m.start - q.end <= 50 and m.start < hi), None)
        if (
            inc is not None
            and any(inc.end <= o.start <= inc.end + 12 for o in near)
            and not any(q.end < o.start < inc.start for o in near)
        ):
            # "6 000 militaires, dont 1 000 démineurs et 5 000 bâtisseurs": the whole, with the
            # kinds of its parts (so it meets the report that names only the parts)
            last = max(o.end for o in near)
            kinds = {
                force_of(f)
                for f in personnel
                if (inc.end <= f.start <= last + 30 or q.end <= f.start < inc.start)
                and f.start < hi
            }
            return q, tuple(sorted(kinds)) if len(kinds) > 1 else ()
    verb_final = doc.lexicon.grammar.verb_final
    coordinators = doc.labelled("mark:coordinator")
    parts = [chosen]
    found: set[str] = set()
    for q in near:
        if q is chosen or q.low is None:
            continue
        first, second = (parts[-1], q) if q.start > parts[-1].end else (q, parts[0])
        gap = doc.text[first.end : second.start]
        joined = "," in gap or doc.in_range(coordinators, first.end, second.start)
        if len(gap) > 60 or not joined or any(c in gap for c in ".;:"):
            continue
        # each figure counts its own kind of personnel
        if verb_final:
            own1 = [f for f in personnel if 0 <= first.start - f.end <= 12]
            own2 = [f for f in personnel if first.end <= f.start and f.end <= second.start]
        else:
            own1 = [f for f in personnel if first.end <= f.start and f.end <= second.start]
            own2 = [f for f in personnel if 0 <= f.start - second.end <= 30]
        if not own1 or not own2 or {f.label for f in own1} & {f.label for f in own2}:
            continue
        found.update(force_of(f) for f in own1[:1] + own2[:1])
        if first is parts[-1]:
            parts.append(second)
        else:
            parts.insert(0, first)
    if len(parts) == 1:
        return chosen, ()
    low = sum(p.low or 0 for p in parts)
    high = sum((p.high if p.high is not None else p.low) or 0 for p in parts)
    text = doc.text[parts[0].start : parts[-1].end]
    total = replace(chosen, low=low, high=high, start=parts[0].start, end=parts[-1].end, text=text)
    return total, tuple(sorted(found))


def ordinal_units(doc: Document, span: Span) -> list[Quantity]:
    """ "the first Pantsir system" states one item: an ordinal right before a weapon."""
    weapons = doc.by_group.get("weapons", [])
    before = doc.lexicon.grammar.verb_final
    out: list[Quantity] = []
    for h in doc.labelled("cue:first_unit"):
        if not span.start <= h.start < span.end:
            continue
        if _after(doc, "not_a_count", h.end, slack=2):
            continue  # "for the first time"
        if any(
            h.end < w.start <= h.end + 40 or (before and h.start - 40 <= w.end <= h.start)
            for w in weapons
        ):
            text = doc.text[h.start : h.end]
            out.append(Quantity(1, 1, "exact", text, h.start, h.end, None, False))
    return out


def pick_date(doc: Document, cand: Candidate) -> DateMention | None:
    span = doc.sentence_of(cand.anchor.start)
    best: DateMention | None = None
    best_d = 10**9
    for m in doc.dates_in(span):
        if m.start_idx < span.start or m.end_idx > span.end:
            continue
        if m.precision == "year" and (
            doc.marker_at("since", m.start_idx, slack=0)
            or doc.marker_before("since", m.start_idx, 12)
        ):
            continue  # "la première depuis 2018": a reference point, never the event's date
        d = abs(m.start_idx - cand.anchor.start)
        if d < best_d:
            best, best_d = m, d
    return best


def _located(doc: Document, h: Hit) -> bool:
    """A capital named as a location ("à Moscou", "in Pyongyang", "평양에서"), not a government."""
    return bool(
        doc.marker_before("locative", h.start, slack=1) or doc.marker_at("locative", h.end, 0)
    )


def pick_place(doc: Document, cand: Candidate, acting: str | None = None) -> str | None:
    """Where the event happens: a city or region near the act; a capital only as a location,
    and not when another act of the clause stands closer to it ("ratified … signed in
    Pyongyang")."""
    span = doc.sentence_of(cand.anchor.start)
    lo, hi = doc.clause(cand.anchor.start)
    best: tuple[int, int] | None = None
    name: str | None = None
    for h, _side in doc.side_hits:
        if h.start < span.start or h.end > span.end:
            continue
        kind, _, ident = h.label.partition(":")
        entity = doc.lexicon.entities.get(ident)
        if kind != "entity" or entity is None or entity.kind != "place":
            continue
        if (
            cand.event_type == "deployment"
            and entity.side == (acting or "KP")
            and not entity.specific
        ):
            continue  # "Pyongyang sent troops": the sender, not where they went
        if not entity.specific:
            if not _located(doc, h):
                continue
            if lo <= h.start < hi and closer_act(doc, cand, h.start):
                continue
        key = (0 if entity.specific else 1, abs(h.start - cand.anchor.start))
        if best is None or key < best:
            best, name = key, entity.name
    return name


def pick_claimant(doc: Document, cand: Candidate) -> str | None:
    """Who says so: a source in the event's clause before one elsewhere in its sentence, and
    an authority (NIS, Pentagon, KCNA) before a news agency relaying it."""
    span = doc.sentence_of(cand.anchor.start)
    lo, hi = doc.clause(cand.anchor.start)
    best: tuple[int, int, int] | None = None
    name: str | None = None
    for h in doc.hits:
        if h.start < span.start or h.end > span.end:
            continue
        kind, _, ident = h.label.partition(":")
        entity = doc.lexicon.entities.get(ident)
        if kind != "entity" or entity is None or not entity.claimant:
            continue
        key = (
            0 if lo <= h.start < hi else 1,
            1 if entity.media else 0,
            abs(h.start - cand.anchor.start),
        )
        if best is None or key < best:
            best, name = key, entity.name
    if best is not None and best[0] == 0:
        return name
    # "La Corée du Nord admet…": a country that admits or confirms speaks for itself.
    for c in doc.in_range(doc.labelled("cue:admit"), lo, hi):
        for h, _side in doc.side_hits:
            if h.label.startswith("entity:") and 0 <= c.start - h.end <= 3:
                entity = doc.lexicon.entities.get(h.label.partition(":")[2])
                if entity is not None and entity.kind in ("country", "org"):
                    return entity.name
    return name


def is_additional(doc: Document, cand: Candidate, quantity: Quantity | None) -> bool:
    if quantity is not None and quantity.additional:
        return True
    lo, hi = doc.clause(cand.anchor.start)
    forces = [h for h in doc.hits if h.label.startswith("force:") and lo <= h.start < hi]
    return any(
        any(abs(f.start - h.start) <= 40 for f in forces)
        for h in doc.in_range(doc.labelled("cue:additional"), lo, hi)
    )


def stage_force(doc: Document, cand: Candidate) -> str | None:
    """The force or item; for agreements ``item:stage`` (the instrument or, for a generic
    accord, what it is about: ``bridge:signature``)."""
    if cand.event_type == "agreement":
        item = force_of(cand.partner) if cand.partner is not None else None
        if item is None or item in _GENERIC_ITEMS:
            lo, hi = doc.clause(cand.anchor.start)
            near = cand.partner if cand.partner is not None else cand.anchor
            objects = [*doc.by_group.get("object", []), *doc.by_group.get("link", [])]
            about = nearest(objects, near, lo, hi, after=90, before=30)
            if about is not None:
                item = force_of(about)
        if cand.stage and item:
            return f"{item}:{cand.stage}"
        return item or (f"agreement:{cand.stage}" if cand.stage else None)
    if cand.partner is not None and cand.partner.label.startswith("force:"):
        return force_of(cand.partner)
    return None
