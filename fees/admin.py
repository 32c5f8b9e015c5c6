"""The admin site shows fees read-only: payments are voided and remarks edited on the
fee pages (which record who and when), charges come from the dues pages."""

from django.contrib import admin

from fees.models import Allocation, Charge, Payment, RemarkEdit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    actions = None  # no "delete selected"


class AllocationInline(admin.TabularInline):
    model = Allocation
    fields = ["charge", "amount", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("charge")


class RemarkEditInline(AllocationInline):
    model = RemarkEdit
    fields = ["old", "new", "edited_by", "edited_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return admin.TabularInline.get_queryset(self, request).select_related("edited_by")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "student", "amount", "paid_on", "method", "voided_at"]
    list_filter = ["method", "financial_year"]
    search_fields = ["receipt_number", "student__roll_number", "student__user__full_name"]
    list_select_related = ["student__user"]
    date_hierarchy = "paid_on"
    inlines = [AllocationInline, RemarkEditInline]
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("student__user", "recorded_by", "voided_by")
        )


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("student__user", "created_by", "concession_by", "enrollment")
        )

    list_display = ["description", "student", "kind", "period", "amount", "concession_amount"]
    list_filter = ["kind"]
    search_fields = ["description", "student__roll_number", "student__user__full_name"]
    list_select_related = ["student__user"]
    show_full_result_count = False
