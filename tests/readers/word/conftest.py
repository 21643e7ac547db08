"""The Word tests share one LibreOffice conversion cache per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from extractor.readers.word.convert import CACHE_ENV
from tests.helpers import session_conversion_cache


@pytest.fixture(scope="module", autouse=True)
def _conversion_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each DOC/WPS fixture goes through LibreOffice once per session, whichever module asks first."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(CACHE_ENV, str(session_conversion_cache(tmp_path_factory)))
        yield
