"""A bound on the wait for PostgreSQL's answer on a connection the app already holds open.

The server enforces statement_timeout, and the server's kernel answers TCP keepalives and
acknowledges data (tcp_user_timeout): a hung server process, a proxy such as PgBouncer that
holds a query, or a network path that drops data while the peer still acknowledges satisfy
them all, and the statement would wait for ever - the request with it, until gunicorn kills the
worker. So every round trip on a PostgreSQL connection (statements, pool_pre_ping's ping, the
first statements of a new connection, COMMIT, ROLLBACK, fetches) is bounded on this side too:
after DATABASE_ANSWER_TIMEOUT seconds without an answer the statement is cancelled (psycopg's
cancel_safe, at most CANCEL_SECONDS), and when that brings no answer within SETTLE_SECONDS
either, the connection is closed. The waiting call then raises OperationalError: the request
gets the 503 page, SQLAlchemy discards the connection (psycopg says it is closed, which
SQLAlchemy counts as a disconnect), and the pool opens a new one when it is next needed (for a
ping that went unanswered, at once: pool_pre_ping tries one new connection).

No watchdog thread: every blocking call of a psycopg 3 connection waits in Connection.wait(),
a poll loop that wakes every 0.1 s and takes a deadline (psycopg passes one for
notifies(timeout=...)). Passing the bound there makes the waiting thread enforce it itself: no
timer or heap entry per statement, no lock, no thread to start, stop or leak, and no socket
shut down from another thread (whose file descriptor may have been reused by then).
Connection.wait() and errors._WaitTimeout are psycopg internals (3.2 and later); the stall
tests in tests/test_outage.py fail if a psycopg upgrade changes them.
Cost (bench/answer_timeout.py: 10,000 `SELECT 1` on a local PostgreSQL 15, two busy cores):
about 0.5 µs of CPU per round trip (Connection.wait() alone: 0.3-0.5 µs plain, 0.5-1.0 µs
bounded), below the run-to-run noise of the round trip itself (70-90 µs with psycopg, 150-170
µs through SQLAlchemy). A threading.Timer per statement would cost 300-440 µs; a deadline on a
watchdog thread's heap, under a lock, about 1 µs.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import capabilities
from psycopg.errors import _WaitTimeout  # what Connection.wait() raises when its deadline passes
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import CreateEnginePlugin
from sqlalchemy.exc import ArgumentError

logger = logging.getLogger(__name__)

#: How long the cancel request itself may take (it opens a connection to the server).
CANCEL_SECONDS = 1.0
#: How long a cancelled statement may take to answer before its connection is closed.
SETTLE_SECONDS = 1.0
#: psycopg's own wake-up interval in Connection.wait() (psycopg.connection._WAIT_INTERVAL).
_INTERVAL = 0.1


class BoundedConnection(psycopg.Connection):
    """A psycopg connection that waits at most `answer_timeout` seconds for each answer."""

    #: Seconds a round trip may go unanswered; None or 0: as long as it takes.
    answer_timeout: float | None = None

    def wait(self, gen, interval: float = _INTERVAL, timeout: float | None = None):
        bound = self.answer_timeout
        if not bound or timeout is not None:  # unbounded, or the caller has its own deadline
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, bound)
        except _WaitTimeout:
            return self._abandon(gen, interval, bound)

    def _abandon(self, gen, interval: float, bound: float):
        """Cancel what has gone unanswered for `bound` s; close the connection if that fails."""
        logger.warning("PostgreSQL has not answered for %g s: cancelling the statement", bound)
        # libpq 17's cancel has a timeout of its own; the older one could block for ever.
        if capabilities.has_cancel_safe():
            try:
                self.cancel_safe(timeout=CANCEL_SECONDS)
            except psycopg.Error:
                pass  # the server cannot be reached on a new connection either
            else:
                try:
                    # A server that is alive answers QueryCanceled (raised here), or the result
                    # if the statement ended just now; the connection stays usable.
                    return super().wait(gen, interval, SETTLE_SECONDS)
                except _WaitTimeout:
                    pass
        self.close()
        raise psycopg.OperationalError(
            f"PostgreSQL did not answer within {bound:g} s: the connection was closed"
        )


class AnswerTimeout(CreateEnginePlugin):
    """create_engine(url, plugins=[config.ANSWER_TIMEOUT_PLUGIN], answer_timeout=seconds).

    The engine's psycopg connections are BoundedConnections waiting at most `seconds` for
    each answer (config.engine_options sets this up for PostgreSQL).
    """

    def __init__(self, url, kwargs) -> None:
        super().__init__(url, kwargs)
        self.seconds = kwargs.pop("answer_timeout", None)

    def update_url(self, url):
        return url  # nothing of ours in it

    def engine_created(self, engine: Engine) -> None:
        if not self.seconds:
            return
        if engine.dialect.driver != "psycopg" or engine.dialect.is_async:
            raise ArgumentError(
                "The answer timeout (DATABASE_ANSWER_TIMEOUT) needs the psycopg driver, "
                "postgresql+psycopg://...; set it to 0 to do without."
            )
        event.listen(engine, "do_connect", self._connect)

    def _connect(self, _dialect, _record, cargs, cparams) -> BoundedConnection:
        connection = BoundedConnection.connect(*cargs, **cparams)
        connection.answer_timeout = self.seconds
        return connection


@contextmanager
def unbounded(connection: Connection) -> Iterator[None]:
    """Let `connection` wait for the server as long as it takes (a migration, say)."""
    dbapi_connection = connection.connection.driver_connection
    if not isinstance(dbapi_connection, BoundedConnection):
        yield
        return
    bound = dbapi_connection.answer_timeout
    dbapi_connection.answer_timeout = None
    try:
        yield
    finally:
        dbapi_connection.answer_timeout = bound
