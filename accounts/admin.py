from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from accounts.models import User
from musicbeats.security_log import event

# Roles, not groups, decide what people may do.
admin.site.unregister(Group)


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "phone", "role", "is_active"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ["full_name", "email", "phone", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["full_name", "email", "phone"]
    ordering = ["full_name"]
    filter_horizontal = []
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "phone", "role", "is_active"]}),
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
        """Roles are changed here (and only here): each change goes to the security log."""
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

    def has_delete_permission(self, request, obj=None):
        # People with history are deactivated, never deleted.
        return False
