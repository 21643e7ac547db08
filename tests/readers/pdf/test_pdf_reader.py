"""The PDF reader as a whole: the Document it returns (format, status, pages, title), every block
placed on its page in reading order, and the registry handing PDFs to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.model import Document, FileFormat, Status, Table
from extractor.readers.pdf.reader import PdfSettings, read_pdf
from extractor.readers.registry import read_document
from tests.fixtures.pdfsynth import PageSpec, build_pdf, sample_page
from tests.helpers import HONGZE_PDF


def test_document_basics(hongze: Document) -> None:
    assert hongze.file_format is FileFormat.PDF
    assert hongze.status is Status.OK and hongze.warnings == ()
    assert hongze.n_pages == 5
    assert hongze.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert [p.text for p in hongze.paragraphs[:2]] == ["洪泽区人民政府", "2023年政府信息公开工作年度报告"]


def test_registry_sniffs_pdf() -> None:
    d = read_document(HONGZE_PDF)
    assert d.file_format is FileFormat.PDF and len(d.tables) == 5


def test_every_block_has_page_and_bbox(hongze: Document) -> None:
    for block in hongze.blocks:
        assert block.prov.page in range(1, 6)
        x0, top, x1, bottom = block.prov.bbox
        assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842
        if isinstance(block, Table):
            for cell in block.cells:
                assert cell.prov.page == block.prov.page
                cx0, ctop, cx1, cbottom = cell.prov.bbox
                assert x0 - 1 <= cx0 < cx1 <= x1 + 1 and top - 1 <= ctop < cbottom <= bottom + 1


def test_blocks_in_reading_order(hongze: Document) -> None:
    keys = [(b.prov.page, b.prov.bbox[1]) for b in hongze.blocks]
    assert keys == sorted(keys)
    texts = [b.text for b in hongze.paragraphs]
    s3, s4 = "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"
    assert texts.index(s3) < texts.index(s4)
    heading = next(b for b in hongze.paragraphs if b.text == s3)
    after = hongze.blocks[hongze.blocks.index(heading) + 1]
    assert isinstance(after, Table) and after.prov.page == 3


def test_interleaved_by_position(sample_doc: Document) -> None:
    kinds = [type(b).__name__ for b in sample_doc.blocks if b.prov.page == 2]
    assert kinds == ["Paragraph", "Paragraph", "Table", "Table", "Table"]
    assert all(isinstance(b, Table) or b.prov.bbox[1] < 300 for b in sample_doc.blocks)


def test_blank_page_is_not_a_scan() -> None:
    doc = read_pdf(build_pdf([sample_page(1), PageSpec()]), Path("blank.pdf"))
    assert doc.status is Status.OK and doc.n_pages == 2


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_pages"):
        PdfSettings(max_pages=0)
