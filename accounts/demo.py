"""Demo people: the demo accounts the README lists, families with siblings, teachers.

Called by `seed_demo` inside a transaction. Idempotent: the small set is keyed on the
demo accounts' emails, the large set on its own email domain.
"""

import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from accounts.models import Counter, Guardianship, Role, Student, User

DEMO_PASSWORD = "musicbeats-demo"  # noqa: S105 (public demo password, printed in the README)

DEMO_ACCOUNTS = [
    ("admin@musicbeats.test", "Asha Raghavan", "+919845010001", Role.ADMIN),
    ("office@musicbeats.test", "Meera Iyer", "+919845010002", Role.OFFICE),
    ("teacher@musicbeats.test", "Arjun Menon", "+919845010003", Role.TEACHER),
    ("student@musicbeats.test", "Kavya Nair", "+919845010004", Role.STUDENT),
    ("guardian@musicbeats.test", "Lakshmi Nair", "+919845010005", Role.GUARDIAN),
]

# Teachers beside the demo teacher (six in all in the small institute).
DEMO_TEACHERS = [
    ("ravi.shankar@musicbeats.test", "Ravi Shankar Rao"),
    ("priya.krishnan@musicbeats.test", "Priya Krishnan"),
    ("anil.deshpande@musicbeats.test", "Anil Deshpande"),
    ("farah.khan@musicbeats.test", "Farah Khan"),
    ("joseph.dsouza@musicbeats.test", "Joseph D'Souza"),
]

CHILD_NAMES = """
Aarav Vihaan Vivaan Ananya Diya Advik Kabir Anika Ira Myra Reyansh Sai Saanvi Aadhya
Krishna Ishaan Shaurya Atharv Kiara Aditi Rohan Tara Nila Varun Nandini Harini Gautam
Pooja Rahul Sneha Kiran Deepak Swati Riya Arnav Tanvi Dhruv Meher Zoya Neel
""".split()
PARENT_NAMES = """
Lakshmi Suresh Neha Rajesh Kavitha Manoj Sunita Vikram Anjali Prakash Deepa Ramesh
Shalini Sanjay Radha Mohan Geeta Ashok Rekha Vinod Uma Naveen Padma Harish Jaya Girish
""".split()
SURNAMES = """
Sharma Iyer Nair Menon Rao Reddy Pillai Kulkarni Joshi Bose Das Gupta Patel Mehta Shah
Verma Singh Chatterjee Banerjee Mukherjee Krishnan Subramanian Hegde Fernandes Qureshi
""".split()


AREAS = ["MG Road", "Indiranagar", "Jayanagar", "Koramangala", "Malleswaram", "HSR Layout"]


def phone(rng):
    """A mobile number, stored as every phone is (E.164, accounts/phones.py)."""
    return f"+919{rng.randrange(10**8, 10**9)}"


def _user(email, name, phone_number, role, password):
    user, _created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": name, "phone": phone_number, "role": role, "password": password},
    )
    return user


def _roll_counter_to(value):
    Counter.objects.bulk_create([Counter(key="roll_number")], ignore_conflicts=True)
    Counter.objects.filter(key="roll_number", value__lt=value).update(value=value)


def _next_roll_base():
    numbers = Student.objects.filter(roll_number__startswith="MB-").aggregate(n=Max("roll_number"))
    counter = Counter.objects.filter(key="roll_number").values_list("value", flat=True).first()
    from_rolls = int(numbers["n"][3:]) if numbers["n"] and numbers["n"][3:].isdigit() else 0
    return max(from_rolls, counter or 0)


def seed(*, scale, password):
    created = seed_small(password)
    if scale == "large":
        created += seed_large(password)
    return f"{created} people created"


