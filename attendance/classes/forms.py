"""Forms for the classes pages. Pickers offer only what is active; an edit form keeps
the object's current (possibly deactivated) choice so that saving does not change it
behind the office's back."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, Student, User
from accounts.validators import clean_name
from attendance.classes.selectors import BATCH_SORTS
from attendance.models import MAX_MONTHLY_FEE, Batch, Instrument, Level, Room
from musicbeats.ids import IdModelChoiceField, IdModelMultipleChoiceField
from musicbeats.money import money
from musicbeats.widgets import DateInput


def fee_field(*, required=True, label="Monthly fee (₹)", help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=MAX_MONTHLY_FEE,
        max_digits=10,
        decimal_places=2,
        help_text=help_text,
        error_messages={
            "min_value": "The monthly fee cannot be negative.",
            "max_value": "The monthly fee cannot be more than ₹10,00,000.",
            "max_decimal_places": "The monthly fee has at most two decimal places (paise).",
            "invalid": "The monthly fee must be an amount in rupees, like 1500.",
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


def active_or_current(queryset, current_pk, **active):
    """`queryset` limited to active rows, plus the row currently chosen (if any)."""
    condition = Q(**active)
    if current_pk:
        condition |= Q(pk=current_pk)
    return queryset.filter(condition)


class TeacherChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name if obj.is_active else f"{obj.full_name} (deactivated)"


class InstrumentChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name if obj.is_active else f"{obj.name} (inactive)"


class LevelChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.instrument.name} · {obj.name}"


# ---------------------------------------------------------------------------- catalogue


class InstrumentForm(forms.ModelForm):
    teachers = IdModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Who teaches this instrument (active teachers).",
    )

    class Meta:
        model = Instrument
        fields = ["name", "teachers"]
        labels = {"name": "Instrument or course"}

    def __init__(self, *args, with_teachers=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_teachers:
            del self.fields["teachers"]
            return
        current = Q(role=Role.TEACHER, is_active=True)
        if self.instance.pk:
            current |= Q(pk__in=self.instance.teachers.values("pk"))
        self.fields["teachers"].queryset = User.objects.filter(current).order_by("full_name", "pk")

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"], what="the name of the instrument or course")
        clash = Instrument.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"There is already an instrument called {name}.")
        return name


class LevelForm(forms.Form):
    name = forms.CharField(label="New level", max_length=80)

    def __init__(self, *args, instrument, level=None, **kwargs):
        # Its own ids: it shares the instrument page with the instrument's form.
        kwargs.setdefault("auto_id", "id_level_%s")
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.level = level

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"], what="the name of the level")
        clash = Level.objects.filter(instrument=self.instrument, name__iexact=name)
        if self.level is not None:
            clash = clash.exclude(pk=self.level.pk)
        if clash.exists():
            raise forms.ValidationError(
                f"{self.instrument.name} already has a level called {name}."
            )
        return name


def seats_field(*, required, label, help_text=""):
    bounds = "between 1 and 500"
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=500,
        help_text=help_text,
        error_messages={
            "min_value": f"Seats are {bounds}.",
            "max_value": f"Seats are {bounds}.",
            "invalid": f"Seats are a whole number {bounds}.",
        },
    )


class RoomForm(forms.ModelForm):
    capacity = seats_field(required=False, label="Seats (optional)")

    class Meta:
        model = Room
        fields = ["name", "capacity"]

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"], what="the room's name")
        if Room.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"There is already a room called {name}.")
        return name


class ConfirmForm(forms.Form):
    """Deactivate or reactivate: nothing to fill in, the button says it all."""


# ---------------------------------------------------------------------------- batches


class BatchForm(forms.ModelForm):
    monthly_fee = fee_field(help_text="The default for new enrolments; each can differ.")
    capacity = seats_field(
        required=True,
        label="Capacity",
        help_text="A private lesson is a batch of one: capacity 1.",
    )

    class Meta:
        model = Batch
        fields = [
            "name",
            "kind",
            "instrument",
            "level",
            "teacher",
            "room",
            "capacity",
            "monthly_fee",
        ]
        labels = {"kind": "Kind", "room": "Room (optional)", "level": "Level (optional)"}
        field_classes = {
            "instrument": InstrumentChoiceField,
            "teacher": TeacherChoiceField,
            "level": LevelChoiceField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        batch = self.instance
        self.fields["instrument"].queryset = active_or_current(
            Instrument.objects.order_by("name"), batch.instrument_id, is_active=True
        )
        self.fields["teacher"].queryset = active_or_current(
            User.objects.filter(role=Role.TEACHER).order_by("full_name", "pk"),
            batch.teacher_id,
            is_active=True,
        )
        self.fields["room"].queryset = active_or_current(
            Room.objects.order_by("name"), batch.room_id, is_active=True
        )
        self.fields["level"].empty_label = "No level"
        self.fields["room"].empty_label = "No room"
        self.fields["level"].queryset = active_or_current(
            Level.objects.select_related("instrument").order_by(
                "instrument__name", "position", "name"
            ),
            batch.level_id,
            instrument__is_active=True,
        )

    def clean_name(self):
        return clean_name(self.cleaned_data["name"], what="the batch's name")

    def clean(self):
        data = super().clean()
        instrument, level = data.get("instrument"), data.get("level")
        if instrument and level and level.instrument_id != instrument.pk:
            self.add_error(
                "level",
                f"{level.name} is a level of {level.instrument.name}, not {instrument.name}: "
                f"choose a {instrument.name} level (or none).",
            )
        if data.get("kind") == Batch.Kind.PRIVATE and data.get("capacity") not in (None, 1):
            self.add_error("capacity", "A private lesson is a batch of one: set capacity to 1.")
        return data


class BatchFilterForm(forms.Form):
    """The batch list's search, filters and sort, read from the query string. A value
    that does not fit is dropped (the list shows everything for it), never an error page.
    """

    ACTIVE_CHOICES = [("active", "Active"), ("inactive", "Inactive"), ("all", "All")]
    SORT_CHOICES = [
        ("name", "Name"),
        ("instrument", "Instrument"),
        ("teacher", "Teacher"),
        ("free", "Free seats (fewest first)"),
        ("-free", "Free seats (most first)"),
        ("fee", "Fee (lowest first)"),
        ("-fee", "Fee (highest first)"),
        ("capacity", "Capacity"),
    ]

    q = forms.CharField(label="Search", required=False, max_length=100)
    instrument = InstrumentChoiceField(
        queryset=Instrument.objects.order_by("-is_active", "name"),
        required=False,
        empty_label="All",
    )
    teacher = TeacherChoiceField(
        queryset=User.objects.filter(role=Role.TEACHER).order_by("full_name", "pk"),
        required=False,
        empty_label="All",
    )
    kind = forms.ChoiceField(choices=[("", "All"), *Batch.Kind.choices], required=False)
    active = forms.ChoiceField(label="Status", choices=ACTIVE_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("instrument", "teacher", "kind", "active", "sort"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def filters(self) -> dict:
        """Keyword arguments for `selectors.filter_batches`, dropping invalid values."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        sort = data["sort"] or "name"
        return {
            "q": data["q"] or "",
            "instrument": data["instrument"],
            "teacher": data["teacher"],
            "kind": data["kind"] or "",
            "active": data["active"] or "active",
            "sort": sort if sort.lstrip("-") in BATCH_SORTS else "name",
        }


