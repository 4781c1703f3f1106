"""Typed readers for environment variables, used only by settings.py."""

import os
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _number(name: str, default, kind, word: str):
    value = env_str(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be {word}, not {value!r}.") from exc


def env_int(name: str, default: int) -> int:
    return _number(name, default, int, "an integer")


def env_seconds(name: str, default: int) -> timedelta:
    seconds = env_int(name, default)
    if seconds <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive number of seconds.")
    return timedelta(seconds=seconds)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_float(name: str, default: float) -> float:
    return _number(name, default, float, "a number")


def env_datetime(name: str) -> datetime | None:
    """An ISO 8601 moment (UTC when no offset is given), or None."""
    value = env_str(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an ISO 8601 date and time.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
