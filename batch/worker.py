"""``celery -A batch.worker worker``: the batch workers, configured from the settings."""

from __future__ import annotations

import logging

from batch.tasks import create_app
from core.settings import get_settings

logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # a line per msearch is noise

app = create_app(get_settings())
