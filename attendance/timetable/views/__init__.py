"""Timetable pages: the week schedule, terms and slots, lessons and their changes, the feed."""
