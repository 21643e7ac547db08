"""Shared fixtures and markers. Helpers that tests import live in :mod:`tests.helpers`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REAL


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A LibreOffice conversion takes a second or more: every test that needs one is also ``slow``
    (left out of the inner loop ``pytest -m "not slow"``; CI runs them all)."""
    for item in items:
        if item.get_closest_marker("libreoffice"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL
