"""What reading one PDF page gives: the text-layer reader and OCR both return a :class:`PageResult`."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.model import Table
from extractor.readers.layout.lines import Line
from extractor.readers.pdf.page import PageContent


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page after reading: its tables and its lines of running text."""

    content: PageContent
    tables: list[Table]
    lines: list[Line]
    warnings: list[str] = field(default_factory=list)
