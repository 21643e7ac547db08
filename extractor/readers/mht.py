"""MHTML ("single file web page", ``.mht``): the HTML part of a MIME multipart message.

Word and web editors write reports this way, and some DOCX files embed one as an ``altChunk``
(the "export to Word" of many web systems). The HTML reader then reads the decoded page.
"""

from __future__ import annotations

import email
import email.policy
import logging
from dataclasses import replace
from email.message import Message
from pathlib import Path

from extractor.errors import ExtractionError
from extractor.model import Document, FileFormat, Table
from extractor.readers.encoding import decode_bytes
from extractor.readers.html import html_to_document
from extractor.readers.sniff import looks_like_mht

__all__ = ["HTML_TABLE_METHOD", "looks_like_mht", "mark_tables", "mht_html", "read_mht"]

logger = logging.getLogger(__name__)


def _html_part(msg: Message) -> Message | None:
    for part in msg.walk():
        if part.get_content_type() in ("text/html", "application/xhtml+xml") and not part.is_multipart():
            return part
    return None


def mht_html(data: bytes) -> str | None:
    """The decoded HTML of the first ``text/html`` part, or None when there is none."""
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    part = _html_part(msg)
    if part is None:
        return None
    payload = part.get_payload(decode=True)  # undoes quoted-printable / base64
    if not isinstance(payload, bytes):
        return None
    text, used = decode_bytes(payload, part.get_content_charset())
    logger.debug("MHT html part decoded as %s", used)
    return text


def read_mht(data: bytes, path: Path) -> Document:
    """Registry entry point for :attr:`FileFormat.MHT`: the archive's web page, read as HTML."""
    try:
        html = mht_html(data)
    except (ValueError, LookupError) as exc:
        raise ExtractionError(f"the web archive (MHT) could not be decoded ({exc})") from exc
    if not html or not html.strip():
        raise ExtractionError("the web archive (MHT) holds no web page (no text/html part)")
    doc = mark_tables(html_to_document(html), HTML_TABLE_METHOD)
    if not doc.blocks:
        raise ExtractionError("the web archive's page has no visible text")
    return replace(doc, file_format=FileFormat.MHT)


HTML_TABLE_METHOD = "html-table"


def mark_tables(doc: Document, method: str) -> Document:
    """``doc`` with ``method`` recorded on its tables (how their grids were read), where unset."""
    blocks = tuple(replace(b, method=method) if isinstance(b, Table) and b.method is None else b for b in doc.blocks)
    return replace(doc, blocks=blocks)
