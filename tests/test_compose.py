"""docker-compose.yml and the Dockerfile, checked without Docker: services, health checks, wiring.

The pipeline's environment (with compose's ``${VAR:-default}`` defaults applied) must pass the
project's own settings validation, and name only variables that the settings read.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from flows import settings as settings_module
from flows.settings import VERSION, load_settings

ROOT = Path(__file__).resolve().parent.parent
_DEFAULTS = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::?-(?P<default>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's ``${VAR}`` / ``${VAR:-default}`` substitution (enough for this file)."""
    env = env or {}

    def sub(match: re.Match[str]) -> str:
        return env.get(match["name"]) or (match["default"] or "")

    return _DEFAULTS.sub(sub, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {str(k): interpolate(str(v)) for k, v in env.items()}


def test_the_four_services_are_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"postgres", "prefect", "pipeline", "mailpit"}
    assert set(compose["volumes"]) >= {"postgres-data", "rudprk-data"}


def test_postgres_has_a_health_check_the_pipeline_waits_for(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert postgres["image"].startswith("postgres:")
    test = postgres["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL" and "pg_isready" in test[1]
    env = _environment(postgres)
    assert f"-U {env['POSTGRES_USER']}" in test[1] and f"-d {env['POSTGRES_DB']}" in test[1]
    depends = compose["services"]["pipeline"]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["prefect"]["condition"] == "service_healthy"
    assert "mailpit" in depends


def test_prefect_server(compose: dict[str, Any]) -> None:
    prefect = compose["services"]["prefect"]
    assert prefect["image"] == "prefecthq/prefect:3.8.8-python3.11"
    assert " ".join(prefect["command"]) == "prefect server start --host 0.0.0.0"
    env = _environment(prefect)
    assert env["DO_NOT_TRACK"] == "1"
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert [interpolate(p) for p in prefect["ports"]] == ["127.0.0.1:4200:4200"]
    assert env["PREFECT_UI_API_URL"] == "http://127.0.0.1:4200/api"
    assert "/api/health" in " ".join(prefect["healthcheck"]["test"])


def test_pipeline_wiring_passes_the_settings_validation(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    services = compose["services"]
    pipeline = services["pipeline"]
    assert pipeline["build"] == "."
    assert pipeline["command"] == ["serve"]
    env = _environment(pipeline)
    assert env["PREFECT_API_URL"] == "http://prefect:4200/api"
    assert env["DO_NOT_TRACK"] == "1"

    url = make_url(env["RUDPRK_DATABASE_URL"])
    pg = _environment(services["postgres"])
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "postgres" and url.port == 5432
    assert (url.username, url.database) == (pg["POSTGRES_USER"], pg["POSTGRES_DB"])
    assert url.password is None  # the password comes from the secret file only

    assert env["RUDPRK_SMTP_HOST"] == "mailpit"
    assert env["RUDPRK_SMTP_PORT"] == "1025"
    mailpit_ports = [interpolate(p) for p in services["mailpit"]["ports"]]
    assert mailpit_ports == ["127.0.0.1:8025:8025", "127.0.0.1:1025:1025"]

    # The secret as Docker mounts it, read by the settings like in the container.
    secret = tmp_path / "db_password"
    secret.write_text("s3cret-from-file\n")
    assert env["RUDPRK_DATABASE_PASSWORD_FILE"] == "/run/secrets/db_password"
    settings = load_settings(
        {**env, "RUDPRK_DATABASE_PASSWORD_FILE": str(secret)}, cwd=Path("/data")
    )
    assert settings.smtp_host == "mailpit"
    assert settings.smtp_port == 1025
    assert settings.smtp_tls == "none"
    assert settings.database_dsn() == (
        "postgresql+psycopg://rudprk:s3cret-from-file@postgres:5432/rudprk"
    )
    assert "s3cret" not in settings.database_url
    assert settings.alert_to


def test_the_database_password_is_one_docker_secret(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(compose["secrets"]) == {"db_password"}
    assert interpolate(compose["secrets"]["db_password"]["file"]) == "./secrets/db_password.txt"
    assert services["postgres"]["secrets"] == ["db_password"]
    assert services["pipeline"]["secrets"] == ["db_password"]
    assert (
        _environment(services["postgres"])["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_password"
    )
    for service in services.values():
        env = _environment(service)
        assert not any("PASSWORD" in k and not k.endswith("_FILE") for k in env), env
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/secrets/" in ignored and ".env" in ignored
    assert "secrets" in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()


def test_every_service_is_pinned_restarted_and_health_checked(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest", f"{name}: {image} is not pinned"
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
        assert "no-new-privileges:true" in service["security_opt"], name
    depends = compose["services"]["pipeline"]["depends_on"]
    assert {d["condition"] for d in depends.values()} == {"service_healthy"}


def test_the_pipeline_runs_hardened_and_checks_itself(compose: dict[str, Any]) -> None:
    pipeline = compose["services"]["pipeline"]
    assert pipeline["healthcheck"]["test"] == ["CMD", "rudprk", "check", "--no-feeds"]
    assert pipeline["read_only"] is True
    assert pipeline["tmpfs"] == ["/tmp"]
    assert pipeline["cap_drop"] == ["ALL"]
    uid = pipeline["user"].split(":")[0]
    assert uid not in ("0", "root")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"--uid {uid} " in dockerfile  # the image's own user
    # Only the volume is writable: the data folder and Prefect's home live in it.
    assert pipeline["volumes"] == ["rudprk-data:/data"]
    assert "RUDPRK_DATA_DIR=/data" in dockerfile and "PREFECT_HOME=/data/prefect" in dockerfile
    assert pipeline["image"] == f"rudprk-watch:{VERSION}"


def test_env_example_lists_exactly_the_variables_compose_reads() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    used = {m["name"] for m in _DEFAULTS.finditer(text)}
    example = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            example[key] = value
    assert set(example) == used
    # Its values are the compose file's defaults, and none is a secret.
    for match in _DEFAULTS.finditer(text):
        assert example[match["name"]] == (match["default"] or ""), match["name"]
    assert not any("PASSWORD" in k and not k.endswith("_SECRET") for k in example)


def test_pipeline_sets_only_variables_the_settings_read(compose: dict[str, Any]) -> None:
    source = inspect.getsource(settings_module)
    for name in _environment(compose["services"]["pipeline"]):
        if name.startswith("RUDPRK_") and name.endswith("_FILE"):
            base = name.removesuffix("_FILE")  # NAME_FILE is read with NAME (_secret_or_file)
            assert f'_secret_or_file(env, "{base}")' in source, f"{name} is not read"
        elif name.startswith("RUDPRK_"):
            assert f'"{name}"' in source, f"{name} is not read by flows/settings.py"


def test_compose_defaults_are_overridable() -> None:
    value = "${RUDPRK_BIND_ADDRESS:-127.0.0.1}:4200:4200"
    assert interpolate(value) == "127.0.0.1:4200:4200"
    assert interpolate(value, {"RUDPRK_BIND_ADDRESS": "0.0.0.0"}) == "0.0.0.0:4200:4200"


def test_dockerfile_is_slim_non_root_with_the_rudprk_entrypoint() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    froms = [line for line in lines if line.startswith("FROM ")]
    assert froms and all(line.split()[1] == "python:3.11-slim" for line in froms)
    final_stage = lines[lines.index(froms[-1]) :]
    users = [line.split()[1] for line in final_stage if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert 'ENTRYPOINT ["rudprk"]' in final_stage
    assert any(line.startswith("RUN pip install") or "pip install ." in line for line in lines)
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {".venv", ".git", "data"} <= set(ignored)
    assert "README.md" not in ignored  # pyproject.toml's readme must be in the build context
