"""Django's PostgreSQL backend with a circuit breaker in front of new connections.

With the database unreachable, every request would wait the pool's full timeout for a
connection that never comes. After one failure the breaker fails new connections at once
for a few seconds (the request gets the 503 page straight away), then lets one request try
again: an outage costs one wait per few seconds per process (learning_portal.core.circuit).
"""

from django.db.backends.postgresql import base

from learning_portal.core.circuit import breaker

DATABASE_BREAKER = "PostgreSQL"


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        gate = breaker(DATABASE_BREAKER)
        if not gate.allow():
            raise self.Database.OperationalError("the database is unavailable (circuit open)")
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.OperationalError as exc:
            gate.failure(exc)
            raise
        gate.success()
        return connection
