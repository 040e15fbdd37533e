"""Log records as one JSON object per line (``LOG_FORMAT=json``), for a log collector.

Each line has the time (UTC, ISO 8601), level, logger, message and process id, the
exception's traceback when there is one, and the plain values (text, numbers) a caller
passed in ``extra`` (the request log adds method, path, status, duration_ms, view and
client)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

# What every LogRecord carries; anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_PLAIN = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            # Plain values only: Django adds the whole request object to its own records,
            # and its text would carry the query string (and what a form put there).
            if key not in _STANDARD and key not in entry and isinstance(value, _PLAIN):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
