"""Shared fixtures. Helpers that tests import live in :mod:`tests.helpers`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REAL


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL
