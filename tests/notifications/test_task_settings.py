"""Which queue runs the sends is a matter of settings (environment variables) alone."""

from tests.test_site import run_python

CODE = (
    "from django.conf import settings as s; "
    "print(s.TASKS['default']['BACKEND'], s.RQ_QUEUES['default']['URL'], "
    "'django_rq' in s.INSTALLED_APPS, 'django_tasks_db' in s.INSTALLED_APPS)"
)


def test_the_database_queue_by_default():
    out = run_python(CODE, DEBUG="1").stdout.split()
    assert out[0] == "django_tasks_db.DatabaseBackend" and out[2:] == ["False", "True"]


def test_redis_by_tasks_url_or_tasks_backend():
    out = run_python(CODE, DEBUG="1", TASKS_URL="redis://127.0.0.1:6379/3").stdout.split()
    assert out[:3] == ["django_tasks_rq.RQBackend", "redis://127.0.0.1:6379/3", "True"]
    out = run_python(CODE, DEBUG="1", TASKS_BACKEND="rq", REDIS_URL="").stdout.split()
    assert out[:2] == ["django_tasks_rq.RQBackend", "redis://127.0.0.1:6379/0"]
    check = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check')",
        DEBUG="1",
        TASKS_BACKEND="rq",
    )
    assert check.returncode == 0, check.stderr


def test_bad_values_are_refused_with_a_clear_message():
    bad = run_python(CODE, DEBUG="1", TASKS_BACKEND="celery").stderr
    assert "TASKS_BACKEND='celery' is not one of database, rq, immediate." in bad
    bad = run_python(CODE, DEBUG="1", OUTBOX_RETRY_DELAYS="60,soon").stderr
    assert "OUTBOX_RETRY_DELAYS a comma-separated list of seconds" in bad
