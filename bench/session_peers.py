"""This service's request path against its peers, in one interleaved wrk run.

Run from the repository root:  .venv/bin/python -m bench.session_peers

Targets, on gunicorn servers (sync workers, DEBUG off), each server on its own MariaDB database:

  stock-const  GET /constant/ of a `django-admin startproject` project (bench/peers/): a plain
               Django view answering constant JSON, startproject's middleware;
  healthz      GET /healthz of this service: no auth, no query;
  claims       GET /api/auth/claims/ of this service: the token checked, zero queries;
  stock-bare   GET /bare-user/1/ of the peers' project: get_object_or_404(User, pk=...) ->
               JsonResponse, one primary-key query;
  session      GET /api/auth/session/ of this service: the token, one prepared query;
  djra-user    GET /dj-rest-auth/user/ of the peers' project, dj-rest-auth + simplejwt as their docs
               say (JWTCookieAuthentication, here with a Bearer access token);
  stateless    GET /stateless/ of the peers' project: simplejwt's JWTStatelessUserAuthentication.

This service runs as its image does by default: gunicorn with src/project/gunicorn_conf.py, the
access log at LOG_LEVEL's default (INFO, one JSON line per request), Prometheus metrics in
PROMETHEUS_MULTIPROC_DIR. --quiet-log sets LOG_LEVEL=WARNING (no access line), the faster setting.

Goals: healthz/stock-const >= 0.95, claims/stock-const >= 0.9, session/stock-bare >= 0.9 and
session/djra-user >= 2.0, each in every round (not only the ratio of medians).

The peers run from their own virtualenv, bench/peers/.venv (git-ignored), made on first use from
bench/peers/requirements.txt (remade when that file changes). Every server gets the same database
connection settings: CONN_MAX_AGE (--conn-max-age, default 600 as the service's own default) and
connection health checks on (as the service always has them).

All servers run at once, but only one is under load at a time. Rounds visit the targets in a
rotating order, every other round reversed, after a warm-up of each. Besides req/s, each run
records the CPU time the loaded server's workers spent per request and the CPU used by anything
other than those workers and wrk ("other CPU", % of all CPUs; MariaDB's share included).
"""

import argparse
import hashlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import (
    DBTOOL,
    DEFAULT_DB_HOST,
    ROOT,
    SRC,
    bench_env,
    git_revision,
    recreate_database,
    run,
    wait_outbox_drained,
)
from bench.session_throughput import (
    RESULTS,
    RunResult,
    free_port,
    http,
    run_wrk,
    sign_up,
    stop,
    wait_until_up,
    worker_pids,
)

PEERS = ROOT / "bench" / "peers"
PEERS_VENV = PEERS / ".venv"
PEER_PASSWORD = "quartz-lantern-harbor-91"
# (subject, peer, goal): subject's req/s over peer's, in every round.
GOALS = [
    ("healthz", "stock-const", 0.95),
    ("claims", "stock-const", 0.9),
    ("session", "stock-bare", 0.9),
    ("session", "djra-user", 2.0),
]
QUIET_OTHER_CPU = 20  # %: about MariaDB's share here when nothing else runs
DISTURBED = 1.2  # a run's CPU per request over its target's median by this factor: left out
MIN_QUIET_ROUNDS = 3  # a goal is judged on at least this many undisturbed rounds


@dataclass
class Server:
    name: str
    database: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    workers: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Target:
    name: str
    server: Server
    path: str
    token: str | None = None
    results: list[RunResult] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.base + self.path


# --- peers' virtualenv and servers ---------------------------------------------------------------
def peers_python() -> Path:
    """bench/peers/.venv, made (or remade) when requirements.txt is new to it."""
    requirements = PEERS / "requirements.txt"
    stamp = PEERS_VENV / f".installed-{hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]}"
    python = PEERS_VENV / "bin" / "python"
    if not stamp.exists():
        print(f"installing the peers into {PEERS_VENV.relative_to(ROOT)} ...", flush=True)
        if not python.exists():
            run([sys.executable, "-m", "venv", str(PEERS_VENV)], dict(os.environ))
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        done = subprocess.run(
            [*pip, "-r", str(requirements)], capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"pip install failed:\n{done.stdout}\n{done.stderr}")
        stamp.touch()
    return python


