from tests.access import STAFF, Row

ROWS = {
    # The office's outbox: what was sent to whom. Nobody else sees it.
    "notifications:outbox": Row(STAFF),
}
