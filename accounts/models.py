from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    OFFICE = "office", "Office staff"
    TEACHER = "teacher", "Teacher"
    STUDENT = "student", "Student"
    GUARDIAN = "guardian", "Guardian"


STAFF_ROLES = (Role.ADMIN, Role.OFFICE)
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
    phone = models.CharField(max_length=20, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, db_index=True)
    is_active = models.BooleanField(
        default=True,
        help_text="Deactivate instead of deleting: the person keeps their history.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last invitation email was sent."
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
