"""Regression tests of bugs in reading Word files (extractor/readers/word/): one test per bug, its
docstring says what went wrong (the test failed before the fix). A new Word bug gets its regression
test here."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import ExtractionError, UnsupportedFormatError
from extractor.readers.word.convert import read_doc
from extractor.readers.word.docx import docx_to_document
from tests.fixtures.generator.generate import OUT_DIR
from tests.helpers import wml_docx, wml_tbl, wml_tc


def test_sliver_grid_column_from_word97_round_trip_is_folded() -> None:
    """LibreOffice's DOC → DOCX made section 四 16 columns wide (a 1-twip column that one row's
    cell starts at and the others span); the printed table has 15."""
    rows = [wml_tc("复议", span=2) + wml_tc("诉讼", span=2), wml_tc("维持") + wml_tc("总计", span=2) + wml_tc("直诉")]
    table = docx_to_document(wml_docx(wml_tbl(rows, grid=[600, 611, 1, 600]))).tables[0]
    assert (table.n_rows, table.n_cols) == (2, 3)
    assert [(c.text, c.col, c.colspan) for c in table.cells] == [
        ("复议", 0, 2),
        ("诉讼", 2, 1),
        ("维持", 0, 1),
        ("总计", 1, 1),
        ("直诉", 2, 1),
    ]


def test_hidden_runs_do_not_print() -> None:
    """Runs hidden with w:vanish (not printed by Word) were read as text."""
    body = (
        "<w:p><w:r><w:t>本年度</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"
        '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>共</w:t></w:r><w:r><w:t>3件</w:t></w:r></w:p>'
    )
    assert [p.text for p in docx_to_document(wml_docx(body)).paragraphs] == ["本年度共3件"]


def test_word97_password_flag_is_refused_before_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """Word 97's own password protection (the FIB's fEncrypted bit) went unnoticed: the file was
    handed to LibreOffice, which cannot open it headless."""
    monkeypatch.setenv("PATH", "/nonexistent")
    data = (OUT_DIR / "damaged" / "word97_password.doc").read_bytes()
    with pytest.raises(ExtractionError, match="the document is password-protected"):
        read_doc(data, Path("x.doc"))


def test_ole2_without_word_stream_is_refused_before_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    """An OLE2 compound file without a WordDocument stream (not a Word file) was handed to
    LibreOffice as a DOC."""
    monkeypatch.setenv("PATH", "/nonexistent")
    data = (OUT_DIR / "damaged" / "not_word_ole.doc").read_bytes()
    with pytest.raises(UnsupportedFormatError, match="without a Word document inside"):
        read_doc(data, Path("x.doc"))
