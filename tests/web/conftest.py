"""The site the browser tests of this package share: one API and indexer on the test
registry, stopped after the last of them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.site import Site, running_site


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("site")) as running:
        yield running