def seed_small(password) -> int:
    if Student.objects.filter(user__email="student@musicbeats.test").exists():
        return 0
    before = User.objects.count()
    rng = random.Random(7)
    users = {email: _user(email, n, p, r, password) for email, n, p, r in DEMO_ACCOUNTS}
    for email, name in DEMO_TEACHERS:
        _user(email, name, phone(rng), Role.TEACHER, password)

    roll = _next_roll_base()
    today = timezone.localdate()

    def student(user, joined_days_ago):
        nonlocal roll
        roll += 1
        return Student.objects.create(
            user=user,
            roll_number=f"MB-{roll:04d}",
            date_of_birth=today - timedelta(days=rng.randrange(6 * 365, 16 * 365)),
            joined_on=today - timedelta(days=joined_days_ago),
            address=f"{rng.randrange(1, 400)}, {rng.choice(AREAS)}, Bengaluru",
        )

    # The demo family: Lakshmi Nair with Kavya (who has her own login) and Aditya.
    kavya = student(users["student@musicbeats.test"], 400)
    aditya_user = User.objects.create_user(
        None, full_name="Aditya Nair", phone="", role=Role.STUDENT
    )
    aditya = student(aditya_user, 200)
    for child in (kavya, aditya):
        Guardianship.objects.create(
            student=child, guardian=users["guardian@musicbeats.test"], relation="Mother"
        )
    # She may also sign in with a code sent to her phone (98450 10005; `make run` prints
    # the code in its terminal).
    User.objects.filter(pk=users["guardian@musicbeats.test"].pk).update(phone_login=True)

    # Other families: 38 more children, some of them siblings.
    children = 2
    family = 0
    names = iter(CHILD_NAMES)
    while children < 40:
        family += 1
        surname = rng.choice(SURNAMES)
        parent_first = rng.choice(PARENT_NAMES)
        guardian = _user(
            f"{parent_first.lower()}.{surname.lower()}{family}@families.musicbeats.test",
            f"{parent_first} {surname}",
            phone(rng),
            Role.GUARDIAN,
            password,
        )
        for _ in range(min(40 - children, 2 if family % 4 == 0 else 1)):
            first = next(names)
            older = rng.random() < 0.3  # older students have an email of their own
            user = User.objects.create_user(
                f"{first.lower()}.{surname.lower()}{family}@students.musicbeats.test"
                if older
                else None,
                full_name=f"{first} {surname}",
                phone=phone(rng) if older else "",
                role=Role.STUDENT,
            )
            child = student(user, rng.randrange(10, 700))
            Guardianship.objects.create(
                student=child, guardian=guardian, relation=rng.choice(["Mother", "Father"])
            )
            children += 1
    # One student who left, with history kept.
    left = Student.objects.order_by("roll_number").last()
    left.left_on = max(left.joined_on, today - timedelta(days=20))
    left.save(update_fields=["left_on"])
    User.objects.filter(pk=left.pk).update(is_active=False)
    _roll_counter_to(roll)
    return User.objects.count() - before


LARGE_DOMAIN = "large.musicbeats.test"


def seed_large(password) -> int:
    """2,000 students in 1,400 families and 60 teachers, with bulk inserts."""
    if User.objects.filter(email__endswith="@" + LARGE_DOMAIN).exists():
        return 0
    rng = random.Random(42)
    before = User.objects.count()
    teachers = [
        User(
            email=f"teacher{i:03d}@{LARGE_DOMAIN}",
            full_name=f"{rng.choice(PARENT_NAMES)} {rng.choice(SURNAMES)}",
            phone=phone(rng),
            role=Role.TEACHER,
            password=password,
        )
        for i in range(60)
    ]
    guardians = [
        User(
            email=f"guardian{i:05d}@{LARGE_DOMAIN}",
            full_name=f"{rng.choice(PARENT_NAMES)} {rng.choice(SURNAMES)}",
            phone=phone(rng),
            role=Role.GUARDIAN,
            password=password,
        )
        for i in range(1400)
    ]
    students = [
        User(
            email=f"student{i:05d}@{LARGE_DOMAIN}" if i % 3 == 0 else None,
            full_name=f"{rng.choice(CHILD_NAMES)} {rng.choice(SURNAMES)}",
            phone=phone(rng) if i % 3 == 0 else "",
            role=Role.STUDENT,
            password=password if i % 3 == 0 else "!",
            is_active=i % 40 != 0,
        )
        for i in range(2000)
    ]
    User.objects.bulk_create(teachers + guardians + students, batch_size=1000)
    # bulk_create sets primary keys on SQLite and PostgreSQL.
    today = timezone.localdate()
    base = _next_roll_base()
    profiles = [
        Student(
            user=user,
            roll_number=f"MB-{base + i + 1:04d}",
            date_of_birth=today - timedelta(days=rng.randrange(6 * 365, 30 * 365)),
            joined_on=today - timedelta(days=rng.randrange(30, 1500)),
            left_on=None if user.is_active else today - timedelta(days=rng.randrange(1, 25)),
        )
        for i, user in enumerate(students)
    ]
    Student.objects.bulk_create(profiles, batch_size=1000)
    _roll_counter_to(base + len(profiles))
    links = []
    for i, profile in enumerate(profiles):
        links.append(Guardianship(student=profile, guardian=guardians[i % 1400], relation="Parent"))
    Guardianship.objects.bulk_create(links, batch_size=1000)
    return User.objects.count() - before
