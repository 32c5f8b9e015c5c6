"""Forms of the timetable, lessons and schedule pages (`/schedule/…`)."""

import re
from datetime import timedelta
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.safestring import mark_safe

from accounts.models import Role, Student, User
from attendance.models import Batch, Instrument, Lesson, Room, Slot, Term, Weekday
from attendance.timetable.base import MAX_GENERATION_DAYS, MAX_GUESTS
from musicbeats.ids import IdModelChoiceField
from musicbeats.widgets import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class FastSelect(forms.Select):
    """Django's <select>, built in Python instead of one template render per option: the
    office's pickers list every batch, teacher and room, which made up most of a page's
    time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{escape(str(option["value"]))}"'
            f"{' selected' if option['selected'] else ''}>{escape(str(option['label']))}</option>"
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        )
        return mark_safe(  # noqa: S308 - every value is escaped above
            f'<select name="{escape(widget["name"])}"{flatatt(widget["attrs"])}>{options}</select>'
        )


class FastSelects:
    """Form mixin: every plain <select> of the form renders with `FastSelect`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                # Same widget state (choices, attrs, required), faster render.
                field.widget.__class__ = FastSelect


class PersonChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name


def teachers():
    # Only what a picker and the services read: the pickers list every teacher.
    return (
        User.objects.filter(role=Role.TEACHER, is_active=True)
        .order_by("full_name", "pk")
        .only("pk", "full_name", "role", "is_active")
    )


def active_batches():
    return (
        Batch.objects.filter(is_active=True)
        .order_by("name")
        .only("pk", "name", "is_active", "room_id", "teacher_id", "kind")
    )


def active_rooms():
    return Room.objects.filter(is_active=True).order_by("name")


def duration_field(**kwargs):
    return forms.IntegerField(
        label="Duration (minutes)", min_value=5, max_value=480, initial=60, **kwargs
    )


