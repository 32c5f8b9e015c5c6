"""Progress: each student's level on an instrument over time (issue 15, item 2).

A teacher proposes the next level for a student they teach; the office confirms or
declines it, or sets a level directly. The current level is the latest confirmed change,
else the level of the batch the student is enrolled in (selectors.py).
"""
