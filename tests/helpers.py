"""Shared test helpers: where the fixtures are, their gold, input folders for batches, and dataset
comparison as spec/OUTPUT.md defines it. Tests import them from here (``tests.helpers``), never from
``conftest``."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from extractor.cli import main
from extractor.dataset.tables import frame
from extractor.model import Document, FileFormat, Paragraph, Table, TableCell
from extractor.readers.registry import read_document

ROOT = Path(__file__).resolve().parents[1]  # the project
FIXTURES = ROOT / "tests" / "fixtures"
REAL = FIXTURES / "real"
GENERATED = FIXTURES / "generated"
DAMAGED_WORD = GENERATED / "damaged"
DAMAGED_WORD_ERRORS: dict[str, str] = json.loads((DAMAGED_WORD / "expected.json").read_text(encoding="utf-8"))
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


def damaged_word_params() -> list:
    """The damaged Word files (``generated/damaged``) as test parameters; DOC files need LibreOffice."""
    return [
        pytest.param(n, marks=pytest.mark.libreoffice) if n.endswith(".doc") else n for n in sorted(DAMAGED_WORD_ERRORS)
    ]


def extract_cli(*args: str, workers: int | None = 0) -> Result:
    """``govreport extract ARGS --workers N`` in this process (click's runner; exceptions propagate).

    ``workers=0`` (the default) reads in this process: only tests of the worker pool ask for one."""
    extra = [] if workers is None else ["--workers", str(workers)]
    return CliRunner().invoke(main, ["extract", *args, *extra], catch_exceptions=False)


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


@functools.cache
def read_fixture(path: Path) -> Document:
    """The Document of a committed fixture, read once per test process through the registry
    (content sniffing and all); LibreOffice conversions take a second each."""
    return read_document(path)


def session_conversion_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A conversion cache shared by the xdist workers of this test session (and only this one), so
    that each DOC/WPS fixture goes through LibreOffice once per session, not once per test module."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return root / "govreport-conversions"


# --- hand-written WordprocessingML --------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def wml_docx(body: str, ns: str = W_NS, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal DOCX whose body is ``body`` (WordprocessingML), with ``extra`` parts."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{ns}" '
        f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    return zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": xml, **(extra or {})})


def zip_bytes(members: dict[str, str | bytes], compresslevel: int | None = None) -> bytes:
    """A deflated zip archive of ``members`` (name: content), in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def wml_p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def wml_tc(text: str, span: int = 1, vmerge: str | None = None) -> str:
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if vmerge is None else ("<w:vMerge/>" if vmerge == "continue" else f'<w:vMerge w:val="{vmerge}"/>')
    )
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{wml_p(text)}</w:tc>"


def wml_tbl(rows: list[str], grid: list[int] | None = None) -> str:
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in grid or [])
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{''.join(f'<w:tr>{r}</w:tr>' for r in rows)}</w:tbl>"


# --- dataset tables ----------------------------------------------------------------------------------


def cells_table(rows: list[tuple[str, str, float | None, str]]) -> pd.DataFrame:
    """A ``cells`` table of (report_id, key, value, state) rows, read from an HTML table."""
    out = []
    for rid, key, value, state in rows:
        table, row, col = key.split(".")
        out.append(
            {
                "report_id": rid,
                "key": key,
                "table": table,
                "row": row,
                "col": col,
                "value": value,
                "state": state,
                "raw": "",
                "unit": "件",
                "method": "html-table",
                "confidence": 1.0,
            }
        )
    return frame("cells", out)


def dataset_rows(out: Path) -> dict[str, list[tuple]]:
    """Every dataset table as ``pandas.read_parquet`` reads its folder, timing left out, as sorted
    rows of strings (two datasets compare equal whatever their parts and row order)."""
    from extractor.dataset.write import ALL_TABLES

    tables = {}
    for name in ALL_TABLES:
        df = pd.read_parquet(out / f"{name}.parquet").drop(columns=["seconds"], errors="ignore")
        tables[name] = sorted(tuple(str(v) for v in row) for row in df.itertuples(index=False))
    return tables
