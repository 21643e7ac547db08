"""Shared fixtures: paths to the real reports (with their hand-checked gold) copied into the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = FIXTURES / "real"


def gold_of(report: Path) -> dict:
    return json.loads((report.parent / f"{report.name}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL
