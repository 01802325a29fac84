"""Quantities stated in running text ("12 000 soldats", "about 3,000 troops", "1만 명", "三千人").

The scanner lives in :mod:`alerts.figures.extract`; the number words it reads are generated
data (``alerts/figures/data/<lang>.toml``, written by ``python -m alerts.figures.build``).
"""

from alerts.figures.extract import QUALIFIERS, Quantity, extract_quantities

__all__ = ["QUALIFIERS", "Quantity", "extract_quantities"]
