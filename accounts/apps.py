from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "People and accounts"
    name = "accounts"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts import institute
        from accounts.models import Institute

        # Pages keep the institute's name and currency in memory; a save replaces them.
        post_save.connect(institute.saved, sender=Institute)
        post_delete.connect(institute.forget, sender=Institute)
