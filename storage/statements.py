"""Dialect-aware statements shared by the storage modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.errors import StorageError


def insert_ignoring_conflicts(session: Session, model: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for the session's backend (SQLite or PostgreSQL).

    With no conflict target, every unique constraint of the table is covered on both backends.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing()
    if name == "sqlite":
        return sqlite.insert(model).on_conflict_do_nothing()
    raise StorageError(f"unsupported database backend: {name}")
