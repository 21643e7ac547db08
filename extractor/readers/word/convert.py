"""Word 97 (DOC), WPS and RTF files: converted to DOCX by LibreOffice, then read as DOCX.

Many ``.wps`` files are Word 97 inside; Kingsoft's older native formats that LibreOffice cannot
open fail with a clear error. The returned :class:`Document` keeps the original ``file_format``
(doc, wps, rtf); provenance locators are those of the converted DOCX (``table 2 row 3 col 4``).
Set ``GOVREPORT_CONVERSION_CACHE`` to a folder to keep conversions between runs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from extractor.errors import ExtractionError, UnsupportedFormatError
from extractor.model import Document, FileFormat
from extractor.readers.word.docx import docx_to_document
from extractor.readers.word.libreoffice import ConversionError, ConversionSettings, convert_bytes
from extractor.readers.word.ole import OLE2_MAGIC, has_stream, is_encrypted_ooxml, stream_start

logger = logging.getLogger(__name__)

CACHE_ENV = "GOVREPORT_CONVERSION_CACHE"
CONVERSION = ConversionSettings(target="docx:MS Word 2007 XML", timeout_s=120.0)
_SUFFIX = {FileFormat.DOC: ".doc", FileFormat.WPS: ".wps", FileFormat.RTF: ".rtf"}
_NAMES = {FileFormat.DOC: "Word 97 (DOC)", FileFormat.WPS: "WPS", FileFormat.RTF: "RTF"}


def _word97_encrypted(data: bytes) -> bool:
    """The fEncrypted bit of the File Information Block at the start of the ``WordDocument`` stream
    (Word 97's own password protection, which LibreOffice headless cannot open)."""
    start = stream_start(data, "WordDocument")
    if start is None or data[start : start + 2] != b"\xec\xa5":  # wIdent of a Word 97+ FIB
        return False
    return bool(data[start + 0x0B] & 0x01)


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
    cache = _cache_dir()
    cached = cache / f"{hashlib.sha256(data).hexdigest()}.docx" if cache else None
    if cached is not None and cached.is_file():
        logger.debug("conversion cache hit %s", cached.name)
        return cached.read_bytes()
    try:
        out = convert_bytes(data, _SUFFIX.get(fmt, ".doc"), settings)
    except ConversionError as exc:
        raise ConversionError(f"the {_NAMES.get(fmt, fmt.value)} file could not be converted to DOCX: {exc}") from exc
    if cached is not None:
        _store(cached, out)
    return out


def _cache_dir() -> Path | None:
    """Where converted DOCX files are kept between runs, if :data:`CACHE_ENV` names a folder.

    A rerun of a batch over the same DOC/WPS files then skips LibreOffice (about a second per
    file); entries are named by the SHA-256 of the input, so a changed file is converted again."""
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value) if value else None


def _store(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)  # atomic: parallel workers never see half a file
    except OSError as exc:
        logger.warning("could not keep the converted DOCX in %s (%s)", path.parent, exc)


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
