"""The primitives of page layout that born-digital PDF pages and OCR'd scans share: glyphs and rules.

Coordinates follow pdfplumber's convention: origin at the top left, ``top < bottom``; PDF points for
PDF pages, pixels for image files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character of the text layer: its advance width across, one em from the baseline down."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    space_before: bool = False  # the text layer has a space (real or PDFium's guess) before it

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class Ruling:
    """A visible horizontal or vertical rule; ``x0 == x1`` or ``top == bottom``."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.bottom - self.top <= self.x1 - self.x0
