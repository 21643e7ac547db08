"""PDFs the reader must refuse or read in part, with a sentence a person can act on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractor.errors import ExtractionError, UnsupportedFormatError
from extractor.model import Status
from extractor.readers.pdf.reader import read_pdf
from extractor.readers.registry import read_document
from tests.fixtures.pdfsynth import concat, rasterise
from tests.helpers import FIXTURES

REAL = FIXTURES / "real" / "001_huaian_hongze_2023.pdf"
ENCRYPTED = FIXTURES / "pdf" / "encrypted_user_password.pdf"
OWNER_ONLY = FIXTURES / "pdf" / "encrypted_owner_only.pdf"


def test_encrypted_with_password() -> None:
    with pytest.raises(ExtractionError, match="encrypted with a password"):
        read_pdf(ENCRYPTED.read_bytes(), ENCRYPTED)


def test_encrypted_owner_password_only_is_readable() -> None:
    doc = read_pdf(OWNER_ONLY.read_bytes(), OWNER_ONLY)
    assert doc.status is Status.OK
    assert [p.text for p in doc.paragraphs] == ["An annual report behind a password", "2023 values 1 2 3"]


@pytest.mark.parametrize("fraction", [0.5, 0.1])
def test_truncated(fraction: float) -> None:
    data = REAL.read_bytes()
    with pytest.raises(ExtractionError, match="truncated"):
        read_pdf(data[: int(len(data) * fraction)], REAL)


def test_junk_with_pdf_suffix(tmp_path: Path) -> None:
    junk = tmp_path / "report.pdf"
    junk.write_bytes(os.urandom(4000).replace(b"%PDF-", b"xxxxx"))
    with pytest.raises(UnsupportedFormatError):
        read_document(junk)
    with pytest.raises(ExtractionError, match="not a PDF"):
        read_pdf(junk.read_bytes(), junk)


def test_pdf_header_then_garbage() -> None:
    data = b"%PDF-1.7\n" + b"garbage " * 500 + b"\n%%EOF\n"
    with pytest.raises(ExtractionError, match="corrupt"):
        read_pdf(data, Path("corrupt.pdf"))


@pytest.mark.slow
def test_scan_without_text_layer_is_read_by_ocr() -> None:
    scan = rasterise(REAL.read_bytes(), [0])
    doc = read_pdf(scan, Path("scan.pdf"))
    assert doc.status is Status.OK and doc.n_pages == 1
    assert any("洪泽区" in b.text and b.confidence for b in doc.paragraphs)


@pytest.mark.slow
def test_only_the_scanned_page_is_ocrd() -> None:
    real = REAL.read_bytes()
    mixed = concat((real, [0, 1, 2, 3]), (rasterise(real, [4]), [0]))
    doc = read_pdf(mixed, Path("mixed.pdf"))
    assert doc.n_pages == 5
    assert doc.status is Status.OK and doc.warnings == ()
    assert {t.prov.page for t in doc.tables if t.method is None} == {2, 3, 4}
    assert {t.prov.page for t in doc.tables if t.method == "ocr"} <= {5}
    assert max(b.prov.page for b in doc.blocks) == 5
