"""Arms transfers: weapons, munitions or military equipment going either way.

A transfer verb (``cues.transfer_verb``) takes the closest weapon of its clause, unless a person
is its closer object ("sent workers"); a weapon named with a North Korean origin ("North Korean
KN-23s", ``cues.weapon_origin``) is a transfer too. A weapon that only qualifies a factory or a
know-how ("drone plant", "submarine technology") is not an item handed over.
"""

from __future__ import annotations

from alerts.detection.candidates import Candidate, distance, nearest
from alerts.detection.document import Document
from alerts.detection.events import EventType
from alerts.detection.scan import Hit


def names_a_facility(doc: Document, weapon: Hit) -> bool:
    """ "the Alabuga drone plant", "l'usine de drones": the weapon qualifies a place or skill."""
    if doc.marker_at("facility_after", weapon.end + 1, slack=2):
        return True
    return any(0 <= weapon.start - m.end <= 12 for m in doc.labelled("mark:facility_before"))


def weapons_of(doc: Document) -> list[Hit]:
    cached = doc.cache.get("weapons")
    if isinstance(cached, list):
        return cached
    found = [w for w in doc.by_group.get("weapons", []) if not names_a_facility(doc, w)]
    doc.cache["weapons"] = found
    return found


def find(doc: Document) -> list[Candidate]:
    weapons = weapons_of(doc)
    personnel = doc.by_group.get("personnel", [])
    vf = doc.lexicon.grammar.verb_final
    out: list[Candidate] = []
    for t in doc.labelled("cue:transfer_verb"):
        lo, hi = doc.clause(t.start)
        w = nearest(weapons, t, lo, hi, verb_final=vf)
        if w is None:
            continue
        f = nearest(personnel, t, lo, hi, verb_final=vf)
        if f is not None and (
            distance(f, t, vf) < distance(w, t, vf) or f.start <= w.start < f.end
        ):
            continue  # "sent workers", "sent artillery crews": the verb's object is people
        score = 3.0 - min(abs(w.start - t.start), 120) / 240
        if doc.sides_near(t.start, {"KP", "RU"}, 120):
            score += 0.3
        out.append(Candidate("arms_transfer", score, t, w))
    for w in weapons:
        if doc.sides_near(w.start, {"KP"}, 30) and doc.sides_near(w.start, {"RU", "UA"}, 200):
            out.append(Candidate("arms_transfer", 1.5, w, w, weak=True))
    for w in doc.labelled("cue:weapon_origin"):
        out.append(Candidate("arms_transfer", 2.0, w, w))
    return out


TYPE = EventType(
    name="arms_transfer",
    label="Arms transfer",
    alerts=False,
    window_days=14,
    figure_groups=frozenset({"weapons"}),
    cues=("transfer_verb", "weapon_origin", "first_unit"),
    find=find,
)
