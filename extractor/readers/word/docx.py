"""DOCX (WordprocessingML) files as published: body order, merged cells, text boxes, revisions.

The main document part is read straight from the zip with lxml rather than through python-docx's
object model, because what matters here sits below that API: body paragraphs and tables in one
ordered walk, ``w:tc`` elements with their ``gridSpan``/``vMerge`` (python-docx's ``row.cells``
repeats a merged cell in every slot it covers), text boxes, tracked insertions and deletions. It
also lets the reader check the zip before anything is decompressed or parsed.

Choices:

- Merged cells are expanded once, by :func:`extractor.readers.grid.build_table`; a ``vMerge`` continuation
  adds a row to the cell that started the merge, ``gridBefore``/``gridAfter`` become empty cells.
- A table nested in a cell is emitted as its own :class:`Table` block right after the table that
  holds it (depth first); the outer cell's text leaves it out.
- Text boxes (``w:txbxContent``) are read once: from ``mc:Choice`` when Word wrote a DrawingML
  box with a VML ``mc:Fallback`` copy. A text box anchored in a body paragraph becomes its own
  paragraphs right after it; inside a table cell its text joins the cell's.
- Tracked insertions (``w:ins``, ``w:moveTo``) are kept, deletions (``w:del``, ``w:moveFrom``),
  hidden runs (``w:vanish``) and field codes (``w:instrText``) dropped: the text is the document
  as it would print.
- ``w:altChunk`` parts (web pages as HTML or MHT, what many web systems' "export to Word" write,
  or an embedded DOCX one level deep) are read and their blocks spliced in where they stand,
  with locators ``altChunk N …``; other kinds make the document ``partial`` with a warning.
- Automatic list numbering (``一、`` headings made with Word's numbering) is rendered into the
  text by :mod:`extractor.readers.word.numbering`, so a heading reads as printed.
- Page headers, footers, footnotes and comments live in other parts and are not read.
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from lxml import etree

from extractor.errors import ExtractionError
from extractor.model import Block, Document, FileFormat, Paragraph, Provenance, Status
from extractor.readers.encoding import decode_bytes
from extractor.readers.grid import RawCell, build_table
from extractor.readers.html import html_to_document
from extractor.readers.mht import HTML_TABLE_METHOD, looks_like_mht, mark_tables, mht_html
from extractor.readers.word.numbering import Numbering
from extractor.readers.word.package import (
    DocxError,
    DocxSettings,
    check_sizes,
    core_title,
    main_part_name,
    open_zip,
    parse_xml,
    part_relationships,
    read_member,
)

logger = logging.getLogger(__name__)

MIN_COLUMN_TWIPS = 30  # 0.5 mm: a narrower grid column is a rounding sliver, not a column

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --- the body --------------------------------------------------------------------------------------


class _Names:
    """Clark names of the WordprocessingML elements, for the transitional or the strict namespace."""

    def __init__(self, ns: str) -> None:
        def w(tag: str) -> str:
            return f"{{{ns}}}{tag}"

        self.val, self.type = w("val"), w("type")
        self.body, self.p, self.tbl, self.tr, self.tc = w("body"), w("p"), w("tbl"), w("tr"), w("tc")
        self.t, self.tab, self.br, self.cr, self.nbh = w("t"), w("tab"), w("br"), w("cr"), w("noBreakHyphen")
        self.sdt, self.sdt_content, self.custom_xml = w("sdt"), w("sdtContent"), w("customXml")
        self.smart_tag = w("smartTag")
        self.txbx = w("txbxContent")
        self.tc_pr, self.tr_pr = w("tcPr"), w("trPr")
        self.r, self.r_pr, self.vanish = w("r"), w("rPr"), w("vanish")
        self.grid_span, self.v_merge, self.h_merge = w("gridSpan"), w("vMerge"), w("hMerge")
        self.grid_before, self.grid_after = w("gridBefore"), w("gridAfter")
        self.tbl_grid, self.grid_col, self.w_attr = w("tblGrid"), w("gridCol"), w("w")
        self.alt_chunk = w("altChunk")
        self.ruby, self.rt = w("ruby"), w("rt")
        # subtrees whose text does not print
        self.skip = frozenset(
            {
                w("del"),
                w("moveFrom"),
                w("delText"),
                w("instrText"),
                w("delInstrText"),
                w("pPr"),
                w("rPr"),
                w("tblPr"),
                w("tblGrid"),
                w("trPr"),
                w("tcPr"),
                w("sectPr"),
                w("footnoteReference"),
                w("endnoteReference"),
                w("commentReference"),
                w("rt"),
            }
        )


@dataclass
class _RawTable:
    """A table as read, before the grid is built (nested tables are collected for later)."""

    rows: list[list[RawCell]]
    locator: str
    nested: list[_RawTable] = field(default_factory=list)


class _Reader:
    def __init__(self, names: _Names, settings: DocxSettings) -> None:
        self.n = names
        self.settings = settings
        self.blocks: list[Block] = []
        self.warnings: list[str] = []
        self.n_paragraphs = 0
        self.n_tables = 0
        self.n_chunks = 0
        self.chunks: ChunkLoader | None = None
        self.numbering: Numbering | None = None

    # inline text ----------------------------------------------------------------------------------

    def inline_text(self, el: etree._Element, boxes: list[etree._Element]) -> str:
        """The printed text under ``el`` (a paragraph or any inline container); text boxes met on
        the way are appended to ``boxes`` instead."""
        n = self.n
        parts: list[str] = []
        stack: list[etree._Element] = [el]
        while stack:  # iterative: no recursion limit to hit, whatever the nesting
            node = stack.pop()
            tag = node.tag
            if not isinstance(tag, str) or tag in n.skip:
                continue
            if tag == n.t:
                parts.append(node.text or "")
                continue
            if tag == n.r and _hidden(node, n):
                continue
            if tag == n.tab:
                parts.append("\t")
                continue
            if tag in (n.br, n.cr):
                if node.get(n.type) in (None, "textWrapping"):  # page and column breaks print nothing
                    parts.append("\n")
                continue
            if tag == n.nbh:
                parts.append("-")
                continue
            if tag == n.txbx:
                boxes.append(node)
                continue
            if tag == f"{{{MC_NS}}}AlternateContent":
                chosen = _alternate_choice(node)
                if chosen is not None:
                    stack.append(chosen)
                continue
            stack.extend(reversed(node))
        return "".join(parts)

    def numbered(self, p: etree._Element, text: str) -> str:
        """``text`` with the list number the paragraph prints before it (counters advance even
        for an empty numbered paragraph, as in Word)."""
        label = self.numbering.label(p) if self.numbering is not None else ""
        return label + text if label and text.strip() else text

    # blocks -----------------------------------------------------------------------------------------

    def paragraph(self, p: etree._Element, where: str) -> None:
        self.n_paragraphs += 1
        locator = f"paragraph {self.n_paragraphs}" if not where else f"{where} paragraph {self.n_paragraphs}"
        boxes: list[etree._Element] = []
        text = self.numbered(p, self.inline_text(p, boxes))
        self.emit_lines(text, locator)
        for i, box in enumerate(boxes, 1):
            self.container(box, f"{locator} text box {i}")

    def emit_lines(self, text: str, locator: str) -> None:
        for line in _clean(text).split("\n"):
            if line:
                self.blocks.append(Paragraph(line, Provenance(locator=locator)))

    def container(self, el: etree._Element, where: str = "") -> None:
        """Walk block-level content (the body, a text box, a content control) in order."""
        n = self.n
        for child in el:
            tag = child.tag
            if tag == n.p:
                self.paragraph(child, where)
            elif tag == n.tbl:
                raw = self.table(child, depth=1, where=where)
                self.emit_table(raw)
            elif tag in (n.sdt, n.custom_xml, n.sdt_content, n.smart_tag):
                self.container(child if tag != n.sdt else _sdt_content(child, n), where)
            elif tag == f"{{{MC_NS}}}AlternateContent":
                chosen = _alternate_choice(child)
                if chosen is not None:
                    self.container(chosen, where)
            elif tag == n.alt_chunk:
                self.alt_chunk(child.get(f"{{{R_NS}}}id", ""))

    def alt_chunk(self, rel_id: str) -> None:
        """Splice in the blocks of an embedded HTML/MHT/DOCX/text part (``w:altChunk``)."""
        self.n_chunks += 1
        got = self.chunks(rel_id) if self.chunks is not None else None
        if isinstance(got, str):
            self.warnings.append(got)
            return
        if got is None:
            self.warnings.append("the document embeds content from another file (altChunk) that was not read")
            return
        self.warnings.extend(got.warnings)
        prefix = f"altChunk {self.n_chunks}"
        for block in got.blocks:
            self.blocks.append(_prefixed(block, prefix))

    def emit_table(self, raw: _RawTable) -> None:
        if raw.rows and any(raw.rows):
            self.blocks.append(build_table(raw.rows, Provenance(locator=raw.locator)))
        for inner in raw.nested:
            self.emit_table(inner)

    def table(self, tbl: etree._Element, depth: int, where: str) -> _RawTable:
        """Read a ``w:tbl``: cells with their spans, vertical merges folded into their first cell."""
        n = self.n
        self.n_tables += 1
        locator = f"table {self.n_tables}" if not where else f"table {self.n_tables} in {where}"
        raw = _RawTable([], locator)
        if depth > self.settings.max_table_depth:
            self.warnings.append(f"tables nested more than {self.settings.max_table_depth} deep were left out")
            return raw
        # per grid column: (row index in raw.rows, index in that row) of an open vertical merge
        open_merges: dict[int, tuple[int, int]] = {}
        starts: list[list[int]] = []  # grid column where each cell of raw.rows starts
        for r, tr in enumerate(_children(tbl, n.tr, n)):
            row: list[RawCell] = []
            row_starts: list[int] = []
            col = 0
            before, after = _grid_skip(tr, n)
            if before:
                row.append(RawCell("", colspan=before))
                row_starts.append(col)
                col += before
            for tc in _children(tr, n.tc, n):
                span, vmerge, hmerge = _tc_props(tc, n)
                if hmerge == "continue" and row:  # legacy horizontal merge: widen the previous cell
                    prev = row[-1]
                    row[-1] = RawCell(prev.text, prev.rowspan, prev.colspan + span, prev.prov)
                    col += span
                    continue
                origin = open_merges.get(col)
                if vmerge == "continue" and origin is not None:
                    orow, oidx = origin
                    o = raw.rows[orow][oidx]
                    if o.colspan == span and orow + o.rowspan == r:
                        raw.rows[orow][oidx] = RawCell(o.text, o.rowspan + 1, o.colspan, o.prov)
                        col += span
                        continue
                text = self.cell_text(tc, depth, raw, f"{locator} row {r + 1} col {col + 1}")
                prov = Provenance(locator=f"{locator} row {r + 1} col {col + 1}")
                row.append(RawCell(text, 1, span, prov))
                row_starts.append(col)
                for c in range(col, col + span):
                    open_merges.pop(c, None)
                if vmerge == "restart" or vmerge == "continue":  # a stray continue starts a new merge
                    open_merges[col] = (r, len(row) - 1)
                col += span
            for c in [c for c in open_merges if c >= col]:  # a short row ends merges it does not reach
                del open_merges[c]
            if after:
                row.append(RawCell("", colspan=after))
                row_starts.append(col)
            raw.rows.append(row)
            starts.append(row_starts)
        raw.rows = _normalise_columns(raw.rows, starts, _grid_widths(tbl, n))
        return raw

    def cell_text(self, tc: etree._Element, depth: int, outer: _RawTable, where: str) -> str:
        """A cell's text: its paragraphs joined by line breaks; nested tables go to ``outer.nested``."""
        n = self.n
        lines: list[str] = []

        def walk(el: etree._Element) -> None:
            for child in el:
                tag = child.tag
                if tag == n.p:
                    boxes: list[etree._Element] = []
                    lines.append(self.numbered(child, self.inline_text(child, boxes)))
                    for box in boxes:
                        walk(box)
                elif tag == n.tbl:
                    outer.nested.append(self.table(child, depth + 1, where))
                elif tag in (n.sdt, n.custom_xml, n.sdt_content, n.smart_tag):
                    walk(child if tag != n.sdt else _sdt_content(child, n))
                elif tag == f"{{{MC_NS}}}AlternateContent":
                    chosen = _alternate_choice(child)
                    if chosen is not None:
                        walk(chosen)

        walk(tc)
        return "\n".join(line for line in (_clean(x) for x in "\n".join(lines).split("\n")) if line)


