"""Numbers the report's own prose gives for a table row (``现行有效行政规范性文件698件``).

Used only to choose among the readings of a row whose printed boundaries were lost, never to
fill a cell the table does not print.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rules.normalize import nfkc, squash

MAX_GAP = 12  # characters between the row's label word and the number
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")


def numbers_near(text: str, words: Iterable[str]) -> set[float]:
    """Numbers printed shortly after any of ``words`` in ``text`` (same clause)."""
    flat = squash(nfkc(text))
    out: set[float] = set()
    for word in words:
        for m in re.finditer(re.escape(word), flat):
            tail = re.split(r"[，。；;,]", flat[m.end() : m.end() + MAX_GAP], maxsplit=1)[0]
            out.update(float(n) for n in _NUMBER.findall(tail))
    return out
