"""A figure while it is being read: its span, range, qualifier and scale."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Atom:
    start: int
    end: int
    low: int
    high: int
    qualifier: str
    scale: int  # multiplier of an explicit scale word (1 if none)
    unit: str | None = None
    maybe_year: bool = False
    skip_unit: bool = False
    unit_end: int = -1
