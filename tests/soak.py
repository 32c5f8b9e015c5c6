"""`make soak`: the real server under a day's worth of pressure, with faults (issue 12, item 7).

For each database (SQLite file, PostgreSQL database `mb_soak`): a fresh database
(migrate, the small demo, one lesson today per tablet), gunicorn with several workers as
`make serve` runs it (DEBUG off, INSECURE_HTTP=1 on loopback; tests/soak_settings.py
serves static files from the source folders so no collectstatic is needed), then for
SOAK_SECONDS (60):

- fee desks: logged-in office sessions that open the fee desk for a student (htmx, as
  the office does), take the form's token and save a payment; a save that gets no answer
  or a 5xx is sent again with the same token, as a person presses Save again;
- tablets: logged-in teachers tapping marks on their lesson's roster (the roll call's
  htmx POST with the tablet's clock readings), re-sending a tap that got no answer;
- readers: dashboards (every role), the ledger, statements, the summary, /fees/mine/.

A third of the way in one gunicorn worker is killed (SIGKILL); two thirds in, one of the
app's PostgreSQL backends is terminated (pg_terminate_backend; SQLite has no server
connection, so that fault does not apply). Afterwards, in the database:

- every acknowledged payment is stored exactly once, with its amount and student, and no
  payment exists that no desk sent;
- receipt numbers are gapless per financial year and the counter equals the last one;
- every acknowledged mark is stored exactly once per (lesson, student), with the status
  of its last acknowledged tap (or of a later tap whose answer was lost).

It fails, too, when more requests failed than the faults can explain: a SIGKILLed sync
worker loses at most the one request it was serving, a terminated backend at most the
query in flight (a read is retried by musicbeats/db_faults.py). A "database is locked"
500 is such a failure: `--sqlite-transaction-mode DEFERRED` (SQLITE_TRANSACTION_MODE in
settings) shows the soak failing without SQLite's IMMEDIATE transactions.

Prints requests, errors and latency percentiles; `--report SOAK.md` writes them there.
tests/test_soak.py runs a short form (a few seconds, fewer clients) in `make test`.
"""

import argparse
import http.client
import http.cookies
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "musicbeats-demo"
OFFICE = "office@musicbeats.test"
# Every staff login has an authenticator app with this secret (set by prepare()); each
# fee desk is its own office account, so no two logins use one account's code.
TOTP_SECRET = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
POSTGRES_URL = os.environ.get("SOAK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mb_soak")
HTMX_DESK = {"HX-Request": "true", "HX-Target": "desk"}
STATUSES = ("present", "absent", "late")  # never "excused": it would earn make-up credits
RETRIES = 4


# --- HTTP clients -------------------------------------------------------------------------


class Client:
    """One browser: its cookies, and a new connection per request (gunicorn's sync
    workers close each one)."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method, path, fields=None, headers=None, timeout=60):
        """(status, headers, text, milliseconds); raises OSError (HTTPException included)
        when the connection fails or is dropped."""
        head = {"Referer": f"http://127.0.0.1:{self.port}/", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            head["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=head)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except http.client.HTTPException as error:
            raise ConnectionError(f"{type(error).__name__}: {error}") from error
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text, elapsed


def login(client: Client, email: str) -> None:
    """Log in through allauth's login form, as a person does, with the authenticator
    app's code when the account has two-factor (every staff account here has; the one
    place that knows how)."""
    _status, _headers, page, _ms = client.request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    fields = {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
    status, headers, _text, _ms = client.request("POST", "/accounts/login/", fields)
    step = "/accounts/2fa/authenticate/"
    for attempt in range(3):
        if status != 302 or not (headers.get("Location") or "").endswith(step):
            break
        _status, headers, page, _ms = client.request("GET", step)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        # The server's clock (its Date header), not this process's: the short form runs
        # inside a test whose clock is pinned to another day.
        code = totp_code(TOTP_SECRET, email_date(headers["Date"]) + 30 * attempt)
        fields = {"csrfmiddlewaretoken": token, "code": code}
        status, headers, _text, _ms = client.request("POST", step, fields)
    if status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"login as {email} failed ({status})")
    if (headers.get("Location") or "").endswith(step):
        raise RuntimeError(f"login as {email}: the authenticator code was refused")


def email_date(value: str) -> float:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value).timestamp()


def totp_code(secret: str, at: float) -> str:
    """The authenticator app's code at `at` (RFC 6238: HMAC-SHA1, 30 s, 6 digits)."""
    import base64
    import hashlib
    import hmac
    import struct

    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", int(at) // 30), hashlib.sha1)
    digest = digest.digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


