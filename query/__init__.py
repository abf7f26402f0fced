"""Criteria → candidates → classified, ranked, explained results; the pair classifier."""
