"""Shared test helpers: where the fixtures are, their gold, input folders for batches, and dataset
comparison as spec/OUTPUT.md defines it. Tests import them from here (``tests.helpers``), never from
``conftest``."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd

from extractor.model import Document, FileFormat, Paragraph, Table, TableCell

ROOT = Path(__file__).resolve().parents[1]  # the project
FIXTURES = ROOT / "tests" / "fixtures"
REAL = FIXTURES / "real"
GENERATED = FIXTURES / "generated"
HONGZE_PDF = REAL / "001_huaian_hongze_2023.pdf"  # the real PDF: WPS export, 5 pages, 2023
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
TIMING = ["seconds"]


def gold_of(report: Path) -> dict:
    """A fixture's gold: ``<name>.gold.json`` beside it (real reports, scans) or ``<stem>.gold.json``
    (generated reports, one gold for all renderings)."""
    for candidate in (report.parent / f"{report.name}.gold.json", report.with_suffix(".gold.json")):
        if candidate.exists():
            return json.loads(candidate.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"no gold for {report}")


def make_inputs(folder: Path, copies: int) -> list[Path]:
    """``copies`` distinct documents: real reports with a numbered line appended (new content each)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [
        REAL / "000_xinjiang_yjglt_2019.txt",
        REAL / "004_shanghai_govoffice_2019.html",
        REAL / "008_pingtan_2022.txt",
        REAL / "016_dongsheng_jiguanshiwu_2021.txt",
    ]
    out = []
    for i in range(copies):
        src = sources[i % len(sources)]
        dst = folder / f"doc{i:04d}{src.suffix}"
        tail = f"\n<!-- copy {i} -->\n" if src.suffix == ".html" else f"\n附件编号：{i}\n"
        dst.write_bytes(src.read_bytes() + tail.encode())
        out.append(dst)
    return out


def slow_html(path: Path, rows: int = 20000) -> Path:
    """A large but valid page whose section-二 table has ``rows`` rows (seconds of work)."""
    row = "<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
    path.write_text(
        "<html><body><p>某局2020年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><table>"
        + row * rows
        + "</table></body></html>",
        encoding="utf-8",
    )
    return path


def load(out: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_parquet(out / f"{n}.parquet") for n in ("reports", "cells", "sections", "checks")}


def comparable(out: Path) -> tuple[set, set]:
    """reports without timing columns, and cells on (source, key, value, state), as sets."""
    t = load(out)
    reports = t["reports"].drop(columns=TIMING)
    rset = {tuple(str(x) for x in row) for row in reports.itertuples(index=False)}
    cells = t["cells"].merge(t["reports"][["report_id", "source"]].drop_duplicates("report_id"), on="report_id")
    cset = {
        (s, k, None if pd.isna(v) else float(v), st)
        for s, k, v, st in zip(cells["source"], cells["key"], cells["value"], cells["state"], strict=True)
    }
    return rset, cset


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst)


def text_doc(lines: list[str]) -> Document:
    """A plain-text Document of one paragraph per line, for the rules' unit tests."""
    return Document(tuple(Paragraph(x) for x in lines), FileFormat.TEXT)


# --- Documents ---------------------------------------------------------------------------------------


def block_shapes(doc: Document) -> list:
    """Every block in order: a table as its rows of text, a paragraph as its text."""
    return [b.rows_text() if isinstance(b, Table) else b.text for b in doc.blocks]


def tables_on(doc: Document, page: int) -> list[Table]:
    return [t for t in doc.tables if t.prov.page == page]


def cell_with_text(table: Table, text: str) -> TableCell:
    """The one cell of ``table`` holding ``text`` (fails when there are none or several)."""
    hits = [c for c in table.cells if c.text == text]
    assert len(hits) == 1, f"{text!r} appears {len(hits)} times"
    return hits[0]


def row_values(table: Table, label: str) -> list[str]:
    """The texts of the cells right of the cell holding ``label``, in its row."""
    cell = cell_with_text(table, label)
    return [c.text for c in table.row_cells(cell.row) if c.col >= cell.col + cell.colspan]


def cells_with_text(doc: Document, text: str) -> list[tuple[Table, int]]:
    """(table, cell index) of every table cell of ``doc`` holding exactly ``text``."""
    return [(t, i) for t in doc.tables for i, c in enumerate(t.cells) if c.text == text]


def printed_numbers(doc: Document) -> Counter:
    """How often each number appears as a whole table cell of ``doc``."""
    out: Counter = Counter()
    for table in doc.tables:
        for cell in table.cells:
            if NUMBER.match(cell.text):
                value = float(cell.text)
                out[int(value) if value.is_integer() else value] += 1
    return out
