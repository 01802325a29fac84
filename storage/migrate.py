"""Schema migrations with Alembic, driven from code (``rudprk db upgrade``; ``rudprk run`` upgrades first).

Migrations run under a lock so that several first passes on an empty database never race: on
PostgreSQL a transaction-level advisory lock (``pg_advisory_xact_lock``, one per schema), on
SQLite ``BEGIN IMMEDIATE`` (the database's write lock, taken before Alembic reads the current
revision). The second process waits for the first to commit, then finds the schema at head and
goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError as AlembicCommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from storage.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
ADVISORY_LOCK_PREFIX = "rudprk-watch:migrate:"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass(frozen=True)
class RevisionStep:
    """One migration as ``rudprk db history`` lists it."""

    revision: str
    down_revision: str | None
    title: str


def revision_history() -> list[RevisionStep]:
    """Every migration, head first."""
    script = ScriptDirectory.from_config(alembic_config())
    steps = []
    for rev in script.walk_revisions():
        raw = rev.down_revision
        down = raw if raw is None or isinstance(raw, str) else ", ".join(raw)
        title = (rev.doc or "").strip().splitlines()[0] if rev.doc else ""
        steps.append(RevisionStep(rev.revision, down, title))
    return steps


def known_revision(revision: str) -> bool:
    """Whether ``revision`` names a migration (or ``head``, ``base``, ``heads``, ``+1``, ``-1``…)."""
    if revision in ("head", "heads", "base") or (
        revision.lstrip("+-").isdigit() and revision[0] in "+-"
    ):
        return True
    script = ScriptDirectory.from_config(alembic_config())
    try:
        return script.get_revision(revision) is not None
    except (AlembicCommandError, ValueError, KeyError):
        return False


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def lock_for_migration(conn: Connection) -> None:
    """Take the migration lock on ``conn``'s transaction; held until it commits or rolls back."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:prefix || current_schema()))"),
            {"prefix": ADVISORY_LOCK_PREFIX},
        )
    elif dialect == "sqlite":
        # pysqlite begins a transaction only before DML, so DDL would otherwise run in
        # autocommit; this takes the write lock now (waiting up to the busy timeout).
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade_database(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` under the migration lock; return the revision now in place."""
    return _migrate(engine, revision, downgrade=False)


def downgrade_database(engine: Engine, revision: str) -> str | None:
    """Take the schema back to ``revision`` (every migration is reversible)."""
    return _migrate(engine, revision, downgrade=True)


def _migrate(engine: Engine, revision: str, *, downgrade: bool) -> str | None:
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            lock_for_migration(conn)
            cfg.attributes["connection"] = conn
            if downgrade:
                command.downgrade(cfg, revision)
            else:
                command.upgrade(cfg, revision)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise MigrationError(f"database migration failed: {reason}") from exc
    return current_revision(engine)
