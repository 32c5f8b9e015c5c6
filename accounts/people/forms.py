"""Forms of the people pages: students, guardians, teachers, profile, list filters.

The forms check what a person typed (lengths, dates, an email in use) and say so next to
the field; services (`accounts/people/services.py`) store the result in one transaction.
"""

from datetime import timedelta

from allauth.account.forms import AddEmailForm
from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.by_name import attendance_models
from accounts.models import Role, Student, User
from accounts.people.services import email_in_use, sync_login_email
from accounts.phones import PhoneField, is_mobile, normalise_phone
from accounts.validators import (
    clean_name,
    single_line,
    single_line_without_controls,
    validate_plain_text,
)
from musicbeats.ids import IdModelChoiceField, IdModelMultipleChoiceField
from musicbeats.widgets import DateInput

OLDEST_BIRTH_YEAR = 1900
RELATION_MAX = 30


def clean_phone(value: str) -> str:
    """A typed phone number in E.164 (accounts/phones.py), "" for none."""
    return normalise_phone(value)


def check_login_phone(*, phone: str, person: User | None) -> str | None:
    """Why `phone` cannot be `person`'s sign-in phone, or None when it can."""
    if not phone:
        return "Enter the phone they sign in with, or untick the box."
    if not is_mobile(phone):
        return "This looks like a landline: sign-in codes go by SMS to a mobile number."
    holder = User.objects.filter(phone=phone, phone_login=True)
    if person is not None:
        holder = holder.exclude(pk=person.pk)
    holder = holder.only("full_name").first()
    if holder is not None:
        return (
            f"{holder.full_name} already signs in with this phone, and two people cannot "
            "share a sign-in phone. Untick the box to keep the number as a contact only."
        )
    return None