def peers_env(database: str, conn_max_age: int, as_shipped: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    env.update(
        SECRET_KEY="bench-peer-" + secrets.token_urlsafe(32),
        PEER_DB_NAME=database,
        # As shipped: Django's defaults (a connection per request, no health checks).
        PEER_CONN_MAX_AGE="0" if as_shipped else str(conn_max_age),
        PEER_CONN_HEALTH_CHECKS="false" if as_shipped else "true",
        DJANGO_SETTINGS_MODULE="peersite.settings",
    )
    return env


def gunicorn_cmd(
    python: Path, app: str, port: int, workers: int, config: Path | None = None
) -> list[str]:
    return [
        str(python.with_name("gunicorn")),
        *(["-c", str(config)] if config else []),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]


def start(server: Server, cmd: list[str], env: dict[str, str], cwd: Path) -> None:
    log = RESULTS / f"session_peers.{server.name}.gunicorn.log"
    with log.open("wb") as handle:
        server.process = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT
        )


def start_service(
    server: Server, args: argparse.Namespace, metrics_dir: Path, **settings: str
) -> dict[str, str]:
    """This service on a fresh database, on gunicorn as its image runs it (src/project/
    gunicorn_conf.py, the access log at LOG_LEVEL's default, metrics in per-process files in
    `metrics_dir`), `settings` on top of the bench's (e.g. LOG_LEVEL=WARNING). Its environment."""
    env = bench_env(f"{DEFAULT_DB_HOST}/{server.database}")
    env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    del env["LOG_LEVEL"]
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    env.update(settings)
    recreate_database(env)
    app = "project.wsgi:application"
    config = SRC / "project" / "gunicorn_conf.py"
    cmd = gunicorn_cmd(Path(sys.executable), app, server.port, args.workers, config)
    start(server, cmd, env, SRC)
    return env


def tear_down(servers: list[Server], metrics_dir: Path, *, keep_db: bool) -> None:
    """Every server stopped, the metrics files removed, the databases dropped unless kept."""
    for server in servers:
        if server.process is not None:
            stop(server.process)
    shutil.rmtree(metrics_dir, ignore_errors=True)
    if not keep_db:
        for server in servers:
            url = f"{DEFAULT_DB_HOST}/{server.database}"
            run([sys.executable, str(DBTOOL), "drop", url], dict(os.environ))


def recreate(database_url: str, env: dict[str, str]) -> None:
    run([sys.executable, str(DBTOOL), "drop", database_url], env)
    run([sys.executable, str(DBTOOL), "create", database_url], env)


def setup_peer(server: Server, python: Path, args: argparse.Namespace) -> dict[str, str]:
    env = peers_env(server.database, args.conn_max_age, args.peers_as_shipped)
    recreate(f"{DEFAULT_DB_HOST}/{server.database}", dict(os.environ))
    manage = [str(python), "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=PEERS, env=env, check=True)
    create_user = (
        "from django.contrib.auth.models import User; "
        f"User.objects.create_user('bench', 'bench@example.com', {PEER_PASSWORD!r})"
    )
    subprocess.run([*manage, "shell", "-v", "0", "-c", create_user], cwd=PEERS, env=env, check=True)
    app = "peersite.wsgi:application"
    start(server, gunicorn_cmd(python, app, server.port, args.workers), env, PEERS)
    return env


def peer_sign_in(server: Server) -> str:
    body = {"username": "bench", "password": PEER_PASSWORD}
    status, answer = http("POST", f"{server.base}/dj-rest-auth/login/", body)
    if status != 200:
        raise RuntimeError(f"dj-rest-auth login answered {status}: {answer[:300]!r}")
    return json.loads(answer)["access"]


def wait_peer(server: Server) -> None:
    assert server.process is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name}: gunicorn exited ({server.process.returncode})")
        try:
            status, _ = http("GET", f"{server.base}/bare-user/1/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name}: gunicorn did not answer within 30 s")


