"""Glyphs to clean lines of CJK text: fake bold undone, lines formed, spurious spaces removed.

Word and WPS exports of Chinese documents carry three kinds of noise that would otherwise reach the
rules: characters painted twice with a small offset to fake bold (``三三、、``), justified or
letter-spaced text whose gaps look like spaces (``2023 年``, ``总 计``), and table labels written
vertically, one character per line. This module undoes them with geometry only; it knows nothing
about annual reports.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from extractor.readers.layout.primitives import Glyph

DUPLICATE_TOLERANCE = 1.5  # points: a same-text glyph this close to another is a fake-bold overprint
LINE_OVERLAP = 0.5  # share of the smaller glyph's height that must overlap a line to join it
SPACE_GAP = 0.25  # a horizontal gap wider than this share of the glyph height is a word space
COLUMN_GAP = 1.5  # a gap wider than this many glyph heights separates columns: its space is kept

_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x303F),  # CJK punctuation
    (0x3040, 0x30FF),  # kana
    (0x3100, 0x31BF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),  # vertical forms
    (0xFF00, 0xFFEF),  # full-width forms (，：（）１２)
    (0x20000, 0x3134F),
)
_PUNCT_CJK = frozenset("“”‘’…—·「」『』《》【】〈〉")


def is_cjk(ch: str) -> bool:
    """A Chinese character, CJK or full-width punctuation (a character that never needs a space)."""
    if ch in _PUNCT_CJK:
        return True
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


@dataclass(frozen=True, slots=True)
class Line:
    """Glyphs sharing a baseline, left to right, with their text already cleaned."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    glyphs: tuple[Glyph, ...]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


_NEIGHBOURS = tuple((dx, dy) for dx in (0, -1, 1) for dy in (0, -1, 1))


def dedupe_glyphs(glyphs: Sequence[Glyph], tolerance: float = DUPLICATE_TOLERANCE) -> list[Glyph]:
    """Drop overprinted copies of a glyph (fake bold), keeping the first drawn.

    Like pdfplumber's ``dedupe_chars``: a glyph is a copy when the same character was already
    seen within ``tolerance`` points in both directions (looked up in a grid of that spacing).
    """
    seen: dict[tuple[str, int, int], Glyph] = {}
    out: list[Glyph] = []
    for g in glyphs:
        kx, ky = int(g.x0 // tolerance), int(g.top // tolerance)
        for dx, dy in _NEIGHBOURS:
            other = seen.get((g.text, kx + dx, ky + dy))
            if other is not None and abs(other.x0 - g.x0) <= tolerance and abs(other.top - g.top) <= tolerance:
                break
        else:
            seen[(g.text, kx, ky)] = g
            out.append(g)
    return out


def _overlap(a_top: float, a_bottom: float, b_top: float, b_bottom: float) -> float:
    return min(a_bottom, b_bottom) - max(a_top, b_top)


def group_lines(glyphs: Iterable[Glyph], overlap: float = LINE_OVERLAP) -> list[list[Glyph]]:
    """Cluster glyphs into lines (top to bottom), each line's glyphs left to right."""
    rows: list[list[Glyph]] = []
    bands: list[tuple[float, float]] = []
    for g in sorted(glyphs, key=lambda g: (g.cy, g.x0)):
        placed = False
        # only the last few bands can overlap: glyphs come in order of their vertical centre
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom = bands[i]
            need = overlap * min(g.height, bottom - top)
            if _overlap(top, bottom, g.top, g.bottom) >= need > 0:
                rows[i].append(g)
                bands[i] = (min(top, g.top), max(bottom, g.bottom))
                placed = True
                break
        if not placed:
            rows.append([g])
            bands.append((g.top, g.bottom))
    for row in rows:
        row.sort(key=lambda g: g.x0)
    return [r for _, r in sorted(zip(bands, rows, strict=True), key=lambda br: br[0][0])]


_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def clean_spaces(text: str) -> str:
    """Remove spaces next to a CJK character; keep single spaces between other words.

    ``2023 年`` → ``2023年`` and ``总 计`` → ``总计``, while ``0 0 0`` and ``hello world`` stay.
    """
    text = unicodedata.normalize("NFC", text)
    parts = _SPACES.split(text.strip())
    out = parts[0] if parts else ""
    for part in parts[1:]:
        if not part:
            continue
        if out and (is_cjk(out[-1]) or is_cjk(part[0])):
            out += part
        else:
            out += " " + part
    return out


def line_text(glyphs: Sequence[Glyph], space_gap: float = SPACE_GAP, column_gap: float = COLUMN_GAP) -> str:
    """The text of one line: glyphs joined, a space where the gap is wide, then cleaned.

    Spaces next to CJK characters are dropped (:func:`clean_spaces`) — except across a gap wider
    than ``column_gap`` glyph heights, which separates columns (a label and its numbers in a
    table without rules), not letters of one word.
    """
    if not glyphs:
        return ""
    segments: list[list[str]] = [[glyphs[0].text]]
    for prev, g in itertools.pairwise(glyphs):
        gap = g.x0 - prev.x1
        height = max(1.0, min(prev.height, g.height))
        if gap > column_gap * height:
            segments.append([])
        elif g.space_before or gap > space_gap * height:
            segments[-1].append(" ")
        segments[-1].append(g.text)
    return " ".join(t for t in (clean_spaces("".join(seg)) for seg in segments) if t)


def make_lines(glyphs: Iterable[Glyph]) -> list[Line]:
    """Glyphs to cleaned :class:`Line` records in reading order (empty lines dropped)."""
    lines = []
    for row in group_lines(glyphs):
        text = line_text(row)
        if text:
            lines.append(
                Line(
                    text,
                    min(g.x0 for g in row),
                    min(g.top for g in row),
                    max(g.x1 for g in row),
                    max(g.bottom for g in row),
                    tuple(row),
                )
            )
    return lines


def join_cell_lines(texts: Sequence[str]) -> str:
    """A table cell's lines as one text.

    A cell's lines are almost always one label wrapped by the cell width (``结果`` / ``维持``,
    ``……政府信`` / ``息``) or written vertically, one character per line; a DOCX or HTML
    rendering of the same report has no break there. So a break between two CJK characters is
    dropped, and any other break (between numbers or Latin words) is kept as ``\n``.
    """
    return join_texts(texts, "\n", lambda a, b: is_cjk(a) and is_cjk(b))


def join_texts(texts: Iterable[str], sep: str, glued: Callable[[str, str], bool]) -> str:
    """Non-empty ``texts`` joined with ``sep``, except where ``glued(last char, next char)``."""
    out = ""
    for text in texts:
        if not text:
            continue
        if out and not glued(out[-1], text[0]):
            out += sep
        out += text
    return out
