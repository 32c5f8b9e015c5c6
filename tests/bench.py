"""`make bench`: serve the large demo institute in production mode and time each page.

Builds the large demo institute once (bench.sqlite3, or BENCH_DATABASE_URL; seeding is
idempotent, so later runs only top it up), starts gunicorn with DEBUG off on loopback
(INSECURE_HTTP=1) and SERVER_TIMING=1, logs in as each demo role, requests every page in
PAGES many times, and prints p50/p95 of the server's own time (the Server-Timing header,
so the HTTP client is not measured), the client round trip, and SQL queries per request.
The table is also written to BENCHMARKS.md, in the section of the run's database.

Then the busy day (issue 16): the office's figure pages right after a payment (cold),
the cash close with 1,000 payments dated today, and a throughput phase: locust
(tests/locustfile.py, in its own venv .bench-venv) runs the mixed read load, then the
same with a desk recording about 7 payments/s, each for 30 s with 16 reading clients,
against gunicorn with 2 and with 4 workers; after the read/write load the ledger must
hold exactly one payment per successful POST and no receipt number twice.

BENCH_SCALE=small runs every phase on the small demo institute, briefly (a check that
the benchmark works, not figures to keep). Later issues add their pages to PAGES.
Timings are measured here, never asserted in tests.
"""

import csv
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
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# BENCH_SCALE=small: the small demo, few requests, short loads; for checking the bench.
SMALL = os.environ.get("BENCH_SCALE", "large") == "small"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20" if SMALL else "200"))
# The throughput phase: seconds per load, reading clients, gunicorn workers, the desk.
LOAD_SECONDS = int(os.environ.get("BENCH_SECONDS", "5" if SMALL else "30"))
LOAD_CLIENTS = 16
LOAD_WORKERS = (2, 4)
DESKS, PAYMENTS_PER_SECOND = 4, 7  # four desk clients, 7 payments/s between them
PAYMENTS_TODAY = 1000
LOCUST = ROOT / ".bench-venv" / "bin" / "locust"
WARMUP = 10
PASSWORD = "musicbeats-demo"
# Admin and office must have two-factor login (accounts/twofactor/): the benchmark gives the
# demo staff an authenticator app with this secret and logs them in with its code.
TOTP_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
GIVE_STAFF_TOTP = f"""
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from accounts.models import User
for email in ("admin@musicbeats.test", "office@musicbeats.test"):
    user = User.objects.get(email=email)
    if not Authenticator.objects.filter(user=user, type="totp").exists():
        TOTP.activate(user, "{TOTP_SECRET}")
"""

