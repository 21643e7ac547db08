"""Scanned reports end to end: degraded scans of generated reports (both form versions, 150 and
200 dpi) read by OCR and mapped by the same rules as every other format, against the goldens of
the reports they were made from. The recogniser is real (no mocks) and the network is cut off.

Every scan read here is committed (``tests/fixtures/scans/``: kind scans by ``make_scans.py``;
``real/``: scans as archives hold them, by ``realistic.py``); nothing is rendered at test time.
Each file is OCR'd once per test process.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from extractor.model import Document, FileFormat, Paragraph, Table
from extractor.readers.registry import read_document
from rules.report import Report, analyse
from tests.fixtures.scans.make_scans import HERE as SCANS_DIR
from tests.fixtures.scans.realistic import REAL_DIR
from tests.fixtures.scans.realistic import SCANS as REAL_SCANS

MIN_ACCURACY = 0.98
COMMITTED_REAL = [s for s in REAL_SCANS if s.committed]


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection during these tests fails loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted during OCR: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield


@cache
def _read(path: Path) -> tuple[Document, Report]:
    doc = read_document(path)
    return doc, analyse(doc)


def _gold(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".gold.json").read_text(encoding="utf-8"))


def _wrong(report: Report, gold: dict, prefix: str = "") -> list[tuple[str, object, object]]:
    got = {c.key: c.value for c in report.cells}
    return [
        (k, v, got.get(k, "missing"))
        for k, v in gold["cells"].items()
        if k.startswith(prefix) and got.get(k, "missing") != v
    ]


def test_models_ship_inside_the_package() -> None:
    import rapidocr_onnxruntime

    models = sorted(p.name for p in (Path(rapidocr_onnxruntime.__file__).parent / "models").glob("*.onnx"))
    assert any("det" in m for m in models) and any("rec" in m for m in models)


@pytest.mark.slow
@pytest.mark.parametrize("name", [s.name for s in COMMITTED_REAL])
def test_scan_as_archives_hold_it_has_no_false_blank_and_no_wrong_value(name: str) -> None:
    """Seals, faint and broken rules, uneven paper, blur, dust, JPEG: a printed number is never
    read as blank, and never as another number; a cell that cannot be read is left out, with a
    warning naming it (and, for a cell with ink, its page and bbox)."""
    path = REAL_DIR / f"{name}.pdf"
    doc, report = _read(path)
    gold = _gold(path)
    got = {c.key: c for c in report.cells}
    false_blanks = [k for k, v in gold["cells"].items() if v is not None and k in got and got[k].state == "blank"]
    wrong = [(k, v, got[k].value) for k, v in gold["cells"].items() if k in got and got[k].value != v]
    assert false_blanks == []
    assert wrong == []
    missing = [k for k in gold["cells"] if k not in got]
    said = " ".join(report.warnings)
    assert all(k in said or k.rsplit(".", 1)[0] in said for k in missing), missing
    assert (report.agency, report.report_year, report.format_version) == (
        gold["agency"],
        gold["report_year"],
        gold["format_version"],
    )
    cells = [c for c in report.cells if c.state == "number"]
    assert cells and all(c.token.method == "ocr" and c.token.prov.page and c.token.prov.bbox for c in cells)
    assert all(0 < c.confidence <= 1 for c in cells)
    assert doc.file_format is FileFormat.PDF and doc.n_pages == gold["scan"]["pages"]


@pytest.mark.slow
def test_printed_inconsistency_is_kept_and_flagged() -> None:
    path = SCANS_DIR / "form2019_inconsistent_150.pdf"
    _, report = _read(path)
    cell = next(c for c in report.cells if c.key == "review.admin_review.total")
    assert (cell.value, cell.raw, cell.note) == (5, "5", None)  # as printed: not "repaired"
    assert [(c.rule, c.scope) for c in report.checks if c.passed is False] == [("R4", "admin_review")]
    assert any("R4" in w and "left as read" in w for w in report.warnings)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["form2019_grid_p2_150.png", "form2021_grid_p2_200.jpg"])
def test_single_page_images(name: str) -> None:
    path = SCANS_DIR / name
    doc, report = _read(path)
    assert doc.file_format is FileFormat.IMAGE and doc.n_pages == 1
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert tables and all(t.method == "ocr" for t in tables)
    # pixels of the image, not points
    assert max(c.prov.bbox[2] for t in tables for c in t.cells if c.prov.bbox) > 1000
    gold = _gold(path)
    for prefix in ("requests.", "review."):
        expected = [k for k in gold["cells"] if k.startswith(prefix)]
        wrong = _wrong(report, gold, prefix)
        assert (len(expected) - len(wrong)) / len(expected) >= MIN_ACCURACY, wrong


@pytest.mark.slow
def test_multipage_tiff_is_read_page_by_page() -> None:
    path = SCANS_DIR / "form2019_grid_150_tiff.tiff"
    doc, report = _read(path)
    gold = _gold(path)
    assert doc.file_format is FileFormat.IMAGE and doc.n_pages == 2
    assert {b.prov.page for b in doc.blocks} == {1, 2}
    wrong = _wrong(report, gold)
    assert (len(gold["cells"]) - len(wrong)) / len(gold["cells"]) >= MIN_ACCURACY, wrong
    assert report.agency == gold["agency"]


@pytest.mark.slow
def test_mixed_pdf_ocrs_only_the_scanned_page() -> None:
    path = SCANS_DIR / "form2019_grid_mixed.pdf"
    doc, report = _read(path)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    assert {t.prov.page for t in tables if t.method is None} == {1}  # page 1: its own text layer
    assert {t.prov.page for t in tables if t.method == "ocr"} == {2}
    assert all(c.confidence is None for t in tables if t.prov.page == 1 for c in t.cells)
    assert paragraphs and all((p.confidence is None) == (p.prov.page == 1) for p in paragraphs)
    assert doc.warnings == ()
    gold = _gold(path)
    assert _wrong(report, gold) == []
    by_page = {c.key.split(".")[0]: c.token.method for c in report.cells if c.state == "number"}
    assert by_page["active"] == "pdf-table" and by_page["requests"] == "ocr" and by_page["review"] == "ocr"


def _misread(doc: Document, table: int, printed: str, read: str) -> Document:
    """The document with the first cell printed ``printed`` in its ``table``-th table read as ``read``."""
    blocks = list(doc.blocks)
    i = [k for k, b in enumerate(blocks) if isinstance(b, Table)][table]
    grid = blocks[i]
    assert isinstance(grid, Table)
    j = next(k for k, c in enumerate(grid.cells) if c.text == printed)
    blocks[i] = replace(grid, cells=tuple(replace(c, text=read) if k == j else c for k, c in enumerate(grid.cells)))
    return replace(doc, blocks=tuple(blocks))


@pytest.mark.slow
def test_misread_in_an_ocr_table_is_flagged_and_repaired() -> None:
    path = SCANS_DIR / "form2019_grid_150_tiff.tiff"
    doc, clean = _read(path)
    key = "requests.carried_over_in.research_institution"
    cell = next(c for c in clean.cells if c.key == key)
    assert (cell.value, cell.token.method) == (3, "ocr")
    # tables: section 二, section 三, section 四; the first "3" in section 三's is this cell (二、上年结转)
    report = analyse(_misread(doc, 1, "3", "8"))
    repaired = next(c for c in report.cells if c.key == key)
    assert (repaired.raw, repaired.value) == ("8", 3)
    assert repaired.note == "repaired from 8 (OCR) to 3: the only value that satisfies R1, R3"
    assert repaired.confidence == 0.5
    assert {(c.rule, c.scope) for c in report.checks if c.passed is False} == {
        ("R1", "research_institution"),
        ("R3", "carried_over_in"),
    }
    assert any("repaired to 3" in w for w in report.warnings)


@pytest.mark.slow
def test_ambiguous_misread_is_flagged_and_left_as_read() -> None:
    path = SCANS_DIR / "form2019_grid_150_tiff.tiff"
    doc, _ = _read(path)
    # section 四 (行政复议 其他结果 printed 5): R4 alone cannot say which of its five cells is wrong
    report = analyse(_misread(doc, 2, "5", "6"))
    cell = next(c for c in report.cells if c.key == "review.admin_review.other")
    assert (cell.raw, cell.value, cell.note) == ("6", 6, None)
    assert [(c.rule, c.scope) for c in report.checks if c.passed is False] == [("R4", "admin_review")]
    assert any("left as read" in w for w in report.warnings)
