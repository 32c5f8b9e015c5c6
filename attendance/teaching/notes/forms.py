from django import forms

from attendance.teaching.notes.models import NOTE_MAX_CHARS, LessonNote


class NoteForm(forms.Form):
    """One note's two texts, as the roll call shows them: the batch's as text areas, a
    student's as one-line fields. Lengths are checked by the service (one sentence for
    every way in); `maxlength` lets the browser stop the typing first."""

    covered = forms.CharField(label="What the lesson covered", required=False)
    practice = forms.CharField(label="Practice", required=False)

    def __init__(
        self,
        *args,
        key: str,
        student_name: str = "",
        note: LessonNote | None = None,
        disabled: bool = False,
    ):
        initial = {"covered": note.covered, "practice": note.practice} if note else None
        super().__init__(*args, initial=initial, auto_id=f"note-{key}-%s")
        limit = {"maxlength": NOTE_MAX_CHARS, "class": "form-control"}
        if student_name:
            self.fields["covered"].label = f"Note for {student_name}"
            self.fields["practice"].label = f"Practice for {student_name}"
            self.fields["covered"].widget = forms.TextInput(attrs={**limit, "autocomplete": "off"})
            self.fields["practice"].widget = forms.TextInput(attrs={**limit, "autocomplete": "off"})
        else:
            self.fields["covered"].widget = forms.Textarea(attrs={**limit, "rows": 3})
            self.fields["practice"].label = "What to practise"
            self.fields["practice"].widget = forms.Textarea(attrs={**limit, "rows": 3})
        for field in self.fields.values():
            field.disabled = disabled
