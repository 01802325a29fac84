"""An alert's words in the reader's language: headline, figures, dates, parties, claimant.

Pure functions of an :class:`~alerts.viewmodel.AlertView` and a
:class:`~alerts.messages.Messages`; every word comes from the language's message file, nothing
from the code. The headline says who did what, how many (with the source's qualifier), where,
when and according to whom: "North Korea sends about 12,000 troops to the Kursk region on
17 November 2026, says South Korea's NIS".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from alerts.messages import Messages, load_messages
from alerts.viewmodel import AlertView, Change

# The two sides of the relationship the monitor watches.
PRINCIPALS = ("KP", "RU")
# Runs of whitespace collapse to one space; no-break spaces (French "12 000", "Lieu :") stay.
_NO_BREAK = "\u00a0\u202f\u2007"
_WHITESPACE = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def english() -> Messages:
    return load_messages("en")


def one_line(text: str | None, limit: int | None = None) -> str:
    """Collapse every run of whitespace (CR, LF, tabs, U+2028…) to one space and drop control
    characters; cut to ``limit`` characters with an ellipsis."""
    if not text:
        return ""
    cleaned = "".join(
        " " if ch.isspace() and ch not in _NO_BREAK else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")
    )
    cleaned = _WHITESPACE.sub(" ", cleaned).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)].rstrip() + "…"
    return cleaned


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def format_number(value: int, m: Messages | None = None) -> str:
    sep = (m or english()).get("meta", "thousands", ",") or ","
    return f"{value:,}".replace(",", sep)


def format_count(
    low: int | None, high: int | None, qualifier: str | None = None, m: Messages | None = None
) -> str | None:
    """The number alone, qualified and with its range kept: ``about 12,000``, ``10 000 à 12 000``."""
    m = m or english()
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    if low is not None and high is not None:
        number = format_number(low, m)
        if low != high:
            number += (m.get("meta", "range", "–") or "–") + format_number(high, m)
        key = (
            qualifier
            if qualifier in ("approx", "more_than", "less_than", "up_to", "vague")
            else None
        )
    elif low is not None:
        number = format_number(low, m)
        key = qualifier if qualifier in ("approx", "more_than", "vague") else "lower_only"
    else:
        assert high is not None
        number = format_number(high, m)
        key = qualifier if qualifier in ("approx", "less_than", "up_to", "vague") else "upper_only"
    return m.text("qualifiers", key, n=number) if key else number


def _force_ids(force: str | None) -> list[str]:
    """Detection's force: ``troops+special_forces`` or ``accord:signature`` (item, stage)."""
    if not force:
        return []
    item = force.partition(":")[0]
    return [p.strip().replace(" ", "_") for p in item.split("+") if p.strip()]


def force_noun(force_id: str, count: int | None, m: Messages) -> str | None:
    entry = m.lookup("forces", force_id)
    if not isinstance(entry, dict):
        return None
    form = "one" if count == 1 else "many"
    value = entry.get(form) or entry.get("many")
    return value if isinstance(value, str) else None


def counted_noun(view: AlertView, m: Messages) -> str | None:
    """What the figure counts, in the reader's language: the unit's force, the event's force,
    else the unit word as the source wrote it."""
    figure = view.figure_low if view.figure_low is not None else view.figure_high
    for candidate in [view.unit_force, *_force_ids(view.force)]:
        if candidate:
            noun = force_noun(candidate, figure, m)
            if noun:
                return noun
    unit = one_line(view.figure_unit, 64)
    return unit or None


def format_figures(
    low: int | None,
    high: int | None,
    unit: str | None = None,
    qualifier: str | None = None,
    m: Messages | None = None,
) -> str | None:
    """``about 12,000 troops``, ``10,000–12,000 troops``, ``plus de 10 000 soldats``."""
    count = format_count(low, high, qualifier, m)
    if count is None:
        return None
    unit_text = one_line(unit, 64)
    return f"{count} {unit_text}" if unit_text else count


def view_figures(view: AlertView, m: Messages) -> str | None:
    return format_figures(
        view.figure_low, view.figure_high, counted_noun(view, m), view.figure_qualifier, m
    )


def join_names(names: list[str], m: Messages) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    sep = m.get("meta", "list_sep", ", ") or ", "
    return sep.join(names[:-1]) + (m.get("meta", "list_and", " and ") or " and ") + names[-1]


def country(code: str, form: str, m: Messages) -> str | None:
    entry = m.lookup("countries", code.strip())
    if isinstance(entry, dict) and isinstance(entry.get(form), str):
        return str(entry[form])
    return None


def format_actor(actor: str, m: Messages | None = None) -> str:
    """A country code by its name (``KP`` → ``North Korea``); anything else as it is."""
    return country(actor, "name", m or english()) or one_line(actor, 100)


def parties(view: AlertView) -> list[str]:
    """The event's parties: its actors without the claimant's own country (the NIS speaking for
    South Korea does not make South Korea a party), unless that country is one of the two sides."""
    out = []
    for actor in view.actors:
        if (
            view.claimant_side
            and actor == view.claimant_side
            and actor not in PRINCIPALS
            and actor not in out
        ):
            continue
        if actor not in out:
            out.append(actor)
    return out


