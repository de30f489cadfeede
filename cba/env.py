"""Small typed readers of environment variables that fail loudly, naming the variable."""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Set the environment variable {name}.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1 or 0.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


def env_time_zone(name: str, default: str) -> str:
    from zoneinfo import ZoneInfo

    value = env_str(name, default)
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a time zone: use a name such as America/Los_Angeles."
        ) from None
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(name: str, url: str, sqlite_default: str) -> dict:
    """Turn DATABASE_URL (postgres://user:pass@host:port/db or sqlite:///path) into settings.

    SQLite runs in WAL mode (readers never wait for the writer), writes begin IMMEDIATE (a
    transaction takes the write lock at its start, so two never deadlock upgrading a read
    lock) and a writer waits up to 30 s for the lock instead of failing "database is locked".
    """
    sqlite = {
        "ENGINE": "django.db.backends.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL",
        },
    }
    if not url:
        return {**sqlite, "NAME": sqlite_default}
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3
        if parsed.netloc:
            raise ImproperlyConfigured(
                f"{name}={url!r}: use sqlite:///relative/path or sqlite:////absolute/path."
            )
        path = unquote(url[len("sqlite://") :])[1:]
        return {**sqlite, "NAME": path or sqlite_default}
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        if not parsed.path.strip("/"):
            raise ImproperlyConfigured(f"{name} must name a database: postgres://host/DBNAME.")
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"{name}={url!r}: use postgres://user:password@host:5432/dbname or sqlite:///path."
    )


def env_redis_url(name: str) -> str:
    """A Redis URL (redis://, rediss:// or unix://), or "" when unset."""
    value = env_str(name, "")
    if value and urlparse(value).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name}={value!r}: use redis://host:6379/0 (or rediss://, unix://), or leave it unset."
        )
    return value
