"""Agreements: treaties, accords, memoranda and concrete arrangements, at each of their stages.

An act on an instrument (signed, ratified, promulgated, in force: ``cues.agree_*``) takes the
closest instrument of its clause, or, for a bare "agreed on", a concrete object ("a second road
crossing"). Later stages outrank earlier ones named in the same report ("signed the law
ratifying…"); a head of state signing a law enacts it. A transport link that starts or resumes
(``cues.link_start``) is an arrangement, except a piece of infrastructure that opens (a railway
line inaugurated), which is ``other``. "Agreed to expand cooperation" is a wish, not an
agreement.
"""

from __future__ import annotations

from alerts.detection.candidates import Candidate, nearest
from alerts.detection.document import Document
from alerts.detection.events import EventType
from alerts.detection.scan import Hit

STAGE_OF_CUE = {
    "cue:agree_sign": "signature",
    "cue:agree_accord": "signature",
    "cue:agree_ratify": "ratification",
    "cue:agree_enact": "enactment",
    "cue:agree_in_force": "entry into force",
}
STAGE_BONUS = {"signature": 0.0, "ratification": 0.2, "enactment": 0.6, "entry into force": 0.7}


def _overlaps(doc: Document, group: str, hit: Hit) -> bool:
    return any(
        m.start <= hit.start < m.end or hit.start <= m.start < hit.end
        for m in doc.labelled(f"mark:{group}")
    )


def find(doc: Document) -> list[Candidate]:
    instruments = doc.by_group.get("instrument", [])
    links = doc.by_group.get("link", [])
    objects = [*doc.by_group.get("object", []), *links]
    laws = doc.labelled("cue:law")
    ratify = doc.labelled("cue:agree_ratify")
    grammar = doc.lexicon.grammar
    vf = grammar.verb_final
    out: list[Candidate] = []
    for label, cue_stage in STAGE_OF_CUE.items():
        for a in doc.labelled(label):
            lo, hi = doc.clause(a.start)
            stage = cue_stage
            if (
                label == "cue:agree_enact"
                and _overlaps(doc, "decree", a)
                and any(lo <= r.start < hi for r in ratify)
            ):
                continue  # "a ratifié par décret": the verb says the stage
            if (
                label == "cue:agree_sign"
                and _overlaps(doc, "signing", a)
                and any(
                    a.end < w.start <= a.end + 30
                    or (vf and 0 <= a.start - w.end <= 8)
                    # a verb at the end of its clause: "hat das Gesetz … unterzeichnet"
                    or (grammar.clause_final_verbs and lo <= w.start and 0 <= a.start - w.end <= 90)
                    for w in laws
                )
            ):
                stage = "enactment"  # "a signé samedi la loi de ratification"
            inst = nearest(instruments, a, lo, hi, after=120, before=120)
            if inst is None and label in ("cue:agree_sign", "cue:agree_accord"):
                # "agreed on a second road crossing": a concrete object is an arrangement
                inst = nearest(objects, a, lo, hi, after=80, before=80, verb_final=vf)
            bare = 3.0 if label == "cue:agree_accord" else 1.3  # "agreed to…" is the act
            score = (4.0 if inst is not None else bare) + STAGE_BONUS[stage]
            vague = (
                inst is None
                and label == "cue:agree_accord"
                and any(0 <= m.start - a.end <= 40 for m in doc.labelled("mark:vague_goal"))
            )
            cand = Candidate("agreement", score, a, inst, stage, weak=vague)
            if vague:
                cand.notes.add("vague_goal")
            out.append(cand)
    for a in doc.labelled("cue:link_start"):
        lo, hi = doc.clause(a.start)
        link = nearest(links, a, lo, hi, verb_final=vf)
        if link is None and doc.marker_before("passive_aux", a.start, slack=14):
            # a passive ("La voie ferrée … a été inaugurée") puts its subject far back
            link = nearest(links, a, lo, hi, after=0, before=140)
        if link is None:
            continue
        if (
            _overlaps(doc, "infrastructure", link)
            and _overlaps(doc, "opening", a)
            and not doc.has("cue:agree_sign", lo, hi)
            and not doc.has("cue:agree_accord", lo, hi)
        ):
            # "the rebuilt railway reopened": a piece of infrastructure opens (`other`); a
            # service resumed on a date is an arrangement
            out.append(Candidate("other", 3.6, a, link, notes={"infrastructure"}))
            continue
        out.append(Candidate("agreement", 3.6, a, link, "arrangement"))
    for inst in instruments:
        out.append(Candidate("agreement", 0.8, inst, inst, None, weak=True))
    return out


TYPE = EventType(
    name="agreement",
    label="Agreement",
    alerts=True,
    window_days=3,
    figure_groups=frozenset({"instrument", "link", "object"}),
    cues=(
        "agree_sign",
        "agree_accord",
        "agree_ratify",
        "agree_enact",
        "agree_in_force",
        "link_start",
        "law",
    ),
    find=find,
)
