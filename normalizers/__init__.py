"""Normal forms and candidate keys: the one place where text and numbers are normalised.

The same functions run at index time and at query time (see ``keys``). Pure
functions; the only I/O is reading this package's own data files at import.
Imports nothing else of ours.
"""

from normalizers.identifiers import identifier_form
from normalizers.serials import serial_form
from normalizers.text import has_diacritics, n0, n1, n2

__all__ = ["has_diacritics", "identifier_form", "n0", "n1", "n2", "serial_form"]
