"""Roll call pages: marking a lesson, the day's lessons, and the attendance reports."""
