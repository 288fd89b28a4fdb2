"""`make bench`: the platform against its floors at 10,000 offerings, on SQLite and PostgreSQL.

For each database: generate the data (bench/generate.py), serve the app with gunicorn
(`wsgi:app`, production config, 2 workers) and the floors (bench/floors.py) with the same
settings, load them with wrk (1 thread, fixed concurrency and duration, after a warm-up), run
the registration race, time the 2,000-session feed build (bench/feeds.py), then write
bench/results/<date>-<database>.json and the table at the top of bench/RESULTS.md.

Every figure is also a ratio to a floor measured just before it in the same run: the machines
are shared and noisy, so absolute times move between runs and ratios do not.

Options: --db sqlite,postgresql  --duration 6  --warmup 2  --quick (2 s runs, for a try-out)
--only catalog_search (those figures and their floors, printed only).
"""

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench import feeds as feed_build  # noqa: E402
from bench import generate  # noqa: E402

BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKERS = 2
CONNECTIONS = 8
#: Targets from the issue: (figure, floor, minimum ratio).
CATALOG_TARGET = 0.25
NOT_MODIFIED_TARGET = 0.8
FEED_BUILD_TARGET = 1.2


# --- the machine ---------------------------------------------------------------------------


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    gunicorn = subprocess.run(
        [str(BIN / "gunicorn"), "--version"], capture_output=True, text=True
    ).stdout
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(memory_kib / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "wrk": wrk.split()[1] if wrk else "missing",
        "gunicorn": gunicorn.split()[-1].strip("()") if gunicorn else "?",
    }


def postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.rsplit("/", 1)[0] + "/postgres")
    with engine.connect() as connection:
        version = connection.scalar(text("SHOW server_version"))
    engine.dispose()
    return version


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    """gunicorn on localhost with the benchmark's settings: 2 sync workers, no access log."""

    def __init__(self, target: str, env: dict, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, **env}
        env["BASE_URL"] = self.base
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
                target,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(self.base, path)[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"{self.base}{path} did not come up; see {self.log.name}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- a small HTTP client: cookies by hand (production cookies are Secure; this is http) -----


def request(base: str, method: str, path: str, *, headers=None, body=None, timeout=60):
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def get(base: str, path: str, headers=None):
    return request(base, "GET", path, headers=headers)


def header(headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name.lower()), None)


