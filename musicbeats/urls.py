from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from musicbeats.dashboard import dashboard

# The admin site's own login page would bypass allauth's rate limits; send it there.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "MusicBeats administration"
admin.site.site_title = "MusicBeats"

urlpatterns = [
    path("", dashboard, name="dashboard"),  # gathers each app's figures
    path("", include("accounts.urls")),
    path("", include("accounts.intake.urls")),
    path("", include("musicbeats.backups.urls")),
    path("people/", include("musicbeats.people_urls")),  # with musicbeats.people
    path("profile/", include("accounts.profile.urls")),
    path("notifications/", include("accounts.notifications.urls")),
    path("", include("attendance.classes.urls")),  # classes/…; later attendance/… and schedule/
    # Before allauth's URLs: our sessions page takes allauth's usersessions address.
    path("", include("accounts.sessions.urls")),
    path("accounts/", include("allauth.urls")),
    path("fees/", include("fees.urls", namespace="fees")),
    path("payroll/", include("fees.payroll.urls", namespace="payroll")),
    path("admin/", admin.site.urls),
    path("", include("attendance.timetable.urls")),
    path("attendance/", include("attendance.rollcall.urls", namespace="rollcall")),
    path("teaching/notes/", include("attendance.teaching.notes.urls", namespace="notes")),
    path("teaching/exams/", include("attendance.teaching.exams.urls", namespace="exams")),
    path("teaching/levels/", include("attendance.teaching.progress.urls", namespace="progress")),
]

handler400 = "musicbeats.errors.bad_request"
handler403 = "musicbeats.errors.permission_denied"
handler404 = "musicbeats.errors.page_not_found"
handler500 = "musicbeats.errors.server_error"
