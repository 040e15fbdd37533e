"""How dates and numbers are written in each language we offer (``FORMAT_MODULE_PATH``).

Dates are written one way per language: ``DATE_FORMAT`` for a day, ``DATETIME_FORMAT`` for a
moment, ``YEAR_MONTH_FORMAT`` for a month. Amounts are US dollars in both languages, so a
decimal point marks the cents in Spanish too, as the amount fields expect them typed.
"""
