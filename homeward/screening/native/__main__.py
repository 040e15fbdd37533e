"""``python -m homeward.screening.native``: build the C inner loops (``make env`` does)."""

import sys

from homeward.screening.native import build

sys.exit(build())
