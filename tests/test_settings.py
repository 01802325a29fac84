from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from flows.settings import SettingsError, bundled_sources_path, load_settings
from flows.sources import SourcesError, load_sources


def test_defaults_use_sqlite_in_data_folder_and_bundled_sources(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'rudprk.sqlite3'}"
    assert settings.sources_path == bundled_sources_path()
    assert settings.smtp_host is None
    assert settings.outbox_dir == tmp_path / "data" / "outbox"
    assert settings.freshness_hours == 72
    assert settings.schedule == "*/15 * * * *"


def test_full_configuration(tmp_path: Path) -> None:
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n")
    settings = load_settings(
        {
            "RUDPRK_DATABASE_URL": "postgresql+psycopg://u@db/rudprk",
            "RUDPRK_SMTP_HOST": "smtp.example.org",
            "RUDPRK_SMTP_TLS": "starttls",
            "RUDPRK_SMTP_USER": "bot",
            "RUDPRK_SMTP_PASSWORD_FILE": str(pw),
            "RUDPRK_ALERT_FROM": "watch@example.org",
            "RUDPRK_ALERT_TO": "a@example.org, b@example.org",
            "RUDPRK_FRESHNESS_HOURS": "24",
            "RUDPRK_SCHEDULE": "*/5 * * * *",
        },
        cwd=tmp_path,
    )
    assert settings.smtp_port == 587
    assert settings.smtp_password is not None
    assert settings.smtp_secret() == "s3cret"
    assert settings.alert_to == ("a@example.org", "b@example.org")
    assert settings.freshness_hours == 24
    assert "s3cret" not in repr(settings) and "s3cret" not in str(settings)


def test_the_database_password_is_a_secret_kept_out_of_the_url(tmp_path: Path) -> None:
    settings = load_settings(
        {"RUDPRK_DATABASE_URL": "postgresql+psycopg://rudprk:p%40ss-w0rd@db:5432/rudprk"},
        cwd=tmp_path,
    )
    assert settings.database_url == "postgresql+psycopg://rudprk@db:5432/rudprk"
    assert settings.database_password is not None
    assert settings.database_dsn() == "postgresql+psycopg://rudprk:p%40ss-w0rd@db:5432/rudprk"
    assert "w0rd" not in repr(settings)
    # a URL with a password given to the dataclass directly is split the same way
    direct = replace(settings, database_url="postgresql://u:hunter2@h/d", database_password=None)
    assert direct.database_url == "postgresql://u@h/d"
    assert direct.database_dsn() == "postgresql://u:hunter2@h/d"


def test_database_url_from_a_file(tmp_path: Path) -> None:
    url_file = tmp_path / "db-url"
    url_file.write_text("postgresql+psycopg://rudprk:from-file@db/rudprk\n")
    settings = load_settings({"RUDPRK_DATABASE_URL_FILE": str(url_file)}, cwd=tmp_path)
    assert settings.database_dsn() == "postgresql+psycopg://rudprk:from-file@db/rudprk"
    assert "from-file" not in settings.database_url
    with pytest.raises(SettingsError) as both:
        load_settings(
            {"RUDPRK_DATABASE_URL_FILE": str(url_file), "RUDPRK_DATABASE_URL": "sqlite://"},
            cwd=tmp_path,
        )
    assert both.value.variable == "RUDPRK_DATABASE_URL_FILE"


def test_database_password_from_a_docker_secret(tmp_path: Path) -> None:
    secret = tmp_path / "db_password"
    secret.write_text("s3cr%t@x\n")
    env = {
        "RUDPRK_DATABASE_URL": "postgresql+psycopg://rudprk@postgres:5432/rudprk",
        "RUDPRK_DATABASE_PASSWORD_FILE": str(secret),
    }
    settings = load_settings(env, cwd=tmp_path)
    assert settings.database_url == "postgresql+psycopg://rudprk@postgres:5432/rudprk"
    dsn = settings.database_dsn()
    assert dsn == "postgresql+psycopg://rudprk:s3cr%25t%40x@postgres:5432/rudprk"
    assert "s3cr" not in repr(settings)
    for clash in (
        {**env, "RUDPRK_DATABASE_URL": "postgresql+psycopg://rudprk:pw@postgres/rudprk"},
        {**env, "RUDPRK_DATABASE_URL": "sqlite:///x.sqlite3"},
    ):
        with pytest.raises(SettingsError) as info:
            load_settings(clash, cwd=tmp_path)
        assert info.value.variable == "RUDPRK_DATABASE_PASSWORD"


