"""The rules' modality of a candidate: ``new``, ``background``, ``speculative`` or ``denied``.

The framing (:func:`alerts.detection.framing.frame`) says which kinds of trigger apply to the
act; this module resolves them in one fixed order, with the few general exceptions the
labelling guide states (an announced decision to send is news; a link agreed with a start
date is agreed; a hedge about further steps leaves the act itself new):

1. a denial or a negation of the act: ``denied`` (a question answered by a denial too);
2. a question, a condition, a hedge or a time to come: ``speculative``;
3. a reference clause ("since…", "after…"), a reaction, the price of an exchange, a recap, a
   reminder, a date weeks before publication (unless a source discloses the act now), an
   anniversary or commentary opening: ``background``;
4. otherwise ``new``.

The learned novelty decision reads the framing kinds and this modality as features.
"""

from __future__ import annotations

from datetime import timedelta

from alerts.detection.candidates import Candidate
from alerts.detection.document import Document
from alerts.detection.events import BY_NAME
from alerts.detection.framing import Framing, Trigger, frame, triggers_of
from alerts.detection.scan import Hit

# A date this many days before publication makes a cue a recap.
BACKGROUND_AGE_DAYS = 21
# A reported act dated within this many days is a fresh disclosure, not a recap.
DISCLOSURE_AGE_DAYS = 400

_ACT_LABELS = frozenset(
    {
        "cue:deploy_verb",
        "cue:deploy_state",
        "cue:transfer_verb",
        "cue:agree_sign",
        "cue:agree_accord",
        "cue:agree_ratify",
        "cue:agree_enact",
        "cue:agree_in_force",
        "cue:link_start",
        "cue:visit",
        "cue:casualty",
    }
)
_DISCLOSED_ACTS = frozenset({"cue:deploy_verb", "cue:transfer_verb", "cue:casualty"})
_AGREEMENT_WORDS = frozenset({"cue:agree_sign", "cue:agree_accord", "cue:agree_ratify"})
_SPECULATIVE = ("hedge", "future", "conditional")


def claimed(doc: Document, cand: Candidate) -> bool:
    """Someone says, confirms or estimates it in the candidate's sentence."""
    span = doc.sentence_of(cand.anchor.start)
    return any(
        span.start <= t.hit.start < span.end and t.kind in ("report", "confirm")
        for t in _triggers(doc)
    )


def _triggers(doc: Document) -> list[Trigger]:
    return triggers_of(doc)


def act_hits(doc: Document) -> list[Hit]:
    cached = doc.cache.get("acts")
    if isinstance(cached, list):
        return cached
    found = [h for h in doc.hits if h.label in _ACT_LABELS]
    doc.cache["acts"] = found
    return found


def closer_act(doc: Document, cand: Candidate, pos: int, cue: Hit | None = None) -> bool:
    """Another act, instrument or link of the clause stands closer to ``pos`` than the
    candidate's cue: a trigger there is about that other thing ("last year's treaty")."""
    anchor = cand.anchor
    lo, hi = doc.clause(anchor.start)
    mine = min(abs(pos - anchor.start), abs(pos - anchor.end))
    others = doc.in_range(act_hits(doc), lo, hi)
    others += doc.in_range(doc.by_group.get("instrument", []), lo, hi)
    others += doc.in_range(doc.by_group.get("link", []), lo, hi)
    for h in others:
        if h.start < anchor.end and h.end > anchor.start:
            continue  # the anchor itself, or a cue sharing its words
        if cand.partner is not None and h.start < cand.partner.end and h.end > cand.partner.start:
            continue
        if cue is not None and h.start < cue.end and h.end > cue.start:
            continue  # an act inside the trigger phrase itself ("depuis l'arrivée")
        if min(abs(pos - h.start), abs(pos - h.end)) < mine:
            return True
    return False


def _about_agreement(doc: Document, t: Trigger) -> bool:
    """A denial that names a signing or a document ("no document was signed")."""
    h = t.hit
    inside = [x for x in doc.hits if h.start <= x.start and x.end <= h.end]
    return any(
        x.label in _AGREEMENT_WORDS or doc.lexicon.forces.get(x.label[6:]) == "instrument"
        for x in inside
        if x.label.startswith(("cue:", "force:"))
    ) or bool(doc.in_range(doc.labelled("mark:signing"), h.start, h.end))


