"""Notification pages, mounted at /notifications/ (musicbeats/urls.py)."""

from django.urls import path

from accounts.notifications.views import choices, inbox, outbox, texts

app_name = "notifications"

urlpatterns = [
    path("outbox/", outbox.outbox_list, name="outbox"),
    path("", inbox.inbox_page, name="inbox"),
    path("<id:pk>/read/", inbox.mark_read, name="mark_read"),
    path("read-all/", inbox.mark_all_read, name="mark_all_read"),
    path("preferences/", choices.preferences, name="preferences"),
    path("defaults/", choices.defaults, name="defaults"),
    path("templates/", texts.text_list, name="templates"),
    path("templates/<slug:kind>/", texts.text_edit, name="template_edit"),
]
