"""How `make run` (and the serving tests) run the web server: gunicorn, a few processes
of a few threads each. With DB_CONN_MAX_AGE at 0 a request holds a database connection
only while it runs, so PostgreSQL sees at most WEB_WORKERS × WEB_THREADS of them."""

from homeward.core.env import env_int

wsgi_app = "homeward.wsgi:application"
worker_class = "gthread"
workers = env_int("WEB_WORKERS", 2, minimum=1)
threads = env_int("WEB_THREADS", 4, minimum=1)
accesslog = "-"
# Ctrl-C should not wait long for a slow request.
graceful_timeout = 5
control_socket_disable = True  # nothing here uses it; several servers may share a machine
