"""What the answer timeout (learning_platform/answer_timeout.py) costs per statement.

Run: .venv/bin/python bench/answer_timeout.py [postgresql+psycopg://postgres@127.0.0.1:5432/test]
(default: TEST_DATABASE_URL, else that URL). Times `SELECT 1` round trips on one connection,
plain psycopg against BoundedConnection, then through SQLAlchemy with and without the bound,
in alternating rounds, and Connection.wait() on its own (no server: the bound's CPU cost).
Prints the best round's microseconds per statement (the one least disturbed by other work),
and how much a second plain connection differs from the first: the noise of the round trips.
For comparison, the bookkeeping alone of other designs: a threading.Timer armed and cancelled
per statement, and a deadline pushed on a heap shared by a watchdog thread, under a lock.
"""

import heapq
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from config import engine_options
from learning_platform.answer_timeout import BoundedConnection

STATEMENTS = 10_000
ROUNDS = 11
BOUND = 12.0


def per_statement(run) -> float:
    """The best of ROUNDS: microseconds per statement of run(STATEMENTS)."""
    return min(_timed(run) for _ in range(ROUNDS))


def _timed(run) -> float:
    started = time.perf_counter()
    run(STATEMENTS)
    return (time.perf_counter() - started) / STATEMENTS * 1e6


def psycopg_loop(connection):
    cursor = connection.cursor()

    def run(count: int) -> None:
        for _ in range(count):
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return run


def sqlalchemy_loop(connection):
    def run(count: int) -> None:
        for _ in range(count):
            connection.exec_driver_sql("SELECT 1").scalar()

    return run


def interleaved(runs: dict) -> dict[str, float]:
    """Rounds taken in turn, so that a busy moment of the machine hits every variant alike."""
    for run in runs.values():
        run(1000)  # warm up
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(ROUNDS):
        for name, run in runs.items():
            samples[name].append(_timed(run))
    return {name: min(values) for name, values in samples.items()}


def wait_loop(connection):
    """Connection.wait() on a generator that needs no server: the bound's own CPU cost."""

    def done():
        return None
        yield

    def run(count: int) -> None:
        for _ in range(count):
            connection.wait(done())

    return run


def timer_per_statement(count: int) -> None:
    for _ in range(count):
        timer = threading.Timer(BOUND, lambda: None)
        timer.daemon = True
        timer.start()
        timer.cancel()


def heap_per_statement(count: int) -> None:
    heap: list = []
    lock = threading.Lock()
    for number in range(count):
        entry = [time.monotonic() + BOUND, number, False]
        with lock:
            heapq.heappush(heap, entry)
        with lock:
            entry[2] = True


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TEST_DATABASE_URL")
    url = url or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with (
        psycopg.connect(conninfo, autocommit=True) as plain,
        psycopg.connect(conninfo, autocommit=True) as again,
        BoundedConnection.connect(conninfo, autocommit=True) as bounded,
    ):
        bounded.answer_timeout = BOUND
        raw = interleaved(
            {
                "plain": psycopg_loop(plain),
                "again": psycopg_loop(again),
                "bounded": psycopg_loop(bounded),
            }
        )
        cpu = interleaved({"plain": wait_loop(plain), "bounded": wait_loop(bounded)})
    engines = {
        "plain": create_engine(url, **engine_options(url, answer_timeout=0)),
        "bounded": create_engine(url, **engine_options(url, answer_timeout=BOUND)),
    }
    connections = {name: engine.connect() for name, engine in engines.items()}
    try:
        through_sqlalchemy = interleaved(
            {name: sqlalchemy_loop(connection) for name, connection in connections.items()}
        )
    finally:
        for name, connection in connections.items():
            connection.close()
            engines[name].dispose()
    print(f"{STATEMENTS:,} x SELECT 1, best of {ROUNDS} rounds, µs per statement")
    for label, figures in (
        ("psycopg", raw),
        ("SQLAlchemy", through_sqlalchemy),
        ("wait() alone", cpu),
    ):
        extra = figures["bounded"] - figures["plain"]
        print(
            f"{label:<12} plain {figures['plain']:6.1f}  bounded {figures['bounded']:6.1f}"
            f"  difference {extra:+5.2f} ({extra / figures['plain']:+.1%})"
        )
    noise = raw["again"] - raw["plain"]
    print(f"noise: a second plain psycopg connection differs by {noise:+5.2f}")
    print(f"bookkeeping alone: threading.Timer {per_statement(timer_per_statement):6.2f}")
    print(f"                   heap under a lock {per_statement(heap_per_statement):6.2f}")


if __name__ == "__main__":
    main()
