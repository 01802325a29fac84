"""The storage package's exception tree (one base, as httpx does).

::

    StorageError
    ├── DatabaseUnavailableError   the database could not be reached or opened (at start)
    ├── DatabaseFaultError         the database failed during work, even after one retry
    ├── MigrationError             the schema could not be brought to the current revision
    ├── LockHeldError              another pass holds a stage's lock
    └── LockLostError              this pass's lock expired and was taken over
"""

from __future__ import annotations

from datetime import datetime


class StorageError(Exception):
    """Base of every error raised by :mod:`storage`."""


class DatabaseUnavailableError(StorageError):
    """The database could not be reached or opened."""


class DatabaseFaultError(StorageError):
    """The database failed during a unit of work, and again on its one retry."""


class MigrationError(StorageError):
    """The schema could not be brought to the current revision."""


class LockHeldError(StorageError):
    """Another pass holds the lock: this one must not run the stage."""

    def __init__(self, name: str, holder: str, acquired_at: datetime, expires_at: datetime) -> None:
        self.name = name
        self.holder = holder
        self.acquired_at = acquired_at
        self.expires_at = expires_at
        super().__init__(
            f"another pass holds the {name} lock ({holder}, since "
            f"{acquired_at:%Y-%m-%d %H:%M:%S} UTC; it expires at {expires_at:%H:%M:%S} UTC "
            "unless renewed)"
        )


class LockLostError(StorageError):
    """This pass's lock expired (its renewals failed) and may now be held by another pass."""
