from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "People and accounts"
    name = "accounts"