def _further_step(doc: Document, cand: Candidate, t: Trigger) -> bool:
    """A hedge after the act, past a coordination, about more of it ("…, and more could
    follow", "…보냈으며 추가 파병이 이뤄질 것으로 보인다")."""
    end = max(x.end for x in cand.targets)
    if t.hit.start < end:
        return False
    gap_hits = doc.in_range(doc.labelled("mark:coordinator"), end, t.hit.start)
    if (
        not gap_hits
        and "," not in doc.text[end : t.hit.start]
        and doc.clause(end) == doc.clause(t.hit.start)
    ):
        return False
    return bool(doc.in_range(doc.labelled("mark:further"), end, t.hit.end + 30))


def decided(doc: Document, cand: Candidate, fr: Framing) -> bool:
    """An official announced or decided the act, whatever the tense of what it decides
    ("North Korea will send 6,000 builders, Shoigu announced", "Kim decided to send…")."""
    if cand.event_type != "deployment":
        return False
    if fr.has("decision"):
        return True
    span = doc.sentence_of(cand.anchor.start)
    if doc.has("mark:media", span.start, span.end) or doc.has("cue:analysis", span.start, span.end):
        return False
    lo, hi = doc.clause(cand.anchor.start)
    return fr.has("report") and doc.has("mark:decided_future", lo, hi)


def fresh_disclosure(doc: Document, cand: Candidate, fr: Framing) -> bool:
    """A source reports, in this sentence, a dispatch, a transfer or losses as a finite act
    ("Seoul said Pyongyang sent…"), not as a participle of its noun ("the troops sent in 2024")."""
    a = cand.anchor
    if a.label not in _DISCLOSED_ACTS or cand.weak or not claimed(doc, cand):
        return False
    if any(not _time_phrase(doc, t) for t in fr.of("reference")):
        return False  # "Since North Korea sent troops in 2024, Seoul has…": a reference point
    p = cand.partner
    single = " " not in doc.text[a.start : a.end]
    if p is not None and p.end <= a.start and single and not doc.text[p.end : a.start].strip(" ,"):
        if doc.lexicon.grammar.verb_final:
            return True
        # "troupes envoyées": a participle — unless the verb takes a direct object, which a
        # passive participle cannot ("13,000 North Koreans entered Russia")
        return any(a.end < h.start <= a.end + 1 for h, _side in doc.side_hits)
    return True


def _inside_act(doc: Document, cand: Candidate, t: Trigger) -> bool:
    """The trigger phrase holds another act ("signé en juin" recalls a signing, not the
    ratification reported)."""
    h = t.hit
    return any(
        h.start <= x.start
        and x.end <= h.end
        and not (x.start < cand.anchor.end and x.end > cand.anchor.start)
        for x in act_hits(doc)
    )


def _later_clause_act(doc: Document, cand: Candidate, t: Trigger) -> bool:
    """The trigger follows the act, in another clause that holds an act of its own."""
    if t.hit.start < cand.anchor.end:
        return False
    lo, hi = doc.clause(t.hit.start)
    if (lo, hi) == doc.clause(cand.anchor.start):
        return False
    return any(
        not (h.start < cand.anchor.end and h.end > cand.anchor.start)
        for h in doc.in_range(act_hits(doc), lo, hi)
    )


def _denied(doc: Document, cand: Candidate, fr: Framing) -> bool:
    for t in fr.of("denial"):
        if cand.event_type != "agreement" and _about_agreement(doc, t):
            continue  # "met for three hours; no document was signed": only the signing
        if _later_clause_act(doc, cand, t):
            continue  # a later clause denies its own act ("…; aucun document n'a été signé")
        return True
    return fr.has("negation")


def _reported_figure(doc: Document, cand: Candidate, fr: Framing) -> bool:
    event_type = BY_NAME.get(cand.event_type)
    if event_type is None or not event_type.reported_figures or not fr.has("report"):
        return False
    lo, hi = doc.clause(cand.anchor.start)
    return any(ch.isdigit() for ch in doc.text[lo:hi]) or doc.has("mark:number_hint", lo, hi)


def _time_phrase(doc: Document, t: Trigger) -> bool:
    """A reference word followed by a date is a time phrase ("Since September North Korea has
    sent 3,000…": a running total), not a clause recalling an act."""
    return any(
        t.hit.start - 1 <= m.start_idx <= t.hit.end + 2
        for m in doc.dates_in(doc.sentence_of(t.hit.start))
    )