class Browser:
    """One person's cookies and address, kept by hand."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        self.address = address
        self.cookies: dict[str, str] = {}

    def headers(self, extra=None) -> dict:
        headers = {"X-Forwarded-For": self.address, "User-Agent": "bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def keep(self, headers) -> None:
        for key, value in headers:
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]

    def get(self, path: str):
        status, headers, body = request(self.base, "GET", path, headers=self.headers())
        self.keep(headers)
        return status, headers, body

    def post(self, path: str, form: dict):
        extra = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, body = request(
            self.base, "POST", path, headers=self.headers(extra), body=urlencode(form)
        )
        self.keep(headers)
        return status, headers, body


CSRF = re.compile(
    rb'name="csrf_token" type="hidden" value="([^"]+)"|'
    rb'name="csrf_token" value="([^"]+)"|value="([^"]+)" name="csrf_token"'
)


def csrf_token(body: bytes) -> str:
    found = CSRF.search(body)
    if not found:
        raise AssertionError("no csrf_token in the page")
    return next(group for group in found.groups() if group).decode()


# --- load ----------------------------------------------------------------------------------


def wrk(url: str, seconds: float, connections: int, header_line: str = "") -> dict:
    env = {**os.environ, "WRK_HEADER": header_line}
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "-s",
        str(BENCH / "report.lua"),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    result["non_2xx_3xx"] = int(non_2xx.group(1)) if non_2xx else 0
    errors = sum(v for k, v in result.items() if k.startswith("errors_")) + result["non_2xx_3xx"]
    if errors:
        raise AssertionError(f"wrk saw {errors} errors on {url}:\n{output}")
    return result


def measure(
    base: str, path: str, options, connections=CONNECTIONS, header_line="", slow=False
) -> dict:
    """wrk after a warm-up; a `slow` route (seconds a request) gets 20 s and no warm-up."""
    url = base + path
    if options.warmup and not slow:
        wrk(url, options.warmup, connections, header_line)
    seconds = max(options.duration, 20) if slow else options.duration
    result = wrk(url, seconds, connections, header_line)
    result["url"] = path
    result["connections"] = connections
    return result


# --- checks (not timed) --------------------------------------------------------------------


def check_ok(base: str, path: str, contains: bytes, minimum: int = 1) -> bytes:
    status, _, body = get(base, path)
    assert status == 200, f"{path} answered {status}"
    assert body.count(contains) >= minimum, f"{path}: fewer than {minimum} of {contains!r}"
    return body


def etag_of(base: str, path: str) -> str:
    status, headers, body = get(base, path)
    assert status == 200 and b"BEGIN:VEVENT" in body, f"{path}: {status}, no VEVENT"
    etag = header(headers, "ETag")
    assert etag, f"{path} sent no ETag"
    status, _, body = get(base, path, {"If-None-Match": etag})
    assert status == 304 and not body, f"{path} with If-None-Match answered {status}"
    return etag


# --- the registration race -----------------------------------------------------------------


def logged_in(base: str, email: str, path: str, address: str) -> str:
    """`email` logs in once; returns the Cookie header line wrk sends with every request
    (checked first: `path` shows its charts, not a redirect to the login)."""
    person = Browser(base, address)
    status, _, body = person.get("/login")
    assert status == 200, f"GET /login: {status}"
    form = {"csrf_token": csrf_token(body), "email": email, "password": generate.PASSWORD}
    status, _, body = person.post("/login", form)
    assert status == 302, f"{email} login: {status} {body[:300]!r}"
    status, _, body = person.get(path)
    assert status == 200 and b'role="img"' in body, f"{path}: {status}"
    return "Cookie: " + "; ".join(f"{k}={v}" for k, v in person.cookies.items())


def dashboard_session(base: str, data: generate.Generated) -> tuple[str, str]:
    """The organizer's dashboard path and cookie."""
    path = f"/workspace/{data.dashboard_partner_slug}/dashboard"
    return path, logged_in(base, generate.ORGANIZER, path, "10.9.9.9")


def report_session(base: str) -> tuple[str, str]:
    """The admin's alliance report (this year, by month) path and cookie."""
    path = "/admin/report?preset=this-year"
    return path, logged_in(base, generate.ADMIN, path, "10.9.9.10")


def registration_race(base: str, data: generate.Generated, url: str) -> dict:
    """200 logged-in people press "register" at once for 20 seats."""
    offering = f"/offerings/{data.race_offering_id}"
    people = [
        Browser(base, f"10.{20 + n // 250}.{n % 250}.{n % 7 + 1}") for n in range(len(data.racers))
    ]
    forms: list[dict] = [{}] * len(people)

    def log_in(index: int) -> None:
        person = people[index]
        status, _, body = person.get("/login")
        assert status == 200, f"GET /login: {status}"
        form = {
            "csrf_token": csrf_token(body),
            "email": data.racers[index],
            "password": generate.PASSWORD,
        }
        status, _, body = person.post("/login", form)
        assert status == 302, f"login of {data.racers[index]}: {status} {body[:300]!r}"
        status, _, body = person.get(offering)
        assert status == 200 and b"/register" in body, f"offering page: {status}"
        forms[index] = {"csrf_token": csrf_token(body)}

    started = time.perf_counter()
    threads = [threading.Thread(target=log_in, args=(i,)) for i in range(len(people))]
    # A few at a time: each login is ~0.1 s of argon2id on one of the two workers.
    for batch in range(0, len(threads), 8):
        for thread in threads[batch : batch + 8]:
            thread.start()
        for thread in threads[batch : batch + 8]:
            thread.join()
    assert all(forms), "not every racer logged in"
    login_seconds = time.perf_counter() - started

    barrier = threading.Barrier(len(people) + 1)
    finished = [0.0] * len(people)
    statuses = [0] * len(people)
    latencies = [0.0] * len(people)

    def press(index: int) -> None:
        person = people[index]
        body = urlencode(forms[index])
        headers = person.headers({"Content-Type": "application/x-www-form-urlencoded"})
        barrier.wait()
        begin = time.perf_counter()
        status, _, _ = request(base, "POST", f"{offering}/register", headers=headers, body=body)
        finished[index] = time.perf_counter()
        latencies[index] = (finished[index] - begin) * 1000
        statuses[index] = status

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    barrier.wait()
    go = time.perf_counter()
    for thread in threads:
        thread.join()
    settle = max(finished) - go

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        counts = dict(
            connection.execute(
                text(
                    "SELECT status, count(*) FROM registration WHERE offering_id = :id GROUP BY 1"
                ),
                {"id": data.race_offering_id},
            ).all()
        )
        seats = connection.scalar(
            text("SELECT seats_taken FROM offering WHERE id = :id"), {"id": data.race_offering_id}
        )
    engine.dispose()
    ordered = sorted(latencies)
    result = {
        "people": len(people),
        "seats": generate.RACE_SEATS,
        "login_seconds": round(login_seconds, 2),
        "settle_seconds": round(settle, 3),
        "per_second": round(len(people) / settle, 1),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "statuses": sorted(set(statuses)),
        "confirmed": counts.get("confirmed", 0),
        "waitlisted": counts.get("waitlisted", 0),
        "seats_taken": seats,
    }
    assert set(statuses) == {302}, f"registration answers: {statuses}"
    assert result["confirmed"] == generate.RACE_SEATS == seats, result
    assert result["waitlisted"] == len(people) - generate.RACE_SEATS, result
    return result


# --- one database --------------------------------------------------------------------------


def run_database(name: str, options, password_hash: str, work: Path) -> dict:
    url = PG_URL if name == "postgresql" else f"sqlite:///{work / 'bench.db'}"
    load_before = os.getloadavg()[0]
    print(f"[{name}] generating …", flush=True)
    data = generate.generate(url, password_hash)
    print(f"[{name}] {data.counts} in {data.seconds:.1f} s", flush=True)

    storage = REDIS_URL if redis_reachable() else "memory://"
    env = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        # Bench-only: each racer comes from its own address through one "proxy" (see RESULTS.md).
        "PROXY_FIX_HOPS": "1",
        "RATELIMIT_STORAGE_URI": storage,
    }
    app = Server("wsgi:app", env, work / f"gunicorn-{name}.log")
    floors = Server("bench.floors:app", {}, work / f"gunicorn-floors-{name}.log")
    figures: dict[str, dict] = {}
    try:
        app.wait("/healthz")
        floors.wait("/text")

        # Correctness first (untimed).
        partner_feed = f"/feeds/partners/{data.partner_slug}.ics"
        catalog = "/offerings"
        filtered = "/offerings?" + urlencode({"language": "ko"})
        search = "/offerings?" + urlencode({"q": "기후"})
        # English words match as prefixes (climate → climate, climates) and by best match.
        search_en = "/offerings?" + urlencode({"q": "climate action"})
        check_ok(app.base, catalog, b"offering-card", 12)
        check_ok(app.base, catalog + "?page=50", b"offering-card", 12)
        check_ok(app.base, filtered, b"offering-card", 12)
        check_ok(app.base, filtered + "&page=50", b"offering-card", 12)
        check_ok(app.base, search, b"offering-card", 12)
        check_ok(app.base, search_en, b"offering-card", 12)
        check_ok(app.base, f"/offerings/{data.sample_offering_id}", b"offering-title")
        all_body = check_ok(app.base, "/feeds/all.ics", b"BEGIN:VEVENT", 100)
        partner_body = check_ok(app.base, partner_feed, b"BEGIN:VEVENT", 10)
        all_etag = etag_of(app.base, "/feeds/all.ics")
        partner_etag = etag_of(app.base, partner_feed)
        feed_sizes = {
            "all_events": all_body.count(b"BEGIN:VEVENT"),
            "all_kib": round(len(all_body) / 1024),
            "partner_events": partner_body.count(b"BEGIN:VEVENT"),
            "partner_kib": round(len(partner_body) / 1024),
        }

        dashboard, dashboard_cookie = dashboard_session(app.base, data)
        report, report_cookie = report_session(app.base)
        check_ok(app.base, "/impact", b'role="img"')

        plan = [
            # (figure, server, path, floor it is read against, connections, header)
            ("floor_text", floors, "/text", None, CONNECTIONS, ""),
            # The app's fixed cost: its whole request stack and one trivial query.
            ("healthz", app, "/healthz", "floor_text", CONNECTIONS, ""),
            (
                "feed_304_partner",
                app,
                partner_feed,
                "floor_text",
                CONNECTIONS,
                f"If-None-Match: {partner_etag}",
            ),
            (
                "feed_304_all",
                app,
                "/feeds/all.ics",
                "floor_text",
                CONNECTIONS,
                f"If-None-Match: {all_etag}",
            ),
            ("floor_template", floors, "/template", None, CONNECTIONS, ""),
            ("catalog_p1", app, catalog, "floor_template", CONNECTIONS, ""),
            ("catalog_p50", app, catalog + "?page=50", "floor_template", CONNECTIONS, ""),
            ("catalog_filter_p1", app, filtered, "floor_template", CONNECTIONS, ""),
            ("catalog_filter_p50", app, filtered + "&page=50", "floor_template", CONNECTIONS, ""),
            ("catalog_search_p1", app, search, "floor_template", CONNECTIONS, ""),
            ("catalog_search_en_p1", app, search_en, "floor_template", CONNECTIONS, ""),
            (
                "offering_page",
                app,
                f"/offerings/{data.sample_offering_id}",
                "floor_template",
                CONNECTIONS,
                "",
            ),
            # An organizer's dashboard of the partner with the most offerings, logged in.
            ("dashboard_term", app, dashboard, "floor_template", CONNECTIONS, dashboard_cookie),
            # A site admin's alliance report (HTML, this year), and the public impact page.
            ("alliance_report", app, report, "floor_template", CONNECTIONS, report_cookie),
            ("impact_page", app, "/impact", "floor_template", CONNECTIONS, ""),
            ("floor_template_feeds", floors, "/template", None, CONNECTIONS, ""),
            ("feed_partner", app, partner_feed, "floor_template_feeds", CONNECTIONS, ""),
            # One connection: each request takes seconds; a calendar app polls one at a time.
            ("feed_all", app, "/feeds/all.ics", "floor_template_feeds", 1, ""),
        ]
        if options.only:
            # The chosen figures and the floors they are read against; nothing else.
            chosen = {f for f, *_ in plan if any(f.startswith(p) for p in options.only)}
            chosen |= {floor for f, _s, _p, floor, *_ in plan if f in chosen and floor}
            plan = [row for row in plan if row[0] in chosen]
        for figure, server, path, floor, connections, header_line in plan:
            slow = figure == "feed_all"
            result = measure(server.base, path, options, connections, header_line, slow)
            if floor:
                result["floor"] = floor
                result["ratio"] = round(result["rps"] / figures[floor]["rps"], 3)
            figures[figure] = result
            ratio = f"  {result['ratio']:.2f}x {floor}" if floor else ""
            print(
                f"[{name}] {figure:<22} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:7.1f}"
                f"  p95 {result['p95_ms']:7.1f}  p99 {result['p99_ms']:7.1f} ms{ratio}",
                flush=True,
            )

        if options.only:
            return {"database": name, "figures": figures}
        print(f"[{name}] registration race …", flush=True)
        race = registration_race(app.base, data, url)
        print(f"[{name}] {race}", flush=True)
    finally:
        app.stop()
        floors.stop()

    print(f"[{name}] feed build …", flush=True)
    feed_url = (
        PG_URL.rsplit("/", 1)[0] + "/bench_feeds"
        if name == "postgresql"
        else f"sqlite:///{work / 'feeds.db'}"
    )
    build = feed_build.measure(feed_url, runs=options.feed_runs)
    print(f"[{name}] {build}", flush=True)

    return {
        "database": name,
        "database_version": postgres_version(url) if name == "postgresql" else sqlite_version(),
        "rate_limit_storage": storage,
        # The machine is shared: its 1-minute load average before and after this database's run.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "data": {**data.counts, "generated_seconds": round(data.seconds, 1), **feed_sizes},
        "figures": figures,
        "registration": race,
        "feed_build": build,
    }


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


