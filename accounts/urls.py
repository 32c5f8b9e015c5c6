from django.urls import path

from accounts.institute import views as institute
from accounts.views import site

urlpatterns = [
    path("healthz", site.healthz, name="healthz"),
    path("settings/institute/", institute.institute_settings, name="institute_settings"),
]
