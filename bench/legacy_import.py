"""Legacy import speed and memory, against MySQL's own bulk loader in the same run.

Run from the repository root:  .venv/bin/python -m bench.legacy_import

For each size (default 10 000 and 100 000 synthetic better-auth users with valid-format hashes,
made in PostgreSQL by bench/legacy_synthetic.py):
  import    `manage.py import_better_auth --no-verify` in a fresh process into a fresh MariaDB
            database; wall time and the process's peak RSS (wait4 rusage).
  baseline  the fastest raw path for the same rows: `COPY (SELECT …) TO STDOUT` from PostgreSQL
            into a CSV file, then `LOAD DATA LOCAL INFILE` into the same users_user table of
            another fresh database (rows already in final form: no validation, no mapping).
Prints rows/s, import/baseline speed ratio (target >= 0.5), the 10k->100k time growth (linear
is ~10x) and peak RSS per size (flat means streamed).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import psycopg
import pymysql

from bench import legacy_synthetic
from bench.common import DBTOOL, DEFAULT_DB_HOST, ROOT, SRC, bench_env, git_revision

PG_NAME = "authsvc_bench_legacy"
COLUMNS = (
    "id",
    "email",
    "name",
    "role",
    "email_verified",
    "image",
    "created_at",
    "updated_at",
    "password",
    "is_active",
    "is_staff",
    "is_superuser",
)
EXPORT = """
COPY (
  SELECT u.id, lower(btrim(u.email)), u.name, u.role::text, u."emailVerified"::int, u.image,
         u."createdAt", u."updatedAt",
         'better_auth_scrypt$' || split_part(a.password, ':', 1) || '$'
             || split_part(a.password, ':', 2),
         1, 0, 0
  FROM "user" u JOIN account a ON a."userId" = u.id AND a."providerId" = 'credential'
) TO STDOUT WITH (FORMAT csv, NULL '\\N')
"""


def fresh_mysql(name: str) -> str:
    url = f"{DEFAULT_DB_HOST}/{name}"
    env = bench_env(url)
    subprocess.run([sys.executable, str(DBTOOL), "drop", url], check=True, env=env)
    subprocess.run([sys.executable, str(DBTOOL), "create", url], check=True, env=env)
    subprocess.run(
        [sys.executable, str(SRC / "manage.py"), "migrate", "-v0"], check=True, env=env, cwd=ROOT
    )
    return url


def timed_import(pg_url: str, mysql_url: str) -> tuple[float, float, int]:
    """(wall seconds, seconds of the users phase as the command reports it, peak RSS MiB)."""
    env = bench_env(mysql_url)
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            str(SRC / "manage.py"),
            "import_better_auth",
            "--source",
            pg_url,
            "--no-verify",
            "--batch-size",
            "1000",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(output.decode())
    phase = re.search(r"^users .*; ([0-9.]+)s$", output.decode(), re.MULTILINE)
    return elapsed, float(phase.group(1)), usage.ru_maxrss // 1024


def timed_load_data(pg_url: str, database: str) -> float:
    start = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".csv") as csv_file:
        with psycopg.connect(pg_url) as pg, pg.cursor().copy(EXPORT) as copy:
            for chunk in copy:
                csv_file.write(chunk)
        csv_file.flush()
        with (
            pymysql.connect(
                host="127.0.0.1", user="root", database=database, local_infile=True, autocommit=True
            ) as my,
            my.cursor() as cursor,
        ):
            cursor.execute(
                f"LOAD DATA LOCAL INFILE '{csv_file.name}' INTO TABLE users_user "
                "CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' "
                f"({', '.join(COLUMNS)})"
            )
    return time.perf_counter() - start


def count(database: str) -> int:
    with pymysql.connect(host="127.0.0.1", user="root", database=database) as my, my.cursor() as c:
        c.execute("SELECT count(*) FROM users_user")
        return c.fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"revision {git_revision()} | cpus {os.cpu_count()} | MariaDB + PostgreSQL on loopback")
    print(
        f"{'users':>8} {'wall s':>7} {'phase s':>8} {'rows/s':>8} {'peak RSS':>10} "
        f"{'LOAD DATA s':>12} {'rows/s':>8} {'ratio':>6} {'ratio wall':>11}"
    )
    results = {}
    try:
        for size in sizes:
            pg_url = legacy_synthetic.recreate(PG_NAME, with_fixture_rows=False)
            legacy_synthetic.add_users(pg_url, size)
            import_url = fresh_mysql("authsvc_bench_import")
            wall, seconds, rss = timed_import(pg_url, import_url)
            assert count("authsvc_bench_import") == size
            fresh_mysql("authsvc_bench_loaddata")
            baseline = timed_load_data(pg_url, "authsvc_bench_loaddata")
            assert count("authsvc_bench_loaddata") == size
            ratio = baseline / seconds
            results[size] = (seconds, rss, ratio)
            print(
                f"{size:>8} {wall:>7.2f} {seconds:>8.2f} {size / seconds:>8.0f} {rss:>6} MiB "
                f"{baseline:>12.2f} {size / baseline:>8.0f} {ratio:>6.2f} {baseline / wall:>11.2f}"
            )
    finally:
        legacy_synthetic.drop(PG_NAME)
        for name in ("authsvc_bench_import", "authsvc_bench_loaddata"):
            subprocess.run(
                [sys.executable, str(DBTOOL), "drop", f"{DEFAULT_DB_HOST}/{name}"], check=False
            )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = results[large][0] / results[small][0]
        print(
            f"time {small}->{large}: x{growth:.1f} for x{large / small:.0f} rows; peak RSS "
            f"{results[small][1]} -> {results[large][1]} MiB"
        )
    worst = min(r[2] for r in results.values())
    print(
        f"speed ratio import/LOAD DATA (worst) = {worst:.2f}; target >= 0.5 -> "
        f"{'PASS' if worst >= 0.5 else 'FAIL'}"
    )
    return 0 if worst >= 0.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