# --- run ------------------------------------------------------------------------------------------
def add_server_options(parser: argparse.ArgumentParser, *, database_prefix: str) -> None:
    """The servers' options every peers bench takes."""
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--conn-max-age", type=int, default=600, help="every server's CONN_MAX_AGE")
    parser.add_argument(
        "--database-prefix", default=database_prefix, help="databases <prefix>_*, dropped!"
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the databases after")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each runs every target")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per target")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    add_server_options(parser, database_prefix="authsvc_bench_sp")
    parser.add_argument(
        "--peers-as-shipped",
        action="store_true",
        help="the peers on Django's default connection settings (CONN_MAX_AGE=0), ours on its own",
    )
    parser.add_argument("--no-stateless", action="store_true", help="skip simplejwt stateless")
    parser.add_argument(
        "--quiet-log",
        action="store_true",
        help="this service with LOG_LEVEL=WARNING (no access line per request): a faster setting",
    )
    args = parser.parse_args()
    if args.connections < args.threads:
        parser.error("--connections must be >= --threads")
    if min(args.rounds, args.duration, args.warmup) < 1:
        parser.error("--rounds, --duration and --warmup must be >= 1")
    return args


# Every goal's two targets run back to back (each peer next to its subjects), so the machine's
# drift over a round (other tenants, clock changes: ±10 % over minutes here) does not land
# between them; every other round runs in the reverse order, so which of a pair runs first
# alternates and a steady drift favours neither side.
ROUND = ["healthz", "stock-const", "claims", "stock-bare", "session", "djra-user", "stateless"]


def round_order(targets: list[Target], index: int) -> list[Target]:
    order = sorted(targets, key=lambda t: ROUND.index(t.name) if t.name in ROUND else len(ROUND))
    return order[::-1] if index % 2 else order


def sanity(targets: list[Target]) -> None:
    for target in targets:
        status, body = http("GET", target.url, token=target.token)
        if status != 200:
            raise RuntimeError(f"{target.name} answered {status}: {body[:300]!r}")
        print(f"sanity: {target.name:<11} 200, {len(body)} B  {body[:110].decode()}")


def median(values: list[float]) -> float:
    return statistics.median(values)


def disturbed(target: Target, index: int) -> bool:
    """Whether the machine slowed during this run: the same code took over DISTURBED times its
    median CPU per request (seen here: every target at once, for minutes, with no steal time
    and no other process busy)."""
    cpu = [r.server_cpu_ms_per_request for r in target.results]
    return cpu[index] > DISTURBED * median(cpu)


