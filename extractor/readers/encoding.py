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


COMMON_CJK_SHARE = 0.6


def _mostly_common_cjk(text: str) -> bool:
    """Whether the non-ASCII characters of ``text`` are mostly common CJK (GB2312's range)."""
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    common = sum(1 for ch in wide if in_gb2312(ch) or ch in "，。、：；！？（）《》“”‘’【】—…　")
    return common / len(wide) >= COMMON_CJK_SHARE


def in_gb2312(ch: str) -> bool:
    """Whether ``ch`` is in GB2312 (the common simplified characters; no traditional forms)."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; returns ``(text, encoding_used)``. Never raises on odd bytes."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if declared:
        wanted = canonical_encoding(declared)
        if wanted:
            try:
                return data.decode(wanted), wanted
            except UnicodeDecodeError:
                logger.debug("declared charset %s does not fit; guessing", declared)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Chinese government pages without a declaration are nearly always GB18030 when not UTF-8;
    # charset-normalizer misjudges short Chinese samples (as Johab, Big5…), so try that first.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        if _mostly_common_cjk(text):
            return text, "gb18030"
    best = from_bytes(data[:200_000]).best()
    guess = canonical_encoding(best.encoding) if best is not None else None
    # Chinese pages without a declaration are nearly always GB18030 when they are not UTF-8.
    enc = "gb18030" if guess is None or guess in ("cp1252", "latin_1", "iso8859-1", "cp1250", "mac-roman") else guess
    return data.decode(enc, errors="replace"), enc
