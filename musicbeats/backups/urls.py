from django.urls import path

from musicbeats.backups import views

urlpatterns = [
    path("settings/backups/", views.backup_list, name="backups"),
    path("settings/backups/<str:name>", views.backup_download, name="backup_download"),
]