# --- output --------------------------------------------------------------------------------

LABELS = {
    "floor_text": "floor: bare route, short text",
    "healthz": "`/healthz` (app stack + `SELECT 1`), for reference",
    "feed_304_partner": "partner feed, conditional GET → 304",
    "feed_304_all": "`/feeds/all.ics`, conditional GET → 304",
    "floor_template": "floor: bare route, small Jinja template",
    "catalog_p1": "catalog, page 1",
    "catalog_p50": "catalog, page 50",
    "catalog_filter_p1": "catalog, filter `language=ko`, page 1",
    "catalog_filter_p50": "catalog, filter `language=ko`, page 50",
    "catalog_search_p1": "catalog, words `q=기후`, page 1",
    "catalog_search_en_p1": "catalog, words `q=climate action` (best match), page 1",
    "offering_page": "offering page (8+ sessions)",
    "dashboard_term": "partner dashboard (this term), organizer of the partner with most offerings",
    "alliance_report": "alliance report (HTML, this year), site admin",
    "impact_page": "public impact page `/impact` (this year and last year)",
    "floor_template_feeds": "floor: small Jinja template (again, before feeds)",
    "feed_partner": "partner feed `/feeds/partners/<slug>.ics`",
    "feed_all": "`/feeds/all.ics` (1 connection, 20 s)",
}
TARGETS = {
    "catalog_p1": CATALOG_TARGET,
    "catalog_p50": CATALOG_TARGET,
    "catalog_filter_p1": CATALOG_TARGET,
    "catalog_filter_p50": CATALOG_TARGET,
    "catalog_search_p1": CATALOG_TARGET,
    "catalog_search_en_p1": CATALOG_TARGET,
    "feed_304_partner": NOT_MODIFIED_TARGET,
    "feed_304_all": NOT_MODIFIED_TARGET,
}


def verdict(ratio: float, target: float, higher_is_better=True) -> str:
    met = ratio >= target if higher_is_better else ratio <= target
    sign = "≥" if higher_is_better else "≤"
    return f"{sign} {target}×: {'**met**' if met else '**missed**'}"


