from django.urls import path

from accounts.access import public


@public
def boom(request):
    return 1 / 0


urlpatterns = [path("boom/", boom)]
handler500 = "musicbeats.errors.server_error"
