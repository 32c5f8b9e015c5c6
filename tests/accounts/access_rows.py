from accounts.models import Role
from tests.access import ALL, PUBLIC, Row

ROWS = {
    "dashboard": Row(ALL),
    "healthz": Row(PUBLIC),
    "institute_settings": Row(frozenset({Role.ADMIN})),
}
