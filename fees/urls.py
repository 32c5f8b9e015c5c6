from django.urls import path  # noqa: F401

from fees.views import dues, payments  # noqa: F401

app_name = "fees"

urlpatterns = []
