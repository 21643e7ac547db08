"""Scanned reports end to end: degraded scans of generated reports (both form versions, 150 and
200 dpi) read by OCR and mapped by the same rules as every other format, against the goldens of
the reports they were made from. The recogniser is real (no mocks) and the network is cut off.

The whole-report scans are built from ``tests/fixtures/generated/*.pdf`` by
``tests/fixtures/scans/make_scans.py`` into a temporary folder; the small image fixtures are
committed. Each file is OCR'd once per test process.
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
from rules.checks import run_checks
from rules.report import Report, analyse
from tests.fixtures.scans.make_scans import HERE as SCANS_DIR
from tests.fixtures.scans.make_scans import SCANS, Scan, build

MIN_ACCURACY = 0.98
WHOLE_REPORTS = [s for s in SCANS if not s.committed]


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


@pytest.fixture(scope="session")
def scan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scans")


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


def _breaks_an_equation(key: str, value: object, gold: dict, version: str) -> set[str]:
    """The rules the golden values break when only ``key`` is read as ``value``."""
    values = {**gold["cells"], key: value if isinstance(value, (int, float)) else None}
    return {c.rule for c in run_checks(values, version) if c.passed is False}


def test_models_ship_inside_the_package() -> None:
    import rapidocr_onnxruntime

    models = sorted(p.name for p in (Path(rapidocr_onnxruntime.__file__).parent / "models").glob("*.onnx"))
    assert any("det" in m for m in models) and any("rec" in m for m in models)


@pytest.mark.slow
@pytest.mark.parametrize("scan", WHOLE_REPORTS, ids=lambda s: s.name)
def test_degraded_scan_reads_like_its_source(scan: Scan, scan_dir: Path) -> None:
    path = build(scan, scan_dir)
    doc, report = _read(path)
    gold = _gold(path)
    wrong = _wrong(report, gold)
    n = len(gold["cells"])
    assert (n - len(wrong)) / n >= MIN_ACCURACY, wrong
    assert (report.agency, report.report_year, report.format_version) == (
        gold["agency"],
        gold["report_year"],
        gold["format_version"],
    )
    assert report.publish_date is not None and report.publish_date.isoformat() == gold["publish_date"]
    # every misread that breaks an equation is flagged
    failed = {c.rule for c in report.checks if c.passed is False}
    for key, _, got in wrong:
        assert _breaks_an_equation(key, got, gold, gold["format_version"]) <= failed, (key, got)
    # provenance and confidence of every OCR'd cell
    cells = [c for c in report.cells if c.state == "number"]
    assert cells and all(c.token.method == "ocr" for c in cells)
    assert all(c.token.prov.page and c.token.prov.bbox for c in cells)
    assert all(0 < c.confidence <= 1 for c in cells)
    assert doc.file_format is FileFormat.PDF and doc.n_pages == (2 if "2019" in scan.name else 3)
    # bboxes are PDF points on an A4 page
    assert all(0 <= v <= 842 for c in cells for v in c.token.prov.bbox or ())


@pytest.mark.slow
def test_printed_inconsistency_is_kept_and_flagged(scan_dir: Path) -> None:
    path = build(next(s for s in SCANS if s.name == "form2019_inconsistent_150"), scan_dir)
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
def test_misread_in_an_ocr_table_is_flagged_and_repaired(scan_dir: Path) -> None:
    path = build(next(s for s in SCANS if s.name == "form2019_grid_150"), scan_dir)
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
def test_ambiguous_misread_is_flagged_and_left_as_read(scan_dir: Path) -> None:
    path = build(next(s for s in SCANS if s.name == "form2019_grid_150"), scan_dir)
    doc, _ = _read(path)
    # section 四 (行政复议 其他结果 printed 5): R4 alone cannot say which of its five cells is wrong
    report = analyse(_misread(doc, 2, "5", "6"))
    cell = next(c for c in report.cells if c.key == "review.admin_review.other")
    assert (cell.raw, cell.value, cell.note) == ("6", 6, None)
    assert [(c.rule, c.scope) for c in report.checks if c.passed is False] == [("R4", "admin_review")]
    assert any("left as read" in w for w in report.warnings)
