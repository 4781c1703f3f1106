"""Shared by the bench scripts: repository paths, the benchmark environment, a fresh database."""

import io
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DBTOOL = ROOT / "scripts" / "dbtool.py"
DEFAULT_DB_HOST = "mysql://root@127.0.0.1:3306"


def bench_env(database_url: str, *, redis_url: str | None = None, rate_limits: bool = False):
    """Production-like settings (DEBUG off, persistent DB connections), fresh random keys."""
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-secret-" + secrets.token_urlsafe(32),
        JWT_SIGNING_KEY="bench-jwt-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DB_CONN_MAX_AGE="600",
        ACCESS_TOKEN_LIFETIME_SECONDS="3600",
        RATE_LIMITS_ENABLED="true" if rate_limits else "false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="project.settings",
        PYTHONPATH=os.pathsep.join([str(SRC), str(ROOT)]),
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float = 120) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, timeout=timeout)


def recreate_database(env: dict[str, str]) -> None:
    """Drop and create DATABASE_URL's database, then migrate and create the cache table."""
    url = env["DATABASE_URL"]
    run([sys.executable, str(DBTOOL), "drop", url], env)
    run([sys.executable, str(DBTOOL), "create", url], env)
    manage = [sys.executable, str(SRC / "manage.py")]
    run([*manage, "migrate", "--no-input", "-v", "0"], env, timeout=300)
    run([*manage, "createcachetable"], env)


def wait_outbox_drained(database_url: str, timeout: float = 60) -> None:
    """Until the service's outbox has no pending message: a sign-up's verification mail is
    delivered by a background thread of the worker that took it (EMAIL_DELIVERY=thread, the
    default), and a load started before it is sent would starve that thread of the GIL for many
    seconds, every handover of the GIL costing the worker's requests too. A measurement of the
    request path starts once no delivery is under way."""
    import dj_database_url
    import pymysql

    config = dj_database_url.parse(database_url)
    deadline = time.monotonic() + timeout
    connection = pymysql.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 3306),
        user=config["USER"] or "root",
        password=config["PASSWORD"] or "",
        database=config["NAME"],
        autocommit=True,
    )
    try:
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT COUNT(*) FROM emailing_outboxmessage WHERE status='pending'")
                if cursor.fetchone()[0] == 0:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the outbox still has pending mail after {timeout:.0f} s")
                time.sleep(0.05)
    finally:
        connection.close()
    time.sleep(0.2)  # the sender marks the row sent, then closes its connection and returns


def drop_database(env: dict[str, str]) -> None:
    run([sys.executable, str(DBTOOL), "drop", env["DATABASE_URL"]], env)


def git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{rev}{'+dirty' if dirty else ''}" if rev else "unknown"


# In-process requests: what gunicorn hands the application, without sockets or HTTP parsing.
def wsgi_environ(path: str, token: str | None, body: bytes = b"", method: str = "GET") -> dict:
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT": "*/*",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "CONTENT_TYPE": "application/json" if body else "",
    }
    if token:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return env


def wsgi_call(application, env: dict) -> tuple[str, bytes]:
    status: list[str] = []
    result = application(env, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return status[0], body
