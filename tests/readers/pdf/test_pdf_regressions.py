"""Regression tests of bugs in reading PDFs (extractor/readers/pdf/ and the page layout it shares
with OCR, extractor/readers/layout/): one test per bug, its docstring says what went wrong (the
test failed before the fix). A new PDF bug gets its regression test here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from extractor.model import Document, Status
from extractor.readers.layout.lines import make_lines
from extractor.readers.layout.primitives import Glyph, Ruling
from extractor.readers.layout.tables import close_open_ends, rulings_to_edges
from extractor.readers.pdf.reader import read_pdf
from tests.fixtures.pdfsynth import PageSpec, build_pdf, sample_page
from tests.helpers import GENERATED, HONGZE_PDF, block_shapes, printed_numbers, read_fixture

GENERATED_PDFS = sorted(GENERATED.glob("*.pdf"))
needs_pdftocairo = pytest.mark.skipif(shutil.which("pdftocairo") is None, reason="needs poppler's pdftocairo")


def _cairo(path: Path, out: Path) -> Document:
    """``path`` re-drawn by Cairo (poppler's pdftocairo), read."""
    subprocess.run(["pdftocairo", "-pdf", str(path), str(out)], check=True, timeout=120)
    return read_pdf(out.read_bytes(), out)


@needs_pdftocairo
@pytest.mark.parametrize("path", GENERATED_PDFS, ids=lambda p: p.stem)
def test_cairo_rerendering_reads_the_same(path: Path, tmp_path: Path) -> None:
    """Cairo writes fonts whose ascent and descent are three times the font size: glyph boxes
    taken from them merged neighbouring lines (and table rows) into one."""
    original, again = read_fixture(path), _cairo(path, tmp_path / path.name)
    assert printed_numbers(again) == printed_numbers(original)
    assert [p.text for p in again.paragraphs] == [p.text for p in original.paragraphs]
    assert [t.rows_text() for t in again.tables] == [t.rows_text() for t in original.tables]


@needs_pdftocairo
def test_same_report_from_another_producer_reads_the_same(hongze: Document, tmp_path: Path) -> None:
    """Cairo re-draws the report: text in bold-by-stroke fonts becomes stroked glyph outlines
    (hundreds of short curved paths), which were taken for table rules."""
    again = _cairo(HONGZE_PDF, tmp_path / "cairo.pdf")
    assert block_shapes(again) == block_shapes(hongze)
    for a, b in zip(again.blocks, hongze.blocks, strict=True):
        assert a.prov.bbox == pytest.approx(b.prov.bbox, abs=2.5)  # re-embedded fonts: other ascents


def test_vector_drawing_is_not_searched_for_tables() -> None:
    """Thousands of rules (a map, a chart) took minutes to intersect: the page is read as text."""
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


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_pages_read_as_displayed(rotate: int) -> None:
    """Pages with ``/Rotate`` (PDF printers' landscape pages) were read turned, not as displayed."""
    upright = read_pdf(build_pdf([sample_page(1), sample_page(2)]), Path("upright.pdf"))
    rotated = read_pdf(build_pdf([sample_page(1), sample_page(2)], rotate=rotate), Path("rotated.pdf"))
    assert block_shapes(rotated) == block_shapes(upright)
    for a, b in zip(rotated.blocks, upright.blocks, strict=True):
        assert a.prov.bbox == pytest.approx(b.prov.bbox, abs=0.5)


def test_scan_with_a_text_page_number_is_partial() -> None:
    """A scanner adds '- 2 -' in text over the page image: the page was taken for a text page."""
    scan = PageSpec().image_gray().text(280, 800, "- 2 -")
    doc = read_pdf(build_pdf([sample_page(1), scan]), Path("stamped.pdf"))
    assert doc.status is Status.PARTIAL
    assert doc.warnings == (
        "pages 2 look scanned (a page-size image with only a few words of text) and OCR "
        "could not read them; only their text layer was read",
    )


def test_column_gap_keeps_its_space() -> None:
    """In a table drawn without rules, a label and its first number were joined into one word."""
    label = [Glyph(c, 10 * i, 0, 10 * i + 10, 10) for i, c in enumerate("总计")]
    values = [Glyph("2", 100, 0, 105, 10), Glyph("1", 105, 0, 110, 10), Glyph("0", 150, 0, 155, 10)]
    assert make_lines(label + values)[0].text == "总计 21 0"


def test_close_open_ends_only_where_rules_hang_in_the_air() -> None:
    """Open rule ends were closed across a partly ruled row, cutting a row-spanning cell in two."""
    rules = [Ruling(x, 0, x, 30) for x in (0, 10, 20)] + [Ruling(0, 0, 20, 0), Ruling(0, 10, 20, 10)]
    rules += [Ruling(10, 20, 20, 20)]  # a partial row rule: the left cell spans rows 1-2
    rules += [Ruling(30, 5, 30, 25)]  # a lone vertical (a margin bar) is left alone
    edges = rulings_to_edges(rules)
    added = close_open_ends(edges, 3.0)[len(edges) :]
    assert [(e["x0"], e["top"], e["x1"], e["bottom"]) for e in added] == [(0, 30, 20, 30)]
