"""Sign-in backend: allauth's, loading the signed-in user with their inbox's unread count.

The bell in every page's navigation shows how many in-app messages the person has not
read. Counting them in the query that loads `request.user` anyway (a correlated subquery
on the indexed user column) costs every page no query of its own, so no page's query
budget moves. Everything else is allauth's AuthenticationBackend unchanged.

settings.AUTHENTICATION_BACKENDS lists this first and allauth's own second: sessions
signed in before this backend existed name allauth's path, and Django signs out a session
whose backend is no longer listed. They load the user without the count (the bell then
asks once, accounts.notifications.inbox.unread_count). Once every such session has passed
its absolute limit (accounts/sessions/policy.py), allauth's entry can go.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from accounts.notifications.inbox import with_unread_count


class InboxCountingBackend(AuthenticationBackend):
    def get_user(self, user_id):
        users = with_unread_count(get_user_model()._default_manager.all())
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and credentials.get("password"):
            # allauth's backend, listed second only for old sessions, would check the same
            # password again (a second slow hash): its answer is this one's. Django stops
            # on PermissionDenied and reports the failed login as usual.
            raise PermissionDenied
        return user
