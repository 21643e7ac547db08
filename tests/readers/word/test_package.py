"""The DOCX package guards (extractor/readers/word/package.py): zip bombs, oversized and lying parts
refused before they are unpacked."""

from __future__ import annotations

import pytest

from extractor.readers.word.docx import DocxError, DocxSettings, docx_to_document
from tests.fixtures.generator.generate import OUT_DIR
from tests.helpers import zip_bytes


def test_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    data = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": b" " * (51 * 1024 * 1024)}, 9)
    assert len(data) < 200_000  # 51 MB that packs to a few dozen KB
    with pytest.raises(DocxError, match="zip bomb"):
        docx_to_document(data)


def test_archive_unpacking_to_too_much_in_total_is_refused() -> None:
    data = (OUT_DIR / "form2021_grid.docx").read_bytes()
    with pytest.raises(DocxError, match="would unpack to"):
        docx_to_document(data, DocxSettings(max_total_bytes=10_000))


def test_lying_size_in_the_zip_header_is_caught() -> None:
    data = bytearray(zip_bytes({"word/document.xml": b"<a>" + b" " * 2_000_000 + b"</a>"}))
    # shrink the declared uncompressed size in the central directory to 1 KB
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (1024).to_bytes(4, "little")
    with pytest.raises(DocxError):
        docx_to_document(bytes(data), DocxSettings(max_part_bytes=100_000))
