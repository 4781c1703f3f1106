# syntax=docker/dockerfile:1
# Production image of the auth API: gunicorn serving project.wsgi on port 8000, as uid 10001.
# Build: docker build -t authsvc .   Run the whole stack (MySQL, Redis): see compose.yaml.
# Every base image is a build argument (--build-arg PYTHON_IMAGE=... NODE_IMAGE=...): CI builds on
# base images it makes from Debian's archive (scripts/test-image).

ARG PYTHON_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:20-slim

# --- builder: the project and its dependencies in a self-contained venv -----------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /build

# Dependencies first (read from pyproject.toml), so a code-only change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -r requirements.txt

COPY src ./src
RUN pip install --no-deps . && pip check

# --- web: the React app, built once; Django serves web/dist at / -----------------------------
# One npm workspace: the client package (clients/typescript) and the app that uses it (web).
FROM ${NODE_IMAGE} AS web
WORKDIR /repo
COPY package.json package-lock.json ./
COPY clients/typescript/package.json ./clients/typescript/
COPY web/package.json ./web/
RUN npm ci --no-audit --no-fund
COPY clients/typescript/ ./clients/typescript/
COPY web/ ./web/
RUN cd web && npm run build

# --- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

# DATA_DIR holds what the service writes: the SQLite database when DATABASE_URL is unset. It is
# the one path the app user can write; mount a volume there to keep it (docs/operations.md).
ENV DATA_DIR=/data
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 0750 "$DATA_DIR"

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY src ./src
COPY --from=web /repo/web/dist ./web/dist
COPY --chmod=0755 docker/entrypoint.sh ./docker/entrypoint.sh

# Static files into /app/staticfiles (STATIC_ROOT). DEBUG=true only so that settings load
# without SECRET_KEY/JWT_SIGNING_KEY; nothing of it reaches the running container.
RUN DEBUG=true python src/manage.py collectstatic --no-input

# Code and static files stay root-owned (read-only for the app user).
USER 10001:10001
EXPOSE 8000

# Liveness only (GET /healthz: no database, no cache). Readiness, with every dependency, is
# GET /readyz for a load balancer or an orchestrator. The request's Host is 127.0.0.1, so
# ALLOWED_HOSTS must include it (compose.yaml does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# Each gunicorn worker keeps its metrics here; /metrics adds them up (emptied at each start).
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-metrics

ENTRYPOINT ["/app/docker/entrypoint.sh"]
# sh -c for ${WEB_CONCURRENCY:-2}; `exec` makes gunicorn the process that receives signals. The
# access log is the application's own JSON line per request (see src/project/gunicorn_conf.py).
# No control socket: gunicornc is not used, and its default path is under HOME (/nonexistent).
CMD ["sh", "-c", "exec gunicorn -c /app/src/project/gunicorn_conf.py --chdir /app/src project.wsgi:application --bind 0.0.0.0:8000 --workers \"${WEB_CONCURRENCY:-2}\" --no-control-socket"]
