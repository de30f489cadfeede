"""Settings come from the environment; a bad value stops the start with the variable's name."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cba.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    env_time_zone,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_a_bad_boolean_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)

    with pytest.raises(ImproperlyConfigured, match=f"^DEBUG='{value}' is not a boolean"):
        env_bool("DEBUG", True)


@pytest.mark.parametrize("value, expected", [("1", True), ("yes", True), ("0", False), ("", True)])
def test_booleans_read_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)

    assert env_bool("DEBUG", True) is expected


def test_a_bad_whole_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")

    with pytest.raises(ImproperlyConfigured, match="^EMAIL_PORT='twenty-five' is not a whole"):
        env_int("EMAIL_PORT", 25)


def test_a_number_below_its_minimum_names_the_variable(monkeypatch):
    monkeypatch.setenv("Q_WORKERS", "0")

    with pytest.raises(ImproperlyConfigured, match="^Q_WORKERS='0' must be at least 1"):
        env_int("Q_WORKERS", 2, minimum=1)


@pytest.mark.parametrize(
    "url",
    ["mysql://db/cba", "postgres://127.0.0.1:5432", "just-a-path.sqlite3", "sqlite://host/x"],
)
def test_a_bad_database_url_names_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="^DATABASE_URL"):
        database_from_url("DATABASE_URL", url, "/tmp/default.sqlite3")


def test_database_urls_for_postgresql_and_sqlite():
    pg = database_from_url(
        "DATABASE_URL", "postgres://cba:s%40cret@db.example.org:6432/cba?sslmode=require", ""
    )
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "cba",
        "cba",
        "s@cret",
        "db.example.org",
        "6432",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
    assert database_from_url("DATABASE_URL", "sqlite:////var/lib/cba.sqlite3", "")["NAME"] == (
        "/var/lib/cba.sqlite3"
    )
    assert database_from_url("DATABASE_URL", "sqlite:///db.sqlite3", "")["NAME"] == "db.sqlite3"
    assert database_from_url("DATABASE_URL", "", "/srv/db.sqlite3")["NAME"] == "/srv/db.sqlite3"


def test_a_missing_secret_names_the_variable(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env_str("SECRET_KEY", None)


def test_lists_choices_time_zones_and_redis_urls(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "example.org, www.example.org,")
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus_Mons")
    monkeypatch.setenv("REDIS_URL", "http://cache:6379")

    assert env_list("ALLOWED_HOSTS", []) == ["example.org", "www.example.org"]
    with pytest.raises(ImproperlyConfigured, match="^LOG_LEVEL='LOUD'"):
        env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO"])
    with pytest.raises(ImproperlyConfigured, match="^TIME_ZONE='Mars/Olympus_Mons'"):
        env_time_zone("TIME_ZONE", "UTC")
    with pytest.raises(ImproperlyConfigured, match="^REDIS_URL='http://cache:6379'"):
        env_redis_url("REDIS_URL")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_site_refuses_to_start_with_a_bad_value():
    result = manage("check", Q_WORKERS="many")

    assert result.returncode != 0
    assert "Q_WORKERS='many' is not a whole number." in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60)[:50],
        ALLOWED_HOSTS="example.org",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_lockout_and_throttle_limits_come_from_the_environment():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME,"
        " s.PASSWORD_RESET_LIMIT, s.API_REQUESTS_PER_MINUTE, s.API_BAD_TOKEN_LIMIT)",
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_LOCKOUT_MINUTES="40",
        PASSWORD_RESET_LIMIT="2",
        API_REQUESTS_PER_MINUTE="60",
        API_BAD_TOKEN_LIMIT="7",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["3", "0:40:00", "2", "60", "7"]


def test_a_lockout_of_zero_minutes_is_refused():
    result = manage("check", LOGIN_LOCKOUT_MINUTES="0")

    assert result.returncode != 0
    assert "LOGIN_LOCKOUT_MINUTES='0' must be at least 1." in result.stderr


def test_every_environment_variable_is_documented_in_the_operations_guide():
    settings_source = (ROOT / "cba" / "settings.py").read_text()
    names = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_source))
    guide = (ROOT / "docs" / "operations.md").read_text()
    configuration = guide.split("## Configuration", 1)[1].split("\n## ", 1)[0]

    assert "DATABASE_URL" in names and "SECRET_KEY" in names
    assert sorted(n for n in names if f"`{n}`" not in configuration) == []
