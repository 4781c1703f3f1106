"""One JSON object per log line, carrying the id of the request it belongs to.

The request id lives in a context variable that project.middleware.request_context sets for the
length of a request; the filter copies it onto every record, whoever logs it (Django, DRF, the
apps, gunicorn's error log). Nothing here reads a request: what a line says is up to its logger,
and no logger of this service is handed a password, a code, a token or a cookie.
"""

import contextvars
import json
import logging
import re
import secrets
import time
from typing import cast

from pythonjsonlogger.json import JsonEncoder
from pythonjsonlogger.orjson import OrjsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# Where the id is kept on the request too: Django logs a 4xx/5xx answer (django.request) after the
# middleware that binds the context variable has returned.
REQUEST_ID_META = "authsvc.request_id"
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# What a proxy's or a client's id may look like (UUIDs, hex, trace ids); anything else is replaced
# by a fresh id, so a log line never carries a client's free text or a line break.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")


def new_request_id() -> str:
    return secrets.token_hex(16)


def accepted_request_id(offered: str | None) -> str:
    """The client's X-Request-ID when it is a sane one, otherwise a new id."""
    if offered and _SANE_ID.fullmatch(offered):
        return offered
    return new_request_id()


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(request_id: str) -> contextvars.Token:
    return _request_id.set(request_id)


def unbind_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = _request_id.get()
            if request_id is None and hasattr(record, "request"):
                request_id = getattr(record.request, "META", {}).get(REQUEST_ID_META)
            record.request_id = request_id
        return True


class ClientErrorFilter(logging.Filter):
    """A record of a client's mistake (Django logs a disallowed Host at ERROR, with the
    exception): kept as one WARNING line, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True


class DevServerRequestFilter(logging.Filter):
    """Drops the development server's own line per request (`django.server`: untimed, and at
    WARNING for every 4xx): project.middleware.request_context writes the one access line. Its
    other lines (HTTPS spoken to it, a broken pipe) pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (hasattr(record, "status_code") and record.args)


_FIELDS = ("asctime", "levelname", "name", "message", "request_id")
_RENAMED = {"asctime": "time", "levelname": "level"}


class JsonFormatter(OrjsonFormatter):
    """python-json-logger's formatter (orjson: a line costs a few microseconds, and there is one
    per request) with the fields every line has: time, level, logger, message, request id (plus
    whatever `extra` a logger passes, and the traceback if any)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", list(_FIELDS))
        kwargs.setdefault("rename_fields", dict(_RENAMED))
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)
        # The lines this service writes (its fields, no defaults or static fields) take a direct
        # path; any other configuration of the formatter, python-json-logger's own.
        self._direct = (
            self._required_fields == list(_FIELDS)
            and self.rename_fields == _RENAMED
            and not self.defaults
            and not self.static_fields
            and not self.timestamp
            and not self.rename_fields_keep_missing
            and not self.prefix
            and bool(self.datefmt)
        )
        self._stamp: tuple[int, str] = (-1, "")

    def stamp(self, created: float) -> str:
        """formatTime's text for a record made at `created`, formatted once per second."""
        second = int(created)
        stamp = self._stamp
        if stamp[0] != second:
            text = time.strftime(self.datefmt or "", self.converter(created))
            stamp = self._stamp = (second, text)
        return stamp[1]

    def format(self, record: logging.LogRecord) -> str:
        """python-json-logger's line, built without its generic field handling: the fields in
        its order (time, level, name, message, request id, then the record's `extra` in the
        order given), the time formatted once per second. A record with a traceback, stack or
        dict message takes its path."""
        if (
            not self._direct
            or record.exc_info
            or record.exc_text
            or record.stack_info
            or isinstance(record.msg, dict)
        ):
            return super().format(record)
        record.message = record.getMessage()
        values = record.__dict__
        line = {
            "time": self.stamp(record.created),
            "level": record.levelname,
            "name": record.name,
            "message": record.message,
            "request_id": values.get("request_id"),
        }
        skip = self._skip_fields
        for key, value in values.items():
            if key not in skip and not (isinstance(key, str) and key.startswith("_")):
                line[key] = value
        line.pop("request", None)  # as add_fields below
        return self.jsonify_log_record(line)

    def add_fields(self, log_record, record, message_dict) -> None:
        super().add_fields(log_record, record, message_dict)
        # Django's request loggers attach the request object as `extra`: its repr is no use, and
        # a request must never be serialised into a line (its path has the query string).
        log_record.pop("request", None)

    def jsonify_log_record(self, log_data) -> str:
        line = super().jsonify_log_record(log_data)
        if line.isascii():
            return line
        # Every non-ASCII character escaped: a path or name carrying U+2028, U+0085 and the like
        # (line breaks to many tools) can never split one record into several lines.
        return json.dumps(log_data, cls=JsonEncoder, ensure_ascii=True)


class AccessLog:
    """The one access line per request, at INFO on `name` ("authsvc.access"), with `fields` as
    its `extra`.

    Under the service's own log configuration (LOGGING in the settings: the root's one
    StreamHandler with JsonFormatter and RequestIdFilter, nothing else on the way) the line is
    built and written directly, under the handler's lock: the same JSON, field for field and in
    the same order, as the logging call would write, for a fraction of its cost (no LogRecord, no
    generic formatting), on every request. Any other configuration (another handler, a filter, a
    level on a handler, a record factory, a plain-text format) gets the logging call itself."""

    def __init__(self, name: str) -> None:
        self.logger = logging.getLogger(name)

    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def write(self, method: str, route: str, status: int, fields: dict) -> None:
        handler = self._direct_handler()
        if handler is None:
            self.logger.info("%s %s %s", method, route, status, extra=fields)
            return
        formatter = cast(JsonFormatter, handler.formatter)
        line = {
            "time": formatter.stamp(time.time()),
            "level": "INFO",
            "name": self.logger.name,
            "message": f"{method} {route} {status}",
            "request_id": _request_id.get(),
            **fields,
        }
        text = formatter.jsonify_log_record(line) + handler.terminator
        try:
            with handler.lock:  # type: ignore[union-attr]  # a StreamHandler always has one
                handler.stream.write(text)
                handler.stream.flush()
        except Exception:
            # A stream that fails (a closed pipe, a full one) is the logging call's to handle
            # (Handler.handleError): the request's answer never depends on its access line.
            self.logger.info("%s %s %s", method, route, status, extra=fields)

    def _direct_handler(self) -> logging.StreamHandler | None:
        logger: logging.Logger | None = self.logger
        while logger is not None and logger is not logging.root:
            if logger.handlers or logger.filters or not logger.propagate:
                return None
            logger = logger.parent
        root = logging.root
        if len(root.handlers) != 1 or root.filters or logging.getLogRecordFactory() is not _RECORD:
            return None
        handler = root.handlers[0]
        if (
            type(handler) is not logging.StreamHandler
            or handler.level > logging.INFO
            or type(handler.formatter) is not JsonFormatter
            or not handler.formatter._direct
            or any(type(f) is not RequestIdFilter for f in handler.filters)
        ):
            return None
        return handler


_RECORD = logging.LogRecord
