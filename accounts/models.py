from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.models import HistoricalRecords

from accounts.institute.reminders import REMINDER_CONSTRAINTS, InstituteParts


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    OFFICE = "office", "Office staff"
    TEACHER = "teacher", "Teacher"
    STUDENT = "student", "Student"
    GUARDIAN = "guardian", "Guardian"


STAFF_ROLES = (Role.ADMIN, Role.OFFICE)
# Who may sign in with a code sent to their phone (accounts.adapter): families only;
# staff and teachers sign in with their email and password.
FAMILY_ROLES = (Role.STUDENT, Role.GUARDIAN)
ALL_ROLES = tuple(Role)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        """A person. Without an email (a child, say) they have a record but no login."""
        email = self.normalize_email(email).strip().lower() if email else None
        user = self.model(email=email, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        if not email:
            raise ValueError("An admin needs an email address to log in.")
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person. Email is the login; the role decides what they may do.

    Students, guardians, teachers and staff are all users, so a name, a phone and
    "active or not" live in one place. A child without an email is a user with no email
    and no usable password: they are on rosters but cannot log in.
    """

    email = models.EmailField("email address", max_length=254, unique=True, null=True, blank=True)
    full_name = models.CharField(max_length=150)
    phone = models.CharField(
        max_length=20, blank=True, help_text="E.164 (+919876543210): accounts.phones."
    )
    phone_login = models.BooleanField(
        "signs in with this phone",
        default=False,
        help_text="A code sent to this phone signs them in (students and guardians only). "
        "Two people never sign in with one phone; a shared family phone stays a contact "
        "number of the others.",
    )
    role = models.CharField(max_length=10, choices=Role.choices, db_index=True)
    is_active = models.BooleanField(
        default=True,
        help_text="Deactivate instead of deleting: the person keeps their history.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last invitation email was sent."
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "id"]
        indexes = [
            # The teacher and guardian lists: one role, active or not, by name.
            models.Index(
                fields=["role", "is_active", "full_name"], name="user_role_active_name_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            # One phone signs in one person: a code sent to it must say whose it is.
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(phone_login=True),
                name="user_login_phone_unique",
            ),
            # Only a family member with a phone signs in by phone.
            models.CheckConstraint(
                condition=models.Q(phone_login=False)
                | (models.Q(role__in=FAMILY_ROLES) & ~models.Q(phone="")),
                name="user_login_phone_family",
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = (
            self.__class__.objects.normalize_email(self.email).strip().lower()
            if self.email
            else None
        )

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_staff(self):
        """Only the admin role enters Django's admin site."""
        return self.role == Role.ADMIN

    @property
    def is_superuser(self):
        return self.role == Role.ADMIN

    def has_perm(self, perm, obj=None):
        return self.is_active and self.role == Role.ADMIN

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        return self.is_active and self.role == Role.ADMIN

    def _get_session_auth_hash(self, secret=None):
        """The proof a session keeps of its sign-in: Django's HMAC of the password hash,
        here of the role too, so a changed role (anywhere: admin site, shell, a service)
        ends every session the person had, at no cost per request."""
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}\n{self.role}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def is_office_staff(self):
        return self.role in STAFF_ROLES


class Counter(models.Model):
    """A named, gapless counter (roll numbers; receipt numbers per financial year).

    `Counter.next(key)` must run inside the transaction that uses the number: the
    UPDATE locks the row until that transaction ends, so two desks get consecutive
    numbers, and a rolled-back transaction gives its number back.
    """

    key = models.CharField(max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key} = {self.value}"

    @classmethod
    def next(cls, key: str) -> int:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Counter.next() must be called inside transaction.atomic().")
        cls.objects.bulk_create([cls(key=key)], ignore_conflicts=True)
        cls.objects.filter(key=key).update(value=F("value") + 1)
        return cls.objects.values_list("value", flat=True).get(key=key)


class Student(models.Model):
    """What the institute keeps about a student, beside their `User` (name, email, phone).

    Active or left is the user's `is_active`; `left_on` says since when.
    """

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, primary_key=True, related_name="student"
    )
    roll_number = models.CharField(max_length=20, unique=True)
    date_of_birth = models.DateField(null=True, blank=True)
    address = models.TextField(max_length=500, blank=True)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    notes = models.TextField(max_length=2000, blank=True)
    guardians = models.ManyToManyField(
        User, through="Guardianship", related_name="wards", blank=True
    )

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__full_name", "user_id"]
        indexes = [
            # The student list sorted by joining date.
            models.Index(fields=["joined_on"], name="student_joined_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=F("joined_on")),
                name="student_left_after_joining",
            ),
        ]

    def __str__(self):
        return f"{self.user.full_name} ({self.roll_number})"

    @property
    def is_active(self):
        return self.user.is_active

    @staticmethod
    def next_roll_number() -> str:
        """The next free `MB-0042`-style roll number (call inside a transaction)."""
        while True:
            candidate = f"MB-{Counter.next('roll_number'):04d}"
            if not Student.objects.filter(roll_number=candidate).exists():
                return candidate


