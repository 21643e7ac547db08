"""Web archives (MHT, Word's single-file web page, often published as .doc): told from mail and text by content, refused clearly without a page (extractor/readers/mht.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import ExtractionError
from extractor.model import FileFormat
from extractor.readers.sniff import sniff_format
from tests.helpers import read_fixture


def test_web_archive_without_a_page_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "empty.doc"
    path.write_bytes(
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: image/png\r\n\r\nxx\r\n--b--\r\n"
    )
    with pytest.raises(ExtractionError, match="holds no web page"):
        read_fixture(path)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="x"\r\n', FileFormat.MHT),
        (
            b"From: <Saved by Windows Internet Explorer 8>\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="y"\r\n',
            FileFormat.MHT,
        ),
        (b"From: someone\r\nSubject: plain mail\r\n\r\n<p>not an archive</p>", FileFormat.HTML),
        (b"Date: 2024-01-01\r\nnotes", FileFormat.TEXT),
    ],
)
def test_web_archives_are_told_from_mail_and_text(head: bytes, fmt: FileFormat) -> None:
    assert sniff_format(head, Path("report.doc")) is fmt
