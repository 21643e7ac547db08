"""Tell a file's format from its content, not its suffix.

Government sites serve ``.doc`` files that are really DOCX, RTF or HTML, and ``.html`` files that
are binary junk; the suffix is only a tie-breaker (OLE2 ``.wps`` vs ``.doc``).
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

from extractor.model import FileFormat

SNIFF_BYTES = 4096
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_HTML_HINT = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|table|p|div|span|br|title)\b", re.I)


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.05


def _zip_kind(data: bytes) -> FileFormat:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return FileFormat.DOCX  # truncated DOCX: let the DOCX reader say what is wrong
    if "word/document.xml" in names or any(n.endswith("document.xml") for n in names):
        return FileFormat.DOCX
    return FileFormat.UNKNOWN


_MHT_START = (b"mime-version:", b"content-type:", b"from:", b"subject:", b"date:", b"x-mimeole:")


def looks_like_mht(head: bytes) -> bool:
    """A MIME message holding a web page (Word's "single file web page", IE's web archive)."""
    low = head[:2048].lstrip().lower()
    return low.startswith(_MHT_START) and b"multipart/related" in low


def sniff_format(data: bytes, path: Path | None = None) -> FileFormat:
    """The format of ``data`` judged from its first bytes (and the suffix where content is ambiguous)."""
    head = data[:SNIFF_BYTES]
    suffix = path.suffix.lower() if path else ""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"%PDF-" in head[:1024]:
        return FileFormat.PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(_OLE2):
        return FileFormat.WPS if suffix in (".wps", ".wpt") else FileFormat.DOC
    if stripped.startswith(b"{\\rtf"):
        return FileFormat.RTF
    if head.startswith(_IMAGE_MAGIC):
        return FileFormat.IMAGE
    if _looks_binary(head):
        return FileFormat.UNKNOWN
    if looks_like_mht(head):
        return FileFormat.MHT
    if _HTML_HINT.search(head) and (suffix not in (".txt", ".md") or stripped.startswith(b"<")):
        return FileFormat.HTML
    return FileFormat.TEXT
