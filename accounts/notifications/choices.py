"""Who hears of what on which channel: a person's choices (`/notifications/preferences/`)
and the institute's defaults (`/notifications/defaults/`), one grid of checkboxes each.

What counts when a message goes out is the service's rule (service.wanted_channels): the
person's Preference, else the institute's ChannelDefault, else built in (email on, phones
off). These pages only show and store those rows. In the app is always on; "account"
messages (sign-in, password, invitations) always go out and are shown locked.
"""

from django import forms
from django.db import transaction

from accounts.notifications.models import Channel, ChannelDefault, Kind, Preference
from accounts.notifications.service import BUILT_IN, OUTSIDE

CHOSEN_KINDS = [kind for kind in Kind if kind != Kind.ACCOUNT]
TRUE_VALUES = {"on", "true", "1"}


def key(kind: str, channel: str) -> str:
    return f"{kind}-{channel}"


def institute_defaults() -> dict[tuple[str, str], bool]:
    """(kind, channel) -> on, for every chosen kind and outside channel (one query)."""
    stored = {(d.kind, d.channel): d.enabled for d in ChannelDefault.objects.order_by()}
    return {
        (kind, channel): stored.get((kind, channel), BUILT_IN[channel])
        for kind in CHOSEN_KINDS
        for channel in OUTSIDE
    }


def person_choices(user, defaults: dict) -> dict[tuple[str, str], bool]:
    """What `user` gets now: their own choice, else the institute's default."""
    own = {(p.kind, p.channel): p.enabled for p in Preference.objects.filter(user=user).order_by()}
    return {cell: own.get(cell, on) for cell, on in defaults.items()}


def reachable(user) -> list[str]:
    """The outside channels `user` can be reached on (an address or a phone)."""
    return [
        channel for channel in OUTSIDE if (user.email if channel == Channel.EMAIL else user.phone)
    ]


class _RawCheckbox(forms.CheckboxInput):
    def value_from_datadict(self, data, files, name):
        return data.get(name)  # as sent: StrictCheckbox decides


class StrictCheckbox(forms.BooleanField):
    """A checkbox that refuses a value no browser sends (instead of reading it as on)."""

    widget = _RawCheckbox

    def to_python(self, value):
        if value in (None, "", False):
            return False
        if value is True or str(value).lower() in TRUE_VALUES:
            return True
        raise forms.ValidationError(f"“{str(value)[:40]}” is not a checkbox value.")


class ChannelGridForm(forms.Form):
    """One checkbox per (kind, channel) offered; `initial_choices` gives their state."""

    def __init__(self, *args, channels, initial_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = [channel for channel in OUTSIDE if channel in channels]
        for kind in CHOSEN_KINDS:
            for channel in self.channels:
                label = f"{Kind(kind).label} by {Channel(channel).label}"
                self.fields[key(kind, channel)] = StrictCheckbox(
                    label=label,
                    required=False,
                    initial=initial_choices[(kind, channel)],
                    widget=_RawCheckbox(attrs={"class": "form-check-input"}),
                )

    def clean(self):
        cleaned = super().clean()
        offered = set(self.fields)
        channels = sorted(
            {
                channel
                for kind, _, channel in (name.rpartition("-") for name in self.data)
                if kind in CHOSEN_KINDS and channel in OUTSIDE and key(kind, channel) not in offered
            }
        )
        if channels:
            names = ", ".join(Channel(channel).label for channel in channels)
            raise forms.ValidationError(
                f"{names} cannot be chosen here: there is no address or phone to send to. "
                "Nothing was saved."
            )
        return cleaned

    def rows(self):
        """For the template: each kind with its bound checkbox per offered channel."""
        return [
            {
                "kind": kind,
                "label": Kind(kind).label,
                "cells": [self[key(kind, c)] for c in self.channels],
            }
            for kind in CHOSEN_KINDS
        ]

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (kind, channel): self.cleaned_data[key(kind, channel)]
            for kind in CHOSEN_KINDS
            for channel in self.channels
        }


@transaction.atomic
def save_preferences(*, user, choices: dict[tuple[str, str], bool]) -> None:
    """Store `user`'s choice for every cell shown (one statement, whatever the size)."""
    rows = [
        Preference(user=user, kind=kind, channel=channel, enabled=on)
        for (kind, channel), on in choices.items()
    ]
    Preference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "kind", "channel"],
        update_fields=["enabled"],
    )


@transaction.atomic
def save_defaults(*, choices: dict[tuple[str, str], bool]) -> None:
    """Store the institute's default for every cell (one statement)."""
    rows = [
        ChannelDefault(kind=kind, channel=channel, enabled=on)
        for (kind, channel), on in choices.items()
    ]
    ChannelDefault.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["kind", "channel"], update_fields=["enabled"]
    )
