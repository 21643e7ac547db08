"""Bytes to text: a declared charset first, else charset-normalizer's best guess.

GBK and GB2312 declarations are decoded as GB18030 (their superset), which real pages need
because they use characters outside what they declare.
"""

from __future__ import annotations

import codecs
import logging

from charset_normalizer import from_bytes

logger = logging.getLogger(__name__)

_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "gb_2312-80": "gb18030", "ascii": "utf-8"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def canonical_encoding(name: str) -> str | None:
    try:
        name = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding_used)``. Never raises on odd bytes."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if declared:
        enc = canonical_encoding(declared)
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                logger.debug("declared charset %s does not fit; guessing", declared)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    enc = canonical_encoding(best.encoding) if best is not None else None
    # Chinese pages without a declaration are nearly always GB18030 when they are not UTF-8.
    if enc is None or enc in ("cp1252", "latin_1", "iso8859-1", "cp1250", "mac-roman"):
        enc = "gb18030"
    return data.decode(enc, errors="replace"), enc
