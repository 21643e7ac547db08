"""Word 97 (DOC), WPS and RTF files: converted to DOCX by LibreOffice, then read as DOCX.

Many ``.wps`` files are Word 97 inside; Kingsoft's older native formats that LibreOffice cannot
open fail with a clear error. The returned :class:`Document` keeps the original ``file_format``
(doc, wps, rtf); provenance locators are those of the converted DOCX (``table 2 row 3 col 4``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from extractor.docx import docx_to_document
from extractor.errors import ExtractionError, UnsupportedFormatError
from extractor.libreoffice import ConversionError, ConversionSettings, convert_bytes
from extractor.model import Document, FileFormat
from extractor.ole import OLE2_MAGIC, has_stream, is_encrypted_ooxml

logger = logging.getLogger(__name__)

CONVERSION = ConversionSettings(target="docx:MS Word 2007 XML", timeout_s=120.0)
_SUFFIX = {FileFormat.DOC: ".doc", FileFormat.WPS: ".wps", FileFormat.RTF: ".rtf"}
_NAMES = {FileFormat.DOC: "Word 97 (DOC)", FileFormat.WPS: "WPS", FileFormat.RTF: "RTF"}


def _word97_encrypted(data: bytes) -> bool:
    """The FIB's fEncrypted bit of a Word 97 ``WordDocument`` stream, found at its usual place.

    The stream normally starts at sector 1 after a 512-byte header when it is the first stream,
    which is how Word and LibreOffice write it; elsewhere we let LibreOffice fail instead."""
    for offset in (512, 1024, 4096):
        if data[offset : offset + 2] == b"\xec\xa5":  # wIdent of a Word 8 FIB
            return bool(data[offset + 0x0B] & 0x01)
    return False


def convert_to_docx(data: bytes, fmt: FileFormat, settings: ConversionSettings = CONVERSION) -> bytes:
    """The DOCX that LibreOffice makes of ``data``; raises with a sentence a person can act on."""
    if data.startswith(OLE2_MAGIC) and (is_encrypted_ooxml(data) or _word97_encrypted(data)):
        raise ExtractionError("the document is password-protected; save an unprotected copy and read that")
    if not data.strip(b"\x00 \r\n\t"):
        raise ExtractionError("the file is empty")
    if fmt is FileFormat.DOC and data.startswith(OLE2_MAGIC) and not has_stream(data, "WordDocument"):
        raise UnsupportedFormatError(
            "the file is an Office compound file without a Word document inside (perhaps a spreadsheet or "
            "presentation saved under a .doc name, or a damaged file); open it in an office suite to check"
        )
    try:
        return convert_bytes(data, _SUFFIX.get(fmt, ".doc"), settings)
    except ConversionError as exc:
        raise ConversionError(
            f"the {_NAMES.get(fmt, fmt.value)} file could not be converted to DOCX: {exc}"
        ) from exc


def read_word(data: bytes, path: Path, fmt: FileFormat) -> Document:
    logger.debug("converting %s (%s) with LibreOffice", path, fmt.value)
    doc = docx_to_document(convert_to_docx(data, fmt))
    return replace(doc, file_format=fmt)


def read_doc(data: bytes, path: Path) -> Document:
    """Registry entry point for :attr:`FileFormat.DOC`."""
    return read_word(data, path, FileFormat.DOC)


def read_wps(data: bytes, path: Path) -> Document:
    """Registry entry point for :attr:`FileFormat.WPS`."""
    return read_word(data, path, FileFormat.WPS)


def read_rtf(data: bytes, path: Path) -> Document:
    """Registry entry point for :attr:`FileFormat.RTF`."""
    return read_word(data, path, FileFormat.RTF)
