"""How current the index is: the watermark every answer carries and the freshness
guarantee a certificate needs, read from the indexer's published state. Its refusals are
its own exceptions (``freshness.errors``); the API maps them to 503, a batch worker retries."""
