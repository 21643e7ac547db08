"""Split a document into the six standard sections.

The document is laid out as one text (paragraphs one per line, tables one row per line) and the
headings are searched in order, each after the previous one, so that a table row such as
四、结转下年度继续办理 is never taken for section 四. Headings may be numbered 一、 or （一）, or
stand alone at the start of a short line; real variants live in ``rules/data/sections.toml``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extractor.model import Block, Document, Paragraph, Table
from extractor.readers.cjk import CN_NUMERAL, CN_NUMERALS
from rules.data import SectionSpec, form, page_footer_markers, sections
from rules.normalize import nfkc, squash

_NUMERAL = rf"{CN_NUMERAL}{{1,2}}\s*[、.．,，]"
_PAREN_NUMERAL = rf"[（(]{CN_NUMERAL}{{1,2}}[)）]"
# A numeral heading must not continue a longer numeral or a 第… ordinal; anything else may precede it
# (flattened text runs headings into the table before them: …75394432.52元三、收到和处理…).
_BOUNDARY = rf"(?<![{CN_NUMERALS}第])"
MAX_GAP = 16  # characters allowed between a numeral and the keyword (政府信息公开工作… )
MAX_BARE_HEADING = 30  # a heading without a numeral is a short line of its own
MAX_HEADING_TAIL = 8
MAX_FOOTER_LINE = 80  # a footer line is short; a sentence of the report mentioning 联系我们 is not one
MAX_BREAK_LINES = 6  # lines a page break puts inside a heading (blank lines, footer, running header)


@dataclass(frozen=True, slots=True)
class Layout:
    """The document as one text, with where each block starts and ends in it."""

    text: str
    spans: tuple[tuple[int, int], ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    heading: str
    start: int  # offset of the heading in the layout text
    body_start: int  # offset just after the heading
    end: int


def block_text(block: Block) -> str:
    return block.as_text() if isinstance(block, Table) else block.text


def layout(doc: Document) -> Layout:
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for b in doc.blocks:
        t = block_text(b)
        spans.append((pos, pos + len(t)))
        parts.append(t)
        pos += len(t) + 1
    return Layout("\n".join(parts), tuple(spans), doc.blocks)


def _keyword_pattern(keyword: str) -> str:
    # Keywords are stored without white space; printed headings may have spaces between characters.
    return r"\s*".join(re.escape(ch) for ch in keyword)


def _find(spec: SectionSpec, text: str, start: int, numeral: str | None) -> re.Match[str] | None:
    kw = "|".join(_keyword_pattern(k) for k in spec.keywords)
    if numeral:
        pat = rf"{_BOUNDARY}(?P<num>{numeral})\s*(?P<gap>[^\n。；;\d]{{0,{MAX_GAP}}}?)(?P<kw>{kw})"
    else:
        pat = rf"(?:(?<=\n)|^)[ \t]*(?P<kw>{kw})[^\n]{{0,{MAX_BARE_HEADING}}}(?=\n|$)"
    return re.compile(pat).search(text, start)


def _heading_end(text: str, kw_end: int) -> int:
    """A heading runs to the end of its line when what follows the keyword is a short tail such as
    情况 or （试行）; otherwise it ends with the keyword (the body follows on the same line)."""
    line_end = text.find("\n", kw_end)
    line_end = len(text) if line_end < 0 else line_end
    rest = text[kw_end:line_end]
    if not rest.strip() or (len(rest) <= MAX_HEADING_TAIL and not re.search(r"[\s,，。;；:：]", rest.strip())):
        return line_end
    return kw_end


def _page_footer_start(text: str, start: int) -> int:
    """Where the web page's footer begins after ``start`` (a line with a footer marker), else the end."""
    markers = page_footer_markers()
    pos = start
    for line in text[start:].splitlines(keepends=True):
        if any(mk in line for mk in markers) and len(line.strip()) <= MAX_FOOTER_LINE:
            return pos
        pos += len(line)
    return len(text)


@dataclass(frozen=True, slots=True)
class _Hit:
    start: int
    end: int  # where the keyword ends (the body may follow on the heading's line)
    heading: str | None = None  # the heading's halves joined, when a page break split it
    body_start: int | None = None


_SPLIT_HEAD = re.compile(rf"{_BOUNDARY}(?:{_NUMERAL}|{_PAREN_NUMERAL})[ \t]*(?P<a>[^\n。；;\d]{{0,{MAX_GAP}}})\n")


