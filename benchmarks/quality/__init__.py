"""Matching-quality benchmark: query variants labelled with the contract's intended tier."""