def test_a_bad_database_url_is_named_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"RUDPRK_DATABASE_URL": "::nope:: secret-pw"}, cwd=tmp_path)
    assert info.value.variable == "RUDPRK_DATABASE_URL"
    assert "secret-pw" not in str(info.value)


def test_knowledge_folder_is_loaded_at_start_up(tmp_path: Path) -> None:
    from alerts.detection.lexicon import BUNDLED_DIR

    good = tmp_path / "knowledge"
    shutil.copytree(BUNDLED_DIR, good)
    assert load_settings({"RUDPRK_KNOWLEDGE_DIR": str(good)}, cwd=tmp_path).knowledge_dir == good
    (good / "en.toml").write_text("[broken\n")
    with pytest.raises(SettingsError) as info:
        load_settings({"RUDPRK_KNOWLEDGE_DIR": str(good)}, cwd=tmp_path)
    assert info.value.variable == "RUDPRK_KNOWLEDGE_DIR"
    assert "en.toml" in str(info.value)


def test_morphology_mode_is_checked_at_start_up(tmp_path: Path) -> None:
    for good in ("", "on", "OFF", "full"):
        load_settings({"RUDPRK_MORPHOLOGY": good}, cwd=tmp_path)
    with pytest.raises(SettingsError) as info:
        load_settings({"RUDPRK_MORPHOLOGY": "kiwipiepy"}, cwd=tmp_path)
    assert info.value.variable == "RUDPRK_MORPHOLOGY"
    assert str(info.value) == "RUDPRK_MORPHOLOGY: expected one of on, off, full, got 'kiwipiepy'"


