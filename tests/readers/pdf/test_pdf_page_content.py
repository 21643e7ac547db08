"""One hostile trait at a time, in hand-written PDFs (see ``tests/fixtures/pdfsynth.py``)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractor.errors import ExtractionError
from extractor.model import Document, Status, Table
from extractor.readers.pdf.page import read_page
from extractor.readers.pdf.reader import read_pdf
from tests.fixtures.pdfsynth import PageSpec, build_pdf

N_PAGES = 3


def _page(n: int) -> PageSpec:
    p = PageSpec()
    p.text(250, 30, "Hongze Running Head")
    p.text(100, 100, "BOLD TITLE 2023", 16).text(100.3, 100.2, "BOLD TITLE 2023", 16)  # fake bold
    for i in range(5):  # white rectangles behind text lines (WPS) are not rules
        p.rect(70, 130 + i * 20, 520, 150 + i * 20, 1)
    p.text(100, 135, f"plain line {n}, values 0 0 0")
    # a 3x3 grid whose top row's cells 2 and 3 are merged (the vertical rule between them is missing)
    p.grid([100, 200, 300, 400], [300, 320, 340, 360], skip_v=[(0, 2)])
    p.text(110, 304, "Head A").text(210, 304, "Merged B")
    p.text(110, 324, "r1").text(210, 324, "1").text(310, 324, "2")
    p.text(110, 344, "r2").text(210, 344, "3").text(310, 344, "4")
    # a table drawn with thin filled black bars instead of stroked lines
    for top in (400, 430):
        p.rect(100, top, 400, top + 0.8, 0)
    for x in (100, 250, 399.2):
        p.rect(x, 400, x + 0.8, 430.8, 0)
    p.text(110, 408, "bar1").text(260, 408, "bar2")
    # a table without its bottom rule (continues on the next page): the last row must survive
    p.grid([100, 250, 400], [600, 620, 640])
    p.line(100, 640, 100, 660).line(250, 640, 250, 660).line(400, 640, 400, 660)
    p.text(110, 644, "split row").text(260, 644, "7")
    p.text(280, 800, f"- {n} -")
    return p


@pytest.fixture(scope="module")
def data() -> bytes:
    return build_pdf([_page(n) for n in range(1, N_PAGES + 1)])


@pytest.fixture(scope="module")
def doc(data: bytes) -> Document:
    return read_pdf(data, Path("synthetic.pdf"))


def test_fake_bold_is_undone(data: bytes, doc: Document) -> None:
    assert data.count(b"(BOLD TITLE 2023) Tj") == 2 * N_PAGES  # the file paints the title twice
    assert next(p.text for p in doc.paragraphs if p.prov.page == 1) == "BOLD TITLE 2023"


@pytest.mark.parametrize("offset", [0.2, 0.6, 1.2])
def test_fake_bold_offsets(offset: float) -> None:
    page = PageSpec().text(100, 100, "AB 12", 12).text(100 + offset, 100 + offset / 2, "AB 12", 12)
    page.text(100, 200, "A").text(109, 200, "A").text(130, 200, "A")  # real letters stay
    doc = read_pdf(build_pdf([page]), Path("bold.pdf"))
    assert [p.text for p in doc.paragraphs] == ["AB 12", "AA A"]
    pdf = pdfium.PdfDocument(build_pdf([page]))
    try:
        glyphs = read_page(pdf[0], 1).glyphs
    finally:
        pdf.close()
    assert len(glyphs) >= 6  # PDFium may already drop some overprints; dedupe_glyphs does the rest


def test_running_head_and_page_numbers_dropped(doc: Document) -> None:
    texts = [p.text for p in doc.paragraphs]
    assert texts == [t for n in range(1, N_PAGES + 1) for t in ("BOLD TITLE 2023", f"plain line {n}, values 0 0 0")]


def test_tables_and_spans(doc: Document) -> None:
    assert doc.status is Status.OK
    page1 = [t for t in doc.tables if t.prov.page == 1]
    assert [t.rows_text() for t in page1] == [
        [["Head A", "Merged B"], ["r1", "1", "2"], ["r2", "3", "4"]],
        [["bar1", "bar2"]],
        [["", ""], ["", ""], ["split row", "7"]],
    ]
    merged = page1[0].cells[1]
    assert (merged.text, merged.row, merged.col, merged.colspan) == ("Merged B", 0, 1, 2)
    assert page1[0].slots[0] == (0, 1, 1)
    assert merged.prov.bbox == pytest.approx((200, 300, 400, 320), abs=0.5)
    assert page1[2].cells[-1].prov.bbox == pytest.approx((250, 640, 400, 660), abs=0.5)


def test_interleaved_by_position(doc: Document) -> None:
    kinds = [type(b).__name__ for b in doc.blocks if b.prov.page == 2]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Table", "Table"]
    assert all(isinstance(b, Table) or b.prov.bbox[1] < 300 for b in doc.blocks)


def test_garbled_font_counts_as_no_text() -> None:
    garbled = PageSpec().text(100, 100, "this font maps to private-use glyphs only", 12, "F2")
    with pytest.raises(ExtractionError, match="no text layer"):
        read_pdf(build_pdf([garbled]), Path("garbled.pdf"))
    doc = read_pdf(build_pdf([_page(1), garbled]), Path("half.pdf"))
    assert doc.status is Status.PARTIAL and "pages 2" in doc.warnings[0]


def test_scanned_image_page() -> None:
    with pytest.raises(ExtractionError, match="no text layer"):
        read_pdf(build_pdf([PageSpec().image_gray()]), Path("scan.pdf"))


def test_blank_page_is_not_a_scan() -> None:
    doc = read_pdf(build_pdf([_page(1), PageSpec()]), Path("blank.pdf"))
    assert doc.status is Status.OK and doc.n_pages == 2


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_pages_read_as_displayed(rotate: int) -> None:
    """Pages with ``/Rotate`` (PDF printers' landscape pages) read like the upright page."""
    upright = read_pdf(build_pdf([_page(1), _page(2)]), Path("upright.pdf"))
    rotated = read_pdf(build_pdf([_page(1), _page(2)], rotate=rotate), Path("rotated.pdf"))

    def shape(doc: Document) -> list:
        return [b.rows_text() if isinstance(b, Table) else b.text for b in doc.blocks]

    assert shape(rotated) == shape(upright)
    for a, b in zip(rotated.blocks, upright.blocks, strict=True):
        assert a.prov.bbox == pytest.approx(b.prov.bbox, abs=0.5)


def test_diagonal_watermark_left_out() -> None:
    page = PageSpec().text(100, 100, "first line of the report").text(100, 120, "second line 2023")
    page.slanted_text(120, 500, "WATERMARK COPY", 45)
    doc = read_pdf(build_pdf([page]), Path("watermark.pdf"))
    assert [p.text for p in doc.paragraphs] == ["first line of the report", "second line 2023"]


def test_scan_with_a_text_page_number_is_partial() -> None:
    """A scanner adds '- 2 -' in text over the page image: the page still counts as scanned."""
    scan = PageSpec().image_gray().text(280, 800, "- 2 -")
    doc = read_pdf(build_pdf([_page(1), scan]), Path("stamped.pdf"))
    assert doc.status is Status.PARTIAL
    assert doc.warnings == (
        "pages 2 look scanned (a page-size image with only a few words of text) and OCR "
        "could not read them; only their text layer was read",
    )


def test_all_pages_scanned_with_text_page_numbers_fails() -> None:
    pages = [PageSpec().image_gray().text(280, 800, f"- {n} -") for n in (1, 2)]
    with pytest.raises(ExtractionError, match="no text layer"):
        read_pdf(build_pdf(pages), Path("stamped_scan.pdf"))


def test_vector_drawing_is_not_searched_for_tables() -> None:
    """Thousands of rules (a map, a chart) would take minutes to intersect: the page is read as text."""
    page = PageSpec().text(100, 60, "a page with a drawing")
    for i in range(1700):
        x, y = 100 + (i % 40) * 10, 100 + (i // 40) * 10
        page.line(x, y, x + 8, y).line(x, y, x, y + 8)
    doc = read_pdf(build_pdf([page]), Path("drawing.pdf"))
    assert [p.text for p in doc.paragraphs] == ["a page with a drawing"] and doc.tables == []
    assert doc.status is Status.PARTIAL
    assert doc.warnings == (
        "page 1 draws too many lines (3400 rules) to look for tables; its text is read as running lines",
    )