class WeekFilterForm(FastSelects, forms.Form):
    """The office's view of the week: by room or by teacher, narrowed to one of each."""

    BY_CHOICES = [("room", "By room"), ("teacher", "By teacher")]

    week = forms.DateField(required=False, widget=forms.HiddenInput)
    by = forms.ChoiceField(choices=BY_CHOICES, required=False, label="Show")
    teacher = PersonChoiceField(
        queryset=User.objects.none(), required=False, empty_label="All teachers"
    )
    room = IdModelChoiceField(queryset=Room.objects.none(), required=False, empty_label="All rooms")
    instrument = IdModelChoiceField(
        queryset=Instrument.objects.none(), required=False, empty_label="All instruments"
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: the timetable page also has the add-slot form's room and teacher.
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = (
            User.objects.filter(role=Role.TEACHER)
            .order_by("-is_active", "full_name")
            .only("pk", "full_name")
        )
        self.fields["room"].queryset = Room.objects.order_by("name")
        self.fields["instrument"].queryset = Instrument.objects.order_by("name")
        for name in ("by", "teacher", "room", "instrument"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def values(self) -> dict:
        """The filters that are valid; a bad value (not a date, no such room) is ignored."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "week": data.get("week"),
            "by": data.get("by") or "room",
            "teacher": data.get("teacher"),
            "room": data.get("room"),
            "instrument": data.get("instrument"),
        }


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        labels = {"starts_on": "Starts on", "ends_on": "Ends on"}

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The term ends before it starts.")
        return data


class HolidayForm(forms.Form):
    date = forms.DateField(widget=DateInput())
    name = forms.CharField(max_length=80, help_text="Diwali, Pongal, Institute day…")


class SlotForm(FastSelects, forms.Form):
    """A new weekly slot. Room and teacher default to the batch's."""

    term = IdModelChoiceField(queryset=Term.objects.none())
    batch = IdModelChoiceField(queryset=Batch.objects.none())
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    starts_at = forms.TimeField(widget=TimeInput(), label="Starts at")
    duration_minutes = duration_field()
    room = IdModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="The batch's room"
    )
    teacher = PersonChoiceField(
        queryset=User.objects.none(), required=False, empty_label="The batch's teacher"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.order_by("-starts_on")
        self.fields["batch"].queryset = active_batches()
        self.fields["room"].queryset = active_rooms()
        self.fields["teacher"].queryset = teachers()

    def clean(self):
        data = super().clean()
        batch = data.get("batch")
        if batch is not None:
            # Only the ids were fetched with the batch; the defaults load by id.
            if not data.get("room") and batch.room_id:
                data["room"] = Room.objects.get(pk=batch.room_id)
            if not data.get("teacher"):
                data["teacher"] = User.objects.get(pk=batch.teacher_id)
        return data


class SlotEditForm(FastSelects, forms.ModelForm):
    class Meta:
        model = Slot
        fields = ["starts_at", "duration_minutes", "room", "teacher", "is_active"]
        widgets = {"starts_at": TimeInput()}
        labels = {
            "starts_at": "Starts at",
            "duration_minutes": "Duration (minutes)",
            "is_active": "Active (meets every week)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = active_rooms()
        self.fields["teacher"] = PersonChoiceField(queryset=teachers())
        self.fields["duration_minutes"].min_value = 5
        self.fields["duration_minutes"].max_value = 480


class GenerateForm(forms.Form):
    date_from = forms.DateField(widget=DateInput(), label="From")
    date_to = forms.DateField(widget=DateInput(), label="To")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end date is before the start date.")
            elif (end - start).days + 1 > MAX_GENERATION_DAYS:
                self.add_error("date_to", f"Generate at most {MAX_GENERATION_DAYS} days at once.")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="Shown to the students and the teacher.", strip=True
    )


class MoveForm(FastSelects, forms.Form):
    date = forms.DateField(widget=DateInput())
    starts_at = forms.TimeField(widget=TimeInput(), label="Starts at")
    duration_minutes = duration_field()
    room = IdModelChoiceField(queryset=Room.objects.none(), required=False, empty_label="None")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = active_rooms()

    def clean_date(self):
        on = self.cleaned_data["date"]
        if on < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return on


class SubstituteForm(FastSelects, forms.Form):
    substitute = PersonChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No substitute (own teacher)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = teachers()


def parse_roll_numbers(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text.strip().upper()) if part]


class GuestsField(forms.CharField):
    """Students by roll number (`MB-0042, MB-0043`), each an active student."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Roll numbers, separated by commas or spaces.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        rolls = parse_roll_numbers(value or "")
        if len(rolls) > MAX_GUESTS:
            raise forms.ValidationError(f"At most {MAX_GUESTS} students.")
        found = {
            student.roll_number: student
            for student in Student.objects.filter(roll_number__in=rolls).select_related("user")
        }
        unknown = [roll for roll in rolls if roll not in found]
        if unknown:
            raise forms.ValidationError(f"No student with roll number {', '.join(unknown)}.")
        left = [found[roll].user.full_name for roll in rolls if not found[roll].user.is_active]
        if left:
            raise forms.ValidationError(f"{', '.join(left)} left the institute.")
        return list(dict.fromkeys(found[roll] for roll in rolls))


class GuestForm(forms.Form):
    student = GuestsField(label="Roll number", required=True, max_length=40, help_text="")
    makeup = forms.BooleanField(
        required=False, label="Use a make-up credit (the one that expires first)"
    )

    def clean_student(self):
        students = self.cleaned_data["student"]
        if len(students) != 1:
            raise forms.ValidationError("Give one roll number.")
        return students[0]


class LessonForm(FastSelects, forms.Form):
    """An extra lesson for a batch, or a make-up lesson for chosen students."""

    kind = forms.ChoiceField(
        choices=[(Lesson.Kind.EXTRA, "Extra lesson"), (Lesson.Kind.MAKEUP, "Make-up lesson")],
        widget=forms.RadioSelect,
        initial=Lesson.Kind.EXTRA,
        help_text="An extra lesson is for the whole batch (and any guests); a make-up lesson "
        "is for the students below only, each using one make-up credit.",
    )
    batch = IdModelChoiceField(queryset=Batch.objects.none())
    date = forms.DateField(widget=DateInput())
    starts_at = forms.TimeField(widget=TimeInput(), label="Starts at")
    duration_minutes = duration_field()
    room = IdModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="The batch's room"
    )
    teacher = PersonChoiceField(
        queryset=User.objects.none(), required=False, empty_label="The batch's teacher"
    )
    guests = GuestsField(label="Students")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = active_batches()
        self.fields["room"].queryset = active_rooms()
        self.fields["teacher"].queryset = teachers()

    def clean_date(self):
        on = self.cleaned_data["date"]
        if on < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        if on > timezone.localdate() + timedelta(days=MAX_GENERATION_DAYS):
            raise forms.ValidationError("Choose a date within a year.")
        return on

    def clean(self):
        data = super().clean()
        batch = data.get("batch")
        if batch is not None:
            if not data.get("room") and batch.room_id:
                data["room"] = Room.objects.get(pk=batch.room_id)
            if not data.get("teacher"):
                data["teacher"] = User.objects.get(pk=batch.teacher_id)
        if data.get("kind") == Lesson.Kind.MAKEUP and not data.get("guests"):
            self.add_error("guests", "A make-up lesson needs at least one student.")
        return data
