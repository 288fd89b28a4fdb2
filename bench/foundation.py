"""Foundation benchmarks: password hashing cost and in-process page latency.

Run: .venv/bin/python bench/foundation.py  (SQLite in a temporary folder, demo data loaded).
Results go in bench/RESULTS.md with the machine and the date.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate

from config import Config, TestingConfig, engine_options
from learning_platform import create_app
from learning_platform.demo import seed_demo
from learning_platform.extensions import db
from learning_platform.security import hash_password, verify_password


def timed(function, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms   (n={len(ordered)})"


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'bench.db'}"
    config.SQLALCHEMY_ENGINE_OPTIONS = engine_options(config.SQLALCHEMY_DATABASE_URI)
    # Production hashing parameters, not the cheap test ones.
    config.ARGON2_TIME_COST = Config.ARGON2_TIME_COST
    config.ARGON2_MEMORY_COST = Config.ARGON2_MEMORY_COST
    config.ARGON2_PARALLELISM = Config.ARGON2_PARALLELISM
    config.WTF_CSRF_ENABLED = False
    app = create_app(config)
    with app.app_context():
        flask_migrate.upgrade()
        seed_demo()
        db.session.commit()
        stored = hash_password("learn-together-2026")
        print("argon2id hash   ", summary(timed(lambda: hash_password("learn-together-2026"), 20)))
        print(
            "argon2id verify ",
            summary(timed(lambda: verify_password(stored, "learn-together-2026"), 20)),
        )

    client = app.test_client()
    for path in ["/", "/partners/", "/partners/changwon-city", "/login", "/healthz"]:
        client.get(path)
        print(f"GET {path:<24}", summary(timed(lambda p=path: client.get(p), 300)))

    def login_and_logout():
        client.post(
            "/login", data={"email": "citizen@example.org", "password": "learn-together-2026"}
        )
        client.post("/logout")

    print("login + logout  ", summary(timed(login_and_logout, 20)))


if __name__ == "__main__":
    main()
