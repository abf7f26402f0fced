"""Batch due-diligence lookups: a whole file of names, ID numbers and serial numbers,
checked row by row, searched in chunks by Celery workers, results per row.

``parse`` reads the file (``limits``, ``columns``, ``cells``), ``rows`` and ``report``
check it (``messages`` words what they find), ``store`` keeps jobs, rows, chunks and
results in the service database (``job_status``, ``stored_rows``,
``certificate_requests``), ``tasks``/``process`` run the chunks (``worker`` is the Celery
entry point), ``closing`` closes a job and charges it, ``export`` writes the results
(``csv_parts``, ``results``), ``certificate`` issues one certificate for a whole batch
(``certificate_summary``). The HTTP surface is ``api.batch_routes``; the command line's
client is ``regsearch.batch_client``. Nothing here imports ``api``.
"""