class Guardianship(models.Model):
    """A guardian (a user with the guardian role) of a student; siblings share one."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="guardianships")
    guardian = models.ForeignKey(User, on_delete=models.PROTECT, related_name="guardianships")
    relation = models.CharField(max_length=30, blank=True, help_text="Mother, father, …")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="guardianship_unique"),
        ]

    def __str__(self):
        return f"{self.guardian_id} → {self.student_id}"


def _default_institute_name():
    return settings.INSTITUTE_NAME


class Institute(InstituteParts):
    """The institute's own settings: one row (pk=1), kept by the admin.

    Every part of the app reads its rules from here: fees (currency, proration, due day,
    late fee, UPI), attendance (edit window, make-up credit expiry, absentee streak).
    """

    class Proration(models.TextChoices):
        FULL = "full", "Full month"
        HALF = "half", "Half month when joining or leaving after the 15th"
        DAYS = "days", "By days"

    name = models.CharField(max_length=120, default=_default_institute_name)
    address = models.TextField(max_length=500, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    currency = models.CharField(max_length=3, default="INR")
    upi_id = models.CharField("UPI ID", max_length=80, blank=True)
    proration = models.CharField(max_length=4, choices=Proration.choices, default=Proration.FULL)
    due_day = models.PositiveSmallIntegerField(
        default=10, help_text="Monthly dues are due on this day of the month (1 to 28)."
    )
    late_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    defaulter_days = models.PositiveSmallIntegerField(
        default=30, help_text="Dues overdue by more than this many days list as defaulters."
    )
    mark_edit_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Hours after a lesson during which its teacher may change marks."
    )
    makeup_expiry_days = models.PositiveSmallIntegerField(
        default=60, help_text="Days a make-up credit stays usable."
    )
    absentee_streak = models.PositiveSmallIntegerField(
        default=3, help_text="Absent from this many lessons in a row puts a student on the list."
    )
    # The fee desk asks first (issue 13): credit above ₹X made, a date over N days back.
    overpay_confirm_above = models.PositiveIntegerField(default=500)
    past_date_confirm_days = models.PositiveSmallIntegerField(default=30)

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Raised by every saved edit form (stale saves are refused).",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [  # noqa: RUF005 (concatenated: this module is at its 500 lines)
            models.CheckConstraint(condition=models.Q(pk=1), name="institute_single_row"),
            models.CheckConstraint(
                condition=models.Q(due_day__gte=1, due_day__lte=28), name="institute_due_day"
            ),
            models.CheckConstraint(condition=models.Q(late_fee__gte=0), name="institute_late_fee"),
        ] + REMINDER_CONSTRAINTS

    def __str__(self):
        return self.name

    @classmethod
    def get(cls) -> "Institute":
        """The settings row, made with defaults the first time it is asked for."""
        institute, _created = cls.objects.get_or_create(pk=1)
        return institute


# ---------------------------------------------------------------------------------------
# Intake: online admission requests and CSV imports of students.
# ---------------------------------------------------------------------------------------


class AdmissionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=AdmissionRequest.Status.PENDING)

    def pending_first(self):
        """Pending requests first (oldest waiting first), then decided ones, newest first."""
        return self.alias(
            waiting=models.Case(
                models.When(status=AdmissionRequest.Status.PENDING, then=models.Value(0)),
                default=models.Value(1),
            )
        ).order_by("waiting", models.F("decided_at").desc(nulls_first=True), "created_at", "id")


class AdmissionRequest(models.Model):
    """A family asks for admission through the public form; the office decides.

    Deciding is a one-way state change from pending, done with a conditional UPDATE so
    that a double click, two tabs or a retry decide a request exactly once (see
    `accounts.intake.admissions.accept_admission` and `decline`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    child_name = models.CharField("child's name", max_length=150)
    date_of_birth = models.DateField("child's date of birth")
    guardian_name = models.CharField("guardian's name", max_length=150)
    relation = models.CharField(max_length=30, blank=True, help_text="Mother, father, …")
    guardian_phone = models.CharField("guardian's phone", max_length=20)
    guardian_email = models.EmailField("guardian's email", max_length=254)
    instrument = models.ForeignKey(
        "attendance.Instrument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_requests",
        help_text="Empty: the family is not sure yet.",
    )
    preferred_times = models.CharField(max_length=200, blank=True)
    message = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(max_length=500, blank=True)
    student = models.OneToOneField(
        Student,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_request",
    )

    objects = AdmissionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "accepted", "declined"]),
                name="admission_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="admission_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="admission_declined_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.child_name} ({self.get_status_display()})"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def age(self) -> int:
        """The child's age in whole years today."""
        today, born = timezone.localdate(), self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def decline(self, *, by: User, reason: str) -> bool:
        """Decline with a reason, if still pending. False when it was already decided.

        One conditional UPDATE: of two clicks (or two tabs), exactly one declines.
        """
        reason = reason.strip()
        if not reason:
            raise ValueError("A declined request needs a reason.")
        now = timezone.now()
        declined = (
            type(self)
            .objects.filter(pk=self.pk, status=self.Status.PENDING)
            .update(
                status=self.Status.DECLINED, decided_at=now, decided_by=by, decline_reason=reason
            )
        )
        if declined:
            self.status, self.decided_at, self.decided_by = self.Status.DECLINED, now, by
            self.decline_reason = reason
        return bool(declined)


class StudentImport(models.Model):
    """An uploaded CSV of students, kept on the server between preview and import.

    The confirm form only names this row; the text imported is the text previewed (its
    SHA-256 is checked again), never something the browser sends back. After the import
    the text is blanked (it holds personal data); unconfirmed uploads are purged after a
    day.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        IMPORTED = "imported", "Imported"

    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    content = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


class FormToken(models.Model):
    """One submitted create form: its idempotency token (`musicbeats.form_tokens`) and the
    row it made, claimed in the row's own transaction, so a double click, a retry or a
    second tab finds the token taken and answers with the first row. One table serves
    every create form: `kind` names the model, `object_id` its pk."""

    token = models.UUIDField(unique=True)
    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"{self.kind} {self.object_id} ({self.token})"


from accounts.notifications.models import *  # noqa: E402, F403 (outbox, inbox, texts)
