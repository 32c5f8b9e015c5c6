"""Teaching (issue 15): what the music is, beside the office's work.

- `notes/`: lesson notes and practice, written from the roll call, read by families;
- `progress/`: each student's instrument level over time (a teacher proposes, the office
  confirms);
- `exams/`: grade exam boards, sessions, entries (a one-off charge each) and results.

Their models are registered at the end of attendance/models.py (app label `attendance`).
"""
