"""The default legacy import command (import + verification) against MySQL's raw bulk path.

Run from the repository root:  .venv/bin/python -m bench.legacy_import

For each size (default 10 000 and 100 000; add 1000000 for the growth) synthetic better-auth users
with valid-format hashes are made in PostgreSQL by bench/legacy_synthetic.py, then, in the same run:
  command   `manage.py import_better_auth --source …` as an operator runs it: the default, with
            its verification, in a fresh process into a fresh MariaDB database; wall time, the
            users phase and the verification as the command reports them, and the process's peak
            RSS (wait4 rusage).
  raw       the fastest raw path for the same rows: `COPY (SELECT …) TO STDOUT` from PostgreSQL
            into a CSV file, then `LOAD DATA LOCAL INFILE` into the same users_user table of
            another fresh database (rows already in final form: no validation, no mapping, no
            check).
  tamper    one user's name changed in MySQL (mid-table), then `import_better_auth --verify`:
            it must fail and name that user, having compared only its batch row by row.
Prints the speed ratio raw/command (target >= 0.5 from 100 000 users), seconds per 1 000 users
at each size (linear growth keeps it flat) and peak RSS (flat means streamed).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pymysql

from bench import legacy_synthetic
from bench.common import DBTOOL, DEFAULT_DB_HOST, ROOT, SRC, bench_env, git_revision

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


def busy_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def busy_since(start: tuple[int, int]) -> float:
    busy, total = busy_ticks()
    return 100 * (busy - start[0]) / max(total - start[1], 1)


def timed_command(pg_url: str, mysql_url: str, extra: list[str]) -> dict:
    """The default command (import + verification) in a fresh process, its peak RSS measured by
    wait4 (Popen.communicate would reap it first)."""
    command = [sys.executable, str(SRC / "manage.py"), "import_better_auth", "--source", pg_url]
    ticks = busy_ticks()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [*command, *extra], env=bench_env(mysql_url), cwd=ROOT, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        output, progress = out.read().decode(), err.read().decode()
    if status != 0:
        raise SystemExit(output + progress)
    phase = re.search(r"^users .*; ([0-9.]+)s$", output, re.MULTILINE)
    verify = re.search(r"^verify users: ([\d,]+)/.* ([\d,]+) rows/s", progress, re.MULTILINE)
    verified, rate = (int(verify.group(i).replace(",", "")) for i in (1, 2)) if verify else (0, 0)
    assert "RESULT: clean" in output, output
    return {
        "seconds": elapsed,
        "phase": float(phase.group(1)),
        "verify": verified / rate if rate else float("nan"),
        "rss": usage.ru_maxrss // 1024,
        "busy": busy_since(ticks),
    }


def timed_raw(pg_url: str, database: str) -> dict:
    ticks = busy_ticks()
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
    return {"seconds": time.perf_counter() - start, "busy": busy_since(ticks)}


def mysql_execute(database: str, sql: str, params: tuple = ()) -> list:
    with (
        pymysql.connect(host="127.0.0.1", user="root", database=database, autocommit=True) as my,
        my.cursor() as cursor,
    ):
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def tamper_check(pg_url: str, mysql_url: str, database: str, size: int) -> float:
    """Change one user's name mid-table; `--verify` must fail naming it. Returns its seconds."""
    victim = legacy_synthetic.synthetic_id(size // 2)
    tamper = "UPDATE users_user SET name = CONCAT(name, '!') WHERE id = %s"
    mysql_execute(database, tamper, (victim,))
    start = time.perf_counter()
    result = subprocess.run(
        [
            *(sys.executable, str(SRC / "manage.py"), "import_better_auth", "--verify"),
            *("--source", pg_url),
        ],
        env=bench_env(mysql_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    named = re.findall(r"^  user .*$", result.stdout, re.MULTILINE)
    assert result.returncode != 0 and "RESULT: MISMATCH" in result.stdout, result.stdout
    assert named == [f"  user {victim}: differs in name"], result.stdout
    assert "compared row by row in 1\n" in result.stdout, result.stdout
    return seconds


def measure(pg_url: str, command_db: str, raw_db: str, extra: list[str], rounds: int) -> dict:
    """`rounds` pairs of runs in alternating order (command first, then raw first, ...)."""
    commands, raws = [], []
    for round_ in range(rounds):
        for path in ("command", "raw") if round_ % 2 == 0 else ("raw", "command"):
            if path == "command":
                commands.append(timed_command(pg_url, fresh_mysql(command_db), extra))
            else:
                fresh_mysql(raw_db)
                raws.append(timed_raw(pg_url, raw_db))
    middle = lambda runs, key: statistics.median(run[key] for run in runs)  # noqa: E731
    return {
        "command": middle(commands, "seconds"),
        "phase": middle(commands, "phase"),
        "verify": middle(commands, "verify"),
        "rss": max(run["rss"] for run in commands),
        "raw": middle(raws, "seconds"),
        "busy": (middle(commands, "busy"), middle(raws, "busy")),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated user counts")
    parser.add_argument(
        "--rounds", type=int, default=1, help="pairs of runs per size, in alternating order"
    )
    parser.add_argument(
        "--batch-size", type=int, help="passed to the command (default: the command's own)"
    )
    parser.add_argument(
        "--pg-database", default="authsvc_bench_legacy", help="PostgreSQL database (recreated)"
    )
    parser.add_argument(
        "--mysql-database",
        default="authsvc_bench_import",
        help="MariaDB database of the command (recreated); the raw path uses <name>_raw",
    )
    parser.add_argument("--no-tamper", action="store_true", help="skip the tamper check")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    extra = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    command_db, raw_db = args.mysql_database, f"{args.mysql_database}_raw"
    print(f"revision {git_revision()} | cpus {os.cpu_count()} | MariaDB + PostgreSQL on loopback")
    print(
        f"{'users':>9} {'command s':>9} {'import s':>8} {'verify s':>8} {'raw s':>7} "
        f"{'raw/cmd':>7} {'cmd s/1k':>8} {'raw s/1k':>8} {'peak RSS':>9} {'busy %':>9} "
        f"{'other %':>7} {'tamper s':>8}"
    )
    results = {}
    try:
        for size in sizes:
            pg_url = legacy_synthetic.recreate(args.pg_database, with_fixture_rows=False)
            legacy_synthetic.add_users(pg_url, size)
            with psycopg.connect(pg_url, autocommit=True) as pg:
                pg.execute("VACUUM ANALYZE")
            ticks = busy_ticks()
            time.sleep(1)
            other = busy_since(ticks)  # the machine's load from everything else, just before
            result = results[size] = measure(pg_url, command_db, raw_db, extra, args.rounds)
            tamper = float("nan")
            if not args.no_tamper:  # on what the last command run imported
                mysql_url = f"{DEFAULT_DB_HOST}/{command_db}"
                tamper = tamper_check(pg_url, mysql_url, command_db, size)
            print(
                f"{size:>9} {result['command']:>9.2f} {result['phase']:>8.2f} "
                f"{result['verify']:>8.2f} {result['raw']:>7.2f} "
                f"{result['raw'] / result['command']:>7.2f} "
                f"{1000 * result['command'] / size:>8.3f} {1000 * result['raw'] / size:>8.3f} "
                f"{result['rss']:>5} MiB {result['busy'][0]:>4.0f}/{result['busy'][1]:>3.0f} "
                f"{other:>7.0f} {tamper:>8.2f}",
                flush=True,
            )
    finally:
        legacy_synthetic.drop(args.pg_database)
        for name in (command_db, raw_db):
            subprocess.run(
                [sys.executable, str(DBTOOL), "drop", f"{DEFAULT_DB_HOST}/{name}"], check=False
            )
    print(
        "busy %: the machine's CPU use during the command / the raw path (every process, the "
        "databases included; 100 = all cores); other %: during one idle second just before"
    )
    judged = [s for s in sizes if s >= 100_000] or sizes
    worst = min(results[s]["raw"] / results[s]["command"] for s in judged)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        per_1k = [1000 * results[s]["command"] / s for s in (small, large)]
        growth = results[large]["command"] / results[small]["command"]
        print(
            f"command {small}->{large} users: x{growth:.1f} time for x{large / small:.0f} rows "
            f"({per_1k[0]:.3f} -> {per_1k[1]:.3f} s per 1k users); peak RSS "
            f"{results[small]['rss']} -> {results[large]['rss']} MiB"
        )
    print(
        f"speed ratio raw/command (worst from 100k users) = {worst:.2f}; target >= 0.5 -> "
        f"{'PASS' if worst >= 0.5 else 'FAIL'}"
    )
    return 0 if worst >= 0.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
