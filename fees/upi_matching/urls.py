from django.urls import path

from fees.upi_matching.views import imports, reports

urlpatterns = [
    path("mine/report/", reports.report_new, name="upi_report_new"),
    path("upi/reports/", reports.report_queue, name="upi_queue"),
    path("upi/reports/<id:pk>/confirm/", reports.report_confirm, name="upi_confirm"),
    path("upi/reports/<id:pk>/reject/", reports.report_reject, name="upi_reject"),
    path("upi/statements/", imports.statement_upload, name="statement_upload"),
    path("upi/statements/<id:pk>/", imports.statement_review, name="statement_review"),
]
