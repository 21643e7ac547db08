"""HTML pages as published: lxml parsing, spans, Word-exported markup, site chrome left out.

The page is walked in document order. Block elements become :class:`Paragraph` blocks, data
tables become :class:`Table` grids (spans expanded by :func:`extractor.readers.grid.build_table`), and
layout tables (tables that hold other tables or long prose) are walked into instead. Navigation,
footers, share bars and link lists are dropped before any text is collected.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from extractor.errors import ExtractionError
from extractor.model import Block, Document, FileFormat, Provenance
from extractor.readers.encoding import decode_bytes
from extractor.readers.grid import RawCell, build_table
from extractor.readers.text import lines_to_blocks

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([-\w.]+)""", re.I)

SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "iframe",
        "nav",
        "footer",
        "aside",
        "form",
        "select",
        "button",
        "head",
        "template",
        "svg",
        "object",
        "embed",
    }
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "section",
        "article",
        "blockquote",
        "pre",
        "center",
        "tr",
        "td",
        "th",
        "table",
        "tbody",
        "thead",
        "dl",
        "dt",
        "dd",
        "main",
        "header",
        "body",
        "html",
        "hr",
        "caption",
    }
)
_CHROME = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|footer|foot|breadcrumb|crumbs?|share|bdshare|related|xglj|xgxx|"
    r"sidebar|copyright|toolbar|topbar|login|search)([-_ ]|$)",
    re.I,
)
MAX_DATA_CELL_CHARS = 300
MAX_DEPTH = 400  # deeper markup than this is hostile; lxml itself caps at 255 levels by default


def _declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _is_chrome(el: etree._Element) -> bool:
    if el.tag in SKIP_TAGS:
        return True
    attrs = " ".join(filter(None, (el.get("class"), el.get("id"), el.get("role"))))
    if attrs and _CHROME.search(attrs):
        return True
    if el.tag in ("ul", "ol", "div", "dl"):
        links = el.findall(".//a")
        if len(links) >= 3:
            text = "".join(el.itertext()).strip()
            link_text = "".join("".join(a.itertext()) for a in links).strip()
            if text and len(link_text) / len(text) > 0.7:
                return True
    return False


def cell_text(el: etree._Element) -> str:
    """A cell's text; ``<br>`` and block children become line breaks, inline tags join up
    (Word exports split one number over several ``<span>``s)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str):
            parts.append(node.tail or "")
            return
        tag = node.tag.lower()
        if tag in ("script", "style"):
            parts.append(node.tail or "")
            return
        if tag == "br":
            parts.append("\n")
        elif tag in BLOCK_TAGS and parts:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
        if tag in BLOCK_TAGS:
            parts.append("\n")
        parts.append(node.tail or "")

    parts.append(el.text or "")
    for child in el:
        walk(child)
    text = "".join(parts).replace("\xa0", " ").replace("\u3000", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows, not those of tables nested in it."""
    out = []
    for tr in table.iter("tr"):
        parent = tr.getparent()
        while parent is not None and parent.tag != "table":
            parent = parent.getparent()
        if parent is table:
            out.append(tr)
    return out


_CELL_LOCATOR = re.compile(r"^(?P<table>/\S+) row (?P<row>\d+) cell (?P<cell>\d+)$")


def element_for_locator(tree: etree._ElementTree, locator: str) -> etree._Element | None:
    """The element a locator of this reader names: ``<table path> row R cell C`` or a DOM path."""
    m = _CELL_LOCATOR.match(locator)
    if m is None:
        found = tree.xpath(locator)
        return found[0] if found else None
    tables = tree.xpath(m.group("table"))
    if not tables:
        return None
    rows = _rows(tables[0])
    r, c = int(m.group("row")) - 1, int(m.group("cell")) - 1
    if r >= len(rows):
        return None
    cells = [x for x in rows[r] if isinstance(x.tag, str) and x.tag.lower() in ("td", "th")]
    return cells[c] if c < len(cells) else None


