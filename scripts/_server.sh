# Shared by scripts/schemathesis.sh and scripts/interop.sh (sourced after _env.sh):
#   start_server NAME PORT   a gunicorn server (DEBUG off, two workers) on its own database,
#                            "<db>_NAME" on MySQL or a temp SQLite file; stopped on exit.
#   server_logged_traceback  true when the server's log holds a traceback (printed to stderr).
start_server() {
    local name="$1" port="$2"
    SERVER_WORK="$(mktemp -d)"
    if [[ "${DATABASE_URL:-}" == mysql://* ]]; then
        export DATABASE_URL="${DATABASE_URL%%\?*}_$name"
        python scripts/dbtool.py drop "$DATABASE_URL"
        python scripts/dbtool.py create "$DATABASE_URL"
    else
        export DATABASE_URL="sqlite:///$SERVER_WORK/$name.sqlite3"
    fi
    export DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost
    export SECRET_KEY="$name-secret-$(python -c 'import secrets; print(secrets.token_hex(24))')"
    export JWT_SIGNING_KEY="$(python -c 'import secrets; print(secrets.token_hex(32))')"
    python src/manage.py migrate --no-input >/dev/null
    python src/manage.py createcachetable
    gunicorn --chdir src project.wsgi:application --bind "127.0.0.1:$port" --workers 2 \
        --error-logfile "$SERVER_WORK/gunicorn.log" --pid "$SERVER_WORK/gunicorn.pid" --daemon
    trap 'kill "$(cat "$SERVER_WORK/gunicorn.pid")" 2>/dev/null || true; rm -rf "$SERVER_WORK"' EXIT
    for _ in $(seq 50); do
        curl -fs -o /dev/null "http://127.0.0.1:$port/api/auth/csrf/" && return 0
        sleep 0.2
    done
    echo "the server did not start" >&2
    cat "$SERVER_WORK/gunicorn.log" >&2
    return 1
}

server_logged_traceback() {
    if grep -q "Traceback" "$SERVER_WORK/gunicorn.log"; then
        echo "server logged a traceback:" >&2
        cat "$SERVER_WORK/gunicorn.log" >&2
        return 0
    fi
    return 1
}
