"""Batch due-diligence lookups: a whole file of names, ID numbers and serial numbers,
checked row by row, searched in chunks by Celery workers, results per row.

``parse`` reads the file, ``rows`` and ``report`` check it, ``store`` keeps jobs, rows,
chunks and results in the service database, ``tasks``/``process`` run the chunks
(``worker`` is the Celery entry point), ``export`` writes the results, ``routes`` is the
HTTP surface and ``client`` the command line's.
"""
