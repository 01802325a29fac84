"""The rules' decision: which candidate is the article's main event, and how it is framed.

Candidates of every type are weighed by their strength and their place in the article; the
framing is read for the strongest ones only (a recap weighs half, so once the best framed score
beats every remaining raw score the choice is made). Document-level framing applies to every
candidate: a commentary header ("Analysis:", "Opinion —"), an opening on analysis, an
anniversary opening ("A year after…"). An act made or announced during a visit is the news of
the visit; a meeting where "no document was signed" is the meeting. A second alert-worthy act
of the lead is reported too.
"""

from __future__ import annotations

from datetime import timedelta

from alerts.detection.candidates import Candidate, weigh
from alerts.detection.document import Document
from alerts.detection.events import ALERT_TYPES, find_candidates
from alerts.detection.modality import BACKGROUND_AGE_DAYS, claimed, resolve
from alerts.detection.scan import Hit

# Below this effective score no specific type is claimed: the event is "other".
MIN_TYPE_SCORE = 1.0
# A second alert-worthy act in the lead is reported when it is as strong as a main event.
SECONDARY_MIN_SCORE = 3.5
_HEADER_PUNCT = (":", "|", "—", "–", "-")
# A recap weighs half; an act still to come a little less than one that happened.
_FRAMING_WEIGHT = {"background": 0.5, "speculative": 0.85}


def candidates_of(doc: Document) -> list[Candidate]:
    """Every candidate, weighed and sorted, the strongest framed (cached on the document)."""
    cached = doc.cache.get("candidates")
    if isinstance(cached, list):
        return cached
    found = find_candidates(doc)
    weigh(doc, found)
    found.sort(key=lambda c: (-c.raw, c.anchor.start))
    best = 0.0
    for cand in found:
        if cand.raw < best:
            break
        settle(doc, cand)
        best = max(best, cand.effective)
    doc.cache["candidates"] = found
    return found


def _opening(doc: Document) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in doc.lead]


def commentary_header(doc: Document) -> bool:
    """The title or lead opens with a commentary label ("Opinion:", "Décryptage —")."""
    cached = doc.cache.get("header")
    if isinstance(cached, bool):
        return cached
    found = False
    for start, end in _opening(doc):
        for m in doc.labelled("mark:header"):
            if start <= m.start <= start + 3 and m.end < end:
                after = doc.text[m.end : m.end + 3].lstrip()
                if after.startswith(_HEADER_PUNCT):
                    found = True
    doc.cache["header"] = found
    return found


def analysis_opening(doc: Document) -> bool:
    """The piece opens as analysis ("Analysts say…", "Dans une tribune…")."""
    return any(
        start <= h.start < start + 40
        for start, _end in _opening(doc)
        for h in doc.labelled("cue:analysis")
    )


def anniversary_frame(doc: Document, cand: Candidate) -> bool:
    """The piece opens on an anniversary ("Un an après…", "…한 지 1년이 지났다") and the
    candidate is not a fresh claim with its figure or a recent date after it."""
    for start, end in _opening(doc):
        trig = next(
            (
                h
                for h in doc.hits
                if (h.label.startswith("frame:anniversary:") and start <= h.start <= start + 12)
                or (
                    doc.lexicon.grammar.verb_final
                    and h.label.startswith("frame:anniversary:")
                    and start <= h.start < end
                )
            ),
            None,
        )
        if trig is None:
            continue
        frame_end = next((i for i in range(trig.end, end) if doc.text[i] in ",;，、"), end)
        if frame_end == end and doc.lexicon.grammar.verb_final:
            # "…보낸 지 1년이 지난 가운데, 국정원은 …": the frame ends with its subordinator
            sub = next(
                (m for m in doc.labelled("mark:subordinator") if trig.end <= m.start < end), None
            )
            space = doc.text.find(" ", trig.end, end)
            frame_end = sub.end if sub is not None else (space if space > 0 else end)
        a = cand.anchor
        if start <= a.start < frame_end:
            return True
        lo, hi = doc.clause(a.start)
        reported = any(t.kind == "report" for t in cand.framing.triggers)
        if reported and _has_figure(doc, lo, hi):
            return False  # "A year after…, Seoul estimates their losses at 6,000"
        if doc.published is not None:
            recent = doc.published - timedelta(days=BACKGROUND_AGE_DAYS)
            if any(
                lo <= m.start_idx < hi and m.end >= recent
                for m in doc.dates_in(doc.sentence_of(a.start))
            ):
                return False  # "Ten years after…, they signed an agreement on Monday"
        return True
    return False


def _has_figure(doc: Document, lo: int, hi: int) -> bool:
    return any(ch.isdigit() for ch in doc.text[lo:hi]) or doc.has("mark:number_hint", lo, hi)


def settle(doc: Document, cand: Candidate) -> None:
    """Read the framing of a candidate and its effective score (once)."""
    if cand.settled:
        return
    cand.modality = resolve(doc, cand)
    if cand.weak and cand.modality == "new":
        cand.modality = "background"  # a force named without any act: context
        cand.notes.add("no_act")
    if cand.claim_needed and cand.modality == "new" and not claimed(doc, cand):
        cand.modality = "background"  # a presence nobody claims
        cand.notes.add("unclaimed_presence")
    if cand.modality == "new" and anniversary_frame(doc, cand):
        cand.modality = "background"
        cand.notes.add("anniversary")
    if commentary_header(doc) or (cand.modality == "new" and analysis_opening(doc)):
        cand.modality = "background"
        cand.notes.add("commentary")
    cand.effective = cand.raw * _FRAMING_WEIGHT.get(cand.modality, 1.0)
    cand.settled = True


