"""Whether the database answers, found out within a bound that a health check can promise."""

import threading
import time
from concurrent.futures import Future

from sqlalchemy import Engine, text


class DatabaseProbe:
    """Runs SELECT 1 in a helper thread, so a database that never answers cannot hold the caller.

    A server that accepts connections and never answers holds a connection attempt for
    DATABASE_CONNECT_TIMEOUT (libpq: at least 2 s), and a query on an open connection for
    DATABASE_ANSWER_TIMEOUT and a little more; the caller waits at most its own timeout
    instead. One probe runs at a time, so frequent health checks during an outage do not pile
    up waiting threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: tuple[float, Future] | None = None

    def answers(self, engine: Engine, timeout: float) -> bool:
        asked = time.monotonic()
        deadline = asked + timeout
        while True:
            with self._lock:
                if self._running is None or self._running[1].done():
                    self._running = (time.monotonic(), _start(engine))
                started, probe = self._running
            try:
                probe.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:
                if not probe.done() or started >= asked or time.monotonic() >= deadline:
                    return False
                # A probe from before this request failed: the database may be back, ask again.
                continue
            return True


def _start(engine: Engine) -> Future:
    probe: Future = Future()

    def run() -> None:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except BaseException as error:  # handed to the waiting request
            probe.set_exception(error)
        else:
            probe.set_result(True)

    threading.Thread(target=run, name="healthz-probe", daemon=True).start()
    return probe
