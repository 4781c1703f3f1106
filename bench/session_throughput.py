"""Throughput of a Bearer endpoint against a baseline on the same server, interleaved.

  --pair session (default): GET /api/auth/session/ against a bare Django view doing the same single
                            query (target session/bare >= 0.8);
  --pair claims:            GET /api/auth/claims/ against a DRF view answering constant JSON with
                            no authentication (target claims/constant >= 0.9: no query, no
                            per-request key work).

Run from the repository root:  .venv/bin/python -m bench.session_throughput [--pair claims]

Steps: fresh MariaDB database -> migrate -> gunicorn (sync workers, DEBUG off, persistent
connections) on a free loopback port -> sign up one user over HTTP -> warm up -> interleaved wrk
rounds (ABBA order so drift hits both sides equally) -> medians and session/bare ratio.
gunicorn is always stopped at the end.

Besides req/s, each run records the CPU time the gunicorn workers spent per request (from
/proc/<pid>/stat) and how busy the machine was with anything other than the workers and wrk
("other CPU", in % of all CPUs). On a small shared machine req/s swings with other load; CPU per
request barely does, so its ratio is the steadier cross-check.
"""

import argparse
import base64
import json
import os
import re
import resource
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
    wait_outbox_drained,
)

RESULTS = ROOT / "bench" / "results"
# name: (baseline label, baseline path, subject label, subject path, target subject/baseline)
PAIRS = {
    "session": ("bare", "/api/bench/bare-user/{sub}/{sid}/", "session", "/api/auth/session/", 0.8),
    "claims": ("constant", "/api/bench/constant-claims/", "claims", "/api/auth/claims/", 0.9),
}
PASSWORD = "quartz-lantern-harbor-91"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class RunResult:
    requests_per_sec: float
    latency_p50_ms: float | None
    requests: int
    errors: str | None
    server_cpu_ms_per_request: float
    other_cpu_percent: float


# --- /proc accounting ----------------------------------------------------------------------------
def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from "state" on


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields and int(fields[1]) == master:
                pids.append(int(entry))
    return pids


def process_cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / CLOCK_TICKS


def system_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds over all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = values
    busy = user + nice + system + irq + softirq + steal
    return busy / CLOCK_TICKS, (busy + idle + iowait) / CLOCK_TICKS


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- HTTP and wrk --------------------------------------------------------------------------------
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
    raise RuntimeError(f"gunicorn did not answer within {timeout:g} s")


