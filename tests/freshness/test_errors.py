"""The API answers freshness's refusals with 503 and their bilingual message, in one
place (``api.errors``); nothing in ``freshness`` knows about HTTP."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from freshness.errors import (
    FreshnessError,
    IndexerStateUnavailableError,
    RegistryNotCurrentError,
)
from freshness.guarantee import NOT_CURRENT
from freshness.watermark import INDEX_BUILDING


@pytest.mark.parametrize("refusal", [IndexerStateUnavailableError(*INDEX_BUILDING),
                                     RegistryNotCurrentError(*NOT_CURRENT)])
def test_a_freshness_refusal_is_a_503_with_both_languages(refusal: FreshnessError) -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/refused")
    def refused() -> None:
        raise refusal

    response = TestClient(app).get("/refused")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"] == {"code": "service_unavailable",
                                        "message_vi": refusal.message_vi,
                                        "message_en": refusal.message_en,
                                        "field": None, "rule": "service_unavailable"}
