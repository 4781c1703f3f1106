#!/bin/sh
# Container entrypoint: apply migrations (unless MIGRATE_ON_START=false), then run the command.
#   MIGRATE_ON_START     "false" skips migrate/createcachetable (e.g. when a release job runs them)
#   MIGRATE_ATTEMPTS     how many times to try migrate while the database comes up (default 10)
#   MIGRATE_RETRY_DELAY  seconds between attempts (default 3)
#   PROMETHEUS_MULTIPROC_DIR  emptied here: metrics files of an earlier run must not be added up
set -eu

if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

manage() {
    python /app/src/manage.py "$@"
}

if [ "${MIGRATE_ON_START:-true}" != "false" ]; then
    attempts="${MIGRATE_ATTEMPTS:-10}"
    delay="${MIGRATE_RETRY_DELAY:-3}"
    n=1
    # compose waits for MySQL's healthcheck; this covers engines started without one.
    until manage migrate --no-input; do
        if [ "$n" -ge "$attempts" ]; then
            echo "entrypoint: migrate failed after $n attempts; giving up" >&2
            exit 1
        fi
        echo "entrypoint: migrate failed (attempt $n/$attempts); retrying in ${delay}s" >&2
        n=$((n + 1))
        sleep "$delay"
    done
    manage createcachetable
fi

exec "$@"
