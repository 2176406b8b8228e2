"""Django's PostgreSQL backend, with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request on a
kept connection: a third of the statements of a cached read. A server ends a connection (a restart,
``pg_terminate_backend``, PgBouncer going away, an idle timeout) by saying so and closing it, and
says nothing else unasked between statements, so a connection whose socket has something to read
has been ended. A false alarm (a setting reported after the server reloads its configuration) costs
a new connection, no error.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        # Django's own attributes, not in its stubs.
        enabled, done = self.health_check_enabled, self.health_check_done  # type: ignore[attr-defined,has-type]
        if self.connection is None or not enabled or done:
            return
        if self.connection.closed or _ended_by_server(self.connection.fileno()):
            self.close()
        self.health_check_done = True


def _ended_by_server(socket: int) -> bool:
    readable, _, _ = select.select([socket], [], [], 0)
    return bool(readable)
