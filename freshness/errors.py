"""The refusals of ``freshness``: each carries its bilingual message; the API answers them
with 503 (``api.errors``), a batch worker retries the chunk (``batch.process``)."""

from __future__ import annotations


class FreshnessError(Exception):
    """The index cannot answer now; it passes by itself (retry later)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


class IndexerStateUnavailableError(FreshnessError):
    """The indexer has not published a state of a built index yet (being built)."""


class RegistryNotCurrentError(FreshnessError):
    """The index does not reflect every registry commit a certificate must include, or its
    keys were built by other code, or the registry's position could not be read."""
