"""The sessions page, at allauth's usersessions address (routed before allauth's URLs)."""

from django.urls import path

from accounts.sessions import views

urlpatterns = [
    path("accounts/sessions/", views.sessions, name="sessions"),
]