def _grid_widths(tbl: etree._Element, n: _Names) -> list[int] | None:
    """The ``w:tblGrid`` column widths in twips, or None when they are missing or not numbers."""
    grid = tbl.find(n.tbl_grid)
    if grid is None:
        return None
    try:
        widths = [int(float(gc.get(n.w_attr, ""))) for gc in grid.findall(n.grid_col)]
    except ValueError:
        return None
    return widths if widths and all(w >= 0 for w in widths) and sum(widths) > 0 else None


def _normalise_columns(
    rows: list[list[RawCell]], starts: list[list[int]], widths: list[int] | None
) -> list[list[RawCell]]:
    """Re-span cells over the grid columns that really separate cells.

    Two kinds of grid column carry nothing: slivers narrower than :data:`MIN_COLUMN_TWIPS` (Word 97
    round trips turn a 1-twip misalignment between rows into a column of its own that one row's
    cell starts at and the others span) and columns in which no cell of any row starts (every cell
    over them also covers the column before). Left in, they give the same printed table a
    different width depending on how it was saved."""
    ends = [[s + c.colspan for s, c in zip(rs, row, strict=True)] for rs, row in zip(starts, rows, strict=True)]
    n_cols = max((e for row in ends for e in row), default=0)
    if not n_cols:
        return rows
    group = list(range(n_cols + 1))  # boundary index -> boundary index after snapping
    if widths is not None and len(widths) >= n_cols:
        pos, group_pos, g = 0, 0, 0
        for i in range(1, n_cols + 1):
            pos += widths[i - 1]
            if pos - group_pos >= MIN_COLUMN_TWIPS:
                g += 1
                group_pos = pos
            group[i] = g
    used = sorted({group[s] for row in starts for s in row})
    rank = {b: i for i, b in enumerate(used)}
    out = []
    for row, row_starts, row_ends in zip(rows, starts, ends, strict=True):
        new_row, prev_end = [], -1
        for cell, start, end in zip(row, row_starts, row_ends, strict=True):
            a = rank[group[start]]
            b = sum(1 for u in used if u < group[end])
            if b <= a or a < prev_end:  # a cell inside a sliver, or overlap: keep the grid as written
                return rows if widths is None else _normalise_columns(rows, starts, None)
            prev_end = b
            new_row.append(cell if b - a == cell.colspan else RawCell(cell.text, cell.rowspan, b - a, cell.prov))
        out.append(new_row)
    return out


