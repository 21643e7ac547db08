"""Plain-text reports: one :class:`Paragraph` per line, markdown pipe tables as grids.

Web-archive dumps and copy-paste flatten tables in many ways (cells ending in `` |``, one cell per
line, numbers run together); those stay paragraphs here and the rules read them against the form.
Only unambiguous markdown tables (``| a | b |`` rows) become :class:`Table` blocks. The same reading
(:func:`lines_to_blocks`) serves the text of HTML pages, where tables are flattened the same ways.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from extractor.errors import ExtractionError
from extractor.model import Block, Document, FileFormat, Paragraph, Provenance
from extractor.readers.encoding import decode_bytes
from extractor.readers.grid import RawCell, build_table

_LINE = "line "
_MD_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _md_cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.strip() for c in inner.split("|")]


def _span(rows: list[tuple[str, Provenance]]) -> Provenance:
    first, last = rows[0][1].locator or "", rows[-1][1].locator or ""
    if first.startswith(_LINE) and last.startswith(_LINE):
        return Provenance(locator=f"lines {first[len(_LINE) :]}-{last[len(_LINE) :]}")
    return Provenance(locator=first if first == last else f"{first} … {last}")


def _flush_md(rows: list[tuple[str, Provenance]], blocks: list[Block]) -> None:
    if not rows:
        return
    raw = [
        [
            RawCell(text, prov=Provenance(locator=f"{prov.locator} cell {i + 1}"))
            for i, text in enumerate(_md_cells(line))
        ]
        for line, prov in rows
    ]
    blocks.append(build_table(raw, _span(rows)))
    rows.clear()


def lines_to_blocks(lines: Iterable[tuple[str, Provenance]]) -> list[Block]:
    """Lines of plain text (each with where it is) as the text reader reads them: markdown tables as
    grids, every other line a :class:`Paragraph` that does not end a table row (``line=True``).
    Readers of other formats use it for text that a table was flattened into."""
    blocks: list[Block] = []
    md_rows: list[tuple[str, Provenance]] = []
    for line, prov in lines:
        if _MD_RULE.match(line) and md_rows:
            continue
        if _MD_ROW.match(line) and line.count("|") >= 3:
            md_rows.append((line, prov))
            continue
        _flush_md(md_rows, blocks)
        if line.strip():
            blocks.append(Paragraph(line.rstrip(), prov, line=True))
    _flush_md(md_rows, blocks)
    return blocks


def text_to_document(text: str) -> Document:
    """Split decoded text into line paragraphs and markdown tables."""
    lines = ((line, Provenance(locator=f"{_LINE}{ln}")) for ln, line in enumerate(text.splitlines(), start=1))
    return Document(blocks=tuple(lines_to_blocks(lines)), file_format=FileFormat.TEXT)


def read_text(data: bytes, path: Path) -> Document:
    text, _ = decode_bytes(data)
    if not text.strip():
        raise ExtractionError("the file is empty (no text at all)")
    return text_to_document(text)
