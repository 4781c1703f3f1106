#!/usr/bin/env bash
# Access tokens verified from outside: a running server (DEBUG off, two workers) on its own
# database, and two independent verifiers (Node `jose`, Python `PyJWKClient`) on its JWKS, before
# and after a key rotation, plus the tokens that must be refused (interop/run.py).
source "$(dirname "$0")/_env.sh"
source "$(dirname "$0")/_server.sh"
PORT="${INTEROP_PORT:-8766}"
export INTEROP_PORT="$PORT" RATE_LIMITS_ENABLED=false
# A rotated-in key is published, then signs 2 s later (300+ s by default), and every worker
# reloads its keys every second: the whole rotation fits in the run.
export SIGNING_KEY_ACTIVATION_SECONDS=2 SIGNING_KEYS_RELOAD_SECONDS=1
(cd interop && npm ci --silent --no-audit --no-fund)
start_server interop "$PORT"
python interop/run.py
status=$?
server_logged_traceback && exit 1
exit $status