def _prefixed(block: Block, prefix: str) -> Block:
    """``block`` with ``prefix`` put before its locators (and its cells' locators)."""

    def prov(p: Provenance) -> Provenance:
        return replace(p, locator=f"{prefix} {p.locator}" if p.locator else prefix)

    if isinstance(block, Paragraph):
        return replace(block, prov=prov(block.prov))
    cells = tuple(replace(c, prov=prov(c.prov)) for c in block.cells)
    return replace(block, cells=cells, prov=prov(block.prov))


ChunkLoader = Callable[[str], "Document | str | None"]


def _numbering(zf: zipfile.ZipFile, rels: dict[str, tuple[str, str]], ns: str, settings: DocxSettings) -> Numbering:
    """List numbering and paragraph styles, when the document has them (unreadable ones are ignored)."""
    parts: dict[str, etree._Element | None] = {"numbering": None, "styles": None}
    for rel_type, target in rels.values():
        kind = rel_type.rsplit("/", 1)[-1]
        if kind in parts and target in zf.namelist():
            try:
                parts[kind] = parse_xml(read_member(zf, target, settings.max_part_bytes), target)
            except DocxError as exc:
                logger.info("list numbering not rendered: %s", exc)
    return Numbering(ns, parts["numbering"], parts["styles"])


