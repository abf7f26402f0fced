"""Realistic synthetic registrations in the JSON Lines interchange format.

``generator`` assembles registrations from small table modules (names, places, ids,
organisations, assets, timeline); ``validate`` checks a registration against the format;
``derive_names`` rebuilds ``data/names.json`` from the vietnamese-namedb sample.
"""
