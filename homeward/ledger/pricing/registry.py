"""One pricing model per ``PriceSchedule.Model`` value. To add a model: its module in this
package, its entry in ``MODELS``, its choice on ``PriceSchedule.Model`` (with a migration)
and its row template ``console/pricing/<value>.html``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from homeward.core.errors import DomainError
from homeward.ledger.models import PriceSchedule
from homeward.ledger.pricing.base import PricingModel, Setting
from homeward.ledger.pricing.free import Free
from homeward.ledger.pricing.per_message import PerMessage
from homeward.ledger.pricing.per_minute import PerMinute
from homeward.ledger.pricing.stamps import Stamps

MODELS: dict[str, PricingModel] = {
    model.value: model for model in (Free(), Stamps(), PerMessage(), PerMinute())
}


def model_named(value: str) -> PricingModel:
    try:
        return MODELS[value]
    except KeyError:
        raise DomainError(
            "unknown_pricing_model", _("No pricing model %(name)r.") % {"name": value}
        ) from None


def model_of(schedule: PriceSchedule) -> PricingModel:
    """The pricing model of ``schedule``: what every surface asks about its prices."""
    return model_named(schedule.model)


def settings() -> list[Setting]:
    """Every model's own schedule fields, each once, in the order of ``MODELS``."""
    found: dict[str, Setting] = {}
    for model in MODELS.values():
        for setting in model.settings:
            found.setdefault(setting.name, setting)
    return list(found.values())
