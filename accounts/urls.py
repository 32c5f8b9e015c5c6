from django.urls import path

from accounts.views import site

urlpatterns = [
    path("", site.dashboard, name="dashboard"),
    path("healthz", site.healthz, name="healthz"),
]
