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

python src/manage.py migrate --no-input >/dev/null
python src/manage.py createcachetable
gunicorn --chdir src project.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --error-logfile "$WORK/gunicorn.log" --pid "$WORK/gunicorn.pid" --daemon
trap 'kill "$(cat "$WORK/gunicorn.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/api/auth/csrf/" && break
    sleep 0.2
done

# A real signed-in user, so the Bearer endpoints are explored past the 401.
TOKEN="$(python - "$PORT" <<'PY'
import json, sys, urllib.request
body = json.dumps({"name": "Fuzz", "email": "fuzz@example.com",
                   "password": "fuzzing-password-91", "role": "teacher"}).encode()
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/api/auth/sign-up/", data=body,
                                 headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["accessToken"])
PY
)"

schemathesis run openapi.yaml --url "http://127.0.0.1:$PORT" \
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