def test_lease_seconds(tmp_path: Path) -> None:
    settings = load_settings({"RUDPRK_LEASE_SECONDS": "30"}, cwd=tmp_path)
    assert settings.lease.total_seconds() == 30
    assert load_settings({}, cwd=tmp_path).lease_seconds == 120


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"RUDPRK_DATABASE_URL": "mysql://x"}, "RUDPRK_DATABASE_URL"),
        ({"RUDPRK_DATABASE_URL": "::not a url::"}, "RUDPRK_DATABASE_URL"),
        ({"RUDPRK_DATABASE_URL": "postgresql://u:pw@h:9:5432/d"}, "RUDPRK_DATABASE_URL"),
        ({"RUDPRK_SOURCES": "/nonexistent/sources.toml"}, "RUDPRK_SOURCES"),
        ({"RUDPRK_SMTP_TLS": "tls13"}, "RUDPRK_SMTP_TLS"),
        ({"RUDPRK_SMTP_PORT": "smtp"}, "RUDPRK_SMTP_PORT"),
        ({"RUDPRK_SMTP_PORT": "70000"}, "RUDPRK_SMTP_PORT"),
        ({"RUDPRK_SMTP_HOST": "mx"}, "RUDPRK_ALERT_TO"),
        ({"RUDPRK_ALERT_TO": "not-an-address"}, "RUDPRK_ALERT_TO"),
        ({"RUDPRK_FRESHNESS_HOURS": "soon"}, "RUDPRK_FRESHNESS_HOURS"),
        ({"RUDPRK_FRESHNESS_HOURS": "-1"}, "RUDPRK_FRESHNESS_HOURS"),
        ({"RUDPRK_SCHEDULE": "every minute"}, "RUDPRK_SCHEDULE"),
        ({"RUDPRK_SCHEDULE": "99 * * * *"}, "RUDPRK_SCHEDULE"),
        ({"RUDPRK_SCHEDULE": "0 25 * * *"}, "RUDPRK_SCHEDULE"),
        ({"RUDPRK_SCHEDULE": "@sometimes"}, "RUDPRK_SCHEDULE"),
        ({"RUDPRK_SMTP_PASSWORD_FILE": "/nonexistent/pw"}, "RUDPRK_SMTP_PASSWORD_FILE"),
        ({"RUDPRK_DATABASE_URL_FILE": "/nonexistent/url"}, "RUDPRK_DATABASE_URL_FILE"),
        ({"RUDPRK_SMTP_PASSWORD": "pw"}, "RUDPRK_SMTP_USER"),
        ({"RUDPRK_KNOWLEDGE_DIR": "/nonexistent/knowledge"}, "RUDPRK_KNOWLEDGE_DIR"),
        ({"RUDPRK_LEASE_SECONDS": "0"}, "RUDPRK_LEASE_SECONDS"),
        ({"RUDPRK_DATA_DIR": "/etc/hostname"}, "RUDPRK_DATA_DIR"),
    ],
)
def test_bad_variable_is_named(env: dict[str, str], variable: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env, cwd=tmp_path)
    assert info.value.variable == variable
    assert str(info.value).startswith(variable)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("@hourly", "0 * * * *"),
        ("@DAILY", "0 0 * * *"),
        ("*/15  *  * * *", "*/15 * * * *"),
        ("0 7 * * mon-fri", "0 7 * * mon-fri"),
    ],
)
def test_schedule_accepts_cron_and_its_nicknames(value: str, expected: str, tmp_path: Path) -> None:
    assert load_settings({"RUDPRK_SCHEDULE": value}, cwd=tmp_path).schedule == expected


def test_bundled_sources_are_valid_and_cover_french_and_english() -> None:
    sources = load_sources(bundled_sources_path())
    languages = {s.language for s in sources}
    assert {"fr", "en"} <= languages
    assert len(sources) >= 15
    assert all(s.url.startswith("https://") for s in sources)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[feeds]]\nurl = 'https://a.test/rss'\n", "missing 'name'"),
        ("[[feeds]]\nname = 'A'\nurl = 'ftp://a.test/rss'\n", "'url' must be an http"),
        ("[[feeds]]\nname = 'A'\nurl = 'https://a.test'\nlanguage = 'f-r'\n", "'language'"),
        (
            "[[feeds]]\nname = 'A'\nurl = 'https://a.test'\n[[feeds]]\nname = 'B'\nurl = 'https://a.test'\n",
            "duplicate url",
        ),
        ("[[feeds]\n", "invalid TOML"),
        (
            "[[feeds]]\nname = 'A'\nurl = 'https://a.test'\ninterval = 5\n",
            "'interval' 5 is outside",
        ),
        ("[[feeds]]\nname = 'A'\nurl = 'https://a.test'\ninterval = '2w'\n", "'interval' must be"),
        ("[[feeds]]\nname = 'A'\nurl = 'https://a.test'\ninterval = true\n", "'interval' must be"),
        ("[[feeds]]\nname = 'A'\nurl = 'https://a.test'\ninterval = '2d'\n", "outside 10 seconds"),
    ],
)
def test_bad_sources_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text)
    with pytest.raises(SourcesError, match=message):
        load_sources(path)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30", 30), ("'45s'", 45), ("'5m'", 300), ("'2 h'", 7200), ("'1d'", 86400)],
)
def test_a_feed_may_set_its_own_interval(tmp_path: Path, value: str, seconds: int) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        f"[[feeds]]\nname = 'A'\nurl = 'https://a.test/rss'\ninterval = {value}\n"
        "[[feeds]]\nname = 'B'\nurl = 'https://b.test/rss'\n"
    )
    first, second = load_sources(path)
    assert (first.interval_seconds, second.interval_seconds) == (seconds, None)
