from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "homeward.api"
    label = "api"

    def ready(self) -> None:
        from homeward.api import services
        from homeward.people.account import password_changed

        # A new password, or a closed account, ends every API token of the account.
        password_changed.register(services.revoke_all_of)
