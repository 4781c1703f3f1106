"""Settings read from the environment; unsafe production settings refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'name': str(d['NAME']), 'host': d.get('HOST'), "
    "'port': str(d.get('PORT')), 'user': d.get('USER'), 'options': d.get('OPTIONS'), "
    "'max_age': d.get('CONN_MAX_AGE'), 'health': d.get('CONN_HEALTH_CHECKS'), "
    "'cache': settings.CACHES['default']['BACKEND'], 'cookie': settings.REFRESH_COOKIE_NAME}))"
)
SAFE = {"SECRET_KEY": "s" * 50, "JWT_SIGNING_KEY": "j" * 40}


def run_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "JWT_SIGNING_KEY", "REDIS_URL"}
        and not k.startswith("DB_")
        and k not in {"DATABASE_NAME", "DATA_DIR"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="project.settings", PYTHONPATH=str(ROOT / "src"), **env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def probe(env: dict) -> dict:
    import json

    result = run_settings(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "s" * 50}, "JWT_SIGNING_KEY must be set"),
        ({"SECRET_KEY": "s" * 50, "JWT_SIGNING_KEY": "short"}, "at least 32 bytes"),
        ({"SECRET_KEY": "k" * 50, "JWT_SIGNING_KEY": "k" * 50}, "must differ"),
        ({**SAFE, "ARGON2_MEMORY_COST_KIB": "1024"}, "OWASP"),
        ({**SAFE, "DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({**SAFE, "DATABASE_URL": "oracle://x/y"}, "Unsupported database engine"),
        (
            {
                "SECRET_KEY": "s" * 50,
                "JWT_SIGNING_KEY": (
                    "dev-only-insecure-jwt-signing-key-do-not-use-in-production-01234"
                ),
            },
            "development keys cannot be used",
        ),
    ],
)
def test_unsafe_or_broken_settings_refuse_to_start(env, message):
    result = run_settings(env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "clients",
    [
        "grades:" + "s" * 31,
        f"grades:{'g' * 32},reports:hunter2",
        f"grades: {'g' * 31} ",  # the spaces around it are not part of the secret
        "grades",
        ":" + "s" * 40,
    ],
)
def test_short_introspection_secrets_refuse_to_start(clients):
    # A service secret is guessed online at whatever rate the limits allow: it must be long.
    result = run_settings({**SAFE, "INTROSPECTION_CLIENTS": clients})
    assert result.returncode != 0
    assert "INTROSPECTION_CLIENTS" in result.stderr
    assert "must be at least 32 characters" in result.stderr
    assert "hunter2" not in result.stderr  # never the secret itself


def test_introspection_secrets_of_32_characters_start():
    probe({**SAFE, "INTROSPECTION_CLIENTS": f"grades:{'g' * 32}, reports:{'r' * 64},"})


def test_debug_runs_without_secrets_and_defaults_to_sqlite():
    config = probe({"DEBUG": "true"})
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"].endswith("db.sqlite3")
    assert config["cache"] == "django.core.cache.backends.db.DatabaseCache"
    assert config["cookie"] == "refresh_token"


def test_sqlite_default_lives_in_data_dir(tmp_path):
    config = probe({**SAFE, "DATA_DIR": str(tmp_path)})
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(tmp_path / "db.sqlite3")


def test_production_cookie_name_has_secure_prefix():
    assert probe(SAFE)["cookie"] == "__Secure-refresh_token"


def test_mysql_url_gets_utf8mb4_strict_read_committed_and_persistent_connections():
    config = probe({**SAFE, "DATABASE_URL": "mysql://app:pw@db.internal:3307/auth"})
    assert config["engine"] == "project.mysql"
    assert (config["host"], config["port"], config["user"]) == ("db.internal", "3307", "app")
    assert config["options"]["charset"] == "utf8mb4"
    assert config["options"]["isolation_level"] == "read committed"
    assert "STRICT_TRANS_TABLES" in config["options"]["init_command"]
    assert "time_zone='+00:00'" in config["options"]["init_command"]
    assert config["max_age"] == 600 and config["health"] is True


def test_legacy_db_variables_build_a_mysql_url():
    config = probe(
        {
            **SAFE,
            "DB_USERNAME": "legacy",
            "DB_PASSWORD": "p@ss:word",
            "DB_HOST": "h",
            "DB_PORT": "3310",
            "DATABASE_NAME": "olddb",
        }
    )
    assert config["engine"] == "project.mysql"
    assert (config["name"], config["host"], config["port"]) == ("olddb", "h", "3310")
    assert config["user"] == "legacy"


def test_redis_url_switches_the_cache():
    config = probe({**SAFE, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert config["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_loopback_mysql_skips_tls_and_remote_prefers_it():
    local = probe({**SAFE, "DATABASE_URL": "mysql://root@127.0.0.1:3306/auth"})
    assert local["options"]["ssl_disabled"] is True
    remote = probe({**SAFE, "DATABASE_URL": "mysql://u:p@db.internal:3306/auth"})
    assert "ssl_disabled" not in remote["options"]


def test_verified_tls_needs_a_ca():
    env = {**SAFE, "DATABASE_URL": "mysql://u:p@db.internal/auth", "DB_TLS": "verify-identity"}
    result = run_settings(env)
    assert result.returncode != 0 and "DB_TLS_CA" in result.stderr
    config = probe({**env, "DB_TLS_CA": "/etc/ssl/ca.pem"})
    assert config["options"]["ssl_ca"] == "/etc/ssl/ca.pem"
    assert config["options"]["ssl_verify_identity"] is True
