"""The figures each process counts for Prometheus (the database's own figures, such as
queue depth, are read when scraped: ``operations/metrics.py``).

Web processes and workers each count their own. With ``PROMETHEUS_MULTIPROC_DIR`` set (the
launcher sets it for every process it starts) they write to files there, and any web
process answers ``/metrics`` with the sum over all of them; without it a process reports
only itself.
"""

from __future__ import annotations

import os

from prometheus_client import Counter, Histogram

# Seconds, from a static file (1 ms) to a slow export (10 s).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_SECONDS = Histogram(
    "homeward_http_request_seconds",
    "Time to answer a request, by the view that answered it.",
    ["method", "view", "status"],
    buckets=REQUEST_BUCKETS,
)
JOB_SECONDS = Histogram(
    "homeward_job_seconds",
    "Time to run a background job, by kind and outcome (done, failed, lost).",
    ["kind", "outcome"],
    buckets=REQUEST_BUCKETS,
)
# Screening's rate is this counter's rate for kind="screen_message".
JOBS_RUN = Counter(
    "homeward_jobs_run", "Background jobs run, by kind and outcome.", ["kind", "outcome"]
)


def process_exited(pid: int) -> None:
    """Forget an exited process's live gauges (its counters stay in the sums)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
