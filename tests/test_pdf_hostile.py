"""PDFs the reader must refuse or read in part, with a sentence a person can act on."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractor.errors import ExtractionError, UnsupportedFormatError
from extractor.model import Status
from extractor.pdf import read_pdf
from extractor.registry import read_document

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "real" / "001_huaian_hongze_2023.pdf"
ENCRYPTED = FIXTURES / "pdf" / "encrypted_user_password.pdf"
OWNER_ONLY = FIXTURES / "pdf" / "encrypted_owner_only.pdf"


def _scan_of(data: bytes, pages: list[int]) -> bytes:
    """Rasterise pages of a PDF and wrap the images in a new PDF (a scan: no text layer)."""
    src = pdfium.PdfDocument(data)
    try:
        images = [src[i].render(scale=0.5).to_pil().convert("RGB") for i in pages]
    finally:
        src.close()
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=36)
    return buf.getvalue()


def _concat(*parts: tuple[bytes, list[int]]) -> bytes:
    out = pdfium.PdfDocument.new()
    docs = [pdfium.PdfDocument(data) for data, _ in parts]
    try:
        for doc, (_, pages) in zip(docs, parts, strict=True):
            out.import_pages(doc, pages)
        buf = io.BytesIO()
        out.save(buf)
        return buf.getvalue()
    finally:
        for doc in docs:
            doc.close()
        out.close()


def test_encrypted_with_password() -> None:
    with pytest.raises(ExtractionError, match="encrypted with a password"):
        read_pdf(ENCRYPTED.read_bytes(), ENCRYPTED)


def test_encrypted_owner_password_only_is_readable() -> None:
    doc = read_pdf(OWNER_ONLY.read_bytes(), OWNER_ONLY)
    assert doc.status is Status.OK
    assert "六、其他需要报告的事项" in [p.text for p in doc.paragraphs]


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
    scan = _scan_of(REAL.read_bytes(), [0])
    doc = read_pdf(scan, Path("scan.pdf"))
    assert doc.status is Status.OK and doc.n_pages == 1
    assert any("洪泽区" in b.text and b.confidence for b in doc.paragraphs)


@pytest.mark.slow
def test_only_the_scanned_page_is_ocrd() -> None:
    real = REAL.read_bytes()
    mixed = _concat((real, [0, 1, 2, 3]), (_scan_of(real, [4]), [0]))
    doc = read_pdf(mixed, Path("mixed.pdf"))
    assert doc.n_pages == 5
    assert doc.status is Status.OK and doc.warnings == ()
    assert {t.prov.page for t in doc.tables if t.method is None} == {2, 3, 4}
    assert {t.prov.page for t in doc.tables if t.method == "ocr"} <= {5}
    assert max(b.prov.page for b in doc.blocks) == 5
