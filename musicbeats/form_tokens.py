"""Idempotency tokens for create forms: a double click, a retry or a second tab posting the
same form makes one row and answers with it.

A create form gets a hidden `form_token` (a fresh UUID each time the empty form is
shown; every page sends it, a post without one is saved unguarded, as before). The view
wraps its create in `once(form, kind)`: the token is claimed in `accounts.FormToken`
(unique) in the same transaction as the row it creates. A second post of the same form
finds the token taken and gets `AlreadyDone` with the first row's primary key; if the
first save fails (an error, a refusal), its transaction rolls back and releases the
token, so the person can correct the form and send it again.

On PostgreSQL a racing duplicate waits on the unique index until the first commits, then
fails and reads the committed claim; on SQLite writers queue (IMMEDIATE transactions).
"""

import uuid
from contextlib import contextmanager

from django import forms
from django.db import IntegrityError, transaction

from accounts.models import FormToken

FIELD = "form_token"
EXPIRED = "This form is out of date: reload the page and fill it in again."


class AlreadyDone(Exception):
    """The form was saved before: `object_id` is what its first save made."""

    def __init__(self, object_id):
        super().__init__(f"Already saved: {object_id}")
        self.object_id = object_id


class Claim:
    def __init__(self):
        self.object_id = None

    def made(self, obj) -> None:
        """Record the row this form created (call it inside the `once` block)."""
        self.object_id = obj.pk


def add_token(form):
    """Give a create form its hidden token field (a new UUID on every empty form)."""
    form.fields[FIELD] = forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        required=False,
        error_messages={"invalid": EXPIRED},
    )
    return form


def made_before(data, kind: str):
    """The primary key of what an earlier post of this form (its token in `data`) made,
    or None. Asked when a form fails validation: a resubmit must not be refused for a
    clash with the row its own first post created (an email now in use)."""
    try:
        token = uuid.UUID(str(data.get(FIELD, "")))
    except ValueError:
        return None
    return (
        FormToken.objects.filter(token=token, kind=kind, object_id__isnull=False)
        .values_list("object_id", flat=True)
        .first()
    )


@contextmanager
def once(form, kind: str):
    """Run the block (which creates a row and calls `claim.made(row)`) once per token.

    Raises `AlreadyDone` when the token was used by a committed save. A block that ends
    without `claim.made(...)` (the create was refused) is rolled back, token included.
    """
    token = form.cleaned_data.get(FIELD)
    if token is None:  # a client that sends no token (a script, an old page): no guard
        with transaction.atomic():
            claim = Claim()
            yield claim
        return
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = FormToken.objects.create(token=token, kind=kind)
        except IntegrityError:
            first = FormToken.objects.filter(token=token).first()
            if first is None or first.kind != kind or first.object_id is None:
                raise AlreadyDone(None) from None
            raise AlreadyDone(first.object_id) from None
        claim = Claim()
        yield claim
        if claim.object_id is None:
            transaction.set_rollback(True)
        else:
            row.object_id = claim.object_id
            row.save(update_fields=["object_id"])
