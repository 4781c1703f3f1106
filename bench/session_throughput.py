"""Throughput of GET /api/auth/session/ against a bare Django view doing the same single query.

Run from the repository root:  .venv/bin/python -m bench.session_throughput

Steps: fresh MariaDB database -> migrate -> gunicorn (sync workers, DEBUG off, persistent
connections) on a free loopback port -> sign up one user over HTTP -> warm up -> interleaved wrk
rounds (ABBA order so drift hits both sides equally) -> medians and session/bare ratio.
gunicorn is always stopped at the end.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    DEFAULT_DB_HOST,
    ROOT,
    SRC,
    bench_env,
    drop_database,
    git_revision,
    recreate_database,
)

RESULTS = ROOT / "bench" / "results"
TARGET_RATIO = 0.8
PASSWORD = "quartz-lantern-harbor-91"


@dataclass
class WrkResult:
    requests_per_sec: float
    latency_p50_ms: float | None
    requests: int
    errors: str | None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_up(base: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        try:
            status, _ = http("GET", f"{base}/api/auth/csrf/")
            if status == 204:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def jwt_claims(token: str) -> dict:
    """The payload, unverified (we only need `sid`; the server verifies the signature)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, token: str, args: argparse.Namespace, duration: int) -> WrkResult:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    problems = [
        line.strip() for line in out.splitlines() if "Non-2xx" in line or "Socket errors" in line
    ]
    if rps is None or total is None:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    return WrkResult(
        requests_per_sec=float(rps.group(1)),
        latency_p50_ms=_ms(*p50.groups()) if p50 else None,
        requests=int(total.group(1)),
        errors="; ".join(problems) or None,
    )


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn) if gunicorn.exists() else shutil.which("gunicorn") or "gunicorn",
        "--chdir",
        str(SRC),
        "--pythonpath",
        str(ROOT),
        "project.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
    ]
    server_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with log.open("wb") as handle:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=server_env, stdout=handle, stderr=subprocess.STDOUT
        )


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def sign_up(base: str) -> tuple[str, str]:
    email = f"bench-{os.getpid()}-{int(time.time())}@example.com"
    status, body = http(
        "POST",
        f"{base}/api/auth/sign-up/",
        {
            "name": "Bench User",
            "email": email,
            "password": "quartz-lantern-harbor-91",
            "role": "student",
        },
    )
    if status != 201:
        raise RuntimeError(f"sign-up answered {status}: {body[:300]!r}")
    token = json.loads(body)["accessToken"]
    return token, jwt_claims(token)["sid"]


def check_endpoints(session_url: str, bare_url: str, token: str) -> None:
    session_status, session_body = http("GET", session_url, token=token)
    bare_status, bare_body = http("GET", bare_url, token=token)
    if session_status != 200 or bare_status != 200:
        raise RuntimeError(f"session answered {session_status}, bare answered {bare_status}")
    same = json.loads(session_body) == json.loads(bare_body)
    print(
        f"sanity: both 200; bodies {'identical' if same else 'DIFFER'} "
        f"(session {len(session_body)} B, bare {len(bare_body)} B)"
    )
    if not same:
        print(f"  session: {session_body.decode()}\n  bare:    {bare_body.decode()}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each runs both endpoints")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--database-url", default=f"{DEFAULT_DB_HOST}/authsvc_bench_session", help="dropped!"
    )
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database after")
    args = parser.parse_args()
    if args.connections < args.threads:
        parser.error("--connections must be >= --threads")
    return args


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found (apt-get install -y wrk)", file=sys.stderr)
        return 2
    env = bench_env(args.database_url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "session_throughput.gunicorn.log"
    print(
        f"revision {git_revision()} | cpus {os.cpu_count()} | gunicorn -w {args.workers} sync | "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s x {args.rounds} rounds"
    )
    recreate_database(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, args.workers, log)
    results: dict[str, list[WrkResult]] = {"bare": [], "session": []}
    try:
        wait_until_up(base, server)
        token, sid = sign_up(base)
        urls = {
            "bare": f"{base}/bench/bare-user/{sid}/",
            "session": f"{base}/api/auth/session/",
        }
        check_endpoints(urls["session"], urls["bare"], token)
        for name in ("bare", "session"):
            run_wrk(urls[name], token, args, args.warmup)
        print(f"warmed up {args.warmup:g}s per endpoint\n")
        print(f"{'round':>5} {'endpoint':>8} {'req/s':>10} {'p50 ms':>8} {'requests':>9}")
        for index in range(args.rounds):
            order = ("bare", "session") if index % 2 == 0 else ("session", "bare")
            for name in order:
                result = run_wrk(urls[name], token, args, args.duration)
                results[name].append(result)
                p50 = f"{result.latency_p50_ms:.2f}" if result.latency_p50_ms else "?"
                print(
                    f"{index + 1:>5} {name:>8} {result.requests_per_sec:>10.1f} {p50:>8} "
                    f"{result.requests:>9}" + (f"  !! {result.errors}" if result.errors else "")
                )
    finally:
        stop(server)
        if not args.keep_db:
            drop_database(env)

    bare = [r.requests_per_sec for r in results["bare"]]
    session = [r.requests_per_sec for r in results["session"]]
    ratios = [s / b for s, b in zip(session, bare, strict=True)]
    median_bare, median_session = statistics.median(bare), statistics.median(session)
    ratio = median_session / median_bare
    errors = [r.errors for rs in results.values() for r in rs if r.errors]
    print("\nsummary (req/s)")
    print(f"{'':>18} {'median':>9} {'min':>9} {'max':>9}")
    for name, values in (("bare view", bare), ("session endpoint", session)):
        print(
            f"{name:>18} {statistics.median(values):>9.1f} {min(values):>9.1f} {max(values):>9.1f}"
        )
    print(f"per-round ratios session/bare: {', '.join(f'{r:.3f}' for r in ratios)}")
    print(
        f"ratio of medians session/bare = {ratio:.3f} (median per-round ratio "
        f"{statistics.median(ratios):.3f}); target >= {TARGET_RATIO} -> "
        f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    if errors:
        print(f"WARNING: wrk reported errors: {errors}")
        return 1
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
