"""Two-factor login (issue 11): allauth.mfa's authenticator app (TOTP) and recovery codes.

Everyone may set it up at /accounts/2fa/. Admin and office must: until they have an
authenticator app, every page but allauth's own (login, logout, the 2fa set-up, password)
and the public ones sends them to the set-up page (`middleware.StaffTwoFactorMiddleware`).
Whether they have one is kept in their session (`state`), so pages cost no query.
"""
