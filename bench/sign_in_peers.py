"""A password sign-in against its peers, over HTTP, the same Argon2id hash everywhere.

Run from the repository root:  .venv/bin/python -m bench.sign_in_peers

Targets, on gunicorn servers (sync workers, DEBUG off), each server on its own MariaDB database,
one request at a time (the latency of a sign-in on an idle server, as one user sees it):

  stock-hash   POST /check-password/ of a `django-admin startproject` project (bench/peers/): a
               plain Django view around Django's own authenticate() (the user by username, the
               hasher), nothing else: the floor of a password check through Django;
  djra-login   POST /dj-rest-auth/login/ of the same project, dj-rest-auth + simplejwt as their docs
               set them up (a session login and two JWTs);
  sign-in      POST /api/auth/sign-in/ of this service, as its image runs it by default: rate
               limits on (counters in the database), the access log at INFO, metrics on; every
               sign-in from a new device (no cookie kept), as sign_in_overhead does by default.

Every server hashes with Argon2id at the service's default parameters (t=2, m=19 MiB, p=1; the
peers' project sets it in PASSWORD_HASHERS): each target pays one such hash per request, so the
differences between targets are what each does besides it. The hasher alone is timed in this
process between batches (argon2-cffi, the same parameters) for reference.

Rounds visit the targets in a rotating order, every other round reversed. Per round and target:
warm-up requests, then --requests sequential requests, each a new connection (gunicorn's sync
workers close every connection), timed from connect to the last byte; the server's CPU per
request (its workers' utime + stime). --no-rate-limits runs this service with RATE_LIMITS_ENABLED
off, the faster setting.

Prints, per round, each target's median latency and CPU per request, and each target's overhead
over stock-hash (latency, CPU) with the ratio sign-in/djra-login. Exit code 0 unless a request
failed: the figures compare; the goal (hasher + 3 ms) is judged by bench.sign_in_overhead.
"""

import argparse
import http.client
import json
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import git_revision, wait_outbox_drained
from bench.session_peers import (
    PEER_PASSWORD,
    Server,
    add_server_options,
    peers_python,
    setup_peer,
    start_service,
    tear_down,
    wait_peer,
)
from bench.session_throughput import (
    PASSWORD,
    RESULTS,
    process_cpu_seconds,
    sign_up,
    wait_until_up,
    worker_pids,
)

ORDER = ["stock-hash", "djra-login", "sign-in"]


@dataclass
class Target:
    name: str
    server: Server
    path: str
    body: bytes
    latencies: list[list[float]] = field(default_factory=list)  # per round, ms
    cpu: list[float] = field(default_factory=list)  # per round, server CPU ms per request

    def post(self) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            connection.request("POST", self.path, self.body, {"Content-Type": "application/json"})
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per round")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests before each batch")
    add_server_options(parser, database_prefix="authsvc_bench_sip")
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="this service with RATE_LIMITS_ENABLED=false (a faster setting than the default)",
    )
    args = parser.parse_args()
    args.peers_as_shipped = False  # setup_peer's option: every server on the same settings
    if min(args.rounds, args.requests) < 1:
        parser.error("--rounds and --requests must be >= 1")
    return args


def hasher_ms(count: int) -> list[float]:
    """The Argon2id verification alone, at the service's default parameters, in this process."""
    from argon2 import PasswordHasher

    hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
    hashed = hasher.hash(PASSWORD)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        hasher.verify(hashed, PASSWORD)
        times.append((time.perf_counter() - start) * 1000)
    return times


def batch(target: Target, requests: int, warmup: int) -> None:
    for _ in range(warmup):
        target.post()
    workers = target.server.workers
    cpu_before = process_cpu_seconds(workers)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        status, answer = target.post()
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"{target.name} answered {status}: {answer[:300]!r}")
    target.cpu.append((process_cpu_seconds(workers) - cpu_before) * 1000 / requests)
    target.latencies.append(times)


def median(values: list[float]) -> float:
    return statistics.median(values)


def _ratio(subject: float, peer: float) -> float:
    return subject / peer if peer else math.nan  # a peer's overhead within the clock's resolution


