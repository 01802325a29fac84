"""The storage package's exception tree (one base, as httpx does)."""


class StorageError(Exception):
    """Base of every error raised by :mod:`storage`."""


class DatabaseUnavailableError(StorageError):
    """The database could not be reached or opened."""


class MigrationError(StorageError):
    """The schema could not be brought to the current revision."""
