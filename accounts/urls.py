from django.urls import path

from accounts.views import institute, site

urlpatterns = [
    path("healthz", site.healthz, name="healthz"),
    path("settings/institute/", institute.institute_settings, name="institute_settings"),
]