def summarize(targets: dict[str, Target]) -> bool:
    print("\nsummary (medians over rounds)")
    print(
        f"{'target':>11} {'req/s':>9} {'min':>8} {'max':>8} {'CPU ms/req':>11} {'other CPU %':>12}"
    )
    for target in targets.values():
        rps = [r.requests_per_sec for r in target.results]
        print(
            f"{target.name:>11} {median(rps):>9.1f} {min(rps):>8.1f} {max(rps):>8.1f} "
            f"{median([r.server_cpu_ms_per_request for r in target.results]):>11.3f} "
            f"{median([r.other_cpu_percent for r in target.results]):>12.1f}"
        )
    busy = median([r.other_cpu_percent for t in targets.values() for r in t.results])
    if busy > QUIET_OTHER_CPU:
        print(
            f"note: other CPU {busy:.0f} % (quiet: <= {QUIET_OTHER_CPU} %): something else was "
            "busy, req/s ratios are unreliable; the CPU-per-request ratios hold better"
        )
    passed = True
    print(
        "\nratios (subject req/s over peer req/s); [bracketed]: a round in which either target "
        f"took over {DISTURBED:.1f}x its median CPU per request (the machine slowed: other "
        "tenants), left out of the verdict"
    )
    for subject_name, peer_name, goal in GOALS:
        subject, peer = targets[subject_name], targets[peer_name]
        per_round = [
            s.requests_per_sec / p.requests_per_sec
            for s, p in zip(subject.results, peer.results, strict=True)
        ]
        quiet = [not (disturbed(subject, i) or disturbed(peer, i)) for i in range(len(per_round))]
        judged = [r for r, q in zip(per_round, quiet, strict=True) if q]
        ratio = median([r.requests_per_sec for r in subject.results]) / median(
            [r.requests_per_sec for r in peer.results]
        )
        cpu_ratio = median([r.server_cpu_ms_per_request for r in peer.results]) / median(
            [r.server_cpu_ms_per_request for r in subject.results]
        )
        enough = len(judged) >= MIN_QUIET_ROUNDS
        every_round = enough and min(judged) >= goal
        passed = passed and every_round
        verdict = "PASS" if every_round else "FAIL" if enough else "FAIL (too few quiet rounds)"
        worst = f"{min(judged):.3f}" if judged else "-"
        print(
            f"{subject_name}/{peer_name}: median {ratio:.3f}, worst quiet round {worst} "
            f"(goal >= {goal} in every round) -> {verdict}; per round "
            + ", ".join(
                f"{r:.2f}" if q else f"[{r:.2f}]" for r, q in zip(per_round, quiet, strict=True)
            )
            + f"; CPU-per-request ratio {cpu_ratio:.3f}"
        )
    return passed


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found (apt-get install -y wrk)", file=sys.stderr)
        return 2
    RESULTS.mkdir(parents=True, exist_ok=True)
    python = peers_python()
    prefix = args.database_prefix
    ours = Server("session", f"{prefix}_ours")
    stock = Server("stock-bare", f"{prefix}_stock")
    djra = Server("djra-user", f"{prefix}_djra")
    servers = [stock, djra, ours]
    if not args.no_stateless:
        servers.append(Server("stateless", f"{prefix}_stateless"))
    print(
        f"revision {git_revision()} | cpus {os.cpu_count()} | gunicorn -w {args.workers} sync per "
        f"server | wrk -t{args.threads} -c{args.connections} -d{args.duration}s x {args.rounds} "
        + (
            f"rounds | peers as shipped (CONN_MAX_AGE=0), ours CONN_MAX_AGE={args.conn_max_age}"
            if args.peers_as_shipped
            else f"rounds | CONN_MAX_AGE={args.conn_max_age}, health checks on, everywhere"
        )
    )
    metrics_dir = Path(tempfile.mkdtemp(prefix="authsvc-bench-metrics-"))
    print(
        "this service: gunicorn -c src/project/gunicorn_conf.py, "
        + ("LOG_LEVEL=WARNING (no access log)" if args.quiet_log else "access log on (INFO)")
        + ", metrics in PROMETHEUS_MULTIPROC_DIR"
    )
    try:
        env = start_service(
            ours, args, metrics_dir, **({"LOG_LEVEL": "WARNING"} if args.quiet_log else {})
        )
        for server in servers:
            if server is not ours:
                setup_peer(server, python, args)
        wait_until_up(ours.base, ours.process)
        for server in servers:
            if server is not ours:
                wait_peer(server)
            server.workers = worker_pids(server.process.pid)
            if len(server.workers) != args.workers:
                print(f"warning: {server.name} has {len(server.workers)} workers")
        token, _ = sign_up(ours.base)
        wait_outbox_drained(env["DATABASE_URL"])
        targets = [
            Target("stock-const", stock, "/constant/"),
            Target("healthz", ours, "/healthz"),
            Target("claims", ours, "/api/auth/claims/", token),
            Target("stock-bare", stock, "/bare-user/1/"),
            Target("djra-user", djra, "/dj-rest-auth/user/", peer_sign_in(djra)),
            Target("session", ours, "/api/auth/session/", token),
        ]
        if not args.no_stateless:
            stateless = servers[-1]
            targets.append(Target("stateless", stateless, "/stateless/", peer_sign_in(stateless)))
        sanity(targets)
        for target in targets:
            run_wrk(target.url, target.token, args, args.warmup, target.server.workers)
        print(f"warmed up {args.warmup}s per target\n")
        print(
            f"{'round':>5} {'target':>11} {'req/s':>9} {'p50 ms':>7} {'requests':>9} "
            f"{'CPU ms/req':>11} {'other CPU %':>12}"
        )
        for index in range(args.rounds):
            for target in round_order(targets, index):
                result = run_wrk(
                    target.url, target.token, args, args.duration, target.server.workers
                )
                target.results.append(result)
                p50 = f"{result.latency_p50_ms:.2f}" if result.latency_p50_ms else "?"
                print(
                    f"{index + 1:>5} {target.name:>11} {result.requests_per_sec:>9.1f} {p50:>7} "
                    f"{result.requests:>9} {result.server_cpu_ms_per_request:>11.3f} "
                    f"{result.other_cpu_percent:>12.1f}"
                    + (f"  !! {result.errors}" if result.errors else ""),
                    flush=True,
                )
    finally:
        tear_down(servers, metrics_dir, keep_db=args.keep_db)

    passed = summarize({t.name: t for t in targets})
    errors = [r.errors for t in targets for r in t.results if r.errors]
    if errors:
        print(f"WARNING: wrk reported errors: {errors}")
        return 1
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
