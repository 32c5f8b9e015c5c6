"""The timetable: terms, slots, lessons, the week and the calendar feed (namespace "timetable")."""

from django.urls import path

from attendance.timetable.views import feed, lessons, schedule, timetable

app_name = "timetable"

urlpatterns = [
    path("schedule/", schedule.week, name="week"),
    path("schedule/calendar/reset/", schedule.feed_reset, name="feed_reset"),
    path("schedule/slots/", timetable.slots, name="slots"),
    path("schedule/slots/new/", timetable.slot_new, name="slot_new"),
    path("schedule/slots/<id:pk>/", timetable.slot_edit, name="slot_edit"),
    path("schedule/terms/", timetable.terms, name="terms"),
    path("schedule/terms/<id:pk>/", timetable.term_edit, name="term_edit"),
    path("schedule/holidays/", timetable.holidays, name="holidays"),
    path("schedule/holidays/<id:pk>/delete/", timetable.holiday_delete, name="holiday_delete"),
    path("schedule/lessons/generate/", lessons.generate, name="generate"),
    path("schedule/lessons/new/", lessons.lesson_new, name="lesson_new"),
    path("schedule/lessons/<id:pk>/", lessons.lesson_detail, name="lesson"),
    path("schedule/lessons/<id:pk>/cancel/", lessons.lesson_cancel, name="lesson_cancel"),
    path("schedule/lessons/<id:pk>/restore/", lessons.lesson_restore, name="lesson_restore"),
    path("schedule/lessons/<id:pk>/move/", lessons.lesson_move, name="lesson_move"),
    path(
        "schedule/lessons/<id:pk>/substitute/",
        lessons.lesson_substitute,
        name="lesson_substitute",
    ),
    path("schedule/lessons/<id:pk>/guests/", lessons.lesson_guest, name="lesson_guest"),
    path("calendar/<slug:token>.ics", feed.calendar, name="feed"),
]
