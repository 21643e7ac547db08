"""PDFs the reader must refuse, read in part, or read another way (scans, by OCR) — with a sentence
a person can act on, and through the pipeline as one failed row, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractor.errors import ExtractionError, UnsupportedFormatError
from extractor.model import Status
from extractor.pipeline import extract_file
from extractor.readers.pdf.reader import read_pdf
from extractor.readers.registry import read_document
from tests.fixtures.pdfsynth import PageSpec, build_pdf, concat, rasterise, sample_page
from tests.helpers import FIXTURES, HONGZE_PDF

ENCRYPTED = FIXTURES / "pdf" / "encrypted_user_password.pdf"
OWNER_ONLY = FIXTURES / "pdf" / "encrypted_owner_only.pdf"
GARBAGE = b"%PDF-1.7\n" + b"garbage " * 500 + b"\n%%EOF\n"
BAD = {"encrypted": "encrypted with a password", "truncated": "truncated", "corrupt": "corrupt"}  # kind: error


@pytest.fixture(scope="module")
def hongze_scan() -> bytes:
    """The real report's first page as a scan: a page image, no text layer."""
    return rasterise(HONGZE_PDF.read_bytes(), [0])


def test_encrypted_with_password() -> None:
    with pytest.raises(ExtractionError, match="encrypted with a password"):
        read_pdf(ENCRYPTED.read_bytes(), ENCRYPTED)


def test_encrypted_owner_password_only_is_readable() -> None:
    doc = read_pdf(OWNER_ONLY.read_bytes(), OWNER_ONLY)
    assert doc.status is Status.OK
    assert [p.text for p in doc.paragraphs] == ["An annual report behind a password", "2023 values 1 2 3"]


@pytest.mark.parametrize("fraction", [0.5, 0.1])
def test_truncated(fraction: float) -> None:
    data = HONGZE_PDF.read_bytes()
    with pytest.raises(ExtractionError, match="truncated"):
        read_pdf(data[: int(len(data) * fraction)], HONGZE_PDF)


def test_junk_with_pdf_suffix(tmp_path: Path) -> None:
    junk = tmp_path / "report.pdf"
    junk.write_bytes(os.urandom(4000).replace(b"%PDF-", b"xxxxx"))
    with pytest.raises(UnsupportedFormatError):
        read_document(junk)
    with pytest.raises(ExtractionError, match="not a PDF"):
        read_pdf(junk.read_bytes(), junk)


def test_pdf_header_then_garbage() -> None:
    with pytest.raises(ExtractionError, match="corrupt"):
        read_pdf(GARBAGE, Path("corrupt.pdf"))


def test_garbled_font_counts_as_no_text() -> None:
    garbled = PageSpec().text(100, 100, "this font maps to private-use glyphs only", 12, "F2")
    with pytest.raises(ExtractionError, match="no text layer"):
        read_pdf(build_pdf([garbled]), Path("garbled.pdf"))
    doc = read_pdf(build_pdf([sample_page(1), garbled]), Path("half.pdf"))
    assert doc.status is Status.PARTIAL and "pages 2" in doc.warnings[0]


def test_scanned_image_page() -> None:
    with pytest.raises(ExtractionError, match="no text layer"):
        read_pdf(build_pdf([PageSpec().image_gray()]), Path("scan.pdf"))


def test_all_pages_scanned_with_text_page_numbers_fails() -> None:
    pages = [PageSpec().image_gray().text(280, 800, f"- {n} -") for n in (1, 2)]
    with pytest.raises(ExtractionError, match="no text layer"):
        read_pdf(build_pdf(pages), Path("stamped_scan.pdf"))


@pytest.mark.parametrize("kind", list(BAD))
def test_pipeline_turns_bad_pdf_into_one_failed_row(kind: str, tmp_path: Path) -> None:
    path = ENCRYPTED if kind == "encrypted" else tmp_path / f"{kind}.pdf"
    if kind == "truncated":
        real = HONGZE_PDF.read_bytes()
        path.write_bytes(real[: len(real) // 2])
    elif kind == "corrupt":
        path.write_bytes(GARBAGE)
    ext = extract_file(path)
    assert ext.status == "failed" and BAD[kind] in ext.report["error"]
    assert ext.report["file_format"] == "pdf" and ext.cells == []


# --- scans: pages without a text layer are read by OCR ----------------------------------------------


@pytest.mark.slow
def test_scan_without_text_layer_is_read_by_ocr(hongze_scan: bytes) -> None:
    doc = read_pdf(hongze_scan, Path("scan.pdf"))
    assert doc.status is Status.OK and doc.n_pages == 1
    assert any("洪泽区" in b.text and b.confidence for b in doc.paragraphs)


@pytest.mark.slow
def test_pipeline_reads_a_scanned_pdf_by_ocr(hongze_scan: bytes, tmp_path: Path) -> None:
    """A scan is not a bad PDF any more: its page is OCR'd (extractor/readers/pdf/ocr.py)."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(hongze_scan)
    ext = extract_file(scan)
    assert ext.status == "ok" and ext.report["file_format"] == "pdf"
    assert ext.report["agency"] == "洪泽区人民政府"


@pytest.mark.slow
def test_only_the_scanned_page_is_ocrd() -> None:
    real = HONGZE_PDF.read_bytes()
    mixed = concat((real, [0, 1, 2, 3]), (rasterise(real, [4]), [0]))
    doc = read_pdf(mixed, Path("mixed.pdf"))
    assert doc.n_pages == 5
    assert doc.status is Status.OK and doc.warnings == ()
    assert {t.prov.page for t in doc.tables if t.method is None} == {2, 3, 4}
    assert {t.prov.page for t in doc.tables if t.method == "ocr"} <= {5}
    assert max(b.prov.page for b in doc.blocks) == 5