def _span(value: str | None) -> int:
    try:
        return max(1, int(re.sub(r"\D", "", value or "") or 1))
    except ValueError:
        return 1


def _is_data_table(table: etree._Element) -> bool:
    if table.find(".//table") is not None:
        return False
    for cell in table.iter("td", "th"):
        if len("".join(cell.itertext()).strip()) > MAX_DATA_CELL_CHARS:
            return False
    return True


class _Walker:
    def __init__(self, tree: etree._ElementTree) -> None:
        self.tree = tree
        self.blocks: list[Block] = []
        self.lines: list[tuple[str, Provenance]] = []  # text since the last table, read as text lines
        self.buf: list[str] = []
        self.buf_path: str | None = None

    def flush(self) -> None:
        text = "".join(self.buf).replace("\xa0", " ").replace("\u3000", " ")
        self.buf.clear()
        prov = Provenance(locator=self.buf_path)
        self.lines.extend((line.strip(), prov) for line in text.split("\n"))
        self.buf_path = None

    def end_text(self) -> None:
        """The text since the last table as the text reader reads it (a table flattened into
        paragraphs, one cell per line or per `` |``, reads the same as in a text file)."""
        self.blocks.extend(lines_to_blocks(self.lines))
        self.lines = []

    def add(self, text: str | None, el: etree._Element) -> None:
        if text:
            if self.buf_path is None and text.strip():
                self.buf_path = self.tree.getpath(el)
            self.buf.append(text)

    def table(self, table: etree._Element) -> None:
        path = self.tree.getpath(table)
        rows = []
        # Locators are "<table's DOM path> row R cell C" (1-based): getpath() per cell would cost
        # a scan of the siblings each time, quadratic in large tables.
        for r, tr in enumerate(_rows(table), start=1):
            cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            rows.append(
                [
                    RawCell(
                        cell_text(c),
                        _span(c.get("rowspan")),
                        _span(c.get("colspan")),
                        Provenance(locator=f"{path} row {r} cell {i}"),
                    )
                    for i, c in enumerate(cells, start=1)
                ]
            )
        if any(rows):
            self.end_text()
            self.blocks.append(build_table(rows, Provenance(locator=path)))

    def walk(self, el: etree._Element, depth: int = 0) -> None:
        if not isinstance(el.tag, str):  # comments, processing instructions
            self.add(el.tail, el.getparent() if el.getparent() is not None else el)
            return
        tag = el.tag.lower()
        if depth > MAX_DEPTH or _is_chrome(el):
            self.add(el.tail, el)
            return
        if tag == "br":
            self.buf.append("\n")
            self.add(el.tail, el)
            return
        if tag == "table" and _is_data_table(el):
            self.flush()
            self.table(el)
            self.add(el.tail, el)
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        self.add(el.text, el)
        for child in el:
            self.walk(child, depth + 1)
        if block:
            self.flush()
        self.add(el.tail, el)


def html_to_document(text: str) -> Document:
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"the HTML could not be parsed ({exc})") from exc
    tree = root.getroottree()
    title_el = root.find(".//title")
    title = cell_text(title_el) if title_el is not None else None
    body = root.find("body")
    walker = _Walker(tree)
    walker.walk(body if body is not None else root)
    walker.flush()
    walker.end_text()
    return Document(blocks=tuple(walker.blocks), file_format=FileFormat.HTML, title=title or None)


def read_html(data: bytes, path: Path) -> Document:
    text, _ = decode_bytes(data, _declared_charset(data))
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an encoding declaration
    if not text.strip():
        raise ExtractionError("the file is empty (no text at all)")
    doc = html_to_document(text)
    if not doc.blocks:
        raise ExtractionError(
            "the HTML page has no text to read outside markup, scripts, styles, navigation and link lists"
        )
    return doc
