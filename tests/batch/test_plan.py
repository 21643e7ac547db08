"""Batch planning (extractor/batch/plan.py): unchanged inputs skipped on a rerun, changed ones re-read, copies marked as duplicates."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import REAL, extract_cli, load, make_inputs


def test_rerun_is_incremental(tmp_path: Path):
    inputs = tmp_path / "in"
    docs = make_inputs(inputs, 4)
    out = tmp_path / "out"
    assert extract_cli(str(inputs), "-o", str(out), "-q").exit_code == 0
    first = load(out)["reports"].set_index("source")
    # one file changes, one is added, one is copied under a new name
    docs[0].write_bytes(docs[0].read_bytes() + "\n再附一行\n".encode())
    (inputs / "new.txt").write_bytes((REAL / "018_dalian_changxingdao_jiedao_2022.txt").read_bytes())
    (inputs / "copy.html").write_bytes(docs[1].read_bytes())
    res = extract_cli(str(inputs), "-o", str(out))
    assert "3 unchanged and skipped" in res.output
    reports = load(out)["reports"].set_index("source")
    assert len(reports) == 6
    changed = docs[0].name
    assert reports.loc[changed, "report_id"] != first.loc[changed, "report_id"]
    assert reports.loc["copy.html", "duplicate_of"] == reports.loc[docs[1].name, "report_id"]
    cells = load(out)["cells"]
    assert set(cells["report_id"]) == set(reports[reports["duplicate_of"].isna()]["report_id"])
    assert reports["report_id"].is_unique
    assert cells.groupby(["report_id", "key"]).size().max() == 1  # superseded rows are gone
