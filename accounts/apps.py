from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "People and accounts"
    name = "accounts"

    def ready(self):
        # Registers the `<id:…>` URL converter every app's URLs use, before any URLconf
        # is loaded (accounts is the app every other one builds on).
        import musicbeats.ids  # noqa: F401
