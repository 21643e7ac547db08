"""Documents the PDF tests share, each read once per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.model import Document
from extractor.readers.pdf.reader import read_pdf
from tests.fixtures.pdfsynth import SAMPLE_PAGES, build_pdf, sample_page
from tests.helpers import HONGZE_PDF, read_fixture


@pytest.fixture(scope="session")
def hongze() -> Document:
    """The real report (Huai'an Hongze 2023, WPS export, 5 pages)."""
    return read_fixture(HONGZE_PDF)


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """The hand-written sample document of ``tests/fixtures/pdfsynth.py`` (every page alike)."""
    return build_pdf([sample_page(n) for n in range(1, SAMPLE_PAGES + 1)])


@pytest.fixture(scope="session")
def sample_doc(sample_pdf: bytes) -> Document:
    return read_pdf(sample_pdf, Path("synthetic.pdf"))
