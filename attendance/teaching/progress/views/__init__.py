"""Progress pages: the office's queue (queue.py) and the writes from a student's pages
(students.py)."""