def _voted(doc: Document, fr: Framing, t: Trigger) -> bool:
    """A past vote, in the trigger's clause, just before it."""
    lo, _hi = doc.clause(t.hit.start)
    votes = [
        v for v in doc.labelled("mark:vote") if lo <= v.start and 0 <= t.hit.start - v.end <= 40
    ]
    return bool(votes) and not any(
        f.hit.start <= votes[0].start for f in fr.of("future") if f.hit is not t.hit
    )


def _speculative(doc: Document, cand: Candidate, fr: Framing) -> bool:
    lo, hi = doc.clause(cand.anchor.start)
    link = cand.event_type == "agreement" and (
        cand.stage == "arrangement" or bool(doc.in_range(doc.by_group.get("link", []), lo, hi))
    )
    is_decided = decided(doc, cand, fr)
    reported = _reported_figure(doc, cand, fr)
    for kind in _SPECULATIVE:
        for t in fr.of(kind):
            if reported and doc.in_range(doc.labelled("mark:reportive"), t.hit.start, t.hit.end):
                continue  # "auraient été tués…, selon Kiev": the source's figure
            if link and kind == "future":
                continue  # "trains will resume on 17 June": an agreed arrangement
            if is_decided and kind != "conditional":
                continue  # the announcement or the decision is the act
            if _further_step(doc, cand, t):
                continue
            if kind == "hedge" and _voted(doc, fr, t):
                continue  # "voted to ratify": the vote is the act
            return True
    return False


def _dated_back(doc: Document, cand: Candidate, fr: Framing) -> bool:
    """A date weeks before publication next to the act, which no source discloses now."""
    if doc.published is None or fr.has("future"):
        return False
    a = cand.anchor
    lo, hi = doc.clause(a.start)
    limit = doc.published - timedelta(days=BACKGROUND_AGE_DAYS)
    recent = doc.published - timedelta(days=DISCLOSURE_AGE_DAYS)
    disclosed = fresh_disclosure(doc, cand, fr)
    for m in doc.dates_in(doc.sentence_of(a.start)):
        if m.start_idx < lo or m.end_idx > hi or m.end >= limit:
            continue
        if disclosed and m.end >= recent:
            continue
        if not a.start - 50 <= m.start_idx <= a.end + 60:
            continue
        if closer_act(doc, cand, m.start_idx):
            continue  # "ratified the treaty, signed on 19 June": the date is the signature's
        if doc.marker_before("since", m.start_idx, slack=12) or doc.marker_at("since", m.start_idx):
            continue  # "since September": a running total
        return True
    return False


def _recap(doc: Document, cand: Candidate, fr: Framing) -> bool:
    if fr.has("confirm"):
        return False
    for t in fr.of("recap"):
        if doc.marker_before("since", t.hit.start, slack=12) or doc.marker_at(
            "since", t.hit.start, 0
        ):
            continue  # "shipped 20,000 containers since last year": a running total
        if _inside_act(doc, cand, t):
            continue  # "ratified the accord, signed in December": the signing is recalled
        if closer_act(doc, cand, t.hit.start, cue=t.hit):
            continue  # "last year's treaty": about another thing
        return True
    return False


def resolve(doc: Document, cand: Candidate) -> str:
    """Frame the candidate (stored on it) and return the rules' modality."""
    fr = frame(doc, cand.targets)
    cand.framing = fr
    if _denied(doc, cand, fr):
        return "denied"
    if fr.question:
        span = doc.sentence_of(cand.anchor.start)
        nxt = next((s for s in doc.sentences if s.index == span.index + 1), None)
        if nxt is not None and any(
            t.kind == "denial" and nxt.start <= t.hit.start < nxt.end for t in _triggers(doc)
        ):
            return "denied"
        return "speculative"
    if _speculative(doc, cand, fr):
        return "speculative"
    if any(not _time_phrase(doc, t) for t in fr.of("reference")):
        return "background"
    if fr.has("reaction") or fr.has("exchange"):
        return "background"
    reminders = fr.of("reminder")
    confirms = [t for t in fr.of("confirm") if reminders and t.hit.start > reminders[0].hit.start]
    if reminders and not confirms:
        return "background"  # "…, rappelle cette analyse": the whole sentence is a recap
    if _recap(doc, cand, fr) or _dated_back(doc, cand, fr):
        return "background"
    return "new"
