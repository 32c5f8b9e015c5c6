"""The institute's settings page (`/settings/institute/`), for the admin.

One row (`Institute.get()`); every change is kept by django-simple-history with who
made it, and the page lists the last few changes.
"""

from decimal import Decimal

from babel.numbers import get_currency_name, list_currencies
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import Institute, Role
from accounts.validators import validate_upi_id

MAX_LATE_FEE = Decimal("100000.00")
RECENT_CHANGES = 5


def currency_choices():
    # Every ISO 4217 currency babel knows, rupee first: the institute is in India.
    codes = sorted(list_currencies())
    named = [(code, f"{code} · {get_currency_name(code, locale='en_IN')}") for code in codes]
    return sorted(named, key=lambda choice: (choice[0] != "INR", choice[0]))


class InstituteForm(forms.ModelForm):
    class Meta:
        model = Institute
        fields = [
            "name",
            "address",
            "phone",
            "email",
            "currency",
            "upi_id",
            "proration",
            "due_day",
            "late_fee",
            "defaulter_days",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "upi_id": "Families see a UPI QR code for what they owe when this is set "
            "(rupees only). Leave empty to show none.",
            "proration": "How a month is charged when a student joins or leaves mid-month.",
            "late_fee": "Added to an overdue month when the office applies late fees.",
        }

    currency = forms.ChoiceField(choices=currency_choices)
    due_day = forms.IntegerField(
        min_value=1,
        max_value=28,
        help_text="Monthly dues are due on this day of the month (1 to 28).",
    )
    late_fee = forms.DecimalField(
        min_value=Decimal(0), max_value=MAX_LATE_FEE, max_digits=10, decimal_places=2
    )
    defaulter_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        help_text="Dues overdue by more than this many days list the family as a defaulter.",
    )

    def clean_upi_id(self):
        value = self.cleaned_data["upi_id"].strip()
        if value:
            validate_upi_id(value)
        return value

    def clean_name(self):
        value = " ".join(self.cleaned_data["name"].split())
        if not value:
            raise forms.ValidationError("The institute needs a name.")
        return value


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(Role.ADMIN)
def institute_settings(request):
    """Name, contact details and the fee rules every fee page reads."""
    institute = Institute.get()
    form = InstituteForm(request.POST or None, instance=institute)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            messages.success(request, "Institute settings saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("institute_settings")
    changes = (
        Institute.history.filter(id=institute.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:RECENT_CHANGES]
    )
    return render(
        request,
        "accounts/institute_settings.html",
        {"form": form, "changes": changes},
        status=400 if form.errors else 200,
    )
