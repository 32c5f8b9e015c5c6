"""`/profile/…`: every person's own pages."""

from django.urls import path

from accounts.profile import views as profile

urlpatterns = [
    path("", profile.profile, name="profile"),
    path("edit/", profile.profile_edit, name="profile_edit"),
    path("students/<id:pk>/", profile.profile_student, name="profile_student"),
]
