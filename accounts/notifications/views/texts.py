"""`/notifications/templates/`: the office's message texts, one per kind (English).

The list shows each kind's text in use; the edit page lists the placeholders the kind
offers, previews the text with sample values as it is typed (htmx; a Preview button
without JavaScript), saves it, or resets it to the built-in one. A text with an unknown
or malformed placeholder is refused, naming it, and nothing is stored
(accounts.notifications.editing).
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from accounts.notifications import editing

TEMPLATE = "accounts/notifications/text_edit.html"


class TextForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_subject(self):
        subject = self.cleaned_data["subject"]
        if "\n" in subject or "\r" in subject:
            raise forms.ValidationError("The subject is one line.")
        return self._checked(subject)

    def clean_body(self):
        return self._checked(self.cleaned_data["body"])

    def _checked(self, text):
        problems = editing.problems(self.kind, text)
        if problems:
            raise forms.ValidationError(problems)
        return text


def _kind_or_404(kind: str) -> str:
    if kind not in dict(editing.texts_kinds()):
        raise Http404("No such message.")
    return kind


@require_safe
@allow_roles(*STAFF_ROLES)
def text_list(request):
    return render(
        request, "accounts/notifications/text_list.html", {"rows": editing.current_texts()}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def text_edit(request, kind):
    kind = _kind_or_404(kind)
    label = dict(editing.texts_kinds())[kind]
    action = request.POST.get("action", "save")
    if request.method == "POST" and action == "reset":
        if editing.reset_text(kind=kind):
            messages.success(request, f"{label}: back to the built-in text.")
        else:
            messages.info(request, f"{label} already use the built-in text.")
        return redirect("notifications:template_edit", kind=kind)
    subject, body, customised = editing.current(kind)
    form = TextForm(request.POST or None, kind=kind, initial={"subject": subject, "body": body})
    preview = editing.preview(kind, subject, body)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if action != "preview":
                editing.save_text(
                    kind=kind, subject=data["subject"], body=data["body"], by=request.user
                )
                messages.success(request, f"{label}: the new text is saved.")
                return redirect("notifications:templates")
            preview = editing.preview(kind, data["subject"], data["body"])
        else:
            preview = None
    context = {
        "kind": kind,
        "label": label,
        "form": form,
        "preview": preview,
        "customised": customised,
        "placeholders": editing.placeholders(kind),
    }
    if request.htmx and action == "preview":
        # 200 even with errors: htmx swaps only 2xx answers, and the errors are the news.
        return render(request, f"{TEMPLATE}#preview", context)
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)
