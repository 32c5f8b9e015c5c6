from tests.access import ALL, PUBLIC, Row

ROWS = {
    "dashboard": Row(ALL),
    "healthz": Row(PUBLIC),
}
