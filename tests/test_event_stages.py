"""``rudprk events --stage``: agreements by the analyst's stage, on a real migrated database
(SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from typing import Any

import pytest
from seeding import EVENTS, seed_alerts
from sqlalchemy.orm import Session

from storage.queries import AgreementStage, EventFilter, agreement_stage, list_events


def _agreement(summary: str, stage: str | None) -> dict[str, Any]:
    return {**EVENTS[1], "summary": summary, "stage": stage}


STAGED = [
    EVENTS[0],  # a deployment: never an agreement stage
    _agreement("Protocol on the Tumen bridge signed", "signature"),
    _agreement("Treaty ratified by the Duma", "ratification"),
    _agreement("Ratification law signed by the president", "enactment"),
    _agreement("Treaty enters into force", "entry into force"),
    _agreement("Moscow–Pyongyang trains resume", "arrangement"),
    _agreement("Accord on tourism mentioned", None),
]


def _summaries(session: Session, *stages: AgreementStage) -> set[str]:
    return {row["summary"] for row in list_events(session, EventFilter(stages=stages))}


def test_each_stage_selects_its_agreements(session: Session) -> None:
    seed_alerts(session, STAGED, alert=False)
    assert _summaries(session, AgreementStage.signed) == {"Protocol on the Tumen bridge signed"}
    assert _summaries(session, AgreementStage.ratified) == {
        "Treaty ratified by the Duma",
        "Ratification law signed by the president",
    }
    assert _summaries(session, AgreementStage.in_force) == {"Treaty enters into force"}
    assert _summaries(session, AgreementStage.implemented) == {"Moscow–Pyongyang trains resume"}
    # no stage recorded: only agreements, never the deployment (whose stage is NULL too)
    assert _summaries(session, AgreementStage.announced) == {"Accord on tourism mentioned"}
    assert _summaries(session, AgreementStage.announced, AgreementStage.in_force) == {
        "Accord on tourism mentioned",
        "Treaty enters into force",
    }
    every = _summaries(session, *AgreementStage)
    assert len(every) == len(STAGED) - 1 and EVENTS[0]["summary"] not in every


def test_stage_combines_with_the_other_filters(session: Session) -> None:
    seed_alerts(session, STAGED, alert=False)
    where = EventFilter(stages=(AgreementStage.signed,), modalities=("background",))
    assert list_events(session, where) == []
    where = EventFilter(stages=(AgreementStage.signed,), event_types=("deployment",))
    assert list_events(session, where) == []


@pytest.mark.parametrize(
    ("event_type", "stored", "named"),
    [
        ("agreement", "signature", AgreementStage.signed),
        ("agreement", "enactment", AgreementStage.ratified),
        ("agreement", None, AgreementStage.announced),
        ("agreement", "something new", None),
        ("deployment", None, None),
    ],
)
def test_agreement_stage_names_the_stored_stage(
    event_type: str, stored: str | None, named: AgreementStage | None
) -> None:
    assert agreement_stage(event_type, stored) == named
