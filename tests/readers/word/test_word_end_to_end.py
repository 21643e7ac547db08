"""Full pipeline on the generated reports: every DOCX, DOC and WPS rendering (and the HTML one,
and PDF once its reader is registered) gives exactly its golden cells and metadata, the same
(key, value, state) across renderings, and exactly the consistency failures the numbers imply.
Damaged Word files give one failed ``reports`` row each."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from extractor.model import FileFormat
from extractor.pipeline import Extraction, extract_file
from extractor.readers.registry import READERS
from tests.fixtures.generator.damaged import web_archive
from tests.fixtures.generator.form import APPLICANT_COLS, REVIEW_GROUPS, outcome_row_keys
from tests.fixtures.generator.generate import FIXTURES, OUT_DIR, Fixture, fixture_named
from tests.fixtures.generator.values import DASH, ValuesSpec
from tests.helpers import DAMAGED_WORD, DAMAGED_WORD_ERRORS, damaged_word_params, gold_of, zip_bytes

READABLE = ["docx", "doc", "wps", "html"] + (["pdf"] if FileFormat.PDF in READERS else [])
CASES = [(fx, ext) for fx in FIXTURES for ext in fx.renderings if ext in READABLE]
NEEDS_LIBREOFFICE = ("doc", "wps")


def _param(fx: Fixture, ext: str) -> object:
    marks = [pytest.mark.libreoffice] if ext in NEEDS_LIBREOFFICE else []
    return pytest.param(fx, ext, id=f"{fx.name}.{ext}", marks=marks)


@functools.cache
def extract(path: Path) -> Extraction:
    return extract_file(path, path.relative_to(OUT_DIR).as_posix())


def _gold(fx: Fixture) -> dict:
    return gold_of(OUT_DIR / f"{fx.name}.docx")


def _state(value: object) -> str:
    return "blank" if value is None else "dash" if value == DASH else "number"


@pytest.mark.parametrize(("fx", "ext"), [_param(fx, ext) for fx, ext in CASES])
def test_rendering_gives_exactly_its_golden_cells_and_metadata(fx: Fixture, ext: str) -> None:
    gold = _gold(fx)
    ex = extract(OUT_DIR / f"{fx.name}.{ext}")
    assert ex.report["status"] == "ok", ex.report["error"]
    assert ex.report["file_format"] == ext
    for field in ("format_version", "report_year", "agency", "publish_date"):
        assert ex.report[field] == gold[field], field
    got = {c["key"]: c["value"] for c in ex.cells}
    ignored = gold.get("ignored_cells", {})  # a hybrid report's 2019-style row, under the 2019 keys
    assert {k: v for k, v in got.items() if k not in ignored} == gold["cells"]
    assert {k: got.get(k, "missing") for k in ignored} == ignored
    values, _ = fx.values()
    assert {c["key"]: c["state"] for c in ex.cells} == {k: _state(v) for k, v in values.items()}


def _expected_failures(version: str, values: ValuesSpec, hybrid: bool = False) -> set[tuple[str, str]]:
    """(rule, scope) of every rule of OUTPUT.md that the printed numbers break (blank/dash operands
    make a rule unevaluable, not failed)."""

    def num(key: str) -> float | None:
        v = values[key]
        return None if v is None or v == DASH else float(v)  # type: ignore[arg-type]

    def fails(lhs: list[float | None], rhs: list[float | None]) -> bool:
        return None not in lhs + rhs and abs(sum(lhs) - sum(rhs)) > 1e-6  # type: ignore[arg-type]

    out = set()
    outcomes = outcome_row_keys(version, hybrid)
    for col in APPLICANT_COLS:
        r = {
            row: num(f"requests.{row}.{col}")
            for row in ("new_received", "carried_over_in", "handled_total", "carried_over_out")
        }
        if fails([r["new_received"], r["carried_over_in"]], [r["handled_total"], r["carried_over_out"]]):
            out.add(("R1", col))
        if fails([r["handled_total"]], [num(f"requests.{row}.{col}") for row in outcomes]):
            out.add(("R2", col))
    for row in ("new_received", "carried_over_in", *outcomes, "handled_total", "carried_over_out"):
        if fails([num(f"requests.{row}.total")], [num(f"requests.{row}.{c}") for c in APPLICANT_COLS[:-1]]):
            out.add(("R3", row))
    for group in REVIEW_GROUPS:
        parts = [num(f"review.{group}.{c}") for c in ("upheld", "corrected", "other", "pending")]
        if fails([num(f"review.{group}.total")], parts):
            out.add(("R4", group))
    return out


@pytest.mark.parametrize(("fx", "ext"), [_param(fx, ext) for fx, ext in CASES if ext in ("docx", "doc")])
def test_checks_flag_exactly_the_inconsistencies_in_the_numbers(fx: Fixture, ext: str) -> None:
    values, bad = fx.values()
    expected = _expected_failures(fx.variant.version, values, fx.variant.hybrid)
    assert bool(expected) == (bad is not None)
    ex = extract(OUT_DIR / f"{fx.name}.{ext}")
    failed = {(c["rule"], c["scope"]) for c in ex.checks if c["passed"] is False}
    assert failed == expected


MULTI = [fx for fx in FIXTURES if len([e for e in fx.renderings if e in READABLE]) > 1]


@pytest.mark.libreoffice
@pytest.mark.parametrize("fx", MULTI, ids=lambda fx: fx.name)
def test_renderings_of_one_report_agree_on_key_value_state(fx: Fixture) -> None:
    """The cross-reader contract of OUTPUT.md: compare (key, value, state); locators may differ."""
    results = {
        ext: {(c["key"], c["value"], c["state"]) for c in extract(OUT_DIR / f"{fx.name}.{ext}").cells}
        for ext in fx.renderings
        if ext in READABLE
    }
    reference = results["docx"]
    gold = _gold(fx)
    assert len(reference) == len(gold["cells"]) + len(gold.get("ignored_cells", {}))
    for ext, cells in results.items():
        assert cells == reference, ext


@pytest.mark.parametrize("name", damaged_word_params())
def test_damaged_word_file_is_one_failed_reports_row(name: str) -> None:
    ex = extract(DAMAGED_WORD / name)
    assert ex.report["status"] == "failed"
    assert DAMAGED_WORD_ERRORS[name] in ex.report["error"]
    assert ex.report["source"] == f"damaged/{name}"
    assert ex.cells == [] and ex.checks == []


def test_zip_bomb_is_one_failed_reports_row(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": b"<" * (60 * 1024 * 1024)}, 9))
    ex = extract_file(path, "bomb.docx")
    assert ex.report["status"] == "failed" and "zip bomb" in ex.report["error"]
    assert ex.report["file_format"] == "docx"


def _alt_chunk_docx(html: bytes) -> bytes:
    """A DOCX whose body is one ``w:altChunk`` holding the page as quoted-printable MHT, the way
    web editors' "export to Word" (html-docx-js and the like) write it."""
    mht = web_archive(html)
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    r = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    members = {
        "[Content_Types].xml": "<Types/>",
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": f'<w:document {w} {r}><w:body><w:altChunk r:id="htmlChunk"/>'
        "<w:sectPr/></w:body></w:document>",
        "word/_rels/document.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="htmlChunk" Type="{rel}/aFChunk" Target="/afchunk.mht"/></Relationships>',
    }
    return zip_bytes({**members, "afchunk.mht": mht})


