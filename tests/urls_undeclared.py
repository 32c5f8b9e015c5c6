"""The project's URLconf plus one view that declares no access rule, for
tests/accounts/test_access_enforced.py."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.access import allow_roles, public
from accounts.models import Role

RAN = []


def forgotten(request, pk):
    RAN.append(pk)
    return HttpResponse("the forgotten view ran")


@public
def open_page(request):
    return HttpResponse("open")


@allow_roles(Role.ADMIN)
def admin_page(request):
    return HttpResponse("admin")


urlpatterns = [
    path("forgotten/<id:pk>/", forgotten, name="forgotten"),
    path("open/", open_page, name="open"),
    path("staff/", admin_page, name="staff"),
    path("", include("musicbeats.urls")),
]
handler500 = "musicbeats.errors.server_error"
