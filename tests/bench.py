"""`make bench`: serve the large demo institute in production mode and time each page.

Builds the large demo institute once (bench.sqlite3, or BENCH_DATABASE_URL; seeding is
idempotent, so later runs only top it up), starts gunicorn with DEBUG off on loopback
(INSECURE_HTTP=1) and SERVER_TIMING=1, logs in as each demo role, requests every page in
PAGES many times, and prints p50/p95 of the server's own time (the Server-Timing header,
so the HTTP client is not measured), the client round trip, and SQL queries per request.
The table is also written to BENCHMARKS.md.

Later issues add their pages to PAGES. Timings are measured here, never asserted in tests.
"""

import http.cookiejar
import json
import os
import platform
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = 10
PASSWORD = "musicbeats-demo"

# (label, path, role that requests it; None for anonymous[, POST data]). A path may hold
# `{name}` fields, filled from LOOKUPS after seeding. POST data is a function of the
# request's number returning the form fields; it is sent as htmx would (CSRF header).
TERM = "from={term_from}&to={term_to}"


def attendance_tap(i):
    """Alternate present and late, so that every tap really changes the mark."""
    now = str(1_000_000 + i)
    status = "late" if i % 2 else "present"
    return {"mark": f"{{roster_student}}:{status}", "tapped_at": now, "sent_at": now}


PAGES = [
    ("login page", "/accounts/login/", None),
    ("healthz", "/healthz", None),
    ("dashboard (admin)", "/", "admin"),
    ("dashboard (office)", "/", "office"),
    ("dashboard (teacher)", "/", "teacher"),
    ("dashboard (student)", "/", "student"),
    ("dashboard (guardian)", "/", "guardian"),
    ("roll call: today", "/attendance/today/", "teacher"),
    ("roll call: 30-student roster", "/attendance/lessons/{roster_lesson}/", "teacher"),
    ("roll call: a tap (POST)", "/attendance/lessons/{roster_lesson}/", "teacher", attendance_tap),
    ("attendance by student, a term", f"/attendance/reports/?{TERM}", "office"),
    ("attendance by batch, a term", f"/attendance/reports/batches/?{TERM}", "office"),
    ("attendance by teacher, a term", f"/attendance/reports/teachers/?{TERM}", "office"),
    ("absentees", "/attendance/reports/absentees/", "office"),
    ("my attendance (guardian)", "/attendance/mine/", "guardian"),
]
# Python run by `manage.py shell` after seeding, printing a JSON object of the `{name}`s.
LOOKUPS = [
    "import json; from attendance.demo_marks import bench_ids; print(json.dumps(bench_ids()))",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict:
    database_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'bench.sqlite3'}")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "musicbeats.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "INSECURE_HTTP": "1",
        "SERVER_TIMING": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path):
        start = time.perf_counter()
        with self.opener.open(self.base + path) as response:
            body = response.read()
            headers = response.headers
            status = response.status
        return status, headers, body, (time.perf_counter() - start) * 1000

    def post(self, path, data):
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"X-CSRFToken": token, "HX-Request": "true", "Referer": self.base + path},
        )
        start = time.perf_counter()
        with self.opener.open(request) as response:
            body = response.read()
            headers = response.headers
            status = response.status
        return status, headers, body, (time.perf_counter() - start) * 1000

    def login(self, email):
        _s, _h, body, _t = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.decode(), "login": email, "password": PASSWORD}
        ).encode()
        request = urllib.request.Request(
            self.base + "/accounts/login/", data=data, headers={"Referer": self.base + "/"}
        )
        try:
            self.opener.open(request)
        except urllib.error.HTTPError as redirect:
            if redirect.code != 302:
                raise
        assert any(cookie.name == "sessionid" for cookie in self.jar), f"login failed: {email}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def measure(session, path, post=None, names=None):
    server, client, queries = [], [], set()
    for i in range(WARMUP + REQUESTS):
        if post is None:
            status, headers, _body, elapsed = session.get(path)
        else:
            data = {key: value.format(**names) for key, value in post(i).items()}
            status, headers, _body, elapsed = session.post(path, data)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        if i < WARMUP:
            continue
        timing = headers.get("Server-Timing", "")
        server.append(float(re.search(r"total;dur=([\d.]+)", timing).group(1)))
        client.append(elapsed)
        queries.add(int(headers.get("X-Query-Count", "-1")))
    return {
        "p50": statistics.median(server),
        "p95": percentile(server, 95),
        "client_p50": statistics.median(client),
        "queries": "/".join(str(q) for q in sorted(queries)),
    }


def main():
    env = environment()
    print(f"Database: {env['DATABASE_URL']}")
    started = time.perf_counter()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "createcachetable")
    manage(env, "seed_demo", "--scale", "large")
    manage(env, "collectstatic", "--no-input", "-v0")
    print(f"Large demo institute ready in {time.perf_counter() - started:.1f} s")
    names = {}
    for code in LOOKUPS:
        result = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        names.update(json.loads(result.stdout.strip().splitlines()[-1]))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "musicbeats.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                Session(base).get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        sessions = {None: Session(base)}
        for role in {role for _l, _p, role, *_post in PAGES if role}:
            sessions[role] = Session(base)
            sessions[role].login(f"{role}@musicbeats.test")
        rows = []
        for label, path, role, *post in PAGES:
            path = path.format(**names)
            if post:
                sessions[role].get(path)  # the page first: its CSRF cookie
            result = measure(sessions[role], path, post[0] if post else None, names)
            rows.append((label, path, role or "anonymous", result))
            print(
                f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
                f"  queries {result['queries']}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    write_report(env, rows)


def write_report(env, rows):
    database = env["DATABASE_URL"].split(":", 1)[0]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench.py): the large demo institute served by",
        "gunicorn (2 workers) in production mode on loopback. Server time is the app's",
        "own (Server-Timing header); the round trip adds the HTTP client.",
        f"{REQUESTS} requests per page after {WARMUP} warm-up requests.",
        "",
        f"- run: {datetime.now().isoformat(timespec='minutes')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database: {database}",
        "",
        "| page | path | as | server p50 ms | server p95 ms | round trip p50 ms | SQL queries |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for label, path, role, r in rows:
        lines.append(
            f"| {label} | `{path}` | {role} | {r['p50']:.2f} | {r['p95']:.2f} "
            f"| {r['client_p50']:.2f} | {r['queries']} |"
        )
    report = "\n".join(lines) + "\n"
    (ROOT / "BENCHMARKS.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
