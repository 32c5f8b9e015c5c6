"""The Django admin (admin role only) for classes.

The office works in the app's own pages, where the enrolment rules live (capacity, one
enrolment per batch, fees in bounds). So batches and enrolments are read-only here, with
their history; instruments, levels and rooms can be corrected. Nothing can be deleted:
instruments, rooms and batches are deactivated, enrolments ended.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from attendance.models import Batch, Enrollment, Instrument, Level, Room


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoDeleteMixin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LevelInline(NoDeleteMixin, admin.TabularInline):
    model = Level
    extra = 0
    fields = ["name", "position"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("instrument")


@admin.register(Instrument)
class InstrumentAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["teachers"]
    inlines = [LevelInline]


@admin.register(Room)
class RoomAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "capacity", "is_active"]
    list_filter = ["is_active"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "instrument", "teacher", "room", "capacity", "monthly_fee"]
    list_filter = ["is_active", "kind", "instrument"]
    list_select_related = ["instrument", "teacher", "room"]
    search_fields = ["name", "teacher__full_name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("instrument", "level__instrument", "teacher", "room")
        )


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["student", "batch", "joined_on", "left_on", "monthly_fee"]
    list_filter = ["batch__instrument"]
    search_fields = ["student__user__full_name", "student__roll_number", "batch__name"]
    date_hierarchy = "joined_on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student__user", "batch")
