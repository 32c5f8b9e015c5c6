"""Forms for progress: a teacher's proposal, the office's decline reason and its direct
setting of a level."""

from django import forms

from attendance.teaching.progress.models import NOTE_MAX
from attendance.teaching.progress.selectors import level_choices


class ProposeForm(forms.Form):
    instrument = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note for the office (optional)",
        max_length=NOTE_MAX,
        required=False,
        strip=True,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the teacher sees it)",
        max_length=NOTE_MAX,
        strip=True,
        error_messages={"required": "Say why the move is declined."},
    )


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.instrument.name} · {obj.name}"


class SetLevelForm(forms.Form):
    level = LevelChoiceField(
        queryset=level_choices(),
        label="Level",
        empty_label="Choose a level",
        error_messages={
            "required": "Choose the level to record.",
            "invalid_choice": "Choose one of the levels in the list.",
        },
    )
    note = forms.CharField(label="Note (optional)", max_length=NOTE_MAX, required=False)

    def __init__(self, *args, levels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if levels is not None:
            # Already fetched by the page: no second query to draw the list.
            self.fields["level"].choices = [("", "Choose a level")] + [
                (lv.pk, f"{lv.instrument.name} · {lv.name}") for lv in levels
            ]
