"""What happens to sessions when someone signs in or out, or their password changes.

Connected in AccountsConfig.ready, on Django's signals (every sign-in and sign-out,
allauth's, the admin site's and the test client's) and allauth's password signals.
They replace allauth's usersessions receivers, which list every session with three
queries each at every sign-in.
"""

from django.utils import timezone

from accounts.sessions import policy, services


def signed_in(sender, request, user, **kwargs) -> None:
    """Stamp the new session (its limits count from now) and track it."""
    policy.stamp_sign_in(request.session, now=timezone.now().timestamp())
    services.track(request, user)


def signed_out(sender, request, user, **kwargs) -> None:
    """Logging out signs the person out everywhere (a shared office PC, a lost phone),
    unless only this session is ending (a timeout)."""
    if user is None or getattr(request, services.ENDING_THIS_SESSION_ONLY, False):
        return
    services.end_sessions(user)


def password_changed(sender, request, user, **kwargs) -> None:
    """A new password (changed or set) ends every other session; this one, whose key
    Django has just cycled, is tracked anew."""
    services.track(request, user)
    services.end_sessions(user, keep=request.session.session_key)


def password_reset(sender, request, user, **kwargs) -> None:
    """A reset through the emailed link ends all the person's sessions (the browser
    that reset it is not signed in)."""
    services.end_sessions(user)


def connect() -> None:
    from allauth.account import signals as allauth_signals
    from allauth.usersessions import signals as usersessions_signals
    from django.contrib.auth import signals as auth_signals

    allauth_signals.user_logged_in.disconnect(receiver=usersessions_signals.on_user_logged_in)
    for signal in (allauth_signals.password_changed, allauth_signals.password_set):
        signal.disconnect(receiver=usersessions_signals.on_password_changed)
        signal.connect(password_changed, dispatch_uid="accounts.sessions.password_changed")
    allauth_signals.password_reset.connect(
        password_reset, dispatch_uid="accounts.sessions.password_reset"
    )
    auth_signals.user_logged_in.connect(signed_in, dispatch_uid="accounts.sessions.signed_in")
    auth_signals.user_logged_out.connect(signed_out, dispatch_uid="accounts.sessions.signed_out")