def _chunk_loader(
    zf: zipfile.ZipFile, rels: dict[str, tuple[str, str]], settings: DocxSettings, depth: int
) -> ChunkLoader:
    """Read ``w:altChunk`` targets: a Document, a warning, or None."""
    targets = {rid: target for rid, (_, target) in rels.items()}

    def load(rel_id: str) -> Document | str | None:
        target = targets.get(rel_id)
        if target is None or target not in zf.namelist():
            return None
        data = read_member(zf, target, settings.max_part_bytes)
        suffix = PurePosixPath(target).suffix.lower()
        try:
            if suffix in (".mht", ".mhtml") or looks_like_mht(data):
                html = mht_html(data)
                if not html:
                    return f"the embedded web page {target} holds no HTML"
                return mark_tables(html_to_document(html), HTML_TABLE_METHOD)
            if suffix in (".htm", ".html", ".xhtml"):
                text, _ = decode_bytes(data)
                return mark_tables(html_to_document(re.sub(r"^\s*<\?xml[^>]*\?>", "", text)), HTML_TABLE_METHOD)
            if suffix == ".docx":
                if depth >= 1:
                    return f"a Word document embedded in an embedded document ({target}) was not read"
                return docx_to_document(data, settings, _depth=depth + 1)
            if suffix == ".txt":
                text, _ = decode_bytes(data)
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                return Document(
                    tuple(Paragraph(x, Provenance(locator=f"line {i}")) for i, x in enumerate(lines, 1)),
                    FileFormat.TEXT,
                )
        except ExtractionError as exc:
            return f"the embedded part {target} could not be read ({exc})"
        return f"the document embeds a {suffix or 'binary'} part ({target}) that was not read"

    return load


