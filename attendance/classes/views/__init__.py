"""Classes pages: the catalogue (instruments, levels, rooms), batches, enrolment."""
