from django.urls import path

from fees.views import dues, mine, payments, statements, summary  # noqa: F401

app_name = "fees"

urlpatterns = [
    # Summaries (fees_views).
    path("summary/", summary.summary, name="summary"),
    path("cash-close/", summary.cash_close, name="cash_close"),
    path("students/<int:pk>/", statements.student_statement, name="student_statement"),
    path("mine/", mine.my_fees, name="mine"),
]
