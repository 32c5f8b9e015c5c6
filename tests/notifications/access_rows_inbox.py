"""Who may open the inbox, preferences and message-text pages (accounts/notifications/)."""

from tests.access import ALL, STAFF, Row


def _message(request):
    from tests.notifications.inbox_helpers import inapp

    return {"pk": inapp(request.getfixturevalue("student")).pk}


ROWS = {
    # Everyone's own inbox and choices.
    "notifications:inbox": Row(ALL),
    "notifications:preferences": Row(ALL),
    # POST only: GET is 405 for every role; test_inbox.py checks who may POST (and that
    # another person's message is a 404).
    "notifications:mark_read": Row(frozenset(), kwargs=_message, refused=405, declared=ALL),
    "notifications:mark_all_read": Row(frozenset(), refused=405, declared=ALL),
    # The office's settings.
    "notifications:defaults": Row(STAFF),
    "notifications:templates": Row(STAFF),
    "notifications:template_edit": Row(STAFF, kwargs=lambda request: {"kind": "fee_reminder"}),
}
