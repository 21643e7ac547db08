"""Plain-text reports: one :class:`Paragraph` per line, markdown pipe tables as grids.

Web-archive dumps and copy-paste flatten tables in many ways (cells ending in `` |``, one cell per
line, numbers run together); those stay paragraphs here and the rules read them against the form.
Only unambiguous markdown tables (``| a | b |`` rows) become :class:`Table` blocks.
"""

from __future__ import annotations

import re
from pathlib import Path

from extractor.errors import ExtractionError
from extractor.model import Block, Document, FileFormat, Paragraph, Provenance
from extractor.readers.encoding import decode_bytes
from extractor.readers.grid import RawCell, build_table

_MD_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _md_cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.strip() for c in inner.split("|")]


def _flush_md(rows: list[tuple[int, str]], blocks: list[Block]) -> None:
    if not rows:
        return
    raw = [
        [RawCell(text, prov=Provenance(locator=f"line {ln} cell {i + 1}")) for i, text in enumerate(_md_cells(line))]
        for ln, line in rows
    ]
    blocks.append(build_table(raw, Provenance(locator=f"lines {rows[0][0]}-{rows[-1][0]}")))
    rows.clear()


def text_to_document(text: str) -> Document:
    """Split decoded text into line paragraphs and markdown tables."""
    blocks: list[Block] = []
    md_rows: list[tuple[int, str]] = []
    for ln, line in enumerate(text.splitlines(), start=1):
        if _MD_RULE.match(line) and md_rows:
            continue
        if _MD_ROW.match(line) and line.count("|") >= 3:
            md_rows.append((ln, line))
            continue
        _flush_md(md_rows, blocks)
        if line.strip():
            blocks.append(Paragraph(line.rstrip(), Provenance(locator=f"line {ln}")))
    _flush_md(md_rows, blocks)
    return Document(blocks=tuple(blocks), file_format=FileFormat.TEXT)


def read_text(data: bytes, path: Path) -> Document:
    text, _ = decode_bytes(data)
    if not text.strip():
        raise ExtractionError("the file is empty (no text at all)")
    return text_to_document(text)
