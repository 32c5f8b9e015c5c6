"""Sessions people control: idle and absolute limits, the list of one's sessions, and
ending sessions (by the person, by the office, and on logout, password and role
changes, deactivation and reactivation). allauth's usersessions keeps one row per
session (who, address, browser); the timestamps live in the session itself."""