class Recorder:
    """Requests, latencies and errors by kind of request, shared by every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(Counter)
        self.requests = Counter()

    def add(self, kind, status, ms, ok=(200,)):
        with self.lock:
            self.requests[kind] += 1
            self.latency[kind].append(ms)
            if status not in ok:
                self.errors[kind][f"HTTP {status}"] += 1

    def failed(self, kind, error):
        with self.lock:
            self.requests[kind] += 1
            self.errors[kind][type(error).__name__] += 1


def send(recorder, kind, client, method, path, fields=None, headers=None):
    """One request, recorded; None when it got no answer."""
    try:
        status, _headers, text, ms = client.request(method, path, fields, headers)
    except OSError as error:
        recorder.failed(kind, error)
        return None
    recorder.add(kind, status, ms)
    return status, text


# --- The clients' loops ----------------------------------------------------------------


def fee_desk(client, students, stop, recorder, ledger, seed):
    """Open the desk for a student, save a payment with the form's token; send it again
    (same token) while it gets no answer or a server error."""
    rng = random.Random(seed)
    while not stop.is_set():
        student = rng.choice(students)
        answer = send(
            recorder,
            "desk: open",
            client,
            "GET",
            f"/fees/payments/new/?student={student}",
            headers=HTMX_DESK,
        )
        if answer is None or answer[0] != 200:
            continue
        page = answer[1]
        fields = {
            name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
            for name in ("csrfmiddlewaretoken", "token", "student")
        }
        amount = f"{rng.randint(100, 2500)}.{rng.randint(0, 99):02d}"
        # confirm_credit: the desk asks before keeping credit; the soak answers yes.
        fields.update(amount=amount, method="cash", paid_on=ledger["today"], confirm_credit=amount)
        token = fields["token"]
        ledger["sent"].append(token)
        for _attempt in range(RETRIES):
            answer = send(
                recorder, "desk: save", client, "POST", "/fees/payments/new/", fields, HTMX_DESK
            )
            if answer is not None and answer[0] < 500:
                break
            time.sleep(0.3)
        if answer is not None and answer[0] == 200:
            receipt = re.search(r'href="/fees/payments/(\d+)/" data-receipt-link', answer[1])
            if receipt:
                ledger["acked"][token] = [int(receipt.group(1)), int(student), amount]
            else:
                recorder.errors["desk: save"]["saved without a receipt"] += 1


def tablet(client, lesson, students, stop, recorder, taps, seed):
    """Tap marks on one lesson's roster; a tap without an answer is sent again with its
    original clock reading (as rollcall.js does)."""
    rng = random.Random(seed)
    path = f"/attendance/lessons/{lesson}/"
    send(recorder, "tablet: roster", client, "GET", path)
    n = 0
    while not stop.is_set():
        n += 1
        if n % 15 == 0:
            send(recorder, "tablet: roster", client, "GET", path)
            continue
        student = rng.choice(students)
        status = rng.choice(STATUSES)
        tapped = int(time.time() * 1000)
        acked = False
        for _attempt in range(RETRIES):
            fields = {
                "mark": f"{student}:{status}",
                "tapped_at": tapped,
                "sent_at": int(time.time() * 1000),
            }
            headers = {"HX-Request": "true", "X-CSRFToken": client.cookies.get("csrftoken", "")}
            answer = send(recorder, "tablet: tap", client, "POST", path, fields, headers)
            if answer is not None and answer[0] < 500:
                acked = answer[0] == 200
                break
            time.sleep(0.3)
        taps[f"{lesson}:{student}"].append([status, acked])


def reader(clients, paths, stop, recorder, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        role, path = rng.choice(paths)
        send(recorder, "reader: GET", clients[role], "GET", path)


# --- Faults -----------------------------------------------------------------------------


def gunicorn_workers(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def kill_a_worker(master_pid: int) -> str:
    workers = gunicorn_workers(master_pid)
    if not workers:
        return "no worker found to kill"
    os.kill(workers[0], signal.SIGKILL)
    return f"SIGKILL to gunicorn worker {workers[0]} (of {len(workers)})"


def terminate_a_backend(database_url: str) -> str:
    """pg_terminate_backend on one of the app's connections, one running a query if any."""
    import psycopg

    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as connection:
        row = connection.execute(
            "SELECT pid, state FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "ORDER BY (state = 'active') DESC, backend_start LIMIT 1",
            [name],
        ).fetchone()
        if row is None:
            return "no backend of the app found to terminate"
        connection.execute("SELECT pg_terminate_backend(%s)", [row[0]])
    return f"pg_terminate_backend({row[0]}), a backend that was {row[1]}"