def markdown(run: dict) -> str:
    m = run["machine"]
    lines = [
        f"### {run['date']} · {run['database']} {run['database_version']}",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB, {m['os']}, Python {m['python']}, "
        f"gunicorn {m['gunicorn']} ({WORKERS} sync workers), wrk {m['wrk']} (1 thread, "
        f"{run['options']['duration']} s after a {run['options']['warmup']} s warm-up). Data: "
        f"{run['data']['offerings']:,} offerings, {run['data']['sessions']:,} sessions, "
        f"{run['data']['registrations']:,} registrations, {run['data']['partners']} partners "
        f"(generated in {run['data']['generated_seconds']} s). Rate limits: "
        f"`{run['rate_limit_storage']}`. Load average (1 min) before/after: "
        f"{run['load_average'][0]} / {run['load_average'][1]}.",
        "",
        "| figure | req/s | p50 ms | p95 ms | p99 ms | conc. | requests | ratio to floor | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for key, figure in run["figures"].items():
        ratio = f"{figure['ratio']:.3f}× {figure['floor']}" if "ratio" in figure else "—"
        target = verdict(figure["ratio"], TARGETS[key]) if key in TARGETS else ""
        rps = f"{figure['rps']:,.0f}" if figure["rps"] >= 10 else f"{figure['rps']:.2f}"
        lines.append(
            f"| {LABELS.get(key, key)} | {rps} | {figure['p50_ms']:.1f} | "
            f"{figure['p95_ms']:.1f} | {figure['p99_ms']:.1f} | {figure['connections']} | "
            f"{figure['requests']:,} | "
            f"{ratio} | {target} |"
        )
    race, build, data = run["registration"], run["feed_build"], run["data"]
    lines += [
        "",
        f"Feeds served: `/feeds/all.ics` {data['all_events']:,} events, {data['all_kib']:,} KiB; "
        f"partner feed {data['partner_events']} events, {data['partner_kib']} KiB.",
        "",
        f"Registration race: {race['people']} people, {race['seats']} seats, all pressing at once: "
        f"settled in **{race['settle_seconds']:.2f} s** ({race['per_second']} registrations/s; "
        f"per request p50 {race['p50_ms']:.0f} ms, p95 {race['p95_ms']:.0f} ms, "
        f"p99 {race['p99_ms']:.0f} ms); **{race['confirmed']} confirmed, "
        f"{race['waitlisted']} waitlisted**, seats_taken {race['seats_taken']} "
        f"(logins beforehand, untimed: {race['login_seconds']} s).",
        "",
        f"Feed build, {build['sessions']:,} sessions: app {build['app_ms']:.0f} ms, `icalendar` "
        f"alone {build['floor_ms']:.0f} ms, ratio **{build['ratio']:.2f}×** "
        f"({verdict(build['ratio'], FEED_BUILD_TARGET, higher_is_better=False)}), "
        f"{build['kib']:,} KiB; median of {build['runs']}.",
        "",
    ]
    return "\n".join(lines)


START = "<!-- bench:start (written by bench/run.py) -->"
END = "<!-- bench:end -->"


def write_results(runs: list[dict]) -> None:
    folder = BENCH / "results"
    folder.mkdir(exist_ok=True)
    for run in runs:
        stamp = run["date"].replace(":", "").replace("-", "")[:13]
        path = folder / f"{stamp}-{run['database']}.json"
        path.write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    results = BENCH / "RESULTS.md"
    text = results.read_text()
    block = "\n".join([START, "", *(markdown(run) for run in runs), END])
    if START in text:
        before, rest = text.split(START, 1)
        text = before + block + rest.split(END, 1)[1]
    else:
        head, _, tail = text.partition("\n")
        text = f"{head}\n\n## Latest `make bench`\n\n{block}\n{tail}"
    results.write_text(text)
    print(f"wrote {results.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=6)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--feed-runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 s runs, 1 s warm-up")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--only",
        type=lambda text: text.split(","),
        default=[],
        help="figures starting with these names (and their floors), no race or feed build;"
        " print only. E.g. --db sqlite --quick --only catalog_search",
    )
    options = parser.parse_args()
    options.no_write = options.no_write or bool(options.only)
    if options.quick:
        options.duration, options.warmup, options.feed_runs = 2, 1, 3
    # A stopped run still stops its gunicorns (they are stopped in `finally`).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    started = time.perf_counter()
    info = machine()
    password_hash = generate.production_hash()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    runs = []
    for name in options.db.split(","):
        run = run_database(name, options, password_hash, work)
        run["date"] = datetime.now(UTC).isoformat(timespec="seconds")
        run["machine"] = info
        run["options"] = {"duration": options.duration, "warmup": options.warmup}
        runs.append(run)
    if not options.no_write:
        write_results(runs)
    shutil.rmtree(work, ignore_errors=True)
    print(f"make bench: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
