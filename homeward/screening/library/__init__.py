"""The baseline rule library (en.toml, es.toml) and its loader; see loader.py.

Beside it, the data of the other layers, each read by its own module in ``layers/``:
concepts.toml (concept lexicons and rules), slang.toml (slang with its innocent contexts)
and classifier.json (the classifier's weights, made by ``manage.py train_screening_model``).
"""

from homeward.screening.library.loader import LibraryError, library_entries, load_library

__all__ = ["LibraryError", "library_entries", "load_library"]
