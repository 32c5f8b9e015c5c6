from django.urls import path

from fees.upi_matching.urls import urlpatterns as upi_urls
from fees.views import day_close, dues, family, mine, payments, statements, summary

app_name = "fees"

urlpatterns = [
    path("payments/", payments.payment_list, name="payment_list"),
    path("payments/new/", payments.payment_new, name="payment_new"),
    path("payments/family/<id:pk>/", family.family_payment_new, name="family_payment_new"),
    path("payments/<id:pk>/", payments.payment_detail, name="payment_detail"),
    path("payments/<id:pk>/pdf/", payments.payment_pdf, name="payment_pdf"),
    path("payments/<id:pk>/void/", payments.payment_void, name="payment_void"),
    path("payments/<id:pk>/remarks/", payments.payment_remarks, name="payment_remarks"),
    path("dues/generate/", dues.dues_generate, name="dues_generate"),
    path("dues/late-fees/", dues.late_fees, name="late_fees"),
    path("charges/new/", dues.charge_new, name="charge_new"),
    path("charges/<id:pk>/concession/", dues.concession_new, name="concession_new"),
    # Summaries (fees_views).
    path("summary/", summary.summary, name="summary"),
    path("cash-close/", summary.cash_close, name="cash_close"),
    path("cash-close/close/", day_close.day_close, name="day_close"),
    path("cash-close/closed/", day_close.closed_days, name="closed_days"),
    path("students/<id:pk>/", statements.student_statement, name="student_statement"),
    path("mine/", mine.my_fees, name="mine"),
    *upi_urls,  # UPI reports and statement imports (fees/upi_matching)
]
