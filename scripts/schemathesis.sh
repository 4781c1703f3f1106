#!/usr/bin/env bash
# Fuzz the running app against the committed openapi.yaml: no 5xx, no response outside the schema.
# Runs gunicorn (DEBUG off) on its own database: "<name>_schemathesis" on MySQL, a temp SQLite file
# otherwise. Extra arguments go to `schemathesis run`.
source "$(dirname "$0")/_env.sh"
source "$(dirname "$0")/_server.sh"
PORT="${SCHEMATHESIS_PORT:-8765}"
export RATE_LIMITS_ENABLED=false ACCESS_TOKEN_LIFETIME_SECONDS=3600
export INTROSPECTION_CLIENTS="fuzz-service:fuzz-service-secret-0123456789abcdef"
# Mail lands in files the hooks read codes from (tests/schemathesis_hooks.py).
MAIL_DIR="$(mktemp -d)"
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$MAIL_DIR" SCHEMATHESIS_MAIL_DIR="$MAIL_DIR" SCHEMATHESIS_PORT="$PORT"
start_server schemathesis "$PORT"

# Real signed-in users, so the Bearer endpoints are explored past the 401, and the hooks can hand
# the fuzzer a real password, refresh token or emailed code now and then.
FUZZ_TOKEN="$(python - "$PORT" <<'PY'
import json, sys, urllib.request

def sign_up(email, password):
    body = json.dumps({"name": "Fuzz", "email": email, "password": password,
                       "role": "teacher"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/api/auth/sign-up/",
                                     data=body, headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))["accessToken"]

sign_up("codes@example.com", "codes-pass-7731")
sign_up("reset@example.com", "reset-pass-8842")
print(sign_up("fuzz@example.com", "fuzzing-password-91"))
PY
)"

export FUZZ_TOKEN
# One worker: Hypothesis describes strategies by parsing their source, and CPython 3.11's parser
# is not safe to run from two threads at once ("AST constructor recursion depth mismatch", a
# SystemError seen about one run in three with two workers).
PYTHONPATH="$PWD" SCHEMATHESIS_HOOKS=tests.schemathesis_hooks schemathesis --config-file scripts/schemathesis.toml run openapi.yaml --url "http://127.0.0.1:$PORT" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-60}" --workers 1 --no-color \
    --suppress-health-check all --seed 1 "$@"
status=$?
rm -rf "$MAIL_DIR"
server_logged_traceback && exit 1
exit $status