def format_parties(view: AlertView, m: Messages) -> str | None:
    names = [format_actor(a, m) for a in parties(view)]
    sep = m.get("meta", "list_sep", ", ") or ", "
    return sep.join(n for n in names if n) or None


def format_claimant(claimant: str | None, m: Messages) -> str | None:
    """How the claimant reads in this language ("South Korea's NIS"), else as detected."""
    text = one_line(claimant, 200)
    if not text:
        return None
    return m.get("claimants", text) or text


def format_force(force: str | None, m: Messages | None = None) -> str | None:
    """Detection's ``item:stage`` (``accord:signature``) as ``accord (signature)``; force ids by
    their noun in the reader's language."""
    m = m or english()
    text = one_line(force, 200)
    if not text:
        return None
    item, sep, stage = text.partition(":")
    if not sep:
        nouns = [force_noun(f, None, m) or f.replace("_", " ") for f in _force_ids(item)]
        return join_names(nouns, m) or None
    item = item.replace("_", " ").strip()
    stage = stage.replace("_", " ").strip()
    if item and stage:
        return f"{item} ({stage})"
    return item or stage or None


def format_event_date(
    value: date | None, precision: str | None, m: Messages | None = None
) -> str | None:
    """A date shown no more precisely than it is known (``November 2026``, ``2026``…)."""
    m = m or english()
    if value is None:
        return None
    months = m.lookup("date", "months")
    month = months[value.month - 1] if isinstance(months, list) and len(months) == 12 else ""
    day = (m.get("date", "first_day", "1") or "1") if value.day == 1 else str(value.day)
    values = {"day": day, "month": month, "year": value.year}
    match precision:
        case "day" | None:
            return m.text("date", "day", **values)
        case "week":
            return m.text("date", "week", **values)
        case "month":
            return m.text("date", "month", **values)
        case "season" | "quarter":
            return m.text("date", "season", **values)
        case "year":
            return m.text("date", "year", **values)
        case _:
            return f"{m.text('date', 'day', **values)} ({one_line(precision)})"


def date_phrase(value: date | None, precision: str | None, m: Messages) -> str | None:
    text = format_event_date(value, precision, m)
    if text is None:
        return None
    key = precision if precision in ("day", "week", "month", "season", "year") else "day"
    return m.text("date_phrase", key, date=text)


