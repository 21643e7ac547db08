"""The fixture generator: its values obey the form's arithmetic, its goldens are complete and the
committed fixtures are what the generator builds today."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.generator.form import APPLICANT_COLS, form_keys, load_schema_keys, outcome_row_keys
from tests.fixtures.generator.generate import FIXTURES, OUT_DIR, build_fixture, gold_for
from tests.fixtures.generator.values import DASH, derive_values

FIXTURE_IDS = [fx.name for fx in FIXTURES]


def _num(spec: dict, key: str) -> float:
    value = spec[key]
    return 0 if value is None or value == DASH else value


@pytest.mark.parametrize(("version", "hybrid"), [("2019", False), ("2021", False), ("2021", True)])
@pytest.mark.parametrize("seed", range(5))
def test_derived_values_obey_the_form_arithmetic(version: str, hybrid: bool, seed: int) -> None:
    spec, bad = derive_values(version, seed, blank_rate=0.2, dash_rate=0.2, hybrid=hybrid)
    assert bad is None
    assert list(spec) == form_keys(version, hybrid)
    assert ("requests.other.total" in spec) == (version == "2019" or hybrid)
    for col in APPLICANT_COLS:
        n = {
            row: _num(spec, f"requests.{row}.{col}")
            for row in ("new_received", "carried_over_in", "handled_total", "carried_over_out")
        }
        assert n["new_received"] + n["carried_over_in"] == n["handled_total"] + n["carried_over_out"], col
        outcomes = outcome_row_keys(version, hybrid)
        assert n["handled_total"] == sum(_num(spec, f"requests.{r}.{col}") for r in outcomes)
        assert n["new_received"] >= 0
    for row in ("new_received", "granted", "handled_total", "carried_over_out"):
        assert _num(spec, f"requests.{row}.total") == sum(
            _num(spec, f"requests.{row}.{c}") for c in APPLICANT_COLS[:-1]
        )
    for group in ("admin_review", "litigation_direct", "litigation_after_review"):
        parts = [_num(spec, f"review.{group}.{c}") for c in ("upheld", "corrected", "other", "pending")]
        assert _num(spec, f"review.{group}.total") == sum(parts)


def test_blank_and_dash_cells_only_replace_zeros() -> None:
    plain, _ = derive_values("2021", 5)
    marked, _ = derive_values("2021", 5, blank_rate=0.3, dash_rate=0.3)
    changed = {k for k in plain if plain[k] != marked[k]}
    assert changed, "some cells should be blank or dashed"
    assert all(plain[k] == 0 and marked[k] in (None, DASH) for k in changed)
    assert {marked[k] for k in changed} == {None, DASH}


def test_injected_inconsistency_changes_exactly_one_printed_total() -> None:
    plain, _ = derive_values("2019", 3)
    bad_spec, bad = derive_values("2019", 3, inconsistent=True)
    assert bad is not None
    assert {k for k in plain if plain[k] != bad_spec[k]} == {bad.key}
    assert bad.printed != bad.consistent == plain[bad.key]


def test_fixture_catalogue_covers_both_versions_and_all_variants() -> None:
    variants = [fx.variant for fx in FIXTURES]
    assert {v.version for v in variants} == {"2019", "2021"}
    assert {v.s3_break for v in variants} == {"none", "natural", "split", "split_repeat"}
    assert any(v.split_section2 for v in variants) and any(not v.split_section2 for v in variants)
    assert any(v.vertical_labels for v in variants)
    assert any(fx.dash_rate for fx in FIXTURES) and any(fx.blank_rate for fx in FIXTURES)
    assert any(fx.inconsistent for fx in FIXTURES)
    assert any(v.hybrid for v in variants)
    assert any(v.numbered_headings for v in variants) and any(v.word_extras for v in variants)
    for version in ("2019", "2021"):
        got = {r for fx in FIXTURES if fx.variant.version == version for r in fx.renderings}
        assert {"docx", "doc", "wps", "pdf", "html"} <= got, version


@pytest.mark.parametrize("name", FIXTURE_IDS)
def test_committed_fixture_files_exist_and_golden_is_current(name: str) -> None:
    """Every listed rendering is committed, and the golden is what the generator derives now
    (a missing golden fails: goldens are never written by tests)."""
    fx = next(f for f in FIXTURES if f.name == name)
    for ext in fx.renderings:
        path = OUT_DIR / f"{name}.{ext}"
        assert path.is_file() and path.stat().st_size > 1000, path
    committed = json.loads((OUT_DIR / f"{name}.gold.json").read_text(encoding="utf-8"))
    values, bad = fx.values()
    assert committed == json.loads(json.dumps(gold_for(fx, values, bad), ensure_ascii=False))
    schema = load_schema_keys(fx.variant.version)
    printed = form_keys(fx.variant.version, fx.variant.hybrid)
    assert list(committed["cells"]) == [k for k in printed if k in schema]
    assert list(committed.get("ignored_cells", {})) == [k for k in printed if k not in schema]
    signed = fx.variant.publish_date.isoformat() if fx.variant.signed_date else None
    assert committed["publish_date"] == signed


@pytest.mark.parametrize("name", FIXTURE_IDS)
def test_generator_rebuilds_the_committed_docx_byte_for_byte(tmp_path: Path, name: str) -> None:
    """The committed DOCX is what the generator writes today (fixed zip dates make it repeatable),
    so no fixture drifts from the code that documents it."""
    fx = next(f for f in FIXTURES if f.name == name)
    paths = build_fixture(fx, tmp_path, convert=False)
    assert [p.name for p in paths] == [f"{name}.docx", f"{name}.gold.json"]
    assert paths[0].read_bytes() == (OUT_DIR / f"{name}.docx").read_bytes()
    assert paths[1].read_bytes() == (OUT_DIR / f"{name}.gold.json").read_bytes()


def test_unsigned_variant_prints_no_date_under_the_agency(tmp_path: Path) -> None:
    from dataclasses import replace

    from extractor.readers.word.docx import docx_to_document
    from tests.fixtures.generator.render import build_docx

    fx = FIXTURES[0]
    values, _ = fx.values()
    path = tmp_path / "unsigned.docx"
    build_docx(replace(fx.variant, signed_date=False), values, path)
    texts = [b.text for b in docx_to_document(path.read_bytes()).paragraphs]
    assert texts[-1] == fx.variant.agency and not any(t.endswith("日") and "年" in t for t in texts[-2:])
