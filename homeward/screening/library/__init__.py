"""The baseline rule library (en.toml, es.toml) and its loader; see loader.py."""

from homeward.screening.library.loader import LibraryError, library_entries, load_library

__all__ = ["LibraryError", "library_entries", "load_library"]