def format_timestamp(value: datetime | None, m: Messages | None = None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    pattern = (m or english()).get("date", "timestamp", "%Y-%m-%d %H:%M UTC") or ""
    return value.astimezone(UTC).strftime(pattern)


def event_type_label(event_type: str, m: Messages | None = None) -> str:
    label = (m or english()).get("event_types", event_type)
    return label or one_line(event_type).replace("_", " ") or "event"


def kind_label(kind: str, m: Messages | None = None) -> str:
    return (m or english()).get("kinds", kind) or one_line(kind).capitalize() or "Alert"


def language_name(code: str | None, m: Messages) -> str | None:
    text = one_line(code, 16)
    if not text:
        return None
    return m.get("languages", text.lower().split("-")[0]) or text


def place_phrase(place: str | None, form: str, m: Messages) -> str | None:
    """``to the Kursk region``, ``à Moscou``: the place as a destination (``to``) or location."""
    text = one_line(place, 100)
    if not text:
        return None
    entry = m.lookup("places", text)
    if isinstance(entry, dict) and isinstance(entry.get(form), str):
        return str(entry[form])
    return m.text("place_default", form, place=text)


def place_name(place: str | None, m: Messages) -> str | None:
    text = one_line(place, 300)
    entry = m.lookup("places", text) if text else None
    if isinstance(entry, dict) and isinstance(entry.get("name"), str):
        return str(entry["name"])
    return text or None


def _principals(view: AlertView) -> list[str]:
    ordered = [a for a in view.actors if a in PRINCIPALS]
    return list(dict.fromkeys(ordered)) or list(PRINCIPALS)


def _deployment(view: AlertView, m: Messages, when: str) -> str:
    sides = _principals(view)
    sender = sides[0]
    receiver = next((s for s in PRINCIPALS if s != sender), None)
    destination = place_phrase(view.place, "to", m) or (
        country(receiver, "to", m) if receiver else None
    )
    count = format_count(view.figure_low, view.figure_high, view.figure_qualifier, m)
    noun = counted_noun(view, m) or force_noun("personnel", None, m) or ""
    values = {
        "sender": country(sender, "subject", m) or sender,
        "count": count or "",
        "force": noun,
        "destination": f" {destination}" if destination else "",
        "date": when,
    }
    if count is None:
        return m.text("headline", "deployment_unknown", **values)
    key = "deployment_more" if view.additional else "deployment"
    return m.text("headline", key, **values)


def _instrument(view: AlertView, m: Messages) -> str:
    item = (view.force or "").partition(":")[0].strip().replace(" ", "_")
    named = m.get("instruments", item) if item else None
    if named and item != "on_object":
        return named
    obj = m.get("objects", item) if item else None
    if obj:
        return m.text("instruments", "on_object", object=obj)
    return m.get("instruments", "agreement") or "an agreement"


def format_instrument(view: AlertView, m: Messages) -> str:
    """What was agreed, in the reader's language: ``a treaty (ratified)``, ``un accord (signé)``."""
    stage = (view.force or "").partition(":")[2].strip()
    name = m.get("stage_names", stage) if stage else None
    instrument = _instrument(view, m)
    return f"{instrument} ({name})" if name else instrument


def format_decimal(value: float, m: Messages) -> str:
    return f"{value:.2f}".replace(".", m.get("meta", "decimal", ".") or ".")


def _agreement(view: AlertView, m: Messages, when: str) -> str:
    stage = (view.force or "").partition(":")[2].strip() or "default"
    verbs = m.lookup("stages", stage)
    if not isinstance(verbs, dict):
        verbs = m.lookup("stages", "default")
    verbs = verbs if isinstance(verbs, dict) else {}
    sides = _principals(view)
    place = place_phrase(view.place, "in", m)
    values: dict[str, Any] = {
        "instrument": _instrument(view, m),
        "place": f" {place}" if place else "",
        "date": when,
    }
    if stage in ("ratification", "enactment") and len(sides) == 2 and view.actors[:1] == sides[:1]:
        # One side ratifies what both signed.
        values.update(
            party=country(sides[0], "subject", m) or sides[0],
            other=country(sides[1], "name", m) or sides[1],
            verb=verbs.get("one", ""),
        )
        return m.text("headline", "agreement_one", **values)
    names = [country(s, "name", m) or s for s in sides]
    values.update(parties=capitalise(join_names(names, m)), verb=verbs.get("both", ""))
    return m.text("headline", "agreement_both", **values)


def headline(view: AlertView, m: Messages | None = None) -> str:
    """Who did what, how many, where, when, according to whom — in the reader's language."""
    m = m or english()
    when = date_phrase(view.event_date, view.date_precision, m)
    when_text = f" {when}" if when else ""
    if view.event_type == "deployment":
        text = _deployment(view, m, when_text)
    elif view.event_type == "agreement":
        text = _agreement(view, m, when_text)
    else:
        text = m.text(
            "headline",
            "other",
            type=capitalise(event_type_label(view.event_type, m)),
            summary=one_line(view.summary, 200),
        )
    claimant = format_claimant(view.claimant, m)
    if claimant:
        text = m.text("headline", "claim", headline=text, claimant=claimant)
    text = capitalise(one_line(text))
    if view.kind == "update":
        text = m.text("headline", "update", headline=text)
    return text


def quote_evidence(evidence: str, title: str | None) -> str:
    """The evidence sentence on its own: never the article's headline run into its first
    sentence (the detector reads title and text as one, so a sentence can start with the
    title when the title has no final stop)."""
    text = evidence.strip()
    heading = one_line(title)
    paragraphs = [one_line(p) for p in re.split(r"\n\s*\n|\n", text) if one_line(p)]
    if len(paragraphs) > 1 and heading and paragraphs[0].casefold() == heading.casefold():
        paragraphs = paragraphs[1:]
    quoted = " ".join(paragraphs) if paragraphs else one_line(text)
    if heading and quoted.casefold().startswith(heading.casefold()):
        rest = quoted[len(heading) :].lstrip(" .:–—-")
        if rest:
            quoted = rest
    return quoted


def _change_value(name: str, value: Any, m: Messages) -> str:
    if value is None or value == "":
        return m.get("labels", "not_stated") or "-"
    if name == "figures" and isinstance(value, dict):
        low, high = value.get("low"), value.get("high")
        figures = format_figures(
            low if isinstance(low, int) else None,
            high if isinstance(high, int) else None,
            None,
            value.get("qualifier") if isinstance(value.get("qualifier"), str) else None,
            m,
        )
        return figures or (m.get("labels", "not_stated") or "-")
    if name == "date" and isinstance(value, dict):
        try:
            day = date.fromisoformat(str(value.get("date")))
        except ValueError:
            return one_line(str(value.get("date")), 100)
        precision = value.get("precision")
        return format_event_date(day, precision if isinstance(precision, str) else None, m) or "-"
    if name == "claimant":
        return format_claimant(str(value), m) or "-"
    if name == "place":
        return place_name(str(value), m) or "-"
    if name == "modality":
        return m.get("modalities", str(value)) or one_line(str(value), 100)
    return one_line(str(value), 200)


def format_change(change: Change, m: Messages) -> str:
    label = m.get("fields", change.field) or change.field.replace("_", " ")
    after = _change_value(change.field, change.after, m)
    if change.before is None or change.before == "":
        return m.text("labels", "change_added", field=label, after=after)
    before = _change_value(change.field, change.before, m)
    return m.text("labels", "change", field=label, before=before, after=after)
