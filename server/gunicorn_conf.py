"""gunicorn settings for running aftersales as several processes (docs/deploy/README.md).

Use it as a module, so it is found wherever the package is installed::

    AFTERSALES_CONFIG=/etc/aftersales/aftersales.toml \\
    gunicorn -c python:server.gunicorn_conf "server.app:app_from_environment()"

Every value can be changed on the command line (``-w 8``, ``-b unix:/run/…``) or through
the environment variables read below. What several processes need from the config:

- ``[security] secret_key`` empty is fine: the first worker to start writes
  ``instance/secret_key`` and the others read the same key, so a session cookie signed
  by one worker is good in every other.
- ``[rate_limits] storage = "redis://…"``: memory counters are per process, so with
  N workers a caller would get N times the budget (the app logs a warning at start).
- ``[jobs] backend``: the queue is used by ``aftersales worker`` (one such process per
  installation; ``sqlite`` is fine on one machine, ``redis`` across machines).
- SQLite: every worker opens the file in WAL mode with ``[database] busy_timeout_ms``;
  PostgreSQL: each worker thread holds at most one connection
  (``workers × threads`` in all; keep it under the server's ``max_connections``).
"""

from __future__ import annotations

import os
from typing import Any

# 127.0.0.1:8000, or e.g. "unix:/run/aftersales/gunicorn.sock" (docs/deploy/nginx.conf)
bind = os.environ.get("AFTERSALES_BIND", "127.0.0.1:8000")
# processes; WEB_CONCURRENCY is gunicorn's usual variable for it
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# threads per process: a request waiting on the database does not hold up the others
worker_class = "gthread"
threads = int(os.environ.get("AFTERSALES_THREADS", "4"))
# each worker builds its own app (and database connections) after the fork
preload_app = False
timeout = 60
graceful_timeout = 30
keepalive = 5
# a worker is replaced after this many requests (bounded memory over months of uptime)
max_requests = 5000
max_requests_jitter = 500
# the proxy in front sets X-Forwarded-*; the app trusts them per [server] proxy_hops
forwarded_allow_ips = os.environ.get("AFTERSALES_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("AFTERSALES_ACCESS_LOG", "-")
errorlog = "-"
loglevel = "info"
proc_name = "aftersales"

# Read by server.ratelimit at start-up: how many processes serve requests.
PROCESSES_VARIABLE = "AFTERSALES_SERVER_PROCESSES"


def on_starting(server: Any) -> None:
    """Tell the workers (through the environment they inherit) how many there are."""
    os.environ[PROCESSES_VARIABLE] = str(server.cfg.workers)
