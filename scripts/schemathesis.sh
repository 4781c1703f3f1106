#!/usr/bin/env bash
# Fuzz the running app against the committed openapi.yaml: no 5xx, no response outside the schema.
# Runs gunicorn (DEBUG off) on its own database: "<name>_schemathesis" on MySQL, a temp SQLite file
# otherwise. Extra arguments go to `schemathesis run`.
source "$(dirname "$0")/_env.sh"
PORT="${SCHEMATHESIS_PORT:-8765}"
WORK="$(mktemp -d)"
if [[ "${DATABASE_URL:-}" == mysql://* ]]; then
    export DATABASE_URL="${DATABASE_URL%%\?*}_schemathesis"
    python scripts/dbtool.py drop "$DATABASE_URL"
    python scripts/dbtool.py create "$DATABASE_URL"
else
    export DATABASE_URL="sqlite:///$WORK/schemathesis.sqlite3"
fi
export DEBUG=false RATE_LIMITS_ENABLED=false ACCESS_TOKEN_LIFETIME_SECONDS=3600
export SECRET_KEY="schemathesis-secret-$(python -c 'import secrets; print(secrets.token_hex(24))')"
export JWT_SIGNING_KEY="$(python -c 'import secrets; print(secrets.token_hex(32))')"
export ALLOWED_HOSTS=127.0.0.1,localhost
# Mail lands in files the hooks read codes from (tests/schemathesis_hooks.py).
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$WORK/mail" SCHEMATHESIS_MAIL_DIR="$WORK/mail" SCHEMATHESIS_PORT="$PORT"
mkdir -p "$WORK/mail"

python src/manage.py migrate --no-input >/dev/null
python src/manage.py createcachetable
gunicorn --chdir src project.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --error-logfile "$WORK/gunicorn.log" --pid "$WORK/gunicorn.pid" --daemon
trap 'kill "$(cat "$WORK/gunicorn.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/auth/csrf/" && break
    sleep 0.2
done

# Real signed-in users, so the Bearer endpoints are explored past the 401, and the hooks can hand
# the fuzzer a real password, refresh token or emailed code now and then.
TOKEN="$(python - "$PORT" <<'PY'
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

PYTHONPATH="$PWD" SCHEMATHESIS_HOOKS=tests.schemathesis_hooks schemathesis run openapi.yaml --url "http://127.0.0.1:$PORT" \
    -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-60}" --workers 2 --no-color \
    --suppress-health-check all --seed 1 "$@"
status=$?
if grep -q "Traceback" "$WORK/gunicorn.log"; then
    echo "server logged a traceback:" >&2
    cat "$WORK/gunicorn.log" >&2
    exit 1
fi
exit $status
