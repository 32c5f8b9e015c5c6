"""`/profile/`: every person's own page. Their details, name and phone to edit, links to
allauth's password and email change; students and guardians see their classes (a
guardian, each linked child), teachers what they teach."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import allow_roles
from accounts.models import ALL_ROLES, Role, User
from accounts.people import selectors, services
from accounts.profile.forms import ProfileForm
from musicbeats.versions import StaleEdit, add_version, saving


def own_context(user) -> dict:
    """What a person's own pages show about their classes (for the profile and the
    student and guardian dashboards): a student's own record, a guardian's children,
    a teacher's instruments and batches."""
    if user.role in (Role.STUDENT, Role.GUARDIAN):
        return {"family": list(selectors.family_of(user))}
    if user.role == Role.TEACHER:
        return {"teaching": selectors.teacher_detail(user.pk).first()}
    return {}


def get_own_student_for(request, pk):
    """A student the person may see: a student themself, a guardian their linked
    children. Anyone else's id is answered 404, as if it did not exist."""
    student = selectors.family_of(request.user).filter(pk=pk).first()
    if student is None:
        raise Http404("No such student.")
    return student


@require_safe
@allow_roles(*ALL_ROLES)
def profile(request):
    return render(
        request,
        "accounts/profile/profile.html",
        {"profile": request.user, **own_context(request.user)},
    )


def _profile_form(user, data=None):
    initial = {"full_name": user.full_name, "phone": user.phone}
    return add_version(ProfileForm(data, initial=initial, user=user), user)


@require_http_methods(["GET", "POST"])
@allow_roles(*ALL_ROLES)
def profile_edit(request):
    """Edit one's own name and phone (the email changes through allauth's flow)."""
    user = request.user
    form = _profile_form(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        reread = lambda: _profile_form(User.objects.get(pk=user.pk))  # noqa: E731
        try:
            with saving(form, user, current=reread):
                services.update_person(
                    user, full_name=form.cleaned_data["full_name"], phone=form.cleaned_data["phone"]
                )
        except StaleEdit as stale:
            stale.show_on(form)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
    return render(
        request,
        "accounts/profile/edit.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_safe
@allow_roles(Role.STUDENT, Role.GUARDIAN)
def profile_student(request, pk):
    """One child's page for their guardian (or a student's own)."""
    student = get_own_student_for(request, pk)
    return render(request, "accounts/profile/student.html", {"student": student})
