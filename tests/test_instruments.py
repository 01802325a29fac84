"""Known instruments as data: one id whatever the language, and bad data named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.errors import KnowledgeError
from alerts.instruments import InstrumentTable, default_instruments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Putin and Kim signed the Comprehensive Strategic Partnership Treaty", "csp-treaty-2024"),
        ("Le traité de partenariat stratégique global a été ratifié", "csp-treaty-2024"),
        (
            "Госдума ратифицировала договор о всеобъемлющем стратегическом партнёрстве",
            "csp-treaty-2024",
        ),
        ("북러 포괄적 전략동반자 조약 발효", "csp-treaty-2024"),
        ("Le premier pont routier sur le Toumen ouvert", "tumen-road-bridge"),
        ("Рельсы Хасан-Раджин: линия открыта", "khasan-rajin-rail"),
        ("Russia and North Korea agree on visa-free group tours", "visa-free-tourism"),
    ],
)
def test_aliases_of_every_language_name_the_same_instrument(text: str, expected: str) -> None:
    found = default_instruments().identify((text,), None)
    assert found is not None and found.id == expected


def test_an_instrument_is_not_taken_for_a_force_it_cannot_be() -> None:
    table = default_instruments()
    text = "The Comprehensive Strategic Partnership Treaty was signed"
    assert table.identify((text,), "treaty:signature") is not None
    assert table.identify((text,), "flights:arrangement") is None
    assert table.identify(("An agreement on fisheries was signed",), "accord:signature") is None


def test_bad_instrument_data_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "instruments.toml"
    path.write_text('[bridge]\nname = "x"\nitems = []\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="bridge needs items and aliases"):
        InstrumentTable.load(path)
    path.write_text("[bridge\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="cannot read the instruments"):
        InstrumentTable.load(path)
    path.write_text('[b]\nitems = ["bridge"]\nwindow_days = 0\n[b.aliases]\nen = ["x"]\n')
    with pytest.raises(KnowledgeError, match="window_days must be a positive integer"):
        InstrumentTable.load(path)