def _maintenance_url(database_url: str) -> str:
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


# --- Database: set up, prepare, verify ----------------------------------------------------


def fresh_database(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = Path(urllib.parse.urlsplit(database_url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def seeded_database(database_url: str, env: dict, seeded_copy: Path | None = None) -> None:
    """A fresh database with the tables and the small demo institute."""
    import sqlite3

    fresh_database(database_url)
    path = urllib.parse.urlsplit(database_url).path if database_url.startswith("sqlite") else ""
    if path and seeded_copy and Path(seeded_copy).exists():
        with sqlite3.connect(seeded_copy) as source, sqlite3.connect(path) as target:
            source.backup(target)
        return
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "createcachetable")
    manage(env, "seed_demo")
    if path and seeded_copy:
        with sqlite3.connect(path) as source, sqlite3.connect(seeded_copy) as target:
            source.backup(target)


def prepare(out_path: str, tablets: int, desks: int = 8) -> None:
    """(Run inside Django.) One lesson today for each tablet, given by a demo teacher, and
    the ids the clients need; written as JSON to `out_path`."""
    from datetime import datetime as dt
    from datetime import time as tm
    from datetime import timedelta

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import Role, Student, User
    from attendance.models import Batch, Lesson
    from attendance.rollcall.services import roster_queryset
    from fees.models import Payment

    today = timezone.localdate()
    now = timezone.localtime()
    start = tm(0, 0) if now.hour == 0 and now.minute < 10 else (now - timedelta(minutes=10)).time()
    teachers = list(
        User.objects.filter(
            role=Role.TEACHER, is_active=True, email__endswith="@musicbeats.test"
        ).order_by("pk")
    )
    batches = {
        t.pk: list(Batch.objects.filter(teacher=t, is_active=True).order_by("pk")) for t in teachers
    }
    teachers = [t for t in teachers if batches[t.pk]]
    plan, i = [], 0
    while len(plan) < tablets and i < tablets * 10:
        teacher = teachers[i % len(teachers)]
        batch = batches[teacher.pk][(i // len(teachers)) % len(batches[teacher.pk])]
        i += 1
        lesson = Lesson.objects.create(
            batch=batch,
            kind=Lesson.Kind.EXTRA,
            scheduled_on=today,
            date=today,
            starts_at=start.replace(microsecond=0),
            duration_minutes=90,
            room_id=batch.room_id,
            teacher=teacher,
        )
        roster = list(roster_queryset(lesson).values_list("pk", flat=True))
        if roster:
            plan.append({"email": teacher.email, "lesson": lesson.pk, "students": roster})
        else:
            lesson.delete()
    students = list(
        Student.objects.filter(user__is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    desk_emails = [f"desk{n}@soak.test" for n in range(desks)]
    for email in desk_emails:
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email, PASSWORD, full_name=email, role=Role.OFFICE)
    staff = User.objects.filter(email__in=[*desk_emails, OFFICE, "admin@musicbeats.test"])
    for user in staff:
        if not Authenticator.objects.filter(user=user, type="totp").exists():
            TOTP.activate(user, TOTP_SECRET)
    info = {
        "desks": desk_emails,
        "today": today.isoformat(),
        "started": dt.now(UTC).isoformat(),
        "tablets": plan,
        "students": students,
        "max_payment_id": Payment.objects.aggregate(m=Max("pk"))["m"] or 0,
    }
    Path(out_path).write_text(json.dumps(info))


def verify(in_path: str, out_path: str) -> None:
    """(Run inside Django.) Check the database against what the clients were told."""
    from decimal import Decimal

    from django.db.models import Count

    from accounts.models import Counter as RowCounter
    from attendance.models import Mark
    from fees.models import Payment

    data = json.loads(Path(in_path).read_text())
    problems = []
    sent = set(data["sent"])
    stored = defaultdict(list)
    for key, pk, student, amount in Payment.objects.filter(
        pk__gt=data["max_payment_id"]
    ).values_list("idempotency_key", "pk", "student_id", "amount"):
        stored[str(key)].append((pk, student, amount))
    for token, (pk, student, amount) in data["acked"].items():
        rows = stored.get(token, [])
        if len(rows) != 1:
            problems.append(f"acknowledged payment {pk} is stored {len(rows)} times")
        elif rows[0] != (pk, student, Decimal(amount)):
            problems.append(f"acknowledged payment {pk} is stored as {rows[0]}")
    phantoms = [token for token in stored if token not in sent]
    if phantoms:
        problems.append(f"{len(phantoms)} payments stored that no desk sent")
    receipts = defaultdict(list)
    for year, sequence in Payment.objects.values_list("financial_year", "receipt_sequence"):
        receipts[year].append(sequence)
    counters = dict(
        RowCounter.objects.filter(key__startswith="receipt:").values_list("key", "value")
    )
    for year, sequences in receipts.items():
        if sorted(sequences) != list(range(1, len(sequences) + 1)):
            missing = sorted(set(range(1, max(sequences) + 1)) - set(sequences))
            problems.append(
                f"receipts {year} not gapless: missing {missing[:10]}, "
                f"{len(sequences)} for {max(sequences)} numbers"
            )
        if counters.get(f"receipt:{year}") != len(sequences):
            problems.append(
                f"receipt counter {year} is {counters.get(f'receipt:{year}')}, "
                f"the ledger has {len(sequences)}"
            )
    pairs = {}
    for key in data["taps"]:
        lesson, student = (int(part) for part in key.split(":"))
        pairs[(lesson, student)] = key
    marks = defaultdict(list)
    for lesson, student, status in Mark.objects.filter(
        lesson_id__in={lesson for lesson, _s in pairs}
    ).values_list("lesson_id", "student_id", "status"):
        marks[(lesson, student)].append(status)
    acked_marks = 0
    for pair, key in pairs.items():
        taps = data["taps"][key]
        last = max((i for i, (_s, acked) in enumerate(taps) if acked), default=None)
        if last is None:
            continue
        acked_marks += 1
        allowed = {taps[last][0]} | {status for status, acked in taps[last + 1 :] if not acked}
        rows = marks.get(pair, [])
        if len(rows) != 1:
            problems.append(f"mark {key} is stored {len(rows)} times")
        elif rows[0] not in allowed:
            problems.append(
                f"mark {key} is {rows[0]}, the last acknowledged tap said {taps[last][0]}"
            )
    duplicates = (
        Mark.objects.values("lesson_id", "student_id").annotate(n=Count("id")).filter(n__gt=1)
    )
    if duplicates.exists():
        problems.append(f"{duplicates.count()} (lesson, student) pairs have two marks")
    Path(out_path).write_text(
        json.dumps(
            {
                "problems": problems,
                "payments_acknowledged": len(data["acked"]),
                "payments_stored": sum(len(rows) for rows in stored.values()),
                "marks_acknowledged": acked_marks,
            }
        )
    )


# --- One soak run -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, transaction_mode: str, workdir: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL", "CONN_MAX_AGE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.soak_settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        INSECURE_HTTP="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        SQLITE_TRANSACTION_MODE=transaction_mode,
        SECURITY_LOG_FILE=str(workdir / "security.log"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *args):
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def in_django(env, code):
    manage(env, "shell", "--no-imports", "-c", code)


def percentile(values, pct):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def run(
    *,
    database_url,
    seconds,
    desks,
    tablets,
    readers,
    workers=4,
    port=None,
    transaction_mode="IMMEDIATE",
    workdir=None,
    seeded_copy=None,
    say=print,
) -> dict:
    """One soak run; returns its figures, its problems and whether it passed.

    `seeded_copy` (SQLite only): a file keeping the migrated, seeded database, so a second
    run (the short form's DEFERRED variant) copies it instead of seeding again."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="soak-"))
    engine = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    env = environment(database_url, transaction_mode, workdir)
    port = port or free_port()
    started = time.perf_counter()
    seeded_database(database_url, env, seeded_copy)
    plan_path = workdir / "plan.json"
    in_django(
        env, f"from tests.soak import prepare; prepare({str(plan_path)!r}, {tablets}, {desks})"
    )
    plan = json.loads(plan_path.read_text())
    say(
        f"{engine}: database ready in {time.perf_counter() - started:.0f} s "
        f"({transaction_mode if engine == 'sqlite' else 'READ COMMITTED'} transactions)"
    )

    server_log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "musicbeats.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--graceful-timeout",
            "5",
            "--forwarded-allow-ips",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    recorder = Recorder()
    try:
        for _ in range(600):
            try:
                if Client(port).request("GET", "/healthz", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not answer /healthz")

        desk_clients = []
        for n in range(desks):
            client = Client(port)
            login(client, plan["desks"][n])
            desk_clients.append(client)
        tablet_clients = []
        for i in range(tablets):
            job = plan["tablets"][i % len(plan["tablets"])]
            client = Client(port)
            login(client, job["email"])
            tablet_clients.append((client, job))
        roles = ["office", "admin", "teacher", "guardian", "student"][: max(1, min(readers, 5))]
        reader_sessions = {}
        for role in roles:
            client = Client(port)
            login(client, f"{role}@musicbeats.test")
            reader_sessions[role] = client.cookies
        some = plan["students"][:20]
        paths = [("office", "/"), ("office", "/fees/payments/"), ("office", "/fees/summary/")]
        paths += [("office", f"/fees/students/{pk}/") for pk in some]
        paths += [(role, "/") for role in roles]
        paths += [("guardian", "/fees/mine/")] if "guardian" in roles else []
        paths += [("teacher", "/attendance/today/")] if "teacher" in roles else []
        paths += [("admin", "/fees/payments/?status=void")] if "admin" in roles else []
        paths = [(role, path) for role, path in paths if role in roles]

        stop = threading.Event()
        ledger = {"today": plan["today"], "sent": [], "acked": {}}
        taps = defaultdict(list)
        threads = [
            threading.Thread(
                target=fee_desk, args=(client, plan["students"], stop, recorder, ledger, 100 + i)
            )
            for i, client in enumerate(desk_clients)
        ]
        threads += [
            threading.Thread(
                target=tablet,
                args=(client, job["lesson"], job["students"], stop, recorder, taps, 200 + i),
            )
            for i, (client, job) in enumerate(tablet_clients)
        ]
        threads += [
            threading.Thread(
                target=reader,
                args=(
                    {r: Client(port, c) for r, c in reader_sessions.items()},
                    paths,
                    stop,
                    recorder,
                    300 + i,
                ),
            )
            for i in range(readers)
        ]
        say(
            f"{engine}: {desks} fee desks, {tablets} tablets, {readers} readers, "
            f"{workers} gunicorn workers, {seconds} s"
        )
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        faults = []
        time.sleep(seconds / 3)
        faults.append(kill_a_worker(server.pid))
        time.sleep(seconds / 3)
        if engine == "postgresql":
            faults.append(terminate_a_backend(database_url))
        else:
            faults.append(
                "connection termination: not applicable to SQLite (no server "
                "connection to terminate)"
            )
        time.sleep(max(0.0, seconds - (time.perf_counter() - began)))
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        server_log.close()

    clients_path, result_path = workdir / "clients.json", workdir / "verified.json"
    clients_path.write_text(
        json.dumps({**ledger, "taps": taps, "max_payment_id": plan["max_payment_id"]})
    )
    in_django(
        env, f"from tests.soak import verify; verify({str(clients_path)!r}, {str(result_path)!r})"
    )
    verified = json.loads(result_path.read_text())
    log_text = (workdir / "gunicorn.log").read_text(errors="replace")
    locked = log_text.count("database is locked")
    kinds = sorted(recorder.requests)
    errors = {kind: dict(recorder.errors[kind]) for kind in kinds if recorder.errors[kind]}
    failed = sum(sum(counts.values()) for counts in errors.values())
    # Each fault may cost the one request it interrupts: the request a killed sync worker
    # was serving, the query a terminated backend was running.
    allowed = 1 + (1 if engine == "postgresql" else 0)
    problems = list(verified["problems"])
    if failed > allowed:
        problems.append(f"{failed} requests failed; the faults explain at most {allowed}")
    if locked:
        problems.append(f'"database is locked" {locked} times in the server log')
    if not verified["payments_acknowledged"] or not verified["marks_acknowledged"]:
        problems.append("no payment or no mark was acknowledged: the load did not run")
    everything = [ms for kind in kinds for ms in recorder.latency[kind]]
    rows = [
        {
            "kind": kind,
            "requests": recorder.requests[kind],
            "errors": sum(recorder.errors[kind].values()),
            "p50": percentile(recorder.latency[kind], 50),
            "p95": percentile(recorder.latency[kind], 95),
            "p99": percentile(recorder.latency[kind], 99),
        }
        for kind in kinds
    ]
    rows.append(
        {
            "kind": "all",
            "requests": sum(recorder.requests.values()),
            "errors": failed,
            "p50": percentile(everything, 50),
            "p95": percentile(everything, 95),
            "p99": percentile(everything, 99),
        }
    )
    result = {
        "database": engine,
        "transaction_mode": transaction_mode if engine == "sqlite" else "",
        "seconds": round(elapsed, 1),
        "clients": {"desks": desks, "tablets": tablets, "readers": readers},
        "workers": workers,
        "faults": faults,
        "rows": rows,
        "errors": errors,
        "locked": locked,
        "payments_acknowledged": verified["payments_acknowledged"],
        "payments_stored": verified["payments_stored"],
        "marks_acknowledged": verified["marks_acknowledged"],
        "problems": problems,
        "passed": not problems,
        "workdir": str(workdir),
    }
    say(summary(result))
    return result


def summary(result) -> str:
    lines = [
        f"{result['database']}"
        + (f" ({result['transaction_mode']})" if result["transaction_mode"] else "")
        + f": {result['seconds']} s, {result['clients']['desks']} desks, "
        f"{result['clients']['tablets']} tablets, {result['clients']['readers']} readers, "
        f"{result['workers']} workers",
        *(f"  fault: {fault}" for fault in result["faults"]),
        f"  {'requests':>26} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
        *(
            f"  {row['kind']:<16}{row['requests']:>10} {row['errors']:>7} {row['p50']:>8.0f} "
            f"{row['p95']:>8.0f} {row['p99']:>8.0f}"
            for row in result["rows"]
        ),
        f"  errors: {result['errors'] or 'none'}",
        f"  payments acknowledged {result['payments_acknowledged']}, stored "
        f"{result['payments_stored']}; marks acknowledged {result['marks_acknowledged']}",
        "  PASSED: every acknowledged payment and mark stored exactly once, receipts gapless"
        if result["passed"]
        else "  FAILED: " + "; ".join(result["problems"]),
    ]
    return "\n".join(lines)


def write_report(path: Path, results: list[dict]) -> None:
    lines = [
        "# Soak test: the last run",
        "",
        "Written by `make soak` (tests/soak.py). gunicorn in production mode on loopback; "
        "one worker SIGKILLed a third of the way in, one PostgreSQL backend terminated at "
        "two thirds. Latencies are round trips seen by the clients, in milliseconds.",
        "",
        f"- run: {datetime.now(UTC).isoformat(timespec='minutes')}",
        f"- machine: {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} when the "
        f"report was written), Python {sys.version.split()[0]}",
        "",
    ]
    for result in results:
        mode = f", SQLite {result['transaction_mode']}" if result["transaction_mode"] else ""
        lines += [
            f"## {result['database']}{mode}: {'passed' if result['passed'] else 'FAILED'}",
            "",
            f"{result['seconds']} s; {result['clients']['desks']} fee desks, "
            f"{result['clients']['tablets']} tablets, {result['clients']['readers']} readers; "
            f"{result['workers']} gunicorn workers.",
            "",
            *(f"- {fault}" for fault in result["faults"]),
            f"- payments acknowledged: {result['payments_acknowledged']} (stored: "
            f"{result['payments_stored']}); marks acknowledged: {result['marks_acknowledged']}",
            f"- errors: {result['errors'] or 'none'}"
            + (f"; problems: {'; '.join(result['problems'])}" if result["problems"] else ""),
            "",
            "| requests | count | errors | p50 ms | p95 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *(
                f"| {row['kind']} | {row['requests']} | {row['errors']} | {row['p50']:.0f} "
                f"| {row['p95']:.0f} | {row['p99']:.0f} |"
                for row in result["rows"]
            ),
            "",
        ]
    path.write_text("\n".join(lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 60)))
    parser.add_argument("--desks", type=int, default=8)
    parser.add_argument("--tablets", type=int, default=8)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--sqlite-transaction-mode",
        default="IMMEDIATE",
        choices=["IMMEDIATE", "DEFERRED", "EXCLUSIVE"],
    )
    parser.add_argument(
        "--expect-failure",
        action="store_true",
        help="succeed only if the soak fails (the DEFERRED variant)",
    )
    parser.add_argument("--report", type=Path, help="write the figures to this file (SOAK.md)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    urls = []
    if args.database in ("sqlite", "both"):
        urls.append(f"sqlite:///{workdir / 'soak.sqlite3'}")
    if args.database in ("postgresql", "both"):
        urls.append(POSTGRES_URL)
    results = [
        run(
            database_url=url,
            seconds=args.seconds,
            desks=args.desks,
            tablets=args.tablets,
            readers=args.readers,
            workers=args.workers,
            port=args.port or None,
            transaction_mode=args.sqlite_transaction_mode,
            workdir=workdir,
        )
        for url in urls
    ]
    if args.report:
        write_report(args.report, results)
        print(f"\nWritten to {args.report}")
    passed = all(result["passed"] for result in results)
    if args.expect_failure:
        print(
            "The soak failed, as it must here."
            if not passed
            else "The soak PASSED: it was expected to fail."
        )
        return 0 if not passed else 1
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
