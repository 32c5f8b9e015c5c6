"""Demo data: `python manage.py seed_demo [--scale large]`.

Creates the demo accounts of DESIGN.md (password `musicbeats-demo`) and a believable set
of people. Running it again changes nothing: every row is looked up by its email first.
`--scale large` adds thousands of people with bulk inserts, for `make bench`.
"""

import random

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User

DEMO_PASSWORD = "musicbeats-demo"  # noqa: S105 (public demo password, in the README)

DEMO_ACCOUNTS = [
    ("admin@musicbeats.test", "Asha Raghavan", "+91 98450 10001", Role.ADMIN),
    ("office@musicbeats.test", "Meera Iyer", "+91 98450 10002", Role.OFFICE),
    ("teacher@musicbeats.test", "Arjun Menon", "+91 98450 10003", Role.TEACHER),
    ("student@musicbeats.test", "Kavya Nair", "+91 98450 10004", Role.STUDENT),
    ("guardian@musicbeats.test", "Lakshmi Nair", "+91 98450 10005", Role.GUARDIAN),
]

# A handful of other people, so that lists and counts are not empty.
SMALL_PEOPLE = [
    ("ravi.shankar@musicbeats.test", "Ravi Shankar Rao", Role.TEACHER),
    ("priya.k@musicbeats.test", "Priya Krishnan", Role.TEACHER),
    ("anil.d@musicbeats.test", "Anil Deshpande", Role.TEACHER),
    ("aditya.nair@musicbeats.test", "Aditya Nair", Role.STUDENT),
    ("ishaan.rao@musicbeats.test", "Ishaan Rao", Role.STUDENT),
    ("diya.sharma@musicbeats.test", "Diya Sharma", Role.STUDENT),
    ("rohan.pillai@musicbeats.test", "Rohan Pillai", Role.STUDENT),
    ("ananya.bose@musicbeats.test", "Ananya Bose", Role.STUDENT),
    ("suresh.rao@musicbeats.test", "Suresh Rao", Role.GUARDIAN),
    ("neha.sharma@musicbeats.test", "Neha Sharma", Role.GUARDIAN),
]

FIRST_NAMES = [
    "Aarav",
    "Vihaan",
    "Vivaan",
    "Ananya",
    "Diya",
    "Advik",
    "Kabir",
    "Anika",
    "Ira",
    "Myra",
    "Reyansh",
    "Sai",
    "Arjun",
    "Saanvi",
    "Aadhya",
    "Krishna",
    "Ishaan",
    "Shaurya",
    "Atharv",
    "Kiara",
    "Aditi",
    "Meera",
    "Rohan",
    "Tara",
    "Nila",
    "Varun",
    "Nandini",
    "Harini",
    "Gautam",
    "Pooja",
    "Rahul",
    "Sneha",
    "Kiran",
    "Lakshmi",
    "Deepak",
    "Swati",
]
LAST_NAMES = [
    "Sharma",
    "Iyer",
    "Nair",
    "Menon",
    "Rao",
    "Reddy",
    "Pillai",
    "Kulkarni",
    "Joshi",
    "Bose",
    "Das",
    "Gupta",
    "Patel",
    "Mehta",
    "Shah",
    "Verma",
    "Singh",
    "Chatterjee",
    "Banerjee",
    "Mukherjee",
    "Krishnan",
    "Subramanian",
    "Hegde",
]


class Command(BaseCommand):
    help = "Create the demo institute (idempotent). --scale large adds bulk data."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has people (used by `make run`).",
        )

    def handle(self, *args, scale, if_empty, **options):
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has people: demo data left as it is.")
        else:
            self.seed(scale)
        self.print_logins()

    @transaction.atomic
    def seed(self, scale):
        password = make_password(DEMO_PASSWORD)
        created = self.ensure_people(
            [(email, name, phone, role) for email, name, phone, role in DEMO_ACCOUNTS]
            + [(email, name, "", role) for email, name, role in SMALL_PEOPLE],
            password,
        )
        if scale == "large":
            created += self.ensure_large(password)
        self.stdout.write(f"Demo data ready ({created} people created).")

    def ensure_people(self, people, password) -> int:
        existing = set(
            User.objects.filter(email__in=[p[0] for p in people]).values_list("email", flat=True)
        )
        new = [
            User(email=email, full_name=name, phone=phone, role=role, password=password)
            for email, name, phone, role in people
            if email not in existing
        ]
        User.objects.bulk_create(new)
        return len(new)

    def ensure_large(self, password) -> int:
        rng = random.Random(42)
        people = []
        for role, count in [(Role.STUDENT, 2000), (Role.GUARDIAN, 1200), (Role.TEACHER, 60)]:
            for i in range(count):
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                phone = f"+91 9{rng.randrange(10**8, 10**9)}"
                people.append((f"{role}{i:05d}@large.musicbeats.test", name, phone, role))
        return self.ensure_people(people, password)

    def print_logins(self):
        self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
        for email, _name, _phone, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role.label:<13} {email}")