class BatchDeactivateForm(forms.Form):
    on = forms.DateField(
        label="Last day of the batch",
        widget=DateInput(),
        help_text="Enrolments still running after this day end on it.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_on(self):
        # 9999-12-31 overflowed the day after it (a 500, found by the form fuzz run).
        on = self.cleaned_data["on"]
        if on > timezone.localdate() + timedelta(days=5 * 366):
            raise forms.ValidationError(
                "The last day is more than five years away: check the year."
            )
        if on.year < 1900:
            raise forms.ValidationError("Enter a last day after 1900: check the year.")
        return on


# ---------------------------------------------------------------------------- enrolment


class StudentChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.full_name} ({obj.roll_number})"


class BatchChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        free = getattr(obj, "free", None)
        seats = "" if free is None else f" — {free} free seat{'s' if free != 1 else ''}"
        return f"{obj.name} · {obj.teacher.full_name}{seats}"


class EnrolForm(forms.Form):
    """Student, batch, joining date and fee. Any student or batch may be named here: the
    enrolment service refuses a deactivated student or an inactive batch with a clear
    message (the pickers offer only active ones)."""

    student = StudentChoiceField(
        queryset=Student.objects.select_related("user"),
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a student: search by name, roll number or phone."},
    )
    batch = BatchChoiceField(
        queryset=Batch.objects.select_related("teacher"),
        empty_label="Choose a batch",
        error_messages={"required": "Choose a batch."},
    )
    joined_on = forms.DateField(label="Joins on", widget=DateInput())
    monthly_fee = fee_field(
        required=False, help_text="Leave empty for the batch's fee; a different fee is kept."
    )
    # Shown once the service has refused a timetable clash (`show_clash_override`).
    despite_clash = forms.BooleanField(label="Enrol despite the clash", required=False)
    clash_reason = forms.CharField(
        label="Why (kept in the enrolment's history)",
        required=False,
        max_length=70,
        help_text="Required to enrol despite the clash, e.g. “joins the 17:00 group in June”.",
    )
    show_clash_override = False

    def __init__(self, *args, batch_choices=None, batch_fee=None, **kwargs):
        kwargs["initial"] = {"joined_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        if batch_choices is not None:
            self.fields["batch"].queryset = batch_choices
        if batch_fee is not None:
            self.fields[
                "monthly_fee"
            ].help_text = (
                f"Leave empty for the batch's fee ({money(batch_fee)}); a different fee is kept."
            )


class EnrollmentFeeForm(forms.Form):
    monthly_fee = fee_field(label="New monthly fee (₹)")
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=100,
        help_text="Kept in the history, e.g. “sibling discount”.",
    )


class EnrollmentEndForm(forms.Form):
    left_on = forms.DateField(
        label="Last day", widget=DateInput(), help_text="The last day the student attends."
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"left_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
