"""Known instruments (treaties, bridges, visa accords, rail and air links) as data.

``alerts/detection/instruments.toml`` lists each instrument with the agreement detector's force
items it may be reported as and its aliases per language; one :class:`~alerts.detection.scan.Matcher`
over every alias of every language finds them in an event's evidence, so a report in Korean and
one in French name the same instrument id.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alerts.detection.scan import Matcher
from alerts.errors import KnowledgeError

INSTRUMENTS_FILE = Path(__file__).parent / "detection" / "instruments.toml"

__all__ = ["INSTRUMENTS_FILE", "Instrument", "InstrumentTable", "default_instruments"]


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    items: frozenset[str]
    window_days: int


class InstrumentTable:
    """The known instruments and the matcher over their aliases."""

    def __init__(self, instruments: dict[str, Instrument], aliases: dict[str, list[str]]) -> None:
        self.instruments = instruments
        self._matcher = Matcher(aliases, where=str(INSTRUMENTS_FILE.name))

    @classmethod
    def load(cls, path: Path = INSTRUMENTS_FILE) -> InstrumentTable:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise KnowledgeError(f"{path.name}: cannot read the instruments: {exc}") from exc
        instruments: dict[str, Instrument] = {}
        aliases: dict[str, list[str]] = {}
        for ident, spec in data.items():
            if not isinstance(spec, dict):
                raise KnowledgeError(f"{path.name}: {ident} is not a table")
            by_language = spec.get("aliases", {})
            items = spec.get("items", [])
            window = spec.get("window_days", 60)
            if not isinstance(by_language, dict) or not isinstance(items, list) or not items:
                raise KnowledgeError(f"{path.name}: {ident} needs items and aliases")
            if not isinstance(window, int) or window <= 0:
                raise KnowledgeError(f"{path.name}: {ident} window_days must be a positive integer")
            instruments[ident] = Instrument(
                id=ident,
                name=str(spec.get("name", ident)),
                items=frozenset(str(i) for i in items),
                window_days=window,
            )
            label = f"instrument:{ident}"
            for lang, patterns in by_language.items():
                if not isinstance(patterns, list):
                    raise KnowledgeError(f"{path.name}: {ident}.aliases.{lang} is not a list")
                aliases.setdefault(label, []).extend(str(p) for p in patterns)
        return cls(instruments, aliases)

    def identify(self, texts: tuple[str, ...], force: str | None) -> Instrument | None:
        """The known instrument an agreement's texts name, the first named when several are;
        ``None`` when none is named or the one named cannot be the event's force item."""
        item = (force or "").partition(":")[0]
        for text in texts:
            hits = sorted(self._matcher.find(text), key=lambda h: (h.start, -h.end))
            for hit in hits:
                found = self.instruments.get(hit.label.partition(":")[2])
                if found is not None and (not item or item in found.items):
                    return found
        return None


@lru_cache(maxsize=1)
def default_instruments() -> InstrumentTable:
    return InstrumentTable.load()
