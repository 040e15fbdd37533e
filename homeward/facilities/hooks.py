"""What the facilities app tells higher apps about agencies (``core.hooks``)."""

from __future__ import annotations

from homeward.core.hooks import Hook
from homeward.facilities.models import Agency

# An agency set or cleared how long it keeps message text (called in the setting's
# transaction). Notifications registers scheduling its warnings before removal.
retention_period_set: Hook[[Agency]] = Hook("retention_period_set")
