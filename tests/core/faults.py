"""Stand-ins for failing services: a Redis that is down, one that is frozen, a dead broker."""

import contextlib
import socket
import threading

import pytest

from learning_portal.core import circuit

# Ports in this project's range for tests (nothing listens on DOWN_PORT).
DOWN_PORT = 18498
FROZEN_PORTS = range(18470, 18490)


class FrozenServer:
    """Accepts TCP connections and never answers, like a Redis stopped with SIGSTOP."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for port in FROZEN_PORTS:
            try:
                self.sock.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            raise OSError(f"no free port in {FROZEN_PORTS}")
        self.sock.listen(128)
        self.port = port
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def redis_cache_at(url: str) -> dict:
    from learning_portal.settings.base import redis_caches

    return redis_caches(url)


@pytest.fixture
def fresh_breakers():
    circuit.reset_all()
    yield
    circuit.reset_all()


@pytest.fixture
def frozen_server():
    server = FrozenServer()
    yield server
    server.close()


@pytest.fixture
def broker_at(settings):
    """Point Celery (not eager) at a broker URL for one test, then restore everything."""
    from learning_portal.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url)

    def point(url: str):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CELERY_BROKER_URL = url
        app.conf.task_always_eager = False
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    yield point
    app.conf.task_always_eager, app.conf.broker_url = saved
    app._pool = None
    app.amqp._producer_pool = None
