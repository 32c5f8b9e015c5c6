"""Teacher pay (issue 15): pay rules per teacher, monthly pay statements computed from
the lessons actually given, approved (then locked: corrections are adjustments), paid
and exported. Its models are registered at the end of fees/models.py (app label `fees`).
"""
