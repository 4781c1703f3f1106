"""gunicorn's settings: `gunicorn -c src/project/gunicorn_conf.py project.wsgi:application ...`.

- No gunicorn access log: the application writes one JSON line per request with its request id
  (project.middleware.request_context); gunicorn's own lines (start, worker exits) are JSON too.
  gunicorn's logger would otherwise gather its access fields for every request whenever a
  logging config is given (this one), even with no access log to write them to; AppAccessLog
  gathers them only for an --access-logfile given on the command line.
- Once a worker has loaded the application, its objects (modules, settings, routes: about 100,000)
  are frozen out of the garbage collector's view (gc.freeze): they live as long as the worker,
  and a full collection would otherwise walk them all every few hundred requests.
- With PROMETHEUS_MULTIPROC_DIR (set in the image), each worker keeps its metrics in files there;
  a dead worker's live gauges are dropped (prometheus_client's multiprocess mode). The directory
  must be emptied before the server starts (docker/entrypoint.sh does).
"""

import gc
import os
import sys
from pathlib import Path

from gunicorn import glogging
from prometheus_client import multiprocess

# The formatter lives in src/observability; the config is read before --chdir takes effect.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class AppAccessLog(glogging.Logger):
    """gunicorn's logger, its access line only when --access-logfile asks for one."""

    @property
    def access_log_enabled(self) -> bool:
        return bool(self.cfg.accesslog)


accesslog = None
logger_class = AppAccessLog
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "observability.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "observability.logs.JsonFormatter"}},
    "handlers": {
        "json_stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["json_stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["json_stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
}


def post_worker_init(worker) -> None:
    gc.freeze()


def child_exit(server, worker) -> None:
    # prometheus_client's own variable (it reads it itself); settings.py documents it.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