def report(targets: dict[str, Target], hasher: list[list[float]]) -> None:
    rounds = len(hasher)
    print("\nper round: median latency ms (server CPU ms per request)")
    print(f"{'round':>5} {'hasher':>8} " + " ".join(f"{name:>20}" for name in targets))
    for index in range(rounds):
        cells = [
            f"{median(t.latencies[index]):>8.2f} ({t.cpu[index]:>6.2f})" for t in targets.values()
        ]
        print(
            f"{index + 1:>5} {median(hasher[index]):>8.2f} " + " ".join(f"{c:>20}" for c in cells)
        )
    floor = targets["stock-hash"]
    over: dict[str, tuple[list[float], list[float]]] = {}  # name: (latency, CPU) per round
    print("\nover stock-hash, per round: latency ms (server CPU ms per request)")
    for name in ("djra-login", "sign-in"):
        target = targets[name]
        over[name] = (
            [median(target.latencies[i]) - median(floor.latencies[i]) for i in range(rounds)],
            [target.cpu[i] - floor.cpu[i] for i in range(rounds)],
        )
        cells = [f"{lat:.2f} ({cpu:.2f})" for lat, cpu in zip(*over[name], strict=True)]
        print(
            f"{name:>10}: " + ", ".join(cells) + f"; medians {median(over[name][0]):.2f} "
            f"({median(over[name][1]):.2f})"
        )
    ratios = [_ratio(o, d) for o, d in zip(over["sign-in"][0], over["djra-login"][0], strict=True)]
    cpu_ratios = [
        _ratio(o, d) for o, d in zip(over["sign-in"][1], over["djra-login"][1], strict=True)
    ]
    print(
        "sign-in's overhead over djra-login's, per round: latency "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + f" (median {median(ratios):.2f}); CPU "
        + ", ".join(f"{r:.2f}" for r in cpu_ratios)
        + f" (median {median(cpu_ratios):.2f})"
    )
    print("\nsummary (medians over rounds of each round's median)")
    print(f"{'hasher alone':>14}: {median([median(h) for h in hasher]):.2f} ms (in this process)")
    for name, target in targets.items():
        latency = median([median(times) for times in target.latencies])
        print(f"{name:>14}: {latency:.2f} ms, server CPU {median(target.cpu):.2f} ms per request")


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    python = peers_python()
    prefix = args.database_prefix
    ours = Server("sign-in", f"{prefix}_ours")
    peers = Server("peers", f"{prefix}_peers")
    servers = [peers, ours]
    print(
        f"revision {git_revision()} | cpus {os.cpu_count()} | gunicorn -w {args.workers} sync per "
        f"server | {args.rounds} rounds x {args.requests} requests per target, one at a time | "
        f"CONN_MAX_AGE={args.conn_max_age}, health checks on, everywhere"
    )
    print(
        "this service: gunicorn -c src/project/gunicorn_conf.py, access log on (INFO), metrics "
        + (
            "on, rate limits OFF (--no-rate-limits)"
            if args.no_rate_limits
            else "on, rate limits on"
        )
    )
    metrics_dir = Path(tempfile.mkdtemp(prefix="authsvc-bench-metrics-"))
    try:
        env = start_service(
            ours, args, metrics_dir, RATE_LIMITS_ENABLED="false" if args.no_rate_limits else "true"
        )
        setup_peer(peers, python, args)
        wait_until_up(ours.base, ours.process)
        wait_peer(peers)
        for server in servers:
            server.workers = worker_pids(server.process.pid)
        email = sign_up(ours.base)[1]["email"]  # the access token carries the address
        wait_outbox_drained(
            env["DATABASE_URL"]
        )  # the verification mail sent, not sending meanwhile
        peer_body = json.dumps({"username": "bench", "password": PEER_PASSWORD}).encode()
        targets = {
            "stock-hash": Target("stock-hash", peers, "/check-password/", peer_body),
            "djra-login": Target("djra-login", peers, "/dj-rest-auth/login/", peer_body),
            "sign-in": Target(
                "sign-in",
                ours,
                "/api/auth/sign-in/",
                json.dumps({"email": email, "password": PASSWORD}).encode(),
            ),
        }
        for target in targets.values():
            status, answer = target.post()
            if status != 200:
                raise RuntimeError(f"{target.name} answered {status}: {answer[:300]!r}")
            print(f"sanity: {target.name:<10} 200, {len(answer)} B  {answer[:90].decode()}")
        hasher: list[list[float]] = []
        for index in range(args.rounds):
            order = [targets[name] for name in ORDER]
            order = order[index % len(order) :] + order[: index % len(order)]
            if index % 2:
                order.reverse()
            for target in order:
                batch(target, args.requests, args.warmup)
            hasher.append(hasher_ms(max(10, args.requests // 5)))
            print(
                f"round {index + 1}: "
                + ", ".join(f"{t.name} {median(t.latencies[-1]):.2f} ms" for t in order)
                + f"; hasher {median(hasher[-1]):.2f} ms",
                flush=True,
            )
    finally:
        tear_down(servers, metrics_dir, keep_db=args.keep_db)
    report(targets, hasher)
    return 0


if __name__ == "__main__":
    sys.exit(main())