def jwt_claims(token: str) -> dict:
    """The payload, unverified (we only need `sub` and `sid`; the server verifies it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str, token: str | None, args: argparse.Namespace, duration: int, workers: list[int]
):
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    cmd.append(url)
    server_before, wrk_before = process_cpu_seconds(workers), children_cpu_seconds()
    busy_before, total_before = system_cpu_seconds()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    busy_after, total_after = system_cpu_seconds()
    server_cpu = process_cpu_seconds(workers) - server_before
    wrk_cpu = children_cpu_seconds() - wrk_before
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
    requests = int(total.group(1))
    other = (busy_after - busy_before) - server_cpu - wrk_cpu
    return RunResult(
        requests_per_sec=float(rps.group(1)),
        latency_p50_ms=_ms(*p50.groups()) if p50 else None,
        requests=requests,
        errors="; ".join(problems) or None,
        server_cpu_ms_per_request=server_cpu * 1000 / max(requests, 1),
        other_cpu_percent=max(0.0, 100 * other / max(total_after - total_before, 1e-9)),
    )


# --- server --------------------------------------------------------------------------------------
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


def sign_up(base: str) -> tuple[str, dict]:
    email = f"bench-{os.getpid()}-{int(time.time())}@example.com"
    user = {"name": "Bench User", "email": email, "password": PASSWORD, "role": "student"}
    status, body = http("POST", f"{base}/api/auth/sign-up/", user)
    if status != 201:
        raise RuntimeError(f"sign-up answered {status}: {body[:300]!r}")
    token = json.loads(body)["accessToken"]
    return token, jwt_claims(token)


def check_endpoints(session_url: str, bare_url: str, token: str, *, same_body: bool) -> None:
    session_status, session_body = http("GET", session_url, token=token)
    bare_status, bare_body = http("GET", bare_url, token=token)
    if session_status != 200 or bare_status != 200:
        raise RuntimeError(f"subject answered {session_status}, baseline answered {bare_status}")
    subject, baseline = json.loads(session_body), json.loads(bare_body)
    same = subject == baseline if same_body else set(subject) == set(baseline)
    print(
        f"sanity: both 200; bodies {'alike' if same else 'DIFFER'} "
        f"(subject {len(session_body)} B, baseline {len(bare_body)} B)"
    )
    if not same:
        print(f"  subject:  {session_body.decode()}\n  baseline: {bare_body.decode()}")


# --- main ----------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pair", choices=sorted(PAIRS), default="session")
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
    if min(args.rounds, args.duration, args.warmup) < 1:
        parser.error("--rounds, --duration and --warmup must be >= 1")
    return args


def summarize(results: dict[str, list[RunResult]], pair: str) -> float:
    bare_name, _, session_name, _, target = PAIRS[pair]
    bare, session = results[bare_name], results[session_name]
    rps_b = [r.requests_per_sec for r in bare]
    rps_s = [r.requests_per_sec for r in session]
    cpu_b = [r.server_cpu_ms_per_request for r in bare]
    cpu_s = [r.server_cpu_ms_per_request for r in session]
    ratios = [s / b for s, b in zip(rps_s, rps_b, strict=True)]
    ratio = statistics.median(rps_s) / statistics.median(rps_b)
    cpu_ratio = statistics.median(cpu_b) / statistics.median(cpu_s)
    print("\nsummary")
    print(f"{'':>18} {'median req/s':>13} {'min':>8} {'max':>8} {'server CPU ms/req':>18}")
    for name, rps, cpu in ((bare_name, rps_b, cpu_b), (session_name, rps_s, cpu_s)):
        print(
            f"{name:>18} {statistics.median(rps):>13.1f} {min(rps):>8.1f} {max(rps):>8.1f} "
            f"{statistics.median(cpu):>18.3f}"
        )
    label = f"{session_name}/{bare_name}"
    print(f"per-round ratios {label}: {', '.join(f'{r:.3f}' for r in ratios)}")
    print(f"median per-round ratio {label}: {statistics.median(ratios):.3f}")
    print(f"CPU-per-request ratio {bare_name}/{session_name} (contention-robust): {cpu_ratio:.3f}")
    verdict = "PASS" if ratio >= target else "FAIL"
    print(f"ratio of medians {label} = {ratio:.3f}; target >= {target} -> {verdict}")
    return ratio


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found (apt-get install -y wrk)", file=sys.stderr)
        return 2
    env = bench_env(args.database_url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"{args.pair}_throughput.gunicorn.log"
    print(
        f"revision {git_revision()} | cpus {os.cpu_count()} | gunicorn -w {args.workers} sync | "
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s x {args.rounds} rounds"
    )
    recreate_database(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, args.workers, log)
    bare_name, bare_path, session_name, session_path, target = PAIRS[args.pair]
    results: dict[str, list[RunResult]] = {bare_name: [], session_name: []}
    try:
        wait_until_up(base, server)
        workers = worker_pids(server.pid)
        if len(workers) != args.workers:
            print(f"warning: found {len(workers)} gunicorn workers, expected {args.workers}")
        token, claims = sign_up(base)
        wait_outbox_drained(env["DATABASE_URL"])
        urls = {
            bare_name: base + bare_path.format(**claims),
            session_name: base + session_path,
        }
        check_endpoints(
            urls[session_name], urls[bare_name], token, same_body=args.pair == "session"
        )
        for name in (bare_name, session_name):
            run_wrk(urls[name], token, args, args.warmup, workers)
        print(f"warmed up {args.warmup}s per endpoint\n")
        print(
            f"{'round':>5} {'endpoint':>8} {'req/s':>9} {'p50 ms':>7} {'requests':>9} "
            f"{'srv CPU ms/req':>15} {'other CPU %':>12}"
        )
        for index in range(args.rounds):
            order = (bare_name, session_name) if index % 2 == 0 else (session_name, bare_name)
            for name in order:
                result = run_wrk(urls[name], token, args, args.duration, workers)
                results[name].append(result)
                p50 = f"{result.latency_p50_ms:.2f}" if result.latency_p50_ms else "?"
                print(
                    f"{index + 1:>5} {name:>8} {result.requests_per_sec:>9.1f} {p50:>7} "
                    f"{result.requests:>9} {result.server_cpu_ms_per_request:>15.3f} "
                    f"{result.other_cpu_percent:>12.1f}"
                    + (f"  !! {result.errors}" if result.errors else "")
                )
    finally:
        stop(server)
        if not args.keep_db:
            drop_database(env)

    ratio = summarize(results, args.pair)
    errors = [r.errors for rs in results.values() for r in rs if r.errors]
    if errors:
        print(f"WARNING: wrk reported errors: {errors}")
        return 1
    return 0 if ratio >= target else 1


if __name__ == "__main__":
    sys.exit(main())
