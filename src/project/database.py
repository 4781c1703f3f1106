"""DATABASES["default"] from DATABASE_URL, the legacy DB_* variables, or an SQLite file.

settings.py reads the variables (DatabaseEnv); this module only turns them into Django's config.
"""

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# Django's MySQL backend, its transactions opened with one BEGIN (see project/mysql/base.py).
MYSQL_ENGINE = "project.mysql"


@dataclass(frozen=True)
class DatabaseEnv:
    url: str | None  # DATABASE_URL
    legacy_name: str | None  # DATABASE_NAME, with DB_USERNAME, DB_PASSWORD, DB_HOST, DB_PORT
    legacy_user: str
    legacy_password: str
    legacy_host: str
    legacy_port: str
    tls: str | None  # DB_TLS
    tls_ca: str | None  # DB_TLS_CA
    conn_max_age: int  # DB_CONN_MAX_AGE
    test_name: str | None  # DB_TEST_NAME


# Strict mode rejects truncation and bad dates instead of warning; READ COMMITTED keeps row locks
# narrow (no gap locks) for the refresh-rotation and attempt-counter updates.
MYSQL_SQL_MODE = "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO"
MYSQL_INIT_COMMAND = f"SET sql_mode='{MYSQL_SQL_MODE}', time_zone='+00:00'"


def _legacy_mysql_url(env: DatabaseEnv) -> str | None:
    if env.legacy_name is None:
        return None
    user = quote(env.legacy_user, safe="")
    password = quote(env.legacy_password, safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host, port, name = env.legacy_host, env.legacy_port, quote(env.legacy_name, safe="")
    return f"mysql://{credentials}{host}:{port}/{name}"


_LOOPBACK = {"", "localhost", "127.0.0.1", "::1"}
TLS_MODES = ("disabled", "preferred", "required", "verify-ca", "verify-identity")


def _tls_options(host: str, env: DatabaseEnv) -> dict[str, Any]:
    """MySQL's own --ssl-mode values. PyMySQL's default is "preferred": opportunistic, unverified
    TLS that loads the system CA store on every new connection (about 20 ms). Loopback needs no
    TLS, so it defaults to "disabled"; a remote server should use "verify-identity" + DB_TLS_CA.
    """
    mode = (env.tls or ("disabled" if host in _LOOPBACK else "preferred")).lower()
    ca = env.tls_ca
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


def _mysql_options(config: dict[str, Any], env: DatabaseEnv) -> None:
    options = config.setdefault("OPTIONS", {})
    options.setdefault("charset", "utf8mb4")
    options.setdefault("init_command", MYSQL_INIT_COMMAND)
    options.setdefault("isolation_level", "read committed")
    options.update(_tls_options(config.get("HOST") or "", env))
    config["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}


def database_config(base_dir: Path, env: DatabaseEnv) -> dict[str, Any]:
    url = env.url or _legacy_mysql_url(env)
    if url is None:
        url = f"sqlite:///{base_dir / 'db.sqlite3'}"
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=env.conn_max_age, conn_health_checks=True)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable URL: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.mysql":
        config["ENGINE"] = MYSQL_ENGINE
        _mysql_options(config, env)
    elif engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    else:
        raise ImproperlyConfigured(
            f"Unsupported database engine {engine!r}; use mysql:// or sqlite."
        )
    if env.test_name:
        config.setdefault("TEST", {})["NAME"] = env.test_name
    return config
