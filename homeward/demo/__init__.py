"""The demo deployment that ``make run`` loads into an empty database."""
