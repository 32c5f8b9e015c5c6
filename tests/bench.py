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
_TODAY = datetime.now().date()
_FY = _TODAY.year if _TODAY.month >= 4 else _TODAY.year - 1
LAST_YEAR = f"start={_FY - 1}-04-01&end={_FY}-03-31"  # the last whole financial year


class LinkOn:
    """A path read off another page when the benchmark runs (ids, secret tokens), with
    the role's session; `shown` is what the report prints instead."""

    def __init__(self, page, pattern, shown):
        self.page, self.pattern, self.shown = page, pattern, shown

    def __call__(self, session):
        _status, _headers, body, _ms = session.get(self.page)
        return re.search(self.pattern.encode(), body).group(0).decode()


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
# Python run by `manage.py shell` after seeding, printing a JSON object of the `{name}`s.
JSON_LOOKUPS = [
    "import json; from attendance.rollcall.demo import bench_ids; print(json.dumps(bench_ids()))",
]

# Ids that paths in PAGES name in braces, looked up once the database is seeded: the
# Django shell code that prints each.
LOOKUPS = {
    "batch": (
        "from django.db.models import Count; from attendance.models import Batch; "
        "print(Batch.objects.filter(name__startswith='Large ').annotate(n=Count('enrollments'))"
        ".order_by('-n', 'pk').values_list('pk', flat=True).first())"
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
    server, client, queries = [], [], set()
    for i in range(WARMUP + REQUESTS):
        if callable(extra):
            status, headers, _body, elapsed = session.post_htmx(path, extra(i))
        else:
            status, headers, _body, elapsed = session.get(path, extra)
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
    """Fill {placeholders} in paths with ids looked up in the benchmark database."""
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
    ]


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
    found = step(*session.get(f"{desk}?q=MB-{1000 + i % 900:04d}", search))
    student = re.search(r"\?student=(\d+)", found).group(1)
    page = step(*session.get(f"{desk}?student={student}", {**HTMX, "HX-Target": "desk"}))
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("csrfmiddlewaretoken", "token", "student")
    }
    fields.update(amount="100.00", method="cash", paid_on=datetime.now().date().isoformat())
    saved = step(*session.post(desk, fields, {**HTMX, "HX-Target": "desk"}))
    receipt = re.search(r'href="(/fees/payments/\d+/)" data-receipt-link', saved).group(1)
    step(*session.get(receipt))
    return timings


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


def start_server(env):
    """gunicorn (2 workers) on a free loopback port, once it answers /healthz: (base URL,
    the process)."""
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
    except BaseException:
        server.terminate()
        raise
    return base, server


def main():
    env = environment()
    print(f"Database: {env['DATABASE_URL']}")
    started = time.perf_counter()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "createcachetable")
    manage(env, "seed_demo", "--scale", "large")
    manage(env, "shell", "-c", GIVE_STAFF_TOTP)
    manage(env, "collectstatic", "--no-input", "-v0")
    print(f"Large demo institute ready in {time.perf_counter() - started:.1f} s")
    pages = resolve(env, PAGES)

    base, server = start_server(env)
    try:
        sessions = {None: Session(base)}
        roles = {page[2] for page in pages} | {role for _l, _p, role, _f in SEQUENCES}
        for role in roles - {None}:
            sessions[role] = Session(base)
            sessions[role].login(f"{role}@musicbeats.test")
        rows = []
        for label, path, role, *extra in pages:
            shown = getattr(path, "shown", path)
            if callable(path):
                path = path(sessions[role])
            if extra and callable(extra[0]):
                # Any page first, for the CSRF cookie (a POST-only path answers GET 405).
                sessions[role].get("/")
            result = measure(sessions[role], path, *extra)
            rows.append((label, shown, role or "anonymous", result))
            print(
                f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
                f"  queries {result['queries']}"
            )
        for label, path, role, steps in SEQUENCES:
            result = measure_sequence(sessions[role], steps)
            rows.append((label, path, role, result))
            print(
                f"  {label:<28} p50 {result['p50']:6.2f} ms  p95 {result['p95']:6.2f} ms"
                f"  queries {result['queries']}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    rows += statement_import(env)
    rows += fee_reminders(env)
    rows += teacher_pay(env)
    write_report(env, rows)


def in_process(env, module: str) -> str:
    """Run `module.run()` inside the benchmark's database (`manage.py shell`) and return
    what it printed; its last line is a JSON object of figures."""
    code = f"from {module} import run; run()"
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
