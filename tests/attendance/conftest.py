from tests.institute_memory import _institute_defaults_in_memory  # noqa: F401