def _find_split(spec: SectionSpec, text: str, start: int) -> _Hit | None:
    """A numbered heading broken over a page break: its first half ends a line, and one of the next
    few lines (after the page's footer and the next page's running header) starts with the rest,
    the keyword running across the break."""
    for m in _SPLIT_HEAD.finditer(text, start):
        first = squash(m.group("a"))
        pos = m.end()
        for _ in range(MAX_BREAK_LINES):
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end < 0 else line_end
            rest = squash(text[pos:line_end])
            joined = first + rest
            for kw in spec.keywords:
                i = joined.find(kw)
                if i != -1 and i < len(first) < i + len(kw):
                    heading = text[m.start() : m.start("a")] + first + text[pos:line_end].strip()
                    return _Hit(m.start(), line_end, heading, line_end)
            if line_end >= len(text):
                break
            pos = line_end + 1
    return None


def _find_heading(spec: SectionSpec, text: str, pos: int) -> _Hit | None:
    m = None
    for numeral in (_NUMERAL, _PAREN_NUMERAL, None):
        m = _find(spec, text, pos, numeral)
        if m:
            break
    split = _find_split(spec, text, pos)
    if split is not None and (m is None or split.start <= m.start()):
        return split
    return _Hit(m.start(), m.end()) if m else None


def find_sections(lay: Layout) -> list[Section]:
    """The standard sections found, in order; a missing heading is skipped."""
    text = nfkc(lay.text)  # NFKC keeps length for CJK text in practice; offsets are checked below
    if len(text) != len(lay.text):
        text = lay.text
    found: list[tuple[SectionSpec, _Hit]] = []
    pos = 0
    for spec in sections():
        hit = _find_heading(spec, text, pos)
        if hit is None:
            continue
        found.append((spec, hit))
        pos = hit.end
    out: list[Section] = []
    for i, (spec, hit) in enumerate(found):
        end = found[i + 1][1].start if i + 1 < len(found) else _page_footer_start(text, hit.end)
        heading_end = hit.body_start if hit.body_start is not None else _heading_end(text, hit.end)
        heading = hit.heading or lay.text[hit.start : heading_end].strip()
        out.append(Section(spec.number, heading, hit.start, heading_end, end))
    return out


def section_text(lay: Layout, sec: Section) -> str:
    return lay.text[sec.body_start : sec.end].strip()


def blocks_in(lay: Layout, start: int, end: int) -> list[tuple[Block, int, int]]:
    """Blocks overlapping ``[start, end)`` with the part of each that lies inside (block-relative)."""
    out: list[tuple[Block, int, int]] = []
    for block, (b0, b1) in zip(lay.blocks, lay.spans, strict=True):
        if b1 <= start or b0 >= end:
            continue
        if isinstance(block, Paragraph):
            out.append((block, max(start, b0) - b0, min(end, b1) - b0))
        elif b0 >= start:
            out.append((block, 0, b1 - b0))
    return out


def _review_header_chars() -> tuple[frozenset[str], Counter[str]]:
    review = form().review
    outcome_chars = Counter("".join(review.outcome_words))
    need = Counter({ch: n * len(review.groups) for ch, n in outcome_chars.items()})
    allowed = frozenset("".join([*review.header_words, *review.outcome_words, *review.header_extra_words]))
    return allowed, need


_HEADER_PUNCT = re.compile(r"[\s、，,。:：()（）|]")


def find_review_header(text: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """Where section 四's table header starts and ends in ``text[start:end]``, found by its words alone.

    The header is a run of lines made only of the header's characters (blank lines allowed)
    holding every outcome word's characters once per group — however a PDF-to-text tool broke
    it: one character a line, words wrapped, cells of several columns interleaved on a line.
    """
    allowed, need = _review_header_chars()
    end = len(text) if end is None else end
    pos = start
    run_start: int | None = None
    counts: Counter[str] = Counter()
    for line in text[start:end].splitlines(keepends=True):
        body = _HEADER_PUNCT.sub("", line)
        if body and set(body) <= allowed:
            if run_start is None:
                run_start, counts = pos, Counter()
            counts.update(body)
        elif body:
            if run_start is not None and not need - counts:
                return run_start, pos
            run_start = None
        pos += len(line)
    return None


def enclosing_table_start(lay: Layout, offset: int) -> int | None:
    """Where the table block holding ``offset`` of the layout text starts (None outside tables)."""
    for block, (b0, b1) in zip(lay.blocks, lay.spans, strict=True):
        if b0 <= offset < b1:
            return b0 if isinstance(block, Table) else None
    return None
