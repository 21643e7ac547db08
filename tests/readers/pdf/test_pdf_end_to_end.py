"""PDF files through the whole pipeline (reader + rules): cells equal the goldens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.pipeline import extract_file
from extractor.readers.pdf.reader import read_pdf
from rules.report import Report, analyse
from tests.fixtures.pdfsynth import rasterise
from tests.helpers import FIXTURES

REAL = FIXTURES / "real" / "001_huaian_hongze_2023.pdf"
GENERATED = sorted((FIXTURES / "generated").glob("*.pdf"))


def _analyse(path: Path) -> Report:
    return analyse(read_pdf(path.read_bytes(), path))


def _gold(path: Path) -> dict:
    gold_path = path.parent / f"{path.name}.gold.json"
    if not gold_path.exists():
        gold_path = path.with_suffix(".gold.json")
    return json.loads(gold_path.read_text(encoding="utf-8"))


def test_real_pdf_cells_match_gold() -> None:
    report, gold = _analyse(REAL), _gold(REAL)
    got = {c.key: c.value for c in report.cells}
    expected = {k: v for k, v in gold["cells"].items() if v is not None}
    assert len(expected) == 179
    right = sum(1 for k, v in expected.items() if got.get(k) == v)
    assert right / len(expected) >= 0.99, [(k, v, got.get(k)) for k, v in expected.items() if got.get(k) != v]
    assert right == len(expected)
    assert (report.agency, report.report_year, report.format_version) == ("洪泽区人民政府", 2023, "2021")
    assert report.n_pages == 5


def test_real_pdf_section4_inconsistency_flagged() -> None:
    failed = {(k.rule, k.scope) for k in _analyse(REAL).checks if k.passed is False}
    assert failed == {("R4", "admin_review"), ("R4", "litigation_after_review")}


def test_real_pdf_cells_keep_page_and_bbox() -> None:
    cells = {c.key: c for c in _analyse(REAL).cells}
    first, last = cells["requests.new_received.total"], cells["requests.handled_total.total"]
    assert (first.token.prov.page, last.token.prov.page) == (3, 4)
    assert first.token.prov.bbox is not None and last.token.prov.bbox is not None


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.stem)
def test_generated_pdf_round_trips_exactly(path: Path) -> None:
    report, gold = _analyse(path), _gold(path)
    got = {c.key: c.value for c in report.cells}
    expected = {**gold["cells"], **gold.get("ignored_cells", {})}  # ignored: printed, not scored
    wrong = [(k, v, got.get(k)) for k, v in expected.items() if got.get(k) != v]
    assert wrong == []
    assert (report.agency, report.report_year, report.format_version) == (
        gold["agency"],
        gold["report_year"],
        gold["format_version"],
    )
    published = report.publish_date.isoformat() if report.publish_date else None
    assert published == gold["publish_date"]


def test_pipeline_rows_for_real_pdf() -> None:
    ext = extract_file(REAL)
    assert ext.status == "ok"
    assert ext.report["file_format"] == "pdf" and ext.report["n_pages"] == 5
    assert len([c for c in ext.cells if c["value"] is not None]) >= 179
    assert all(c["page"] in (2, 3, 4) for c in ext.cells)


def _hostile(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    real = REAL.read_bytes()
    files = {
        "encrypted": (FIXTURES / "pdf" / "encrypted_user_password.pdf", "encrypted with a password"),
        "truncated": (tmp_path / "truncated.pdf", "truncated"),
        "corrupt": (tmp_path / "corrupt.pdf", "corrupt"),
    }
    files["truncated"][0].write_bytes(real[: len(real) // 2])
    files["corrupt"][0].write_bytes(b"%PDF-1.7\n" + b"garbage " * 500 + b"\n%%EOF\n")
    return files


@pytest.mark.slow
def test_pipeline_reads_a_scanned_pdf_by_ocr(tmp_path: Path) -> None:
    """A scan is not a bad PDF any more: its page is OCR'd (extractor/readers/pdf/ocr.py)."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(rasterise(REAL.read_bytes(), [0]))
    ext = extract_file(scan)
    assert ext.status == "ok" and ext.report["file_format"] == "pdf"
    assert ext.report["agency"] == "洪泽区人民政府"


@pytest.mark.parametrize("kind", ["encrypted", "truncated", "corrupt"])
def test_pipeline_turns_bad_pdf_into_one_failed_row(kind: str, tmp_path: Path) -> None:
    path, message = _hostile(tmp_path)[kind]
    ext = extract_file(path)
    assert ext.status == "failed" and message in ext.report["error"]
    assert ext.report["file_format"] == "pdf" and ext.cells == []