def _clean(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u3000", " ").replace("\t", " ")
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def _hidden(run: etree._Element, n: _Names) -> bool:
    """A run formatted as hidden text (``w:vanish``), which does not print."""
    rpr = run.find(n.r_pr)
    vanish = rpr.find(n.vanish) if rpr is not None else None
    return vanish is not None and vanish.get(n.val, "true") not in ("0", "false", "off")


def _alternate_choice(el: etree._Element) -> etree._Element | None:
    """The branch of ``mc:AlternateContent`` to read: the first ``mc:Choice``, else the fallback."""
    choice = el.find(f"{{{MC_NS}}}Choice")
    return choice if choice is not None else el.find(f"{{{MC_NS}}}Fallback")


def _sdt_content(sdt: etree._Element, n: _Names) -> etree._Element:
    content = sdt.find(n.sdt_content)
    return content if content is not None else etree.Element("empty")


def _children(el: etree._Element, tag: str, n: _Names) -> Iterator[etree._Element]:
    """Direct ``tag`` children, looking through content controls and custom XML wrappers."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (n.sdt, n.custom_xml, n.sdt_content):
            yield from _children(child if child.tag != n.sdt else _sdt_content(child, n), tag, n)


def _int_val(el: etree._Element | None, n: _Names, default: int = 0) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(n.val, default)), 1000))
    except ValueError:
        return default


def _grid_skip(tr: etree._Element, n: _Names) -> tuple[int, int]:
    pr = tr.find(n.tr_pr)
    if pr is None:
        return 0, 0
    return _int_val(pr.find(n.grid_before), n), _int_val(pr.find(n.grid_after), n)


def _tc_props(tc: etree._Element, n: _Names) -> tuple[int, str | None, str | None]:
    """(gridSpan, vMerge state, hMerge state) of a cell; a bare ``<w:vMerge/>`` means continue."""
    pr = tc.find(n.tc_pr)
    if pr is None:
        return 1, None, None
    span = max(1, _int_val(pr.find(n.grid_span), n, 1))
    vm = pr.find(n.v_merge)
    hm = pr.find(n.h_merge)
    vmerge = None if vm is None else (vm.get(n.val) or "continue")
    hmerge = None if hm is None else (hm.get(n.val) or "continue")
    return span, vmerge, hmerge


def docx_to_document(data: bytes, settings: DocxSettings | None = None, _depth: int = 0) -> Document:
    """Read DOCX bytes into a :class:`Document`; raises :class:`DocxError` with a reason."""
    settings = settings or DocxSettings()
    with open_zip(data) as zf:
        check_sizes(zf, settings)
        name = main_part_name(zf)
        root = parse_xml(read_member(zf, name, settings.max_part_bytes), name)
        title = core_title(zf)
        ns = root.tag.split("}")[0][1:] if root.tag.startswith("{") else ""
        if ns not in (W_NS, W_STRICT_NS):
            raise DocxError(f"{name} is not a WordprocessingML document (root element {root.tag})")
        names = _Names(ns)
        body = root.find(names.body)
        if body is None:
            raise DocxError("the Word document has no body; it is empty or damaged")
        reader = _Reader(names, settings)
        rels = part_relationships(zf, name)
        reader.chunks = _chunk_loader(zf, rels, settings, _depth)
        reader.numbering = _numbering(zf, rels, ns, settings)
        reader.container(body)
    if not reader.blocks:
        raise DocxError("the Word document has no text (it may hold only images or embedded objects)")
    status = Status.PARTIAL if reader.warnings else Status.OK
    for w in reader.warnings:
        logger.info("%s", w)
    return Document(
        blocks=tuple(reader.blocks),
        file_format=FileFormat.DOCX,
        status=status,
        warnings=tuple(dict.fromkeys(reader.warnings)),
        title=title,
    )


def read_docx(data: bytes, path: Path) -> Document:
    """Registry entry point for :attr:`FileFormat.DOCX`."""
    logger.debug("reading %s as DOCX", path)
    return docx_to_document(data)