@pytest.mark.parametrize("name", ["form2019_grid", "form2021_grid"])
def test_docx_exported_by_a_web_editor_as_alt_chunk_mht_round_trips(tmp_path: Path, name: str) -> None:
    fx = fixture_named(name)
    path = tmp_path / f"{name}_altchunk.docx"
    path.write_bytes(_alt_chunk_docx((OUT_DIR / f"{name}.html").read_bytes()))
    ex = extract_file(path, path.name)
    assert ex.report["status"] == "ok" and ex.report["file_format"] == "docx"
    assert {c["key"]: c["value"] for c in ex.cells} == _gold(fx)["cells"]
    assert all(c["locator"].startswith("altChunk 1 ") for c in ex.cells)
    assert {c["method"] for c in ex.cells} == {"html-table"}


@pytest.mark.parametrize("name", ["form2019_grid", "form2021_grid"])
def test_web_archive_published_as_doc_round_trips(name: str) -> None:
    """Word's "single file web page" (MHT) under a .doc name: sniffed as MHT, read as its page."""
    fx = fixture_named(name)
    path = OUT_DIR / "wrong_suffix" / f"{name}_mht_named.doc"
    ex = extract(path)
    assert ex.report["status"] == "ok" and ex.report["file_format"] == "mht"
    assert {c["key"]: c["value"] for c in ex.cells} == _gold(fx)["cells"]
    assert ex.report["agency"] == fx.variant.agency
    assert {c["method"] for c in ex.cells} == {"html-table"}
