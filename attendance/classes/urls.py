"""Classes URLs (namespace "classes"): the catalogue, batches and enrolment, under
`/classes/` (included at the root, as the timetable's `timetable` and roll call's
`rollcall` namespaces are)."""

from django.urls import path

from attendance.classes.views import batches, catalogue, enrolments

app_name = "classes"

urlpatterns = [
    # The catalogue: instruments (courses) and their levels, rooms.
    path("classes/catalogue/", catalogue.catalogue, name="catalogue"),
    path(
        "classes/catalogue/instruments/<id:pk>/",
        catalogue.instrument_detail,
        name="instrument_detail",
    ),
    path(
        "classes/catalogue/instruments/<id:pk>/active/",
        catalogue.instrument_active,
        name="instrument_active",
    ),
    path("classes/catalogue/instruments/<id:pk>/levels/", catalogue.levels, name="levels"),
    path("classes/catalogue/rooms/", catalogue.room_list, name="room_list"),
    path("classes/catalogue/rooms/<id:pk>/", catalogue.room_edit, name="room_edit"),
    path("classes/catalogue/rooms/<id:pk>/active/", catalogue.room_active, name="room_active"),
    # Batches.
    path("classes/batches/", batches.batch_list, name="batch_list"),
    path("classes/batches/export.csv", batches.batch_export, name="batch_export"),
    path("classes/batches/new/", batches.batch_new, name="batch_new"),
    path("classes/batches/<id:pk>/", batches.batch_detail, name="batch_detail"),
    path("classes/batches/<id:pk>/edit/", batches.batch_edit, name="batch_edit"),
    path("classes/batches/<id:pk>/active/", batches.batch_active, name="batch_active"),
    # Enrolment.
    path("classes/enrol/", enrolments.enroll, name="enroll"),
    path("classes/enrolments/<id:pk>/", enrolments.enrollment_detail, name="enrollment_detail"),
    path("classes/enrolments/<id:pk>/end/", enrolments.enrollment_end, name="enrollment_end"),
]
