"""`make bench`'s throughput phase (tests/bench.py runs locust headless with this file).

`ReadUser` is one client of the mixed read load: each task requests one page of the mix
(the office dashboard, student list, ledger, fee summary, a statement; the teacher's
today and roster; a family's fees and week) as the role that reads it, with no pause, so
the figures say how much the server serves. `DeskUser` is an office desk recording
payments at a steady rate (the read/write mix): open a student at the fee desk, save a
payment, and count a POST as successful only when the saved receipt comes back. Each
form's token (the payment's idempotency key) is written to CONFIG["desk_log"] when it is
sent and again when its receipt came back, so that the benchmark can check afterwards
that the ledger holds exactly one payment per successful POST and none other (locust's
CSV is written once a second, so its last requests may be missing from it).

Locust runs in its own venv (.bench-venv, requirements-bench.txt), not the app's. It does
not log in: bench.py logged the demo roles in (two-factor for the office) and passes their
session cookies, the pages and the desk's students in the JSON file BENCH_LOCUST_CONFIG.
"""

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie
from pathlib import Path

from locust import constant, constant_throughput, task
from locust.contrib.fasthttp import FastHttpSession, FastHttpUser

CONFIG = json.loads(Path(os.environ["BENCH_LOCUST_CONFIG"]).read_text())
# Shared by the desks: each payment goes to the next student, round the list.
STUDENTS = itertools.cycle(CONFIG["students"])
DESK = {"HX-Request": "true", "HX-Target": "desk"}


def log_desk(outcome: str, token: str) -> None:
    with Path(CONFIG["desk_log"]).open("a") as log:
        log.write(f"{outcome} {token}\n")


def cookie(name: str, value: str, host: str) -> Cookie:
    """A cookie as the server would have set it for `host` (path /, not secure)."""
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=False,
        comment=None,
        comment_url=None,
        rest={},
    )


class RoleSessions:
    """One HTTP session per demo role, each with that role's cookies."""

    def __init__(self, user):
        host = re.sub(r"^https?://|:\d+$", "", user.host)
        self.sessions = {}
        for role, cookies in CONFIG["cookies"].items():
            session = FastHttpSession(
                user.host,
                user.environment.events.request,
                user,
                network_timeout=60.0,
                connection_timeout=60.0,
            )
            for name, value in cookies.items():
                session.cookiejar.set_cookie(cookie(name, value, host))
            self.sessions[role] = session

    def __getitem__(self, role):
        return self.sessions[role]


class ReadUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.as_role = RoleSessions(self)

    @task
    def read(self):
        label, path, role = random.choice(CONFIG["reads"])
        self.as_role[role].get(path, name=label)


class DeskUser(FastHttpUser):
    """A desk recording payments; `fixed_count` desks share the rate CONFIG asks for."""

    fixed_count = CONFIG["desks"]
    wait_time = constant_throughput(CONFIG["payments_per_second"] / max(1, CONFIG["desks"]))

    def on_start(self):
        self.office = RoleSessions(self)["office"]

    @task
    def record_a_payment(self):
        student = next(STUDENTS)
        with self.office.get(
            f"/fees/payments/new/?student={student}",
            headers=DESK,
            name="desk: open a student",
            catch_response=True,
        ) as opened:
            page = opened.text or ""
            fields = {
                name: re.search(rf'name="{name}" value="([^"]*)"', page)
                for name in ("csrfmiddlewaretoken", "token", "student")
            }
            if opened.status_code != 200 or not all(fields.values()):
                opened.failure(f"no payment form ({opened.status_code})")
                return
        data = {name: match.group(1) for name, match in fields.items()}
        data.update(amount="100.00", method="cash", paid_on=CONFIG["today"])
        log_desk("sent", data["token"])
        with self.office.post(
            "/fees/payments/new/",
            data=data,
            headers=DESK,
            name="desk: save a payment",
            catch_response=True,
        ) as saved:
            if saved.status_code != 200 or "data-receipt-link" not in (saved.text or ""):
                saved.failure(f"no receipt ({saved.status_code})")
            else:
                log_desk("saved", data["token"])
