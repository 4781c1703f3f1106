"""DATABASES["default"] from DATABASE_URL, the legacy DB_* variables, or an SQLite file."""

import os
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_int, env_str

# Strict mode rejects truncation and bad dates instead of warning; READ COMMITTED keeps row locks
# narrow (no gap locks) for the refresh-rotation and attempt-counter updates.
MYSQL_SQL_MODE = "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO"
MYSQL_INIT_COMMAND = f"SET sql_mode='{MYSQL_SQL_MODE}', time_zone='+00:00'"


def _legacy_mysql_url() -> str | None:
    name = env_str("DATABASE_NAME")
    if name is None:
        return None
    user = quote(env_str("DB_USERNAME", "root") or "", safe="")
    password = quote(env_str("DB_PASSWORD", "") or "", safe="")
    host = env_str("DB_HOST", "127.0.0.1")
    port = env_str("DB_PORT", "3306")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return f"mysql://{credentials}{host}:{port}/{quote(name, safe='')}"


_LOOPBACK = {"", "localhost", "127.0.0.1", "::1"}
TLS_MODES = ("disabled", "preferred", "required", "verify-ca", "verify-identity")


def _tls_options(host: str) -> dict[str, Any]:
    """MySQL's own --ssl-mode values. PyMySQL's default is "preferred": opportunistic, unverified
    TLS that loads the system CA store on every new connection (about 20 ms). Loopback needs no
    TLS, so it defaults to "disabled"; a remote server should use "verify-identity" + DB_TLS_CA.
    """
    mode = (env_str("DB_TLS") or ("disabled" if host in _LOOPBACK else "preferred")).lower()
    ca = env_str("DB_TLS_CA")
    if mode not in TLS_MODES:
        raise ImproperlyConfigured(f"DB_TLS must be one of {', '.join(TLS_MODES)}.")
    if mode.startswith("verify") and not ca:
        raise ImproperlyConfigured(f"DB_TLS={mode} needs DB_TLS_CA (a PEM CA file).")
    if mode == "disabled":
        return {"ssl_disabled": True}
    if mode == "required":
        # One shared context: encrypted, not verified, and no CA reload per connection.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return {"ssl": context}
    if mode == "verify-ca":
        return {"ssl_ca": ca, "ssl_verify_cert": True}
    if mode == "verify-identity":
        return {"ssl_ca": ca, "ssl_verify_identity": True}
    return {}


def _mysql_options(config: dict[str, Any]) -> None:
    options = config.setdefault("OPTIONS", {})
    options.setdefault("charset", "utf8mb4")
    options.setdefault("init_command", MYSQL_INIT_COMMAND)
    options.setdefault("isolation_level", "read committed")
    options.update(_tls_options(config.get("HOST") or ""))
    config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}


def database_config(base_dir: Path) -> dict[str, Any]:
    url = env_str("DATABASE_URL") or _legacy_mysql_url()
    if url is None:
        url = f"sqlite:///{base_dir / 'db.sqlite3'}"
    try:
        config = dj_database_url.parse(
            url,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable URL: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.mysql":
        _mysql_options(config)
    elif engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    else:
        raise ImproperlyConfigured(
            f"Unsupported database engine {engine!r}; use mysql:// or sqlite."
        )
    if os.environ.get("DB_TEST_NAME"):
        config.setdefault("TEST", {})["NAME"] = os.environ["DB_TEST_NAME"]
    return config
