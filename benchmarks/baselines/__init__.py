"""Baselines for the matching-quality benchmark (``benchmarks/bench_quality.py``).

Each answers the same queries over the same corpus file as the engine, without the engine:

* :mod:`benchmarks.baselines.simple`: exact equality after a simple normalisation (what the
  registry's public search does today), in memory;
* :mod:`benchmarks.baselines.es_fuzzy`: Elasticsearch ``match`` with ``fuzziness: AUTO`` on
  the ``standard`` analyzer, in its own index ``baseline-fuzzy``;
* :mod:`benchmarks.baselines.bc_ppr`: British Columbia PPR's published similar-match rules
  (serial search key; pg_trgm word similarity for names), in its own database.

:mod:`benchmarks.baselines.corpus` reads the corpus file (the interchange format) into
compact records all of them share.
"""
