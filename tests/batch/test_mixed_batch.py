"""A ~40-file mixed batch as a researcher would run it (issue 12): every input is one reports row,
cells join reports without growing, one preferred report per agency and year, and a rerun by
another spelling of the same paths skips everything."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import main
from tests.helpers import FIXTURES, REAL, ROOT


def cli(*args: str):
    return CliRunner().invoke(main, ["extract", *args], catch_exceptions=False)


@pytest.mark.slow
def test_mixed_batch_joins_cleanly_and_reruns_skip_everything(tmp_path: Path, monkeypatch):
    inputs = tmp_path / "batch"
    shutil.copytree(ROOT / "samples", inputs / "samples")
    shutil.copytree(REAL, inputs / "real")
    gen = inputs / "generated"
    gen.mkdir()
    for f in sorted((FIXTURES / "generated").glob("*")):
        if f.suffix in (".docx", ".pdf", ".html"):
            shutil.copy(f, gen / f.name)
    shutil.copy(REAL / "008_pingtan_2022.txt", inputs / "008_again.txt")  # same content, other name
    (inputs / "notice.txt").write_text(
        "关于召开会议的通知\n各单位：定于下周召开工作会议，请准时参加。\n", encoding="utf-8"
    )
    n_files = sum(1 for p in inputs.rglob("*") if p.is_file() and not p.name.endswith((".json", ".md")))
    assert n_files >= 40
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    one = inputs / "real" / "004_shanghai_govoffice_2019.html"
    res = cli("batch", str(one), "./batch/real/004_shanghai_govoffice_2019.html", "-o", "out", "-w", "2", "-q")
    assert res.exit_code == 0, res.output

    reports = pd.read_parquet(out / "reports.parquet")
    cells = pd.read_parquet(out / "cells.parquet")
    assert len(reports) == n_files  # nothing dropped, nothing doubled
    assert reports["report_id"].is_unique
    assert len(cells.merge(reports, on="report_id")) == len(cells)
    for name in ("sections", "checks", "crosswalk", "wide_2019", "wide_2021"):
        t = pd.read_parquet(out / f"{name}.parquet")
        assert len(t.merge(reports[["report_id"]], on="report_id")) == len(t), name
    live = reports[reports["duplicate_of"].isna() & (reports["status"] != "failed")]
    n = cells.groupby("report_id").size()
    assert (live["n_cells"] == live["report_id"].map(n).fillna(0)).all()
    chosen = reports[reports["preferred"] & reports["agency_key"].notna()]
    assert not chosen.duplicated(["agency_key", "report_year"]).any()
    assert reports.set_index("source").loc["notice.txt", "status"] == "failed"

    res = cli(str(inputs.resolve()), os.path.relpath(one), "-o", str(out.resolve()), "-w", "2")
    assert res.exit_code == 0
    assert "0 documents processed" in res.output and f"{n_files} unchanged and skipped" in res.output
    again = pd.read_parquet(out / "reports.parquet")
    assert len(again) == n_files and set(again["report_id"]) == set(reports["report_id"])
