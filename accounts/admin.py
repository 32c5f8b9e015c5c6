from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.phones import normalise_phone
from accounts.sessions.services import end_sessions
from musicbeats.security_log import event

# Roles, not groups, decide what people may do.
admin.site.unregister(Group)


class PhoneMixin:
    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))


class UserCreateForm(PhoneMixin, AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role"]


class UserEditForm(PhoneMixin, UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "phone_login", "role", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ["full_name", "email", "phone", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["full_name", "email", "phone"]
    ordering = ["full_name"]
    filter_horizontal = []
    actions = ["end_all_sessions"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "phone", "phone_login", "role", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "phone",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        )
    ]

    def save_model(self, request, obj, form, change):
        """Roles are changed here (and only here): each change goes to the security log,
        and a role or active-flag change ends the person's sessions."""
        before = form.initial.get("role") if change else None
        super().save_model(request, obj, form, change)
        if change and "role" in form.changed_data:
            event(
                "role_changed",
                request,
                target_id=obj.pk,
                target_email=obj.email,
                old_role=before,
                new_role=obj.role,
            )
        if change and "is_active" in form.changed_data:
            event("account_active_changed", request, target_id=obj.pk, active=obj.is_active)
        # A new role or a deactivation (or reactivation) ends every session the person
        # had; the admin changing their own keeps the one they are using.
        if change and {"role", "is_active"} & set(form.changed_data):
            keep = request.session.session_key if obj.pk == request.user.pk else None
            end_sessions(obj, keep=keep)

    def has_delete_permission(self, request, obj=None):
        # People with history are deactivated, never deleted.
        return False

    @admin.action(description="End all sessions of the selected people")
    def end_all_sessions(self, request, queryset):
        ended = 0
        for person in queryset:
            keep = request.session.session_key if person.pk == request.user.pk else None
            ended += end_sessions(person, keep=keep)
        self.message_user(request, f"{ended} session(s) ended; those people must sign in again.")
