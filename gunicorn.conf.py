"""Gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (or plain `gunicorn`
from this folder, which reads this file itself).

Everything that differs between machines comes from the environment:

  HOST, PORT            where to listen (127.0.0.1:8000: nginx or a load balancer in front)
  WEB_CONCURRENCY       worker processes (default 2 × CPU cores + 1, at most 12)
  GUNICORN_THREADS      threads per worker (default 4; more than 1 uses gthread workers)
  GUNICORN_TIMEOUT      seconds a request may take before its worker is restarted (default 60)
  GUNICORN_LOG_LEVEL    debug, info (default), warning, error
  FORWARDED_ALLOW_IPS   proxies whose X-Forwarded-Proto gunicorn believes (gunicorn's own variable)

Long work (bulk certificates, imports, exports) never runs in a request: it is a background
job (`flask --app run worker`), so the request timeout can stay short.
"""
import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "run:app"
bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 12))
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5  # behind nginx, which keeps connections to the upstream open
# Each worker builds its own app and database pool after the fork: no connection is
# ever shared between processes.
preload_app = False
# Recycle workers now and then so memory used by one large PDF or spreadsheet is returned.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# Access log with the time taken (%(M)s milliseconds), to stdout for journald.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
proc_name = "courses"
# The heartbeat file on a memory file system, so a slow disk never looks like a hung worker.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
