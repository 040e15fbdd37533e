"""How the web server runs (`make run`, `make serve`, the Procfile, the serving tests):
gunicorn, a few processes of a few threads each.

gunicorn, because it is the plain, long-proven WSGI server: Homeward's pages and API are
synchronous Django, so an async server would add nothing but a thread pool of its own;
threads (gthread) let a process wait on the database for one request while serving
another. With DB_CONN_MAX_AGE at 0 a request holds a database connection only while it
runs, so PostgreSQL sees at most WEB_WORKERS × WEB_THREADS of them (with DB_POOL=1, at most
WEB_WORKERS × DB_POOL_MAX_SIZE, kept open)."""

from typing import Any

from homeward.core.env import env_int, env_str
from homeward.core.metrics import process_exited

wsgi_app = "homeward.wsgi:application"
bind = [env_str("BIND", f"127.0.0.1:{env_int('PORT', 8000, minimum=1)}")]
worker_class = "gthread"
workers = env_int("WEB_WORKERS", 2, minimum=1)
threads = env_int("WEB_THREADS", 4, minimum=1)
# Requests are logged by Homeward itself (operations/metrics.py), in LOG_FORMAT.
accesslog = None
if env_str("LOG_FORMAT", "text") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "homeward.core.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO"}},
    }
# A stop (Ctrl-C, SIGTERM) lets requests in flight finish, for up to this long.
graceful_timeout = env_int("WEB_GRACEFUL_SECONDS", 5, minimum=1)
control_socket_disable = True  # nothing here uses it; several servers may share a machine


def child_exit(server: Any, worker: Any) -> None:
    process_exited(worker.pid)