def _announced_between(doc: Document, start: int, end: int) -> bool:
    """A reporting verb stands between two positions ("En visite…, X a annoncé que…"), not a
    side clause that dates the visit ("days after reports of troop deployments")."""
    if doc.in_range(doc.labelled("mark:subordinator"), start, end):
        return False
    return any(
        start <= h.start < end and h.label in ("frame:report:around", "frame:confirm:around")
        for h in doc.hits
    )


def choose(doc: Document) -> tuple[Candidate, list[Candidate]]:
    """The main candidate (settled) and the candidates (all weighed)."""
    candidates = candidates_of(doc)
    spans = doc.sentences
    main = max(
        (c for c in candidates if c.settled),
        key=lambda c: (c.effective, -c.anchor.start),
        default=None,
    )
    if main is not None and main.event_type == "visit":
        # A visit is often the occasion of an agreement or a dispatch: an act made or announced
        # during it is the news.
        lead = {s.index for s in spans[:3]}
        acts: list[Candidate] = []
        for c in candidates:
            if c.weak or c.event_type not in ALERT_TYPES:
                continue
            if c.event_type == "agreement" and c.score < 4.0:
                continue
            if c.event_type == "deployment" and (
                c.anchor.label != "cue:deploy_verb"
                or c.score < 2.5
                or not _announced_between(doc, main.anchor.end, c.anchor.start)
            ):
                continue
            if doc.sentence_of(c.anchor.start).index not in lead:
                continue
            settle(doc, c)
            if c.modality == "new":
                acts.append(c)
        if acts:
            main = max(acts, key=lambda c: c.effective)
    if (
        main is not None
        and main.event_type == "agreement"
        and main.modality == "denied"
        and not claimed(doc, main)
        and main.framing.has("denial")
    ):
        # "Putin and Kim met…; no document was signed": the meeting is the news.
        visits = [c for c in candidates if c.event_type == "visit" and c.raw >= 2.5]
        for c in visits:
            settle(doc, c)
        met = [c for c in visits if c.modality == "new"]
        if met:
            main = max(met, key=lambda c: c.effective)
    if main is not None and main.modality == "new":
        # A stronger mention of the same act in the same sentence lost only by its framing:
        # the framing holds ("the deployment, first reported in 2024, has given … combat").
        here = doc.sentence_of(main.anchor.start).index
        for c in candidates:
            if (
                c.settled
                and c is not main
                and c.event_type == main.event_type
                and c.raw > main.raw
                and c.modality == "background"
                and not c.framing.has("reference")  # a reference clause recalls another act
                and doc.sentence_of(c.anchor.start).index == here
                and not (
                    main.event_type == "agreement"
                    and c.partner is not None
                    and main.partner is not None
                    and c.partner.label != main.partner.label
                )  # another instrument is another act
                and not anniversary_frame(doc, c)  # the frame's own act
            ):
                main.modality = c.modality
                main.notes.add("framing_of_stronger_mention")
                break
    if main is None or main.effective < MIN_TYPE_SCORE:
        # No clear act: an "other" event read from the lead, for its figure and framing.
        first = doc.first_body or spans[0]
        anchor = Hit("cue:none", first.start, min(first.end, first.start + 1))
        main = Candidate("other", 1.0, anchor, raw=1.0, effective=1.0)
        settle(doc, main)
        main.effective = 1.0
        if main.modality == "new":
            span_hedged = any(
                first.start <= h.start < first.end and h.label.startswith("frame:hedge:")
                for h in doc.hits
            )
            if span_hedged:
                main.modality = "speculative"  # the lead's hedge frames it
    return main, candidates


def secondary(doc: Document, main: Candidate, candidates: list[Candidate]) -> list[Candidate]:
    """Another alert-worthy act of the lead, as strong as a main event would be."""
    lead = {s.index for s in doc.lead}
    best: dict[str, Candidate] = {}
    for c in candidates:
        if c.event_type not in ALERT_TYPES or c.event_type == main.event_type or c.weak:
            continue
        if c.anchor.label in ("cue:deploy_state", "cue:deploy_presence"):
            continue  # troops already there are not a second dispatch
        if c.score < SECONDARY_MIN_SCORE or doc.sentence_of(c.anchor.start).index not in lead:
            continue
        settle(doc, c)
        if c.modality != "new":
            continue
        if c.event_type not in best or c.effective > best[c.event_type].effective:
            best[c.event_type] = c
    return sorted(best.values(), key=lambda c: -c.effective)


def best_of_type(doc: Document, candidates: list[Candidate], event_type: str) -> Candidate | None:
    """The strongest candidate of a type (settled), for a decision that chose the type."""
    pool = [c for c in candidates if c.event_type == event_type]
    for c in pool[:4]:
        settle(doc, c)
    settled = [c for c in pool if c.settled]
    return max(settled, key=lambda c: (c.effective, -c.anchor.start), default=None)
