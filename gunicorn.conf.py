"""gunicorn reads this file from the working directory (so the benchmarks use it too).

Access logs never show credentials. The rest is set for bursts (issue 15: 500 people
clicking Enroll at once): the listen queue holds a whole burst instead of resetting
connections, and a request may wait its turn for longer than a burst lasts.
"""

import sys

logger_class = "learning_portal.core.logging.RedactingGunicornLogger"

# Connections the kernel queues before gunicorn accepts them (capped by net.core.somaxconn).
backlog = 4096
# gthread: connections one worker holds open at once (keep-alive and queued ones).
worker_connections = 2000
# A worker silent this long is killed; queued requests of a burst are not yet counted.
timeout = 60
graceful_timeout = 30
# The intranet's browsers reuse a connection for the widget, its frame.js and the next page.
keepalive = 15


def post_worker_init(worker):
    # Threads waiting on a database or Redis answer get the interpreter back sooner: at the
    # default 5 ms a request holding a session's row lock waited behind its neighbours'
    # rendering after every query, and a rush into one session queued on that lock.
    sys.setswitchinterval(0.0005)
