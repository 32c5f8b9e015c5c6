"""Forms of grade exams: small office forms (board, grade, session), the entry form
(with its double-submit token) and the result row."""

from django import forms
from django.db.models import Q

from accounts.models import Student
from accounts.validators import clean_name
from attendance.models import Instrument
from attendance.teaching.exams.models import MAX_MARKS, ExamBoard, ExamEntry, ExamGrade, ExamSession
from fees.forms import amount_field
from musicbeats.form_tokens import add_token
from musicbeats.ids import IdModelChoiceField
from musicbeats.money import money
from musicbeats.widgets import DateInput


class BoardForm(forms.ModelForm):
    max_marks = forms.IntegerField(
        label="Results are out of",
        min_value=1,
        max_value=MAX_MARKS,
        initial=100,
        error_messages={
            "min_value": "Marks are out of at least 1.",
            "max_value": f"Marks are out of at most {MAX_MARKS}.",
        },
    )

    class Meta:
        model = ExamBoard
        fields = ["name", "max_marks", "is_active"]
        labels = {"name": "Board", "is_active": "Active (offered for new sessions)"}

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"], what="the board's name")
        if ExamBoard.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"There is already a board called {name}.")
        return name


class GradeForm(forms.ModelForm):
    position = forms.IntegerField(
        label="Order", min_value=0, max_value=999, initial=0, help_text="Lower comes first."
    )
    instrument = IdModelChoiceField(
        queryset=Instrument.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Any instrument",
    )
    default_fee = amount_field(label="Entry fee (₹)")

    class Meta:
        model = ExamGrade
        fields = ["name", "position", "instrument", "default_fee"]
        labels = {"name": "Grade"}

    def __init__(self, *args, board: ExamBoard, **kwargs):
        super().__init__(*args, **kwargs)
        self.board = board
        if self.instance.instrument_id:  # keep a now-inactive instrument choosable
            self.fields["instrument"].queryset = Instrument.objects.filter(
                Q(is_active=True) | Q(pk=self.instance.instrument_id)
            ).order_by("name")

    def clean_name(self):
        name = clean_name(self.cleaned_data["name"], what="the grade's name")
        clash = ExamGrade.objects.filter(board=self.board, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"{self.board.name} already has a grade called {name}.")
        return name


class BoardChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name if obj.is_active else f"{obj.name} (inactive)"


class SessionForm(forms.ModelForm):
    board = BoardChoiceField(queryset=ExamBoard.objects.none())

    class Meta:
        model = ExamSession
        fields = ["board", "name", "starts_on", "ends_on", "entry_deadline", "location", "notes"]
        labels = {"name": "Session", "entry_deadline": "Entries close on"}
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "entry_deadline": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.board_id
        boards = ExamBoard.objects.filter(is_active=True)
        if current:
            boards = ExamBoard.objects.filter(pk=current) | boards
            if self.instance.entries.exists():  # entries are of this board's grades
                self.fields["board"].disabled = True
        self.fields["board"].queryset = boards.order_by("name")

    def clean_name(self):
        return clean_name(self.cleaned_data["name"], what="the session's name")

    def clean(self):
        data = super().clean()
        starts, ends, deadline = (data.get(k) for k in ("starts_on", "ends_on", "entry_deadline"))
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last exam day cannot be before the first.")
        if starts and deadline and deadline > starts:
            self.add_error("entry_deadline", "Entries must close on or before the first exam day.")
        board, name = data.get("board"), data.get("name")
        if board and name:
            clash = ExamSession.objects.filter(board=board, name__iexact=name)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("name", f"{board.name} already has a session called {name}.")
        return data


class GradeChoiceField(IdModelChoiceField):
    def label_from_instance(self, obj):
        extra = f" ({obj.instrument.name})" if obj.instrument_id else ""
        return f"{obj.name}{extra} · {money(obj.default_fee)}"


class EntryForm(forms.Form):
    """Enter a student: the student picked in the live search, a grade of the session's
    board, the fee (prefilled from the grade when left empty)."""

    student = IdModelChoiceField(
        # Any student: the service says why a deactivated one cannot be entered.
        queryset=Student.objects.select_related("user"),
        widget=forms.RadioSelect,
        error_messages={"required": "Search for the student and choose them."},
    )
    grade = GradeChoiceField(queryset=ExamGrade.objects.none(), empty_label="Choose a grade")
    fee = amount_field(
        label="Entry fee (₹)",
        required=False,
        help_text="Empty: the grade's entry fee.",
    )

    def __init__(self, *args, session: ExamSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields["grade"].queryset = (
            ExamGrade.objects.filter(board_id=session.board_id)
            .select_related("instrument")
            .order_by("position", "name")
        )
        add_token(self)

    def clean(self):
        data = super().clean()
        if data.get("grade") and data.get("fee") is None:
            data["fee"] = data["grade"].default_fee
        return data


class ResultForm(forms.Form):
    """A result as the board sent it; the service checks the marks against the board's
    maximum. Its own ids: every row of the session page may hold one."""

    band = forms.ChoiceField(
        label="Result",
        choices=[("", "Choose…"), *ExamEntry.Band.choices],
        error_messages={"required": "Choose the result."},
    )
    marks = forms.IntegerField(label="Marks", required=False, min_value=0, max_value=MAX_MARKS)
    certificate_number = forms.CharField(label="Certificate no.", max_length=60, required=False)

    def __init__(self, data=None, *, entry: ExamEntry):
        initial = {
            "band": entry.band,
            "marks": entry.marks,
            "certificate_number": entry.certificate_number,
        }
        super().__init__(data, initial=initial, auto_id=f"id_result_{entry.pk}_%s")
