"""The audit trail (table ``audit_log``): who searched what and what they found, for every
search and every certificate, append-only.

``trail`` holds what a search asked and found (``Searched``) and writes a certificate's
row; a search's row is written with its usage-ledger entry by the API's ledger writer
(``api.search_ledger``). The names below are those the API and the batch workers use.
"""

from audit.trail import Searched, record_certificate

__all__ = ["Searched", "record_certificate"]
