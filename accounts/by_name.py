"""Models of other apps, looked up by name: accounts builds on no other app."""

from django.apps import apps


def attendance_models(*names):
    """attendance's models by name, looked up when a function runs: accounts has no
    import of attendance (issue 10: imports run one way; `lint-imports` checks it)."""
    return tuple(apps.get_model("attendance", name) for name in names)
