"""The learned decisions at run time: the heads decide, the rules' outputs are their features."""

from __future__ import annotations

import json
from datetime import date

import pytest

from alerts.detect import detect_article
from alerts.detection.decisions import CASCADE_FILE, DECISIONS, cascade_bands, mode
from alerts.detection.features import FEATURE_NAMES, analyse, evidence_tokens, rule_features
from alerts.detection.learned import model_set_info
from alerts.errors import ModelError

PUB = date(2026, 11, 10)
SENT = "North Korea has sent 3,000 more troops to Russia's Kursk region, the NIS said on Tuesday."


def test_rule_features_name_every_feature_and_the_evidence() -> None:
    a = analyse(SENT, lang="en", published=PUB)
    features = rule_features(a)
    assert set(features) == set(FEATURE_NAMES)
    assert features["rule_type_deployment"] == 1.0 and features["frame_report"] == 1.0
    assert "act:sent" in evidence_tokens(a)


def test_the_shipped_cascade_file_belongs_to_the_shipped_models() -> None:
    data = json.loads(CASCADE_FILE.read_text(encoding="utf-8"))
    version = (model_set_info() or {}).get("version")
    assert data["model_set_version"] == version
    assert set(cascade_bands(str(version))) == set(DECISIONS)
    assert cascade_bands("ms1-another") == {}


def test_the_models_decide_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    learned = detect_article(SENT, lang="en", published=PUB)
    assert learned.model == (model_set_info() or {}).get("version") and learned.alert_worthy
    monkeypatch.setenv("RUDPRK_DETECTION", "rules")
    rules = detect_article(SENT, lang="en", published=PUB)
    assert rules.model is None and rules.alert_worthy
    monkeypatch.setenv("RUDPRK_DETECTION", "guess")
    with pytest.raises(ModelError, match="RUDPRK_DETECTION"):
        mode()


def test_a_learned_denial_does_not_alert() -> None:
    d = detect_article(
        "КНДР не направляла войска в Россию, заявили в МИД КНДР.", lang="ru", published=PUB
    )
    assert not d.alert_worthy
