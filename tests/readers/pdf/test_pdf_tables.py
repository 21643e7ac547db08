"""The PDF reader on LibreOffice exports of generated reports (both form versions).

Every fixture's golden JSON lists every number printed in the report's tables; the reader must
read each of them exactly once — a dropped split row or a merged number copied into the slots it
covers would change the count.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from extractor.model import Document, Status, Table
from extractor.readers.pdf.reader import read_pdf
from tests.helpers import FIXTURES

GENERATED = FIXTURES / "generated"
PDFS = sorted(GENERATED.glob("*.pdf"))
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def test_generated_pdfs_present() -> None:
    names = {p.stem for p in PDFS}
    assert {
        "form2019_grid",
        "form2021_grid",
        "form2019_tables_vertical_split_repeat",
        "form2021_tables_blank_dash_split",
        "form2021_natural_break",
    } <= names


def _read(path: Path) -> tuple[Document, dict]:
    gold = json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))
    return read_pdf(path.read_bytes(), path), gold


def _numbers(doc: Document) -> Counter:
    out: Counter = Counter()
    for table in doc.tables:
        for cell in table.cells:
            if NUMBER.match(cell.text):
                value = float(cell.text)
                out[int(value) if value.is_integer() else value] += 1
    return out


def _find(doc: Document, text: str) -> list[tuple[Table, int]]:
    return [(t, i) for t in doc.tables for i, c in enumerate(t.cells) if c.text == text]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_every_printed_number_read_once(path: Path) -> None:
    doc, gold = _read(path)
    printed = {**gold["cells"], **gold.get("ignored_cells", {})}  # ignored: printed, not scored
    expected = Counter(v for v in printed.values() if v is not None)
    assert _numbers(doc) == expected


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_text_clean_and_furniture_dropped(path: Path) -> None:
    doc, gold = _read(path)
    assert doc.status is Status.OK
    texts = [p.text for p in doc.paragraphs]
    agency, year = gold["agency"], gold["report_year"]
    assert "".join(texts[:2]).startswith(f"{agency}{year}年政府信息公开工作年度报告")
    assert f"{agency}政务公开" not in texts  # running header on every page
    assert not any(re.fullmatch(r"-\s*\d+\s*-", t) for t in texts)  # page-number footer
    assert not any(re.search(r"\d 年|[\u4e00-\u9fff] [\u4e00-\u9fff]", t) for t in texts)
    for block in doc.blocks:
        assert block.prov.page is not None and block.prov.bbox is not None


@pytest.mark.parametrize("path", [p for p in PDFS if "vertical" in p.stem], ids=lambda p: p.stem)
def test_vertical_labels_joined(path: Path) -> None:
    doc, _ = _read(path)
    hits = _find(doc, "三、本年度办理结果")
    assert len(hits) == 1
    table, idx = hits[0]
    cell = table.cells[idx]
    assert cell.rowspan >= 8 and cell.colspan == 1
    assert sum(row.count(idx) for row in table.slots) == cell.rowspan


@pytest.mark.parametrize("path", [p for p in PDFS if "split" in p.stem or "break" in p.stem], ids=lambda p: p.stem)
def test_section3_continues_on_next_page(path: Path) -> None:
    doc, _ = _read(path)
    ((first, _),) = _find(doc, "一、本年新收政府信息公开申请数量")
    ((last, _),) = _find(doc, "四、结转下年度继续办理")
    assert last.prov.page == first.prov.page + 1
    assert doc.blocks.index(last) > doc.blocks.index(first)
    repeated = len(_find(doc, "申请人情况"))
    assert repeated == (1 if path.stem.endswith("_split") else 2)


@pytest.mark.skipif(shutil.which("pdftocairo") is None, reason="needs poppler's pdftocairo")
@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_cairo_rerendering_reads_the_same(path: Path, tmp_path: Path) -> None:
    """Cairo writes fonts whose ascent and descent are three times the font size: glyph boxes
    taken from them would merge neighbouring lines (and table rows) into one."""
    out = tmp_path / path.name
    subprocess.run(["pdftocairo", "-pdf", str(path), str(out)], check=True, timeout=120)
    original, _ = _read(path)
    again = read_pdf(out.read_bytes(), out)
    assert _numbers(again) == _numbers(original)
    assert [p.text for p in again.paragraphs] == [p.text for p in original.paragraphs]
    assert [t.rows_text() for t in again.tables] == [t.rows_text() for t in original.tables]
