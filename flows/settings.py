"""Configuration from the environment, validated at start-up.

Every problem names the variable at fault, so ``rudprk run`` can exit with one clear line.
Secrets (the SMTP password, the database URL's password) are held as ``SecretStr``: they never
appear in a ``repr``, a log line, a summary, a Prefect parameter or the database; the database
URL kept in :attr:`Settings.database_url` never contains its password.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

if TYPE_CHECKING:
    from alerts.rules import RuleSet

VERSION = "0.1.0"
USER_AGENT = f"rudprk-watch/{VERSION} (+https://github.com/rudprk/rudprk-watch; news monitor)"
TLS_MODES = ("none", "starttls", "ssl")


class SettingsError(ValueError):
    """A configuration variable is missing or invalid."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


def bundled_sources_path() -> Path:
    return Path(__file__).with_name("data") / "sources.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str  # without its password (see database_password)
    sources_path: Path
    data_dir: Path
    database_password: SecretStr | None = field(default=None, repr=False)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = field(default=None, repr=False)
    smtp_tls: str = "none"
    alert_from: str = "rudprk-watch <rudprk@localhost>"
    alert_to: tuple[str, ...] = ("analysts@localhost",)
    freshness_hours: float = 72.0
    schedule: str = "*/15 * * * *"
    user_agent: str = USER_AGENT
    fetch_articles: bool = True
    timeout_seconds: float = 30.0
    digest_hour: int | None = 7
    knowledge_dir: Path | None = None
    # How long a pass's locks and claims outlive it if it dies; renewed every third of it.
    lease_seconds: float = 120.0
    # The language of the alert e-mails (a file of alerts/locale/), the rules file (None: the
    # default rule), and the time zone of RUDPRK_DIGEST_HOUR.
    alert_language: str = "en"
    rules_path: Path | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        # A password given inside the URL moves to database_password, so that database_url can
        # be shown, logged and compared without leaking it.
        try:
            url = make_url(self.database_url)
        except (ArgumentError, ValueError):
            return
        if url.password is None:
            return
        object.__setattr__(self, "database_password", SecretStr(str(url.password)))
        object.__setattr__(
            self, "database_url", url._replace(password=None).render_as_string(hide_password=False)
        )

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    def database_dsn(self) -> str:
        """The database URL with its password: for opening the engine, nothing else."""
        if self.database_password is None:
            return self.database_url
        url = make_url(self.database_url).set(password=self.database_password.get_secret_value())
        return url.render_as_string(hide_password=False)

    def rules(self) -> RuleSet:
        """The alert rules (the file was checked when the settings were loaded)."""
        from alerts.rules import DEFAULT_RULES, load_rules

        return load_rules(self.rules_path) if self.rules_path is not None else DEFAULT_RULES

    def smtp_secret(self) -> str | None:
        """The SMTP password in clear: for the SMTP login, nothing else."""
        return self.smtp_password.get_secret_value() if self.smtp_password else None


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected a whole number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(name, f"must be between {lo} and {hi}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, lo: float, hi: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, f"expected a number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise SettingsError(name, f"must be between {lo:g} and {hi:g}, got {value:g}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(name, f"expected true or false, got {raw!r}")


def _address(name: str, value: str) -> str:
    value = value.strip()
    if "@" not in value or any(c in value for c in "\r\n"):
        raise SettingsError(name, f"not an e-mail address: {value!r}")
    return value


# The nicknames Prefect's schedules accept, as the five fields they stand for.
CRON_NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def _check_cron(name: str, value: str) -> str:
    """A five-field cron expression (or a nickname such as ``@hourly``), checked field by field
    with cronsim; returned as the five fields."""
    from cronsim import CronSim, CronSimError

    text = " ".join(value.split())
    expression = CRON_NICKNAMES.get(text.lower(), text)
    if len(expression.split()) != 5:
        raise SettingsError(
            name,
            f"expected a 5-field cron expression such as '*/15 * * * *' or @hourly, got {value!r}",
        )
    try:
        CronSim(expression, datetime(2026, 1, 1))
    except CronSimError as exc:
        reason = str(exc).lower() or "invalid"
        raise SettingsError(name, f"{reason} in {value!r}") from None
    return expression


def _secret_or_file(env: Mapping[str, str], name: str) -> str | None:
    """``NAME`` or the content of the file named by ``NAME_FILE`` (Docker secrets), not both."""
    value = env.get(name) or None
    file_name = env.get(f"{name}_FILE")
    if not file_name:
        return value
    if value:
        raise SettingsError(f"{name}_FILE", f"set either {name} or this, not both")
    try:
        content = Path(file_name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"{name}_FILE", f"cannot read {file_name}: {exc.strerror}") from None
    if not content:
        raise SettingsError(f"{name}_FILE", f"{file_name} is empty")
    return content


@lru_cache(maxsize=8)
def _load_knowledge_once(directory: str, signature: tuple[tuple[str, int, int], ...]) -> None:
    """Load (and so validate) a knowledge folder once per content (``signature``: its files'
    names, sizes and modification times), however often settings are read in a process."""
    from alerts.detection.lexicon import load_lexicons

    load_lexicons(Path(directory))


def _folder_signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        files = sorted(directory.glob("*.toml"))
        return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    except OSError:
        return ()


def _knowledge_dir(env: Mapping[str, str]) -> Path | None:
    """``RUDPRK_KNOWLEDGE_DIR``, loaded and compiled now: a bad folder stops the command here,
    before any feed is fetched (instead of failing every feed, one by one, mid-pass)."""
    from alerts.errors import KnowledgeError

    raw = (env.get("RUDPRK_KNOWLEDGE_DIR") or "").strip()
    if not raw:
        return None
    directory = Path(raw).expanduser()
    try:
        _load_knowledge_once(str(directory.resolve()), _folder_signature(directory))
    except KnowledgeError as exc:
        raise SettingsError("RUDPRK_KNOWLEDGE_DIR", str(exc)) from None
    return directory


def _check_morphology(env: Mapping[str, str]) -> None:
    """``RUDPRK_MORPHOLOGY``: ``on``, ``off`` or ``full`` (read by detection itself)."""
    from alerts.detection.morphology import ENV_VAR, mode
    from alerts.errors import KnowledgeError

    try:
        mode(env)
    except KnowledgeError as exc:
        raise SettingsError(ENV_VAR, str(exc).removeprefix(f"{ENV_VAR}: ")) from None


def _alert_language(env: Mapping[str, str]) -> str:
    """``RUDPRK_ALERT_LANGUAGE``: a language with a message file (checked now)."""
    from alerts.errors import LocaleError
    from alerts.messages import load_messages

    code = (env.get("RUDPRK_ALERT_LANGUAGE") or "en").strip().lower()
    try:
        load_messages(code)
    except LocaleError as exc:
        raise SettingsError("RUDPRK_ALERT_LANGUAGE", str(exc)) from None
    return code


def _rules_path(env: Mapping[str, str]) -> Path | None:
    """``RUDPRK_RULES``: loaded and checked now, so a bad rule stops the command at start-up."""
    from alerts.errors import RulesError
    from alerts.rules import load_rules

    raw = (env.get("RUDPRK_RULES") or "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    try:
        load_rules(path)
    except RulesError as exc:
        raise SettingsError("RUDPRK_RULES", str(exc)) from None
    return path


def _timezone(env: Mapping[str, str]) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (env.get("RUDPRK_TIMEZONE") or "UTC").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            "RUDPRK_TIMEZONE", f"unknown time zone {name!r} (expected e.g. Europe/Paris)"
        ) from None
    return name


def load_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Read and validate ``RUDPRK_*`` variables (see README's configuration table)."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    data_dir = Path(env.get("RUDPRK_DATA_DIR") or cwd / "data")

    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError("RUDPRK_DATA_DIR", f"not a folder: {data_dir}")

    database_url = _secret_or_file(env, "RUDPRK_DATABASE_URL") or (
        f"sqlite:///{data_dir / 'rudprk.sqlite3'}"
    )
    try:
        parsed = make_url(database_url)
    except (ArgumentError, ValueError):
        # The value is not echoed: it may hold a password.
        raise SettingsError(
            "RUDPRK_DATABASE_URL", "not a SQLAlchemy URL (expected sqlite:///… or postgresql://…)"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            "RUDPRK_DATABASE_URL",
            f"unsupported backend {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://",
        )

    database_password = _secret_or_file(env, "RUDPRK_DATABASE_PASSWORD")
    if database_password is not None:
        if parsed.get_backend_name() == "sqlite":
            raise SettingsError("RUDPRK_DATABASE_PASSWORD", "SQLite databases take no password")
        if parsed.password is not None:
            raise SettingsError(
                "RUDPRK_DATABASE_PASSWORD", "RUDPRK_DATABASE_URL holds a password already"
            )

    sources = Path(env["RUDPRK_SOURCES"]) if env.get("RUDPRK_SOURCES") else bundled_sources_path()
    if not sources.is_file():
        raise SettingsError("RUDPRK_SOURCES", f"no such file: {sources}")

    smtp_host = (env.get("RUDPRK_SMTP_HOST") or "").strip() or None
    tls = (env.get("RUDPRK_SMTP_TLS") or "none").strip().lower()
    if tls not in TLS_MODES:
        raise SettingsError(
            "RUDPRK_SMTP_TLS", f"expected one of {', '.join(TLS_MODES)}, got {tls!r}"
        )
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
    port = _int(env, "RUDPRK_SMTP_PORT", default_port, 1, 65535)

    password = _secret_or_file(env, "RUDPRK_SMTP_PASSWORD")
    smtp_user = env.get("RUDPRK_SMTP_USER") or None
    if password and not smtp_user:
        raise SettingsError("RUDPRK_SMTP_USER", "required when an SMTP password is set")

    alert_from = _address("RUDPRK_ALERT_FROM", env.get("RUDPRK_ALERT_FROM") or Settings.alert_from)
    raw_to = env.get("RUDPRK_ALERT_TO")
    if raw_to is not None and raw_to.strip():
        recipients = tuple(_address("RUDPRK_ALERT_TO", a) for a in raw_to.split(",") if a.strip())
    else:
        recipients = Settings.alert_to
    if smtp_host and raw_to is None:
        raise SettingsError("RUDPRK_ALERT_TO", "required when RUDPRK_SMTP_HOST is set")

    raw_digest = (env.get("RUDPRK_DIGEST_HOUR") or "7").strip().lower()
    digest_hour = (
        None if raw_digest in ("off", "none", "") else _int(env, "RUDPRK_DIGEST_HOUR", 7, 0, 23)
    )

    knowledge_dir = _knowledge_dir(env)
    _check_morphology(env)
    alert_language = _alert_language(env)
    rules_path = _rules_path(env)
    timezone = _timezone(env)

    return Settings(
        database_url=database_url,
        database_password=SecretStr(database_password) if database_password else None,
        sources_path=sources,
        data_dir=data_dir,
        smtp_host=smtp_host,
        smtp_port=port,
        smtp_user=smtp_user,
        smtp_password=SecretStr(password) if password else None,
        smtp_tls=tls,
        alert_from=alert_from,
        alert_to=recipients,
        freshness_hours=_float(env, "RUDPRK_FRESHNESS_HOURS", 72.0, 0.0, 24.0 * 3650),
        schedule=_check_cron("RUDPRK_SCHEDULE", env.get("RUDPRK_SCHEDULE") or "*/15 * * * *"),
        fetch_articles=_bool(env, "RUDPRK_FETCH_ARTICLES", True),
        timeout_seconds=_float(env, "RUDPRK_TIMEOUT_SECONDS", 30.0, 1.0, 600.0),
        digest_hour=digest_hour,
        knowledge_dir=knowledge_dir,
        lease_seconds=_float(env, "RUDPRK_LEASE_SECONDS", 120.0, 1.0, 3600.0),
        alert_language=alert_language,
        rules_path=rules_path,
        timezone=timezone,
    )
