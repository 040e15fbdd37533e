from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "homeward.connections"
    label = "connections"

    def ready(self) -> None:
        from homeward.connections import services
        from homeward.people.account import account_closing, email_verified

        # Invitations sent to an address become the contact's once they prove it is theirs.
        email_verified.register(services.claim_invitations_of)
        # A closed account's connections end with it.
        account_closing.register(services.end_all_of)
