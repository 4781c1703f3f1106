#!/bin/sh
# Container entrypoint: apply migrations (unless MIGRATE_ON_START says otherwise), then run the command.
#   MIGRATE_ON_START     "true" (default) migrates and creates the cache table; "wait" applies
#                        nothing and waits until another container has applied every migration
#                        (the mail worker: it starts with the api, which migrates); "false" skips
#                        both (e.g. when a release job runs them)
#   MIGRATE_ATTEMPTS     how many times to try reaching the database, then migrate, while it
#                        comes up (default 10; 60 checks when waiting)
#   MIGRATE_RETRY_DELAY  seconds between attempts (default 3)
#   PROMETHEUS_MULTIPROC_DIR  emptied here: metrics files of an earlier run must not be added up
set -eu

# Process 1 of a container ignores SIGTERM unless it handles it: a stop while this script waits
# or migrates ends it at once, not after the stop's grace period. (`exec` below hands the
# signals to the command, which handles its own.)
trap 'exit 143' TERM
trap 'exit 130' INT

# A sleep that a stop cuts short (the trap runs when `wait` is interrupted).
pause() {
    sleep "$1" &
    wait $!
}

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

manage() {
    python /app/src/manage.py "$@"
}

# Quietly, once a second, until the database answers (a server still starting is not worth a
# traceback), for as long as the migrate attempts would take; then migrate says what is wrong.
wait_for_database() {
    case "${DATABASE_URL:-}${DATABASE_NAME:-}" in
        "" | sqlite:*) return 0 ;; # a file: nothing to wait for
    esac
    n=1
    limit=$((attempts * delay))
    until manage shell -c "from django.db import connection; connection.ensure_connection()" \
        >/dev/null 2>&1; do
        [ "$n" -lt "$limit" ] || return 0
        echo "entrypoint: waiting for the database ($n/$limit)" >&2
        n=$((n + 1))
        pause 1
    done
}

delay="${MIGRATE_RETRY_DELAY:-3}"
case "${MIGRATE_ON_START:-true}" in
    false) ;;
    wait)
        attempts="${MIGRATE_ATTEMPTS:-60}"
        n=1
        # Exits non-zero while a migration is unapplied or the database is unreachable.
        until manage migrate --check >/dev/null 2>&1; do
            if [ "$n" -ge "$attempts" ]; then
                echo "entrypoint: migrations still unapplied after $n checks; giving up" >&2
                exit 1
            fi
            echo "entrypoint: waiting for migrations (check $n/$attempts); again in ${delay}s" >&2
            n=$((n + 1))
            pause "$delay"
        done
        ;;
    *)
        attempts="${MIGRATE_ATTEMPTS:-10}"
        # compose waits for MySQL's healthcheck; this covers engines started without one.
        wait_for_database
        n=1
        until manage migrate --no-input; do
            if [ "$n" -ge "$attempts" ]; then
                echo "entrypoint: migrate failed after $n attempts; giving up" >&2
                exit 1
            fi
            echo "entrypoint: migrate failed (attempt $n/$attempts); retrying in ${delay}s" >&2
            n=$((n + 1))
            pause "$delay"
        done
        manage createcachetable
        ;;
esac

exec "$@"
