"""Deployments: personnel sent to, arriving in, stationed in or fighting in the other country.

A movement verb (``cues.deploy_verb``), a state of engagement (``deploy_state``) or a stated
presence (``deploy_presence``) takes the closest personnel force of its clause (or the noun a
relative clause is about). A presence is news only when someone claims it in the sentence.
Captives, people coming home, people whose role is targeted ("officers involved in sending
troops") and the subject of an agreement ("a protocol on the dispatch of…") are not sent.
"""

from __future__ import annotations

from alerts.detection.candidates import (
    Candidate,
    antecedent,
    distance,
    near_marker,
    nearest,
    specific_force,
)
from alerts.detection.document import Document
from alerts.detection.events import EventType
from alerts.detection.events.arms_transfer import weapons_of
from alerts.detection.scan import Hit

_BASE = {"cue:deploy_verb": 3.0, "cue:deploy_state": 2.4, "cue:deploy_presence": 2.3}


def find(doc: Document) -> list[Candidate]:
    personnel = doc.by_group.get("personnel", [])
    weapons = weapons_of(doc)
    instruments = doc.by_group.get("instrument", [])
    returning = doc.labelled("cue:returning")
    casualties = doc.labelled("cue:casualty")
    vf = doc.lexicon.grammar.verb_final
    out: list[Candidate] = []
    for label, base in _BASE.items():
        for v in doc.labelled(label):
            lo, hi = doc.clause(v.start)
            if any(
                0 <= v.start - i.end <= 40 and doc.marker_at("about", i.end + 1, slack=24)
                for i in instruments
            ):
                continue  # "un protocole sur l'envoi de médecins": the agreement's subject
            f = nearest(personnel, v, lo, hi, verb_final=vf) or antecedent(doc, personnel, lo, v)
            if f is None:
                continue
            f = specific_force(doc, personnel, f)
            if near_marker(doc, "role_in", v, before=30, after=0):
                continue  # "officers involved in sending troops": who is targeted
            if near_marker(doc, "captive", f, before=20, after=40):
                continue  # "the two captured North Korean soldiers": prisoners
            if any(
                0 <= r.start - f.end <= 12
                or 0 <= f.start - r.end <= 5
                or r.start <= v.start < r.end
                for r in returning
            ):
                continue  # "soldats revenus de Koursk": coming home
            presence = label == "cue:deploy_presence"
            if presence and any(lo <= r.start < hi for r in returning):
                continue  # "présents en Russie, ne participent plus aux combats": leaving
            w = nearest(weapons, v, lo, hi, verb_final=vf)
            if w is not None and (0 <= f.start - w.end <= 2 or f.start <= w.start < f.end):
                w = None  # "air defence specialists", "artillery crews": the weapon qualifies people
            if w is not None and distance(w, v, vf) < distance(f, v, vf):
                continue  # "sent shells": the verb's object is a weapon
            score = base - min(abs(f.start - v.start), 120) / 240
            if doc.sides_near(f.start, {"KP"}, 40):
                score += 1.2
            cand = Candidate("deployment", score, v, f, claim_needed=presence)
            if _attributive(doc, v, f, casualties, vf):
                # "troops deployed to Russia have suffered 3,000 casualties": the participle
                # describes the force whose losses are the news
                cand.score -= 2.0
                cand.notes.add("attributive")
            out.append(cand)
    for f in personnel:
        if doc.sides_near(f.start, {"KP"}, 30) and not near_marker(doc, "captive", f, 20, 40):
            out.append(Candidate("deployment", 1.2, f, f, weak=True))
    return out


def _attributive(doc: Document, v: Hit, f: Hit, casualties: list[Hit], vf: bool) -> bool:
    """The act only describes a force whose losses the clause reports."""
    lo, hi = doc.clause(v.start)
    if not any(lo <= c.start < hi for c in casualties):
        return False
    word = doc.text[v.start : v.end]
    if vf:
        return word.endswith(tuple(doc.lexicon.grammar.participle_suffixes or ("된", "한")))
    suffixes = tuple(doc.lexicon.grammar.participle_suffixes)
    return (
        bool(suffixes)
        and 0 <= v.start - f.end <= 16
        and "," not in doc.text[f.end : v.start]
        and word.lower().endswith(suffixes)
    )


TYPE = EventType(
    name="deployment",
    label="Deployment",
    alerts=True,
    window_days=7,
    figure_groups=frozenset({"personnel"}),
    cues=("deploy_verb", "deploy_state", "deploy_presence", "returning"),
    find=find,
)
