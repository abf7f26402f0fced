"""regsearch: search and matching engine for Vietnam's registry of secured transactions."""

__version__ = "0.1.0"
