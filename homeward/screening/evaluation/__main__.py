"""``python -m homeward.screening.evaluation``: see run.py."""

from homeward.screening.evaluation.run import main

raise SystemExit(main())
