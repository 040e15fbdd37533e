from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_migrate, post_save


def install_library(*, using: str = "default", **kwargs: Any) -> None:
    """After ``migrate``: a database with no rules of the baseline library gets the whole
    library, so a new deployment screens with it from the start (``load_rule_library``
    updates it later). Only an empty baseline is filled: a deployment that switched some
    library rules off keeps its choice."""
    if not settings.SCREENING_LIBRARY_ON_MIGRATE:
        return
    from homeward.screening.library.loader import LANGUAGES, LIBRARY_DIR
    from homeward.screening.models import Rule
    from homeward.screening.rule_sync import checked_library, load_library

    if Rule.objects.using(using).filter(source__startswith="lib:").exists():
        return
    load_library(checked_library(LANGUAGES, LIBRARY_DIR), LANGUAGES)


class ScreeningConfig(AppConfig):
    name = "homeward.screening"
    label = "screening"

    def ready(self) -> None:
        # Django's own moment for initial data (as for permissions and content types).
        post_migrate.connect(install_library, sender=self, dispatch_uid="install_library")
        from homeward.screening.models import Rule
        from homeward.screening.signals import new_generation

        post_save.connect(new_generation, sender=Rule, dispatch_uid="rules_generation_save")
        post_delete.connect(new_generation, sender=Rule, dispatch_uid="rules_generation_delete")
