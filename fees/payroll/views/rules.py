"""A teacher's pay rules and their history, kept by the office."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.access import allow_roles
from accounts.models import STAFF_ROLES
from fees.payroll import services
from fees.payroll.access import get_teacher_for
from fees.payroll.compute import rules_in_effect
from fees.payroll.forms import PayRuleForm
from fees.payroll.models import PayRule
from musicbeats.dates import month_start, next_month


def _context(teacher, form):
    earliest = services.earliest_rule_month(teacher.pk)
    this_month = month_start(timezone.localdate())
    history = PayRule.objects.filter(teacher=teacher).select_related("created_by")
    return {
        "teacher": teacher,
        "form": form,
        "earliest": earliest,
        "current": rules_in_effect(month=this_month, teacher_ids=[teacher.pk]).get(teacher.pk, {}),
        "this_month": this_month,
        "history": list(history.order_by("kind", "-from_month")),
    }


def _default_from(teacher):
    """Next month, or the first month after the last approved one if that is later."""
    return max(next_month(timezone.localdate()), services.earliest_rule_month(teacher.pk))


@require_http_methods(["GET", "HEAD", "POST"])
@allow_roles(*STAFF_ROLES)
def rules_page(request, pk):
    teacher = get_teacher_for(request, pk)
    initial = {"from_month": f"{_default_from(teacher):%Y-%m}"}
    form = PayRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.set_pay_rule(teacher=teacher, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            text = f"{rule.get_kind_display()}: {rule.rate} from {rule.from_month:%B %Y}."
            if not request.htmx:
                messages.success(request, f"Saved. {text}")
                return redirect("payroll:rules", pk=teacher.pk)
            form = PayRuleForm(initial=initial)
    context = _context(teacher, form)
    context["earliest_min"] = context["earliest"]
    template = "fees/payroll/rules.html#rules" if request.htmx else "fees/payroll/rules.html"
    return render(request, template, context, status=400 if form.errors else 200)
