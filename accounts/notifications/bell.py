"""The bell in the navigation: `inbox_unread` for every signed-in page.

Called by the navigation's context processor (accounts.context_processors). The count
comes with the user (accounts.notifications.backends), so it costs no query; it is lazy,
so a page that shows no navigation (an htmx fragment, an email) never asks for it.
"""

from django.utils.functional import SimpleLazyObject

from accounts.notifications.inbox import unread_count


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
