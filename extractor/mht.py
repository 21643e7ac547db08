"""MHTML ("single file web page", ``.mht``): the HTML part of a MIME multipart message.

Word and web editors write reports this way, and some DOCX files embed one as an ``altChunk``
(the "export to Word" of many web systems). The HTML reader then reads the decoded page.
"""

from __future__ import annotations

import email
import email.policy
import logging
from email.message import Message

from extractor.encoding import decode_bytes

logger = logging.getLogger(__name__)

MHT_SNIFF = (b"mime-version:", b"content-type: multipart/related", b"from:", b"subject:", b"date:")


def looks_like_mht(data: bytes) -> bool:
    """Whether ``data`` starts like a MIME message holding a web page."""
    head = data[:2048].lstrip().lower()
    return head.startswith(MHT_SNIFF) and b"multipart/related" in head


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