HTMX = {"HX-Request": "true"}
# The institute's today (what the server calls today), not the machine's.
_TODAY = datetime.now(ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Kolkata"))).date()
_FY = _TODAY.year if _TODAY.month >= 4 else _TODAY.year - 1
LAST_YEAR = f"start={_FY - 1}-04-01&end={_FY}-03-31"  # the last whole financial year


class LinkOn:
    """A path read off another page when the benchmark runs (ids, secret tokens), with
    the role's session; `shown` is what the report prints instead."""

    def __init__(self, page, pattern, shown):
        self.page, self.pattern, self.shown = page, pattern, shown

    def __call__(self, session):
        _status, _headers, body, _ms = session.get(self.page)
        found = re.search(self.pattern.encode(), body)
        if found is None and SMALL:
            return None  # the small demo lacks what the large one has (a large term)
        return found.group(0).decode()


TERM = "from={term_from}&to={term_to}"


def attendance_tap(i):
    """Alternate present and late, so that every tap really changes the mark."""
    now = str(1_000_000 + i)
    status = "late" if i % 2 else "present"
    return {"mark": f"{{roster_student}}:{status}", "tapped_at": now, "sent_at": now}


def day_counts(i):
    """Today's counts, checked against the ledger (`action=check` stores nothing)."""
    return {"date": _TODAY.isoformat(), "counted_cash": f"{1000 + i}.50", "action": "check"}


# (label, path, role that requests it; None for anonymous[, request headers, or a
# function of the request's number giving POST fields, sent as htmx would])
PAGES = [
    ("login page", "/accounts/login/", None),
    ("healthz", "/healthz", None),
    ("dashboard (admin)", "/", "admin"),
    ("dashboard (office)", "/", "office"),
    ("dashboard (teacher)", "/", "teacher"),
    ("dashboard (student)", "/", "student"),
    ("dashboard (guardian)", "/", "guardian"),
    # intake
    ("admission form", "/admission/", None),
    ("admission requests", "/people/admissions/", "office"),
    ("admission requests: search", "/people/admissions/?q=sharma&status=all", "office"),
    ("student CSV import page", "/people/students/import/", "office"),
    ("student list", "/people/students/", "office"),
    ("student list, live search", "/people/students/?q=nair", "office", HTMX),
    ("student list, course filter", "/people/students/?instrument=1&sort=-joined", "office"),
    ("teacher list", "/people/teachers/", "office"),
    ("teacher list, live search", "/people/teachers/?q=ra", "office", HTMX),
    ("guardian list", "/people/guardians/", "office"),
    ("profile (guardian)", "/profile/", "guardian"),
    ("profile (teacher)", "/profile/", "teacher"),
    ("batch list", "/classes/batches/", "office"),
    ("batch list, search", "/classes/batches/?q=guitar&sort=-free", "office"),
    ("batch page", "/classes/batches/{batch}/", "office"),
    ("enrol, student search", "/classes/enrol/?batch={batch}&q=sharma", "office"),
    ("fees: the ledger", "/fees/payments/", "office"),
    ("fees: the ledger, a year, cash", f"/fees/payments/?{LAST_YEAR}&method=cash", "office"),
    (
        "fees: fee desk search (htmx)",
        "/fees/payments/new/?q=sharma",
        "office",
        {**HTMX, "HX-Target": "results"},
    ),
    # Fee reports (fees_views): the current financial year, the default range.
    ("fees: summary (financial year)", "/fees/summary/", "office"),
    ("fees: summary figures (htmx)", "/fees/summary/", "office", {**HTMX, "HX-Target": "figures"}),
    ("fees: statement (financial year)", "/fees/students/{busiest_student}/", "office"),
    ("student page (busiest payer)", "/people/students/{busiest_student}/", "office"),
    ("guardian page (demo family)", "/people/guardians/{guardian}/", "office"),
    ("fees: family desk (demo family)", "/fees/payments/family/{guardian}/", "office"),
    ("fees: cash close (today)", "/fees/cash-close/", "office"),
    ("fees: cash close, counts checked (POST)", "/fees/cash-close/close/", "office", day_counts),
    ("fees: closed days", "/fees/cash-close/closed/", "office"),
    ("fees: my fees (guardian)", "/fees/mine/", "guardian"),
    ("fees: report a UPI payment", "/fees/mine/report/", "guardian"),
    ("fees: reported UPI queue", "/fees/upi/reports/", "office"),
    ("fees: statement import page", "/fees/upi/statements/", "office"),
    ("schedule week (office)", "/schedule/", "office"),
    ("schedule week by teacher (office)", "/schedule/?by=teacher", "office"),
    ("timetable grid (office)", "/schedule/slots/", "office"),
    (
        "timetable grid, large term (office)",
        LinkOn(
            "/schedule/terms/",
            r"/schedule/slots/\?term=\d+(?=\">Timetable<span class=\"visually-hidden\"> of Large)",
            "/schedule/slots/?term=<large>",
        ),
        "office",
    ),
    ("schedule week (teacher)", "/schedule/", "teacher"),
    ("schedule (student)", "/schedule/", "student"),
    ("schedule (guardian)", "/schedule/", "guardian"),
    (
        "calendar feed (teacher)",
        LinkOn("/schedule/", r"/calendar/[\w-]+\.ics", "/calendar/<token>.ics"),
        "teacher",
    ),
    ("roll call: today", "/attendance/today/", "teacher"),
    ("roll call: 30-student roster", "/attendance/lessons/{roster_lesson}/", "teacher"),
    ("roll call: a tap (POST)", "/attendance/lessons/{roster_lesson}/", "teacher", attendance_tap),
    ("attendance by student, a term", f"/attendance/reports/?{TERM}", "office"),
    ("attendance by batch, a term", f"/attendance/reports/batches/?{TERM}", "office"),
    ("attendance by teacher, a term", f"/attendance/reports/teachers/?{TERM}", "office"),
    ("absentees", "/attendance/reports/absentees/", "office"),
    ("my attendance (guardian)", "/attendance/mine/", "guardian"),
    ("notes: practice (guardian)", "/teaching/notes/", "guardian"),
]
# The office's figure pages, each timed again right after a payment (the cold case: a
# payment changes the figures they show).
COLD_PAGES = [
    ("dashboard (office)", "/", "office"),
    ("fees: summary (financial year)", "/fees/summary/", "office"),
    ("fees: summary figures (htmx)", "/fees/summary/", "office", {**HTMX, "HX-Target": "figures"}),
    ("fees: cash close (today)", "/fees/cash-close/", "office"),
]

# The throughput phase's mixed read load: (label, path, role), requested evenly.
READ_MIX = [
    ("office dashboard", "/", "office"),
    ("student list", "/people/students/", "office"),
    ("the ledger", "/fees/payments/", "office"),
    ("fee summary", "/fees/summary/", "office"),
    ("a statement", "/fees/students/{busiest_student}/", "office"),
    ("teacher's today", "/attendance/today/", "teacher"),
    ("roster", "/attendance/lessons/{roster_lesson}/", "teacher"),
    ("family's fees", "/fees/mine/", "guardian"),
    ("family's week", "/schedule/", "guardian"),
]

# Python run by `manage.py shell` after seeding, printing a JSON object of the `{name}`s.
JSON_LOOKUPS = [
    "import json; from attendance.rollcall.demo import bench_ids; print(json.dumps(bench_ids()))",
    # Students the fee desks take payments from: roll numbers to search, ids to open.
    "import json; from accounts.models import Student; "
    "s = Student.objects.filter(user__is_active=True).order_by('roll_number')[:900]; "
    "print(json.dumps({'desk_rolls': [x.roll_number for x in s],"
    " 'desk_students': [x.pk for x in s]}))",
]

# Ids that paths in PAGES name in braces, looked up once the database is seeded: the
# Django shell code that prints each.
LOOKUPS = {
    "batch": (
        "from django.db.models import Count; from attendance.models import Batch; "
        "b = Batch.objects.annotate(n=Count('enrollments')).order_by('-n', 'pk'); "
        "print(b.filter(name__startswith='Large ').values_list('pk', flat=True).first()"
        " or b.values_list('pk', flat=True).first())"  # the small demo has no Large batches
    ),
    # The student with the most payments: the longest statement.
    "busiest_student": (
        "from django.db.models import Count; from fees.models import Payment; "
        "print(Payment.objects.values('student').annotate(n=Count('id'))"
        ".order_by('-n').values_list('student', flat=True).first())"
    ),
    "guardian": (
        "from accounts.models import User; "
        "print(User.objects.get(email='guardian@musicbeats.test').pk)"
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict:
    sqlite = ROOT / ("bench-small.sqlite3" if SMALL else "bench.sqlite3")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{sqlite}"
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


def create_database(url: str) -> None:
    """Create the PostgreSQL database of `url` when it does not exist yet."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg
    from psycopg import sql

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def get(self, path, headers=None, data=None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        start = time.perf_counter()
        with self.opener.open(request) as response:
            body = response.read()
            headers = response.headers
            status = response.status
        return status, headers, body, (time.perf_counter() - start) * 1000

    def post(self, path, fields, headers=None):
        return self.get(path, headers, urllib.parse.urlencode(fields).encode())

    def post_htmx(self, path, data):
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
        location = self.post_expecting_redirect(request)
        if location.endswith("/accounts/2fa/authenticate/"):
            _s, _h, body, _t = self.get("/accounts/2fa/authenticate/")
            token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
            data = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token.decode(), "code": totp_code(TOTP_SECRET)}
            ).encode()
            request = urllib.request.Request(
                self.base + "/accounts/2fa/authenticate/",
                data=data,
                headers={"Referer": self.base + "/accounts/2fa/authenticate/"},
            )
            location = self.post_expecting_redirect(request)
        assert location == "/", f"login failed: {email} (sent to {location})"
        assert any(cookie.name == "sessionid" for cookie in self.jar), f"login failed: {email}"

    def post_expecting_redirect(self, request) -> str:
        try:
            self.opener.open(request)
        except urllib.error.HTTPError as redirect:
            if redirect.code != 302:
                raise
            return redirect.headers["Location"]
        raise AssertionError(f"no redirect from {request.full_url}")


def totp_code(secret: str) -> str:
    """The authenticator app's current code (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    import base64
    import hashlib
    import hmac
    import struct

    digest = hmac.new(
        base64.b32decode(secret), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def measure(session, path, extra=None):
    """p50/p95 of `path`'s server time after WARMUP requests. None (the page is left out)
    for what the small demo does not have: no path, or 404 (no ensemble lesson today)."""
    server, client, queries = [], [], set()
    for i in range(WARMUP + REQUESTS):
        try:
            if path is None:
                return None
            if callable(extra):
                status, headers, _body, elapsed = session.post_htmx(path, extra(i))
            else:
                status, headers, _body, elapsed = session.get(path, extra)
        except urllib.error.HTTPError as error:
            if SMALL and error.code == 404:
                print(f"  (left out on the small demo: {path} answers 404)")
                return None
            raise
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


def resolve(env, pages):
    """Fill {placeholders} in paths with ids looked up in the benchmark database: (the
    pages, the ids)."""
    wanted = {
        name
        for page in pages
        if isinstance(page[1], str)
        for name in re.findall(r"{(\w+)}", page[1])
        if name in LOOKUPS
    }
    ids = {}
    for name in wanted:
        output = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", LOOKUPS[name]],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        ids[name] = output.stdout.strip().splitlines()[-1]
    for code in JSON_LOOKUPS:
        output = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        ids.update(json.loads(output.stdout.strip().splitlines()[-1]))

    def filled(extra):
        if extra and callable(extra[0]):
            post = extra[0]
            return [lambda i: {k: v.format(**ids) for k, v in post(i).items()}]
        return extra

    return [
        (label, path.format(**ids) if isinstance(path, str) else path, role, *filled(rest))
        for label, path, role, *rest in pages
    ], ids


def server_time(headers):
    return float(re.search(r"total;dur=([\d.]+)", headers.get("Server-Timing", "")).group(1))


def record_a_payment(session, i):
    """The fee desk, as the office uses it: search a family (htmx), open the student
    (htmx), save a payment (htmx POST), open the printable receipt. Returns each
    request's (server ms, queries, round trip ms)."""
    timings = []

    def step(status, headers, body, elapsed):
        if status != 200:
            raise SystemExit(f"fee desk step answered {status}")
        timings.append((server_time(headers), int(headers.get("X-Query-Count", "-1")), elapsed))
        return body.decode()

    desk = "/fees/payments/new/"
    search = {**HTMX, "HX-Target": "results"}
    rolls = DESK_STUDENTS["desk_rolls"]
    found = step(*session.get(f"{desk}?q={rolls[i % len(rolls)]}", search))
    student = re.search(r"\?student=(\d+)", found).group(1)
    page = step(*session.get(f"{desk}?student={student}", {**HTMX, "HX-Target": "desk"}))
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("csrfmiddlewaretoken", "token", "student")
    }
    fields.update(amount="100.00", method="cash", paid_on=_TODAY.isoformat())
    saved = step(*session.post(desk, fields, {**HTMX, "HX-Target": "desk"}))
    receipt = re.search(r'href="(/fees/payments/\d+/)" data-receipt-link', saved).group(1)
    step(*session.get(receipt))
    return timings


# The desks' students (JSON_LOOKUPS), filled in once the database is seeded.
DESK_STUDENTS = {"desk_rolls": [], "desk_students": []}

# Timed sequences of requests: (label, what it does, role, steps(session, i)).
SEQUENCES = [
    (
        "fees: record a payment",
        "search, desk, save, receipt",
        "office",
        record_a_payment,
    ),
]


def measure_sequence(session, steps):
    """p50/p95 of a whole sequence's server time (the sum of its requests)."""
    server, client, queries = [], [], set()
    runs = max(20, REQUESTS // 4)
    for i in range(WARMUP + runs):
        timings = steps(session, i)
        if i < WARMUP:
            continue
        server.append(sum(t[0] for t in timings))
        client.append(sum(t[2] for t in timings))
        queries.add("+".join(str(t[1]) for t in timings))
    return {
        "p50": statistics.median(server),
        "p95": percentile(server, 95),
        "client_p50": statistics.median(client),
        "queries": "/".join(sorted(queries)),
    }


def start_server(env, workers=2):
    """gunicorn on a free loopback port, once it answers /healthz: (base URL, the
    process)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "musicbeats.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--graceful-timeout",
            "10",
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
    except BaseException:
        server.terminate()
        raise
    return base, server


class Phases:
    """How long each phase took (printed, and kept in the report to budget a run)."""

    def __init__(self):
        self.took, self.started = {}, time.perf_counter()

    def done(self, name):
        now = time.perf_counter()
        self.took[name] = now - self.started
        self.started = now
        print(f"-- {name}: {self.took[name]:.0f} s")

    def __str__(self):
        return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.took.items())


def stop_server(server):
    """Stop gunicorn (a loaded machine may keep it stopping for a while), killing it when
    it does not stop in 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main():
    env = environment()
    print(f"Database: {env['DATABASE_URL']}")
    phases = Phases()
    create_database(env["DATABASE_URL"])
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "createcachetable")
    manage(env, "seed_demo", *([] if SMALL else ["--scale", "large"]))
    manage(env, "shell", "-c", GIVE_STAFF_TOTP)
    manage(env, "collectstatic", "--no-input", "-v0")
    phases.done("seed")
    resolved, ids = resolve(env, PAGES + COLD_PAGES + READ_MIX)
    pages = resolved[: len(PAGES)]
    cold_pages = resolved[len(PAGES) : len(PAGES) + len(COLD_PAGES)]
    read_mix = resolved[len(PAGES) + len(COLD_PAGES) :]
    DESK_STUDENTS.update({key: ids[key] for key in DESK_STUDENTS})

    base, server = start_server(env)
    try:
        sessions = {None: Session(base)}
        roles = {page[2] for page in pages + read_mix} | {role for _l, _p, role, _f in SEQUENCES}
        for role in roles - {None}:
            sessions[role] = Session(base)
            sessions[role].login(f"{role}@musicbeats.test")
        phases.done("lookups, logins")
        rows = []
        for label, path, role, *extra in pages:
            shown = getattr(path, "shown", path)
            if callable(path):
                path = path(sessions[role])
            if extra and callable(extra[0]):
                # Any page first, for the CSRF cookie (a POST-only path answers GET 405).
                sessions[role].get("/")
            result = measure(sessions[role], path, *extra)
            if result is None:
                continue
            rows.append((label, shown, role or "anonymous", result))
            print_row(label, result)
        for label, path, role, steps in SEQUENCES:
            result = measure_sequence(sessions[role], steps)
            rows.append((label, path, role, result))
            print_row(label, result)
        phases.done("pages (warm)")
        for label, path, role, *extra in cold_pages:
            result = measure_cold(sessions[role], path, *extra)
            rows.append((f"{label}, right after a payment", path, role, result))
            print_row(f"{label}, after a payment", result)
        phases.done("pages after a payment (cold)")
        rows.append(full_day(env, sessions["office"]))
        phases.done(f"cash close, {PAYMENTS_TODAY:,} payments today")
    finally:
        stop_server(server)
    rows += statement_import(env)
    rows += fee_reminders(env)
    rows += teacher_pay(env)
    phases.done("in-process jobs")
    loads, ledger = throughput(env, sessions, read_mix, phases)
    write_report(env, rows, loads, ledger, phases)
    if not ledger["ok"]:
        raise SystemExit(f"The read/write load lost or doubled payments: {ledger['text']}")


def print_row(label, result):
    print(
        f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
        f"  queries {result['queries']}"
    )


def measure_cold(session, path, headers=None):
    """p50/p95 of `path` requested once right after each of many payments recorded at the
    fee desk (the figures it shows have just changed)."""
    server, client, queries = [], [], set()
    runs = 5 if SMALL else max(20, REQUESTS // 4)
    for i in range(runs):
        record_a_payment(session, 7 * i + 3)  # other students than the warm sequence's
        status, headers_, _body, elapsed = session.get(path, headers)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        server.append(server_time(headers_))
        client.append(elapsed)
        queries.add(int(headers_.get("X-Query-Count", "-1")))
    return {
        "p50": statistics.median(server),
        "p95": percentile(server, 95),
        "client_p50": statistics.median(client),
        "queries": "/".join(str(q) for q in sorted(queries)),
    }


def full_day(env, office):
    """Today's payments topped up to PAYMENTS_TODAY (tests/bench_ledger.py), then the cash
    close timed on that day."""
    added = json.loads(
        in_process(env, "tests.bench_ledger", f"top_up({PAYMENTS_TODAY})").strip().splitlines()[-1]
    )
    print(
        f"  {added['added']} payments recorded in {added['seconds']} s:"
        f" {added['today']:,} dated today"
    )
    result = measure(office, "/fees/cash-close/")
    label = f"fees: cash close, {added['today']:,} payments today"
    print_row(label, result)
    return (label, "/fees/cash-close/", "office", result)


def in_process(env, module: str, call: str = "run()") -> str:
    """Run `module.run()` (or another of its functions, `call`) inside the benchmark's
    database (`manage.py shell`) and return what it printed; its last line is a JSON
    object of figures."""
    code = f"from {module} import {call.split('(')[0]}; {call}"
    return subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def statement_import(env):
    """Reading and matching a bank statement of 100 and 1,000 lines (in-process, the
    server's work without HTTP; tests/bench_statement.py). Must stay under 5 s with the
    same query count at both sizes."""
    output = in_process(env, "tests.bench_statement")
    results = json.loads(output.strip().splitlines()[-1])
    rows = []
    for lines, result in results.items():
        label = f"statement import, {int(lines):,} lines"
        rows.append((label, "/fees/upi/statements/", "office", result))
        print(
            f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
            f"  queries {result['queries']}  matched {result['matched']}"
        )
    return rows


def fee_reminders(env):
    """The daily fee reminder job as of this month's due day, on the large institute
    (in-process, rolled back after each run; tests/bench_reminders.py). Must stay under a
    minute, its query count the same for any number of families."""
    output = in_process(env, "tests.bench_reminders")
    result = json.loads(output.strip().splitlines()[-1])
    label = "fee reminders job (due day)"
    print(
        f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
        f"  queries {result['queries']}  families {result['families']}"
        f"  messages {result['messages']}"
    )
    if result["p95"] >= 60_000:
        raise SystemExit(f"The fee reminder job took {result['p95'] / 1000:.0f} s (limit: 60 s).")
    return [(label, "manage.py send_fee_reminders", "cron", result)]


def teacher_pay(env):
    """Last month's pay for every teacher of the large institute (in-process;
    tests/bench_payroll.py). Must stay under 2 s, its query count the same for any
    number of teachers."""
    output = in_process(env, "tests.bench_payroll")
    result = json.loads(output.strip().splitlines()[-1])
    label = "teacher pay, all teachers"
    print(
        f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
        f"  queries {result['queries']}  teachers {result['teachers']}  lines {result['lines']}"
    )
    if result["p95"] >= 2_000:
        raise SystemExit(f"Teacher pay took {result['p95']:.0f} ms (limit: 2,000 ms).")
    return [(label, "compute_month (month page, export)", "office", result)]


def throughput(env, sessions, read_mix, phases):
    """The mixed read load, then the read/write load (the same readers and a desk
    recording payments), LOAD_SECONDS each with LOAD_CLIENTS readers, against gunicorn
    with each of LOAD_WORKERS workers; locust headless in its own process. Returns the
    table's rows and the lose-nothing/double-nothing check of the read/write loads."""
    if not LOCUST.exists():
        raise SystemExit(f"{LOCUST} is missing: `make bench` installs it (.bench-venv).")
    database = env["DATABASE_URL"].split(":", 1)[0]
    config = {
        "cookies": {
            role: {cookie.name: cookie.value for cookie in sessions[role].jar}
            for role in {role for _l, _p, role in read_mix} | {"office"}
        },
        "reads": read_mix,
        "students": DESK_STUDENTS["desk_students"],
        "desks": DESKS,
        "payments_per_second": PAYMENTS_PER_SECOND,
        "today": _TODAY.isoformat(),
    }
    work = Path(tempfile.mkdtemp(prefix="bench-locust-"))
    config["desk_log"] = str(work / "desk.log")
    print(f"  locust's CSV and output: {work}")
    (work / "config.json").write_text(json.dumps(config))
    rows, totals = [], dict.fromkeys(CHECKED, 0)
    for workers in LOAD_WORKERS:
        base, server = start_server(env, workers)
        try:
            for page in list(read_mix):  # each worker's first requests
                _label, path, role = page
                sessions[role].base = base
                try:
                    for _ in range(2 * workers):
                        sessions[role].get(path)
                except urllib.error.HTTPError as error:
                    if not (SMALL and error.code == 404):
                        raise
                    print(f"  (left out on the small demo: {path} answers 404)")
                    read_mix.remove(page)
                    config["reads"] = read_mix
                    (work / "config.json").write_text(json.dumps(config))
            for mix in ("read", "read/write"):
                before = ledger(env, "state()")
                load = os.getloadavg()[0]
                stats = run_locust(work, base, mix, workers)
                row = {"mix": mix, "workers": workers, "database": database, **stats}
                row["load"] = f"{load:.1f} → {os.getloadavg()[0]:.1f}"
                if mix == "read/write":
                    after = ledger(env, f"check({before['max_id']}, {config['desk_log']!r})")
                    for key in CHECKED:
                        totals[key] += after[key]
                rows.append(row)
                print(
                    f"  {mix:<10} {workers} workers: {row['rps']:6.1f} req/s"
                    f"  p50 {row['p50']} p95 {row['p95']} p99 {row['p99']} ms"
                    f"  failures {row['failures']}  payments/s {row['payments_rps']:.1f}"
                    f"  load {row['load']}"
                )
        finally:
            stop_server(server)
        phases.done(f"throughput, {workers} workers")
    ok = (
        totals["created"] == totals["saved"]
        and totals["lost"] == totals["extra"] == totals["duplicated_receipts"] == 0
    )
    text = (
        f"{totals['saved']} successful payment POSTs, {totals['created']} payments created; "
        f"{totals['lost']} lost, {totals['extra']} not asked for, "
        f"{totals['unanswered']} recorded without the desk seeing its receipt, "
        f"{totals['duplicated_receipts']} receipt numbers issued twice"
    )
    print(f"  lose nothing, double nothing: {'yes' if ok else 'NO'} ({text})")
    return rows, {"ok": ok, "text": text}


# tests/bench_ledger.py's check of a read/write load, summed over the runs.
CHECKED = ("created", "saved", "lost", "extra", "unanswered", "duplicated_receipts")


def ledger(env, call):
    """tests/bench_ledger.py's `call`, in the benchmark's database: its JSON answer."""
    return json.loads(in_process(env, "tests.bench_ledger", call).strip().splitlines()[-1])


def run_locust(work, base, mix, workers):
    """One headless locust run of `mix`: the figures of its --csv summary. Locust writes
    the CSV once a second, so the last second's requests may be missing from its counts
    (not from its rates and percentiles); the desks' own log counts the payments."""
    prefix = work / f"{mix.replace('/', '-')}-{workers}"
    (work / "desk.log").unlink(missing_ok=True)
    classes = ["ReadUser"] + (["DeskUser"] if mix == "read/write" else [])
    users = LOAD_CLIENTS + (DESKS if mix == "read/write" else 0)
    # Locust's output (its summary tables) goes to a file beside the CSV.
    with Path(f"{prefix}.txt").open("w") as summary:
        subprocess.run(
            [
                str(LOCUST),
                "-f",
                str(ROOT / "tests" / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--host",
                base,
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                f"{LOAD_SECONDS}s",
                "--stop-timeout",
                "10",
                "--csv",
                str(prefix),
                *classes,
            ],
            cwd=ROOT,
            env={**os.environ, "BENCH_LOCUST_CONFIG": str(work / "config.json")},
            stdout=summary,
            stderr=subprocess.STDOUT,  # its summary is logged there
            check=False,  # locust exits 1 when a request failed: the table reports it
        )
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no statistics:\n{Path(f'{prefix}.txt').read_text()}")
    with open(f"{prefix}_stats.csv", newline="") as csv_file:
        stats = {row["Name"]: row for row in csv.DictReader(csv_file)}
    total = stats["Aggregated"]
    saved = stats.get("desk: save a payment")
    return {
        "rps": float(total["Requests/s"]),
        "p50": total["50%"],
        "p95": total["95%"],
        "p99": total["99%"],
        "failures": int(total["Failure Count"]),
        "requests": int(total["Request Count"]),
        "payments_rps": float(saved["Requests/s"]) if saved else 0.0,
    }


DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "postgresql": "PostgreSQL"}


def write_report(env, rows, loads, ledger_check, phases):
    """This run's section of BENCHMARKS.md (titled by its database), the other
    database's section kept as it was."""
    database = env["DATABASE_URL"].split(":", 1)[0]
    title = DATABASE_NAMES.get(database, database)
    intro = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench.py), on SQLite and then on PostgreSQL: the large",
        "demo institute served by gunicorn (2 workers) in production mode on loopback. Server",
        "time is the app's own (Server-Timing header); the round trip adds the HTTP client.",
        f'{REQUESTS} requests per page after {WARMUP} warm-up requests. A page "right after a',
        'payment" is requested once after each of many payments recorded at the fee desk.',
        "",
        "The throughput tables come from locust (headless, tests/locustfile.py): each client",
        "requests the mixed read load's pages one after another with no pause, for "
        f"{LOAD_SECONDS} s;",
        f"the read/write mix adds {DESKS} fee desks recording {PAYMENTS_PER_SECOND} payments/s "
        "between them.",
        "Latencies are of every request (locust rounds them); the load average is the",
        "machine's 1-minute figure before → after the run (2 cores: above 2 is queueing).",
        "",
    ]
    lines = [
        f"## {title}",
        "",
        f"- run: {datetime.now().isoformat(timespec='minutes')}"
        + (" (BENCH_SCALE=small: the small demo, a check of the benchmark)" if SMALL else ""),
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, database: {database}",
        f"- phases: {phases}",
        "",
        "| page | path | as | server p50 ms | server p95 ms | round trip p50 ms | SQL queries |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for label, path, role, r in rows:
        lines.append(
            f"| {label} | `{path}` | {role} | {r['p50']:.2f} | {r['p95']:.2f} "
            f"| {r['client_p50']:.2f} | {r['queries']} |"
        )
    lines += [
        "",
        f"### Throughput, {LOAD_CLIENTS} clients, {LOAD_SECONDS} s",
        "",
        "| mix | workers | database | requests/s | payments/s | p50 ms | p95 ms | p99 ms "
        "| failures | load average |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in loads:
        lines.append(
            f"| {r['mix']} | {r['workers']} | {r['database']} | {r['rps']:.1f} "
            f"| {r['payments_rps']:.1f} | {r['p50']} | {r['p95']} | {r['p99']} "
            f"| {r['failures']} of {r['requests']} | {r['load']} |"
        )
    lines += [
        "",
        "Read/write loads, lose nothing and double nothing: "
        f"{'yes' if ledger_check['ok'] else '**NO**'} ({ledger_check['text']}).",
        "",
    ]
    path = ROOT / "BENCHMARKS.md"
    sections = {}
    if path.exists():
        for part in re.split(r"^(?=## )", path.read_text(), flags=re.MULTILINE)[1:]:
            sections[part.splitlines()[0][3:].strip()] = part.rstrip("\n") + "\n"
    sections = {name: part for name, part in sections.items() if name in DATABASE_NAMES.values()}
    sections[title] = "\n".join(lines)
    ordered = [sections[name] for name in ("SQLite", "PostgreSQL") if name in sections]
    report = "\n".join(intro) + "\n" + "\n".join(ordered)
    path.write_text(report)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
