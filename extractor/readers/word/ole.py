"""Recognise what an OLE2 compound file (``D0 CF 11 E0``) holds, without a full OLE2 parser.

An encrypted OOXML file (a password-protected DOCX) is an OLE2 file with ``EncryptionInfo`` and
``EncryptedPackage`` streams; :mod:`extractor.readers.sniff` calls any OLE2 file DOC, so the Word readers
ask here before handing the file to LibreOffice, which would only fail or hang on it.
"""

from __future__ import annotations

import struct

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIR_ENTRY = 128  # directory entries are 128 bytes and sectors are multiples of 128


def _entry(data: bytes, name: str) -> int | None:
    """Offset of the directory entry named ``name`` (see :func:`has_stream` for the checks)."""
    needle = name.encode("utf-16-le") + b"\x00\x00"
    start = 0
    while True:
        pos = data.find(needle, start)
        if pos < 0:
            return None
        if pos % _DIR_ENTRY == 0 and pos + _DIR_ENTRY <= len(data):
            (name_len,) = struct.unpack_from("<H", data, pos + 64)
            if name_len == len(needle):
                return pos
        start = pos + 1


def stream_start(data: bytes, name: str) -> int | None:
    """File offset of the first sector of stream ``name`` (a regular, not a mini, stream), or None."""
    pos = _entry(data, name)
    if pos is None or len(data) < 512:
        return None
    (shift,) = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        return None
    start_sector, size = struct.unpack_from("<II", data, pos + 116)
    if size < 4096 or start_sector >= 0xFFFFFFFA:  # small streams live in the mini stream
        return None
    offset = (start_sector + 1) << shift
    return offset if offset < len(data) else None


def has_stream(data: bytes, name: str) -> bool:
    """Whether a directory entry named ``name`` exists: the UTF-16LE name, NUL-terminated, at the
    start of a 128-byte directory entry whose name-length field matches (body text that happens to
    contain the word does not satisfy all three)."""
    return _entry(data, name) is not None


def is_encrypted_ooxml(data: bytes) -> bool:
    """True for a password-protected Office 2007+ file (an OLE2 wrapper around the encrypted zip)."""
    return data.startswith(OLE2_MAGIC) and has_stream(data, "EncryptionInfo") and has_stream(data, "EncryptedPackage")
