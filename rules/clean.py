"""Undo what web pages, PDF-to-text tools, OCR and mirror sites add to a report's text.

Before anything is read from a document: page-header and page-footer lines (``P. 3``, ``第3页``) are
dropped, a page header glued before a line (``Page8-威海市…``) is cut off, pinyin a mirror site
injected in brackets (``政府信息公开（zhèng fǔ xìn xī gōng kāi）``) is removed, and a page printed
in traditional characters is folded to simplified ones with OpenCC. Title marks (``#``) are for
:func:`clean_title_line`, used by the metadata rules. The patterns are data
(``rules/data/noise.toml``).
"""

from __future__ import annotations

import logging
import re
import threading
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from extractor.model import Block, Document, Table
from extractor.readers.encoding import in_gb2312
from rules.data import DATA_DIR

logger = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Noise:
    page_lines: tuple[re.Pattern[str], ...]
    page_prefixes: tuple[re.Pattern[str], ...]
    title_marks: re.Pattern[str]
    pinyin: re.Pattern[str]
    tone_marks: frozenset[str]
    traditional_sample: int
    traditional_min: int
    traditional_share: float
    opencc_config: str


@cache
def noise() -> Noise:
    with (DATA_DIR / "noise.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    return Noise(
        page_lines=tuple(re.compile(p) for p in raw["page_lines"]),
        page_prefixes=tuple(re.compile(p) for p in raw["page_prefixes"]),
        title_marks=re.compile(raw["title_marks"]),
        pinyin=re.compile(raw["pinyin"]),
        tone_marks=frozenset(raw["tone_marks"]),
        traditional_sample=int(raw["traditional_sample"]),
        traditional_min=int(raw["traditional_min"]),
        traditional_share=float(raw["traditional_share"]),
        opencc_config=str(raw["opencc_config"]),
    )


@cache
def _folder() -> Any:
    from opencc import OpenCC  # loads its dictionaries (~0.1 s): only for pages that need it

    with _lock:
        return OpenCC(noise().opencc_config)


def is_page_line(line: str) -> bool:
    """A line that is only a page header or footer (a page number)."""
    return any(p.match(line) for p in noise().page_lines)


def strip_page_prefix(line: str) -> str:
    for p in noise().page_prefixes:
        line = p.sub("", line, count=1)
    return line


def strip_pinyin(text: str) -> str:
    tones = noise().tone_marks
    return noise().pinyin.sub(lambda m: "" if tones & set(m.group()) else m.group(), text)


def clean_title_line(line: str) -> str:
    """A line as the title rules read it: no page header before it, no stray OCR or markdown mark."""
    marks = noise().title_marks
    return marks.sub("", strip_page_prefix(marks.sub("", line)))


def is_traditional(text: str) -> bool:
    """Whether ``text`` is printed in traditional characters: OpenCC changes enough of its start
    (a count and a share of its CJK characters, so that a simplified page naming 乾安县 stays)."""
    sample = text[: noise().traditional_sample]
    outside = [ch for ch in sample if _CJK.match(ch) and not in_gb2312(ch)]
    if len(outside) < noise().traditional_min:  # cheap first look: GB2312 has no traditional forms
        return False
    folded = _folder().convert(sample)
    changed = sum(a != b for a, b in zip(sample, folded, strict=False))
    cjk = sum(1 for ch in sample if _CJK.match(ch))
    return changed >= noise().traditional_min and changed >= noise().traditional_share * cjk


_CJK = re.compile(r"[\u3400-\u9fff]")


def _texts(doc: Document) -> str:
    parts = [doc.title or ""]
    for b in doc.blocks:
        parts.append(b.as_text() if isinstance(b, Table) else b.text)
        if sum(map(len, parts)) > noise().traditional_sample:
            break
    return "\n".join(parts)


def clean_document(doc: Document) -> tuple[Document, list[str]]:
    """The document without page marks and mirror injections, folded to simplified characters;
    with a note of what was done (for the report's warnings)."""
    fold = is_traditional(_texts(doc))

    def text(t: str) -> str:
        t = strip_pinyin(t)
        return _folder().convert(t) if fold else t

    blocks: list[Block] = []
    dropped = 0
    for b in doc.blocks:
        if isinstance(b, Table):
            blocks.append(replace(b, cells=tuple(replace(c, text=text(c.text)) for c in b.cells)))
            continue
        lines = b.text.split("\n")
        kept = [strip_page_prefix(line) for line in lines if not is_page_line(line)]
        dropped += len(lines) - len(kept)
        if kept:
            blocks.append(replace(b, text=text("\n".join(kept))))
    notes = []
    if fold:
        notes.append("the page is printed in traditional characters; read after folding them to simplified (OpenCC)")
    if dropped:
        logger.debug("%d page header/footer lines dropped", dropped)
    return replace(doc, blocks=tuple(blocks), title=text(doc.title) if doc.title else doc.title), notes
