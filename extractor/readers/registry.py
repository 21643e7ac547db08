"""One registry of readers, chosen by sniffing the content (see :mod:`extractor.readers.sniff`).

A reader is a function ``(data: bytes, path: Path) -> Document``. Readers for formats whose
optional machinery is heavy (PDF, Word, OCR) are imported lazily, on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from extractor.errors import UnsupportedFormatError
from extractor.model import Document, FileFormat
from extractor.readers.sniff import sniff_format

Reader = Callable[[bytes, Path], Document]

# format -> "module:function"; imported on first use so that a text batch never loads pdfplumber.
READERS: dict[FileFormat, str] = {
    FileFormat.PDF: "extractor.readers.pdf.reader:read_pdf",
    FileFormat.TEXT: "extractor.readers.text:read_text",
    FileFormat.HTML: "extractor.readers.html:read_html",
    FileFormat.DOCX: "extractor.readers.word.docx:read_docx",
    FileFormat.DOC: "extractor.readers.word.convert:read_doc",
    FileFormat.WPS: "extractor.readers.word.convert:read_wps",
    FileFormat.RTF: "extractor.readers.word.convert:read_rtf",
    FileFormat.IMAGE: "extractor.readers.image:read_image",
    FileFormat.MHT: "extractor.readers.mht:read_mht",
}

_loaded: dict[FileFormat, Reader] = {}


def reader_for(fmt: FileFormat) -> Reader:
    if fmt not in _loaded:
        target = READERS.get(fmt)
        if target is None:
            raise UnsupportedFormatError(
                f"{fmt.value} files are not supported yet"
                if fmt is not FileFormat.UNKNOWN
                else "the content is not a format govreport reads (HTML, text, PDF, DOCX, DOC, WPS, images)"
            )
        module, func = target.split(":")
        _loaded[fmt] = getattr(importlib.import_module(module), func)
    return _loaded[fmt]


def read_document(path: Path, data: bytes | None = None) -> Document:
    """Read ``path`` with the reader its content calls for."""
    if data is None:
        data = path.read_bytes()
    fmt = sniff_format(data, path)
    return reader_for(fmt)(data, path)
