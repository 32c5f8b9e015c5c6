"""Lesson notes and practice (issue 15, part 1): what a lesson covered and what to
practise, written from the roll call (for the batch, and a line per student), saved like
marks (at once, through the same kind of offline queue), read by families at
`/teaching/notes/` and by the office on the student's page."""