class PersonForm(forms.Form):
    """Name, email and phone of any person. `person` is the one being edited (or None)."""

    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Email",
        max_length=254,
        required=False,
        help_text="Their login. They get an email with a link to set a password.",
    )
    phone = PhoneField(required=False)

    email_required = False

    def __init__(self, *args, person: User | None = None, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
        self.fields["email"].required = self.email_required
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"

    def clean_full_name(self):
        return clean_name(self.cleaned_data["full_name"])

    def clean_email(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email and email_in_use(email, exclude=self.person):
            raise forms.ValidationError("This email address is already in use by another person.")
        return email or None


class PhoneLoginMixin(forms.Form):
    """A family member's "signs in with this phone" box (User.phone_login)."""

    phone_login = forms.BooleanField(
        label="Signs in with a code sent to this phone",
        required=False,
        help_text="For a family without an email. One person per phone: a shared "
        "family phone signs in one of them.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phone_login") and "phone" in cleaned:
            problem = check_login_phone(phone=cleaned["phone"], person=self.person)
            if problem:
                self.add_error("phone_login", problem)
        return cleaned


class StudentForm(PhoneLoginMixin, PersonForm):
    email = forms.EmailField(
        label="Email (optional)",
        max_length=254,
        required=False,
        help_text="Many children have none: their guardians log in instead.",
    )
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    address = forms.CharField(
        label="Address", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    joined_on = forms.DateField(label="Joining date", widget=DateInput())
    notes = forms.CharField(
        label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    guardians = IdModelMultipleChoiceField(
        queryset=User.objects.filter(role=Role.GUARDIAN),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_guardian_name = forms.CharField(label="Name", max_length=150, required=False)
    new_guardian_phone = PhoneField(required=False)
    new_guardian_phone_login = forms.BooleanField(
        label="Signs in with a code sent to this phone", required=False
    )
    new_guardian_email = forms.EmailField(label="Email", max_length=254, required=False)
    new_guardian_relation = forms.CharField(
        label="Relation",
        max_length=RELATION_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Mother, father, …"}),
    )

    def __init__(self, *args, student: Student | None = None, **kwargs):
        self.student = student
        super().__init__(*args, person=student.user if student else None, **kwargs)
        if student is None:
            self.fields["joined_on"].initial = timezone.localdate()

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born and born.year < OLDEST_BIRTH_YEAR:
            raise forms.ValidationError(f"Enter a date of birth after {OLDEST_BIRTH_YEAR}.")
        return born

    def clean_joined_on(self):
        joined = self.cleaned_data["joined_on"]
        if joined > timezone.localdate() + timedelta(days=365):
            raise forms.ValidationError("The joining date is more than a year away.")
        if joined.year < OLDEST_BIRTH_YEAR:
            raise forms.ValidationError(f"Enter a joining date after {OLDEST_BIRTH_YEAR}.")
        return joined

    def clean_new_guardian_name(self):
        value = single_line(self.cleaned_data["new_guardian_name"])
        return clean_name(value, what="the new guardian's name") if value else value

    def clean_new_guardian_relation(self):
        value = single_line(self.cleaned_data["new_guardian_relation"])
        validate_plain_text(value)
        return value

    def clean_address(self):
        value = self.cleaned_data["address"]
        validate_plain_text(value)
        return value

    def clean_new_guardian_email(self):
        email = (self.cleaned_data.get("new_guardian_email") or "").strip().lower()
        if email and email_in_use(email):
            raise forms.ValidationError("This email address is already in use by another person.")
        return email or None

    def relations(self) -> dict[int, str]:
        """The relation typed beside each picked guardian (`relation_<id>` fields)."""
        data = self.data if self.is_bound else {}
        result = {}
        for guardian in self.cleaned_data.get("guardians", []):
            value = single_line_without_controls(str(data.get(f"relation_{guardian.pk}", "")))
            result[guardian.pk] = value
        return result

    def clean(self):
        cleaned = super().clean()
        born, joined = cleaned.get("date_of_birth"), cleaned.get("joined_on")
        if born and joined and born > joined:
            self.add_error("date_of_birth", "The date of birth is after the joining date.")
        new_name = cleaned.get("new_guardian_name")
        if not new_name and any(
            cleaned.get(f"new_guardian_{name}") for name in ("phone", "email", "relation")
        ):
            self.add_error("new_guardian_name", "Enter the new guardian's name.")
        if new_name and cleaned.get("new_guardian_phone_login"):
            guardian_phone = cleaned.get("new_guardian_phone", "")
            problem = check_login_phone(phone=guardian_phone, person=None)
            student_has_it = cleaned.get("phone_login") and cleaned.get("phone") == guardian_phone
            if not problem and student_has_it:
                problem = "The student signs in with this phone already (ticked above)."
            if problem:
                self.add_error("new_guardian_phone_login", problem)
        email, guardian_email = cleaned.get("email"), cleaned.get("new_guardian_email")
        if email and guardian_email and email == guardian_email:
            self.add_error(
                "new_guardian_email", "The guardian needs an email address of their own."
            )
        if "guardians" in cleaned:
            if any(len(r) > RELATION_MAX for r in self.relations().values()):
                raise forms.ValidationError(f"A relation has at most {RELATION_MAX} characters.")
            has_guardian = bool(cleaned["guardians"]) or bool(new_name)
            if not has_guardian and "email" in cleaned and not cleaned.get("email"):
                raise forms.ValidationError(
                    "A student without an email is reached through a guardian: "
                    "pick a guardian or add a new one."
                )
        return cleaned

    def new_guardian(self) -> dict | None:
        cleaned = self.cleaned_data
        if not cleaned.get("new_guardian_name"):
            return None
        return {
            "full_name": cleaned["new_guardian_name"],
            "email": cleaned.get("new_guardian_email"),
            "phone": cleaned.get("new_guardian_phone", ""),
            "phone_login": bool(cleaned.get("new_guardian_phone_login")),
            "relation": cleaned.get("new_guardian_relation", ""),
        }

    def guardian_links(self) -> list[tuple[User, str]]:
        relations = self.relations()
        return [(g, relations.get(g.pk, "")) for g in self.cleaned_data["guardians"]]


class DeactivateStudentForm(forms.Form):
    left_on = forms.DateField(label="Leaving date", widget=DateInput())

    def __init__(self, *args, student: Student, **kwargs):
        self.student = student
        super().__init__(*args, **kwargs)
        self.fields["left_on"].initial = timezone.localdate()

    def clean_left_on(self):
        left = self.cleaned_data["left_on"]
        if left < self.student.joined_on:
            raise forms.ValidationError(
                f"The leaving date cannot be before the joining date "
                f"({self.student.joined_on:%d %b %Y})."
            )
        if left > timezone.localdate():
            raise forms.ValidationError(
                "The leaving date cannot be in the future: deactivate on the day they leave."
            )
        return left


class GuardianForm(PhoneLoginMixin, PersonForm):
    students = IdModelMultipleChoiceField(
        queryset=Student.objects.select_related("user"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def relations(self) -> dict[int, str]:
        data = self.data if self.is_bound else {}
        return {
            s.pk: single_line_without_controls(str(data.get(f"relation_{s.pk}", "")))[:RELATION_MAX]
            for s in self.cleaned_data.get("students", [])
        }

    def ward_links(self):
        relations = self.relations()
        return [(s, relations.get(s.pk, "")) for s in self.cleaned_data["students"]]


class TeacherForm(PersonForm):
    email_required = True
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Their login, to see their lessons and mark attendance.",
    )
    instruments = IdModelMultipleChoiceField(
        label="Instruments they teach",
        queryset=None,  # set in __init__: accounts does not import attendance
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        (Instrument,) = attendance_models("Instrument")
        self.fields["instruments"].queryset = Instrument.objects.filter(is_active=True)


# --- List filters (plain GET forms; htmx sends the same fields) ----------------------


class QuickSelect(forms.Select):
    """A select rendered in Python. Django renders each option through a template, which
    for the filters' long lists (150 batches, 60 teachers) costs more than the rest of
    the page together."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) == chosen else "", label)
                for key, label in self.choices
            ),
        )
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


STATUS_CHOICES = [("active", "Active"), ("left", "Left"), ("all", "All")]


class ListFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)

    sort_choices: list[tuple[str, str]] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = self.sort_choices

    def values(self) -> dict:
        """The valid filters; an invalid one (a batch id that does not exist) is ignored."""
        self.is_valid()
        return {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if self.cleaned_data.get(name) not in (None, "")
        }


class StudentFilterForm(ListFilterForm):
    q = forms.CharField(
        label="Search",
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, roll number, phone or email"}
        ),
    )
    instrument = IdModelChoiceField(
        label="Course",
        queryset=None,  # set in __init__
        required=False,
        empty_label="All courses",
        widget=QuickSelect,
    )
    teacher = IdModelChoiceField(
        label="Teacher",
        queryset=User.objects.filter(role=Role.TEACHER, is_active=True).only("id", "full_name"),
        required=False,
        empty_label="All teachers",
        widget=QuickSelect,
    )
    batch = IdModelChoiceField(
        label="Batch",
        queryset=None,  # set in __init__
        required=False,
        empty_label="All batches",
        widget=QuickSelect,
    )
    sort_choices = [
        ("name", "Name A to Z"),
        ("-name", "Name Z to A"),
        ("roll", "Roll number"),
        ("-roll", "Roll number, newest"),
        ("joined", "Joined, oldest"),
        ("-joined", "Joined, newest"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        Batch, Instrument = attendance_models("Batch", "Instrument")
        self.fields["instrument"].queryset = Instrument.objects.all()
        self.fields["batch"].queryset = Batch.objects.filter(is_active=True).only("id", "name")


class TeacherFilterForm(ListFilterForm):
    q = forms.CharField(
        label="Search",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, phone or email"}),
    )
    instrument = IdModelChoiceField(
        label="Course",
        queryset=None,  # set in __init__
        required=False,
        empty_label="All courses",
        widget=QuickSelect,
    )
    sort_choices = [
        ("name", "Name A to Z"),
        ("-name", "Name Z to A"),
        ("-batches", "Most batches"),
        ("batches", "Fewest batches"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        (Instrument,) = attendance_models("Instrument")
        self.fields["instrument"].queryset = Instrument.objects.all()


class GuardianFilterForm(ListFilterForm):
    q = forms.CharField(
        label="Search",
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, phone, email or a child's name"}
        ),
    )
    sort_choices = [("name", "Name A to Z"), ("-name", "Name Z to A")]


# --- allauth's email change -----------------------------------------------------------


class ChangeEmailForm(AddEmailForm):
    """allauth's "change email" form, made safe for people the office created.

    allauth keeps its own table of addresses and, finding none for a person, records
    their login email as *unverified*; asked to change it, it then takes that row for a
    pending change, deletes it and blanks the person's login. Recording the login email
    as verified first (`sync_login_email`) keeps the current address until the new one
    is confirmed.
    """

    def save(self, request):
        sync_login_email(self.user)
        return super().save(request)
