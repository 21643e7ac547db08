"""Page furniture: page numbers and running headers and footers, kept out of the running text.

A line is furniture when it sits in the top or bottom margin band of its page and either looks
like a page number (``- 1 -``, ``-4-``, ``第 3 页``, ``3/5``, ``Page 2 of 9``) or repeats, digits
aside, at about the same height on most pages.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.readers.layout.lines import Line

MARGIN_BAND = 0.12  # share of the page height at top and bottom where furniture lives
REPEAT_SHARE = 0.6  # a margin line repeated on this share of pages is a running header/footer
POSITION_TOLERANCE = 6.0  # points: "the same height" on different pages

_DASH = r"[-‐‑‒–—―－~〜·•]"
PAGE_NUMBER = re.compile(
    rf"^(?:{_DASH}?\s*\d{{1,4}}\s*{_DASH}?"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class FurnitureSettings:
    margin_band: float = MARGIN_BAND
    repeat_share: float = REPEAT_SHARE
    position_tolerance: float = POSITION_TOLERANCE

    def __post_init__(self) -> None:
        if not 0 <= self.margin_band < 0.5:
            raise ValueError("FurnitureSettings.margin_band must be in [0, 0.5)")
        if not 0 < self.repeat_share <= 1:
            raise ValueError("FurnitureSettings.repeat_share must be in (0, 1]")


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER.match(text.strip()))


def _in_margin(line: Line, page_height: float, band: float) -> bool:
    return line.bottom <= page_height * band or line.top >= page_height * (1 - band)


def _signature(line: Line, tolerance: float) -> tuple[str, int]:
    return re.sub(r"\d+", "#", line.text), round(line.top / tolerance)


def furniture_flags(pages: Sequence[tuple[float, Sequence[Line]]], settings: FurnitureSettings) -> list[list[bool]]:
    """For each page's lines (given with the page height), whether each line is furniture."""
    counts: Counter[tuple[str, int]] = Counter()
    for height, lines in pages:
        sigs = {
            _signature(ln, settings.position_tolerance) for ln in lines if _in_margin(ln, height, settings.margin_band)
        }
        counts.update(sigs)
    n = len(pages)
    need = max(2, math.ceil(settings.repeat_share * n))
    flags = []
    for height, lines in pages:
        page_flags = []
        for ln in lines:
            if not _in_margin(ln, height, settings.margin_band):
                page_flags.append(False)
            elif is_page_number(ln.text):
                page_flags.append(True)
            else:
                page_flags.append(n >= 2 and counts[_signature(ln, settings.position_tolerance)] >= need)
        flags.append(page_flags)
    return flags
