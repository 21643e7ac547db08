from pathlib import Path

from extractor.model import FileFormat
from extractor.readers.sniff import sniff_format


def test_content_beats_suffix():
    assert sniff_format(b"%PDF-1.7\n...", Path("a.html")) is FileFormat.PDF
    assert sniff_format("<html><body><p>报告</p></body></html>".encode(), Path("a.doc")) is FileFormat.HTML
    assert sniff_format(b"{\\rtf1\\ansi hello}", Path("a.doc")) is FileFormat.RTF
    assert sniff_format("一、总体情况\n二、主动公开".encode("gb18030"), Path("a.html")) is FileFormat.TEXT


def test_ole2_is_doc_or_wps_by_suffix():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert sniff_format(ole, Path("x.doc")) is FileFormat.DOC
    assert sniff_format(ole, Path("x.wps")) is FileFormat.WPS


def test_binary_junk_is_unknown():
    junk = bytes(range(256)) * 20
    assert sniff_format(junk, Path("junk.html")) is FileFormat.UNKNOWN
