"""This installation's id: created once (by migration ``0003``, or here if the row is missing) and
stored in the database, so two installations, or a database rebuilt from scratch, never share it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Installation
from storage.statements import insert_ignoring_conflicts

INSTALLATION_ROW = 1


def installation_id(session: Session) -> str:
    """The 32-hex-digit id of this installation (created on first use if absent)."""
    found = session.scalar(
        select(Installation.installation_id).where(Installation.id == INSTALLATION_ROW)
    )
    if found:
        return str(found)
    session.execute(
        insert_ignoring_conflicts(session, Installation).values(
            id=INSTALLATION_ROW, installation_id=uuid.uuid4().hex, created_at=datetime.now(UTC)
        )
    )
    created = session.scalar(
        select(Installation.installation_id).where(Installation.id == INSTALLATION_ROW)
    )
    return str(created)
