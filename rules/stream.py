"""Tables as a token stream: labels, values and row ends, from grids and from flattened text alike.

Grid tables (HTML, DOCX, PDF, OCR) give one token per cell and a row end per grid row. Text gives
tokens found by scanning: numbers, dashes, pipe-separated cells, and the label text between them.
The same row assembly then turns either stream into rows of (leaf label, context, values).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from extractor.model import UNREADABLE, Paragraph, Provenance, Table
from extractor.readers.cjk import CN_NUMERALS
from rules.data import value_words
from rules.normalize import nfkc, squash


class Kind(StrEnum):
    LABEL = "label"
    VALUE = "value"
    ROW_END = "row_end"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    prov: Provenance = field(default_factory=Provenance)
    method: str = "text"
    # False when the printed boundaries of this value are uncertain (digits run together).
    separated: bool = True
    confidence: float | None = None  # the recogniser's confidence for OCR'd text
    # Which text block (line, paragraph) of the stream the token came from; GRID for table cells.
    block: int = -1
    # A bracketed remark printed after the value (``16（其中修订 16 件）``): kept for the note, never a cell.
    remark: str | None = None


GRID = -1


@dataclass(frozen=True, slots=True)
class Row:
    """Values that follow a label in the stream."""

    label: str | None
    context: tuple[str, ...]
    values: tuple[Token, ...]
    # False when the label was printed on another text line than the values (it may belong to
    # values printed elsewhere, as PDF-to-text output puts a tall cell's label below its numbers).
    aligned: bool = True


# A number as printed in a cell: sign, digits with thousands separators, decimals, a unit word.
_UNIT = value_words().unit_pattern(counts=True)  # unit and count words (values.toml)
_NUM = rf"[+\-－]?\d[\d,，]*(?:\.\d+)?(?:\s*(?:{_UNIT}))?"
_NUM_RE = re.compile(_NUM)
# A digit followed by 、 or . and then CJK starts a numbered label ("2.其他法律…"), not a value.
_LABEL_NUMBER = re.compile(r"\d[.．、](?=[\u3400-\u9fff“\"])")
# A bracketed remark after a number: words in brackets that are not list numbering like （三）
# nor a unit like （元）.
_REMARK = re.compile(
    rf"[ \t]*[（(](?![{CN_NUMERALS}\d]{{1,3}}[)）])(?!\s*(?:{_UNIT})\s*[)）])"
    r"[^（）()]*?[\u3400-\u9fff][^（）()]*[)）]"
)
_NUM_END = re.compile(rf"\d(?:\s*(?:{_UNIT}))?$")
_PIPE_ONLY = re.compile(r"^\|+$")
_SEPARATOR_LINE = re.compile(r"^[\s|:\-—]+$")


def _is_dash(word: str) -> bool:
    return word in value_words().dashes or squash(nfkc(word)) in value_words().dashes


def _line_prov(prov: Provenance, offset: int) -> Provenance:
    if prov.locator and offset:
        return Provenance(prov.page, prov.bbox, f"{prov.locator} char {offset + 1}")
    return prov


def tokenize_chunk(chunk: str, prov: Provenance, method: str = "text", base: int = 0) -> list[Token]:
    """Tokens of one piece of text with no cell separators in it."""
    tokens: list[Token] = []
    printed = chunk
    label_starts = {m.start() for m in _LABEL_NUMBER.finditer(chunk)}
    remarks = _remarks(chunk)
    for a, b in remarks.values():  # blanked out (offsets kept), attached to the value they follow
        chunk = chunk[:a] + " " * (b - a) + chunk[b:]
    pos = 0
    label_buf: list[tuple[int, str]] = []

    def flush_label() -> None:
        text = "".join(t for _, t in label_buf).strip()
        if text:
            tokens.append(Token(Kind.LABEL, text, _line_prov(prov, base + label_buf[0][0]), method))
        label_buf.clear()

    for m in _NUM_RE.finditer(chunk):
        start, end = m.start(), m.end()
        if start < pos:
            continue
        # A label number at the end of a digit run belongs to the label that follows.
        cut = next((i for i in range(start, end) if i in label_starts), None)
        if cut is not None:
            end = cut
        if end <= start:
            continue
        before = chunk[pos:start]
        _words(before, pos, prov, method, base, tokens, label_buf, flush_label)
        flush_label()
        raw = chunk[start:end]
        glued = _glued(printed, start, end)  # a remark touching the digits leaves their boundary unsure
        span = remarks.get(end)
        remark = printed[span[0] : span[1]].strip() if span else None
        tokens.append(
            Token(Kind.VALUE, raw.strip(), _line_prov(prov, base + start), method, separated=not glued, remark=remark)
        )
        pos = end
    _words(chunk[pos:], pos, prov, method, base, tokens, label_buf, flush_label)
    flush_label()
    return tokens


def _remarks(chunk: str) -> dict[int, tuple[int, int]]:
    """Bracketed remarks that directly follow a number (with its unit): value end -> remark span."""
    out: dict[int, tuple[int, int]] = {}
    for m in _REMARK.finditer(chunk):
        head = chunk[: m.start()]
        if _NUM_END.search(head):
            out[len(head)] = (m.start(), m.end())
    return out


def _glued(chunk: str, start: int, end: int) -> bool:
    """Whether a number touches other text without a separator (its own boundaries are unsure)."""
    before = chunk[start - 1] if start > 0 else " "
    after = chunk[end] if end < len(chunk) else " "
    digits = sum(ch.isdigit() for ch in chunk[start:end])
    return digits > 1 and not (before.isspace() and after.isspace())


def _words(
    text: str,
    offset: int,
    prov: Provenance,
    method: str,
    base: int,
    tokens: list[Token],
    label_buf: list[tuple[int, str]],
    flush_label: Callable[[], None],
) -> None:
    """Label text between numbers; standalone dash words inside it are values."""
    for m in re.finditer(r"\S+|\s+", text):
        word = m.group()
        if not word.isspace() and _is_dash(word):
            flush_label()
            tokens.append(Token(Kind.VALUE, word, _line_prov(prov, base + offset + m.start()), method))
        else:
            label_buf.append((offset + m.start(), word))


def tokenize_text(text: str, prov: Provenance, base: int = 0) -> list[Token]:
    """Tokens of a line of flattened text, honouring pipe-separated cells.

    ``x |`` ends a cell; a line of a single ``|`` is an empty cell; runs of ``||`` continue a merged
    cell and are ignored; markdown rows ``| a | b |`` give one token per cell.
    """
    stripped = text.strip()
    if "|" not in stripped:
        return tokenize_chunk(text, prov, base=base)
    if _PIPE_ONLY.match(stripped):
        return [Token(Kind.VALUE, "", prov)] if stripped == "|" else []
    if _SEPARATOR_LINE.match(stripped):
        return []
    tokens: list[Token] = []
    pos = 0
    parts = text.split("|")
    markdown = stripped.startswith("|")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part.strip():
            tokens.extend(tokenize_chunk(part, prov, base=base + pos))
        elif markdown and 0 < i < len(parts) - 1:
            tokens.append(Token(Kind.VALUE, "", _line_prov(prov, base + pos)))
        pos += len(part) + (0 if last else 1)
    return tokens


def grid_tokens(table: Table, method: str) -> Iterator[Token]:
    """One token per distinct cell, row by row; blank cells after a label or value are blank values."""
    for r in range(table.n_rows):
        seen_content = False
        for cell in table.row_cells(r):
            text = cell.text.strip()
            if not text:
                if seen_content:
                    yield Token(Kind.VALUE, "", cell.prov, method, confidence=cell.confidence)
                continue
            if text == UNREADABLE:  # ink no reading explains: a value slot, never a label or a blank
                if seen_content:
                    yield Token(Kind.VALUE, UNREADABLE, cell.prov, method, confidence=0.0)
                continue
            seen_content = True
            for tok in tokenize_chunk(
                text.replace("\n", " ") if _numeric_lines(text) else text.replace("\n", ""), cell.prov, method
            ):
                # inside a cell the printed boundaries are the cell's own
                yield Token(
                    tok.kind, tok.text, cell.prov, method, separated=True, confidence=cell.confidence, remark=tok.remark
                )
        yield Token(Kind.ROW_END, "", Provenance(), method)


def _numeric_lines(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return len(lines) > 1 and all(_NUM_RE.fullmatch(ln.strip()) for ln in lines)


def paragraph_tokens(par: Paragraph, start: int = 0, end: int | None = None) -> list[Token]:
    text = par.text[start:end]
    tokens = tokenize_text(text, par.prov, base=start)
    return [*tokens, Token(Kind.ROW_END, "", par.prov)] if "|" in text and text.strip().startswith("|") else tokens


def assemble_rows(tokens: list[Token]) -> list[Row]:
    """Group a stream into rows: the values that follow a label, up to the next label or row end.

    In text, a line holding several values is a row by itself: it does not continue the values of
    the line before (one value per line, as some dumps print cells, does).
    """
    per_block = Counter(t.block for t in tokens if t.kind is Kind.VALUE and t.block != GRID)
    rows: list[Row] = []
    labels: list[Token] = []
    values: list[Token] = []

    def close() -> None:
        nonlocal labels, values
        if values:
            leaf = labels[-1] if labels else None
            aligned = leaf is None or leaf.block == values[0].block
            rows.append(Row(leaf.text if leaf else None, tuple(x.text for x in labels[:-1]), tuple(values), aligned))
            labels = []
        values = []

    for tok in tokens:
        if tok.kind is Kind.LABEL:
            if values:
                close()
            labels.append(tok)
        elif tok.kind is Kind.VALUE:
            prev = values[-1].block if values else None
            if prev is not None and tok.block not in (prev, GRID) and per_block[prev] > 1 < per_block[tok.block]:
                close()
            values.append(tok)
        else:
            if values:
                close()
            else:
                labels = labels[-1:] if labels else []
    close()
    return rows
