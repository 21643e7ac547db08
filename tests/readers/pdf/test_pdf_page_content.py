"""What the PDF reader makes of a page's text: CJK spacing undone, fake bold undone, running heads,
page numbers and watermarks left out, unmapped glyphs recognised as garbage."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from extractor.model import Document, Status
from extractor.readers.pdf.page import is_garbage_char, read_page
from extractor.readers.pdf.reader import read_pdf
from tests.fixtures.pdfsynth import SAMPLE_PAGES, PageSpec, build_pdf
from tests.helpers import GENERATED, gold_of, read_fixture

GENERATED_PDFS = sorted(GENERATED.glob("*.pdf"))


def test_cjk_spaces_removed_numbers_kept(hongze: Document) -> None:
    texts = [p.text for p in hongze.paragraphs]
    assert "2023年，洪泽区人民政府坚持以习近平新时代中国特色社会" in texts
    assert not any("2023 年" in t for t in texts)
    assert "号，邮编：223100，电话：0517-87222589，电子邮箱：" in texts
    assert "法》，全年收取政府信息公开信息处理费0元。" in texts


def test_page_numbers_dropped(hongze: Document) -> None:
    texts = [p.text for p in hongze.paragraphs]
    for n in range(1, 6):
        assert f"-{n}-" not in texts and f"- {n} -" not in texts
    assert not any(t.strip("- ").isdigit() for t in texts)


@pytest.mark.parametrize("path", GENERATED_PDFS, ids=lambda p: p.stem)
def test_text_clean_and_furniture_dropped(path: Path) -> None:
    doc, gold = read_fixture(path), gold_of(path)
    assert doc.status is Status.OK
    texts = [p.text for p in doc.paragraphs]
    agency, year = gold["agency"], gold["report_year"]
    assert "".join(texts[:2]).startswith(f"{agency}{year}年政府信息公开工作年度报告")
    assert f"{agency}政务公开" not in texts  # running header on every page
    assert not any(re.fullmatch(r"-\s*\d+\s*-", t) for t in texts)  # page-number footer
    assert not any(re.search(r"\d 年|[\u4e00-\u9fff] [\u4e00-\u9fff]", t) for t in texts)
    for block in doc.blocks:
        assert block.prov.page is not None and block.prov.bbox is not None


def test_fake_bold_is_undone(sample_pdf: bytes, sample_doc: Document) -> None:
    assert sample_pdf.count(b"(BOLD TITLE 2023) Tj") == 2 * SAMPLE_PAGES  # the file paints the title twice
    assert next(p.text for p in sample_doc.paragraphs if p.prov.page == 1) == "BOLD TITLE 2023"


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


def test_running_head_and_page_numbers_dropped(sample_doc: Document) -> None:
    texts = [p.text for p in sample_doc.paragraphs]
    assert texts == [
        t for n in range(1, SAMPLE_PAGES + 1) for t in ("BOLD TITLE 2023", f"plain line {n}, values 0 0 0")
    ]


def test_diagonal_watermark_left_out() -> None:
    page = PageSpec().text(100, 100, "first line of the report").text(100, 120, "second line 2023")
    page.slanted_text(120, 500, "WATERMARK COPY", 45)
    doc = read_pdf(build_pdf([page]), Path("watermark.pdf"))
    assert [p.text for p in doc.paragraphs] == ["first line of the report", "second line 2023"]


def test_garbage_chars() -> None:
    assert is_garbage_char("\ue001") and is_garbage_char("\ufffd")
    assert not is_garbage_char("年") and not is_garbage_char("1")
